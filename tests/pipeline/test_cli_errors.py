"""First-hour mistakes on the command line get a clear message and exit code, not a traceback
or an empty result."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.harness import SEEDS

PARLEY = [sys.executable, "-m", "parley.cli"]


def _run(args: list[str], cwd: Path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "PARLEY_", "DATABASE_URL"))}
    return subprocess.run(PARLEY + args, cwd=cwd, env={**base, **env}, capture_output=True, text=True,
                          timeout=120)


def test_eval_on_a_folder_without_gold_says_so(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text((SEEDS / "000_0c5b75f6f70c7170.txt").read_text())
    run = _run(["eval", str(corpus)], tmp_path)
    assert run.returncode == 2, run.stdout[-2000:]
    assert "no gold.jsonl in" in run.stderr
    assert "F1=" not in run.stdout  # no zero scores printed


def test_export_into_a_missing_folder_names_the_folder(tmp_path):
    (tmp_path / "parley.db").write_bytes(b"")
    run = _run(["export", str(tmp_path / "nowhere" / "out.jsonl")], tmp_path)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"folder {tmp_path / 'nowhere'} does not exist" in run.stderr


def test_export_without_a_database_says_where_it_looked(tmp_path):
    run = _run(["export", "out.jsonl"], tmp_path, PARLEY_SQLITE_PATH=str(tmp_path / "missing.db"))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert str(tmp_path / "missing.db") in run.stderr
    assert "PARLEY_SQLITE_PATH" in run.stderr and "DATABASE_URL" in run.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_a_wrong_flag_of_up_prints_the_usage_of_up(tmp_path):
    run = _run(["up", "--wrong-flag"], tmp_path)
    assert run.returncode == 2
    assert "usage: parley up" in run.stderr
    assert "parley up: error: unrecognized arguments: --wrong-flag" in run.stderr


def test_process_on_a_missing_path_is_an_error_not_an_empty_table(tmp_path):
    run = _run(["process", str(tmp_path / "nothing-here")], tmp_path)
    assert run.returncode != 0
    assert "no such file or folder" in run.stderr
    assert "Detected meetings" not in run.stdout


def test_up_export_into_a_missing_folder_is_refused_before_the_run(tmp_path):
    run = _run(["up", "--once", "--input", str(SEEDS), "--export", str(tmp_path / "nowhere" / "out.jsonl")],
               tmp_path, PARLEY_SQLITE_PATH=str(tmp_path / "parley.db"))
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert f"folder {tmp_path / 'nowhere'} does not exist" in run.stderr
    assert "embedded broker" not in run.stdout  # nothing was started


def test_ingest_messages_are_not_wrapped_when_written_to_a_file(tmp_path, broker):
    folder = tmp_path / ("a-folder-with-a-rather-long-name-" * 3)
    folder.mkdir()
    (folder / "empty-article-with-a-long-file-name.txt").write_text("   \n")
    (folder / "good.txt").write_text((SEEDS / "000_0c5b75f6f70c7170.txt").read_text())
    run = _run(["ingest", str(folder)], tmp_path, KAFKA_BOOTSTRAP_SERVERS=broker,
               PARLEY_TOPIC_PREFIX=f"t{os.getpid()}wrap.")
    assert run.returncode == 0, run.stderr
    refused = [line for line in run.stderr.splitlines() if "refused" in line and "empty-article" in line]
    assert len(refused) == 1 and str(folder) in refused[0], run.stderr  # one line, not cut at 80 columns
    assert "published 1 articles; refused 1" in run.stderr
