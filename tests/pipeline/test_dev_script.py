"""`./dev` (the README's commands) and the CI entry point."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_dev(*args: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    return subprocess.run([shutil.which("bash"), str(ROOT / "dev"), *args], capture_output=True, text=True, env=env, timeout=60)


def test_dev_without_a_command_prints_its_usage_and_fails():
    result = run_dev()
    assert result.returncode == 2
    for command in ("./dev up", "./dev test", "./dev tools"):
        assert command in result.stderr


def test_dev_doctor_names_each_missing_tool_with_its_debian_package(tmp_path):
    fake_kcat = tmp_path / "kcat"
    fake_kcat.write_text("#!/bin/sh\n")
    fake_kcat.chmod(0o755)
    (tmp_path / "dirname").symlink_to(shutil.which("dirname"))
    result = run_dev("doctor", path=str(tmp_path))
    lines = result.stdout.splitlines()
    assert f"kcat: {fake_kcat}" in lines
    assert "promtool: missing (Debian package prometheus)" in lines
    assert "amtool: missing (Debian package prometheus-alertmanager)" in lines
    assert "docker-compose: missing (Debian package docker-compose)" in lines
    assert result.returncode == 1


def test_ci_entry_point_runs_the_test_command_from_the_repository_root():
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK) and os.access(ROOT / "dev", os.X_OK)
    lines = [line.strip() for line in ci.read_text().splitlines() if line.strip()]
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert lines[-1] == "exec ./dev test"


def _fake_checkout(tmp_path: Path) -> Path:
    """A copy of ./dev and pyproject.toml whose .venv/bin/python records each pip install
    (and provides a `parley` that says it ran) instead of installing anything."""
    checkout = tmp_path / "checkout"
    (checkout / ".venv" / "bin").mkdir(parents=True)
    shutil.copy2(ROOT / "dev", checkout / "dev")
    shutil.copy2(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    python = checkout / ".venv" / "bin" / "python"
    python.write_text(
        "#!/bin/sh\n"
        'dir=$(dirname "$0")\n'
        'echo "$@" >>"$dir/../pip-calls"\n'
        'printf \'#!/bin/sh\\necho "parley $*"\\n\' >"$dir/parley"\n'
        'chmod +x "$dir/parley"\n'
    )
    python.chmod(0o755)
    return checkout


def _dev(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("bash"), str(checkout / "dev"), *args], capture_output=True,
                          text=True, timeout=60)


def test_dev_up_installs_the_runtime_only(tmp_path):
    checkout = _fake_checkout(tmp_path)
    result = _dev(checkout, "up", "--once")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "parley up --once"
    calls = (checkout / ".venv" / "pip-calls").read_text().splitlines()
    assert calls == ["-m pip install -q -e ."], calls
    assert "runtime only" in result.stderr
    # A second `./dev up` installs nothing; `./dev setup` (what `./dev test` runs first) adds the test extras.
    _dev(checkout, "up")
    assert len((checkout / ".venv" / "pip-calls").read_text().splitlines()) == 1
    _dev(checkout, "setup")
    assert (checkout / ".venv" / "pip-calls").read_text().splitlines()[-1] == "-m pip install -q -e .[test]"


def test_dev_up_keeps_an_existing_test_install(tmp_path):
    checkout = _fake_checkout(tmp_path)
    assert _dev(checkout, "setup").returncode == 0
    assert _dev(checkout, "up").returncode == 0
    assert (checkout / ".venv" / "pip-calls").read_text().splitlines() == ["-m pip install -q -e .[test]"]
