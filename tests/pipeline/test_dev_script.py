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
    assert "docker-compose: missing (Debian package docker-compose)" in lines
    assert result.returncode == 1


def test_ci_entry_point_runs_the_test_command_from_the_repository_root():
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK) and os.access(ROOT / "dev", os.X_OK)
    lines = [line.strip() for line in ci.read_text().splitlines() if line.strip()]
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert lines[-1] == "exec ./dev test"
