"""A malformed DATABASE_URL is reported without its password, whatever its shape."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from parley.stages.sink_store import DatabaseUrlError, check_database_url, mask_url, open_store

SERVICES = Path(__file__).resolve().parents[2] / "services"
SECRET = "s3cretPW"

URLS = [
    f"postgresql://user:{SECRET}@host:notaport/db",
    f"postgresql://user:{SECRET}@host:99999999/db",
    f"postgresql://user:{SECRET}@[::1/db",
    f"postgres://user:{SECRET}@127.0.0.1:1/db?connect_timeout=1",
    f"postgresql://user@127.0.0.1:1/db?password={SECRET}&connect_timeout=1",
    f"mysql://user:{SECRET}@host/db",
    f"postgresql://user:{SECRET}@host:5432/db?sslmode=bogus",
]


@pytest.mark.parametrize("url", URLS)
def test_parley_export_never_prints_the_password(url, tmp_path):
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(SERVICES)}
    done = subprocess.run([sys.executable, "-m", "parley.cli", "export", str(tmp_path / "out.jsonl")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert SECRET not in output, output
    assert "Traceback" not in output, output
    assert "DATABASE_URL" in output or "cannot read meetings" in output


@pytest.mark.parametrize("url", URLS[:3] + URLS[5:6])
def test_parley_up_refuses_a_malformed_url_before_starting_without_the_password(url, tmp_path):
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(SERVICES)}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    done = subprocess.run([sys.executable, "-m", "parley.cli", "up", "--once"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert SECRET not in output, output
    assert "Traceback" not in output, output
    assert "DATABASE_URL" in output
    assert "started workers" not in output, output   # refused before anything started


@pytest.mark.parametrize("url", URLS[:3] + URLS[5:6])
def test_malformed_urls_are_refused_with_the_password_masked(url):
    with pytest.raises(DatabaseUrlError) as caught:
        check_database_url(url)
    assert SECRET not in str(caught.value) and "***" in str(caught.value)
    with pytest.raises(SystemExit) as stopped:
        open_store(url, "unused.sqlite")
    assert SECRET not in str(stopped.value)


def test_mask_url_hides_passwords_in_every_spelling():
    assert mask_url("postgresql://u:p%40ss@h/db") == "postgresql://u:***@h/db"
    assert mask_url("postgresql://u@h/db?password=pw&x=1") == "postgresql://u@h/db?password=***&x=1"
    assert mask_url("postgresql://u@h/db") == "postgresql://u@h/db"
