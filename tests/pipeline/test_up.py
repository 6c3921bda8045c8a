"""`parley up`, the main job, as a user runs it: its own embedded broker, workers, sink."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from support.faults import children_of
from support.harness import SEEDS, load_jsonl
from parley.broker import free_port
from parley.commands.workers import PIPELINE
from parley.schemas import validator

pytestmark = pytest.mark.broker

PARLEY = [sys.executable, "-m", "parley.cli"]


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "PARLEY_", "DATABASE_URL"))}
    env["PARLEY_SQLITE_PATH"] = str(tmp_path / "parley.db")
    env["PARLEY_API_PORT"] = str(free_port())  # the query API of a following `parley up`
    return env


def _descendants_alive(marker: str) -> list[str]:
    """Command lines of live processes that mention `marker` (a run's unique directory)."""
    alive = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline or marker in environ:
            alive.append(f"{pid}: {cmdline}")
    return alive


def test_up_once_on_the_seeds_prints_the_table_and_exports_valid_meetings(tmp_path):
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    run = subprocess.run(PARLEY + ["up", "--input", str(SEEDS), "--once", "--export", str(out)],
                         cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    wall = time.monotonic() - started
    print(f"parley up --once on the seeds: {wall:.1f} s wall")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Detected meetings" in run.stdout
    events = load_jsonl(out)
    assert events, "no meeting exported"
    validate = validator("events.meetings")
    assert all(validate(e) == [] for e in events)
    assert len({e["event_id"] for e in events}) == len(events)

    # `parley process` gives the same events for the same input.
    batch = tmp_path / "batch.jsonl"
    subprocess.run(PARLEY + ["process", str(SEEDS), "--output", str(batch), "--quiet"],
                   cwd=tmp_path, env=_env(tmp_path), check=True, capture_output=True, timeout=120)
    def by_id(rows):
        return {e["event_id"]: {k: v for k, v in e.items() if k not in ("detected_at", "ingested_at")} for e in rows}

    assert by_id(load_jsonl(batch)) == by_id(events)

    # Stories beside the events: the stream's equal the batch path's, and `parley export
    # --stories` writes the same from the database.
    streamed = load_jsonl(tmp_path / "out.stories.jsonl")
    assert "Stories (" in run.stdout and streamed
    validate_story = validator("events.stories")
    assert all(validate_story({k: v for k, v in s.items() if k != "reports"}) == [] for s in streamed)
    subprocess.run(PARLEY + ["process", str(SEEDS), "--stories", "--output", str(tmp_path / "batch-stories.jsonl"),
                             "--quiet"], cwd=tmp_path, env=_env(tmp_path), check=True, capture_output=True, timeout=120)

    def story_ids(rows):
        return {s["story_id"]: sorted(r["event_id"] for r in s["reports"]) for s in rows}

    assert story_ids(streamed) == story_ids(load_jsonl(tmp_path / "batch-stories.jsonl"))
    exported = subprocess.run(PARLEY + ["export", "--stories", str(tmp_path / "exported.jsonl")], cwd=tmp_path,
                              env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert exported.returncode == 0 and "stories to" in exported.stdout, exported.stderr
    assert story_ids(load_jsonl(tmp_path / "exported.jsonl")) == story_ids(streamed)


def test_ctrl_c_stops_every_child_and_the_broker(tmp_path):
    marker = str(tmp_path)  # the run directory (and so every child's environment) names tmp_path
    proc, _ = _start_following(tmp_path)
    assert len(_descendants_alive(marker)) >= 5  # broker + cleaner, tagger, detector, sink, ingest
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    time.sleep(1.0)
    assert _descendants_alive(marker) == []


def _start_following(tmp_path: Path) -> tuple[subprocess.Popen, list[str]]:
    """`parley up` without --once, on a free ingest port, read until it says it is running."""
    env = _env(tmp_path)
    env["TMPDIR"] = str(tmp_path)
    env["PARLEY_INGEST_PORT"] = str(free_port())
    proc = subprocess.Popen(PARLEY + ["up", "--input", str(SEEDS)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "pipeline running" in line:
            break
    assert any("pipeline running" in l for l in lines), "".join(lines)
    return proc, lines


def test_a_taken_ingest_port_is_refused_before_starting_naming_the_variable(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = _env(tmp_path)
        env["PARLEY_INGEST_PORT"] = str(port)
        # --once runs no ingest API, so the check is for the default, following mode.
        run = subprocess.run(PARLEY + ["up", "--input", str(SEEDS)], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=90)
    assert run.returncode != 0
    assert "pipeline running" not in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert f"port {port}" in run.stderr and "PARLEY_INGEST_PORT" in run.stderr


def test_up_prints_the_metrics_and_health_address_of_every_service(tmp_path):
    proc, lines = _start_following(tmp_path)
    try:
        text = "".join(lines)
        for name in PIPELINE + ("ingest", "api"):
            found = re.search(rf"^\s*{name}\s+(http://\S+/metrics)\s+(http://\S+/healthz)", text, re.M)
            assert found, f"no address for {name}:\n{text}"
        with urllib.request.urlopen(found.group(2), timeout=10) as answer:
            assert answer.status == 200
        with urllib.request.urlopen(found.group(1), timeout=10) as answer:
            assert b"# TYPE" in answer.read()
        page = re.search(r"analyst page and query API: (http://\S+/)$", text, re.M)
        assert page, text
        with urllib.request.urlopen(page.group(1), timeout=10) as answer:
            assert b"<title>Parley: live stories</title>" in answer.read()
        with urllib.request.urlopen(page.group(1) + "stories", timeout=10) as answer:
            assert set(json.loads(answer.read())) == {"items", "count", "next"}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_sigint_and_sigterm_stop_up_the_same_clean_way(tmp_path, sig):
    marker = str(tmp_path)
    proc, _ = _start_following(tmp_path)
    assert len(_descendants_alive(marker)) >= 5
    proc.send_signal(sig)
    rest, _ = proc.communicate(timeout=60)
    assert f"{sig.name} received: stopping workers and broker" in rest, rest
    assert "Traceback" not in rest
    assert proc.returncode == 128 + sig
    time.sleep(1.0)
    assert _descendants_alive(marker) == []
    # A clean stop leaves no run folder and no faust data folder behind (TMPDIR is tmp_path).
    assert not list(tmp_path.glob("parley-up-*")) and not list(tmp_path.glob("parley-faust-*"))


def test_the_live_table_shows_only_this_runs_meetings(tmp_path):
    import asyncio

    from parley.stages.sink_store import Batch, SQLiteStore

    old = {
        "event_id": "m-old-run", "article_id": "a-old-run", "kind": "meeting", "status": "occurred",
        "countries": ["AUT", "SVN"], "orgs": [], "participants": [],
        "source": {"file": "EARLIER-RUN-ARTICLE.txt"}, "evidence": {"start": 0, "end": 1, "text": "x"},
        "confidence": 0.9, "detected_at": "2020-01-01T00:00:00.000000Z",
    }

    async def store_old():
        store = SQLiteStore(tmp_path / "parley.db")
        await store.open()
        await store.write(Batch(events=[old], articles=[]))
        await store.close()

    asyncio.run(store_old())
    proc, lines = _start_following(tmp_path)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any("Detected meetings" in l for l in lines):
            lines.append(proc.stdout.readline())
        while time.monotonic() < deadline and not lines[-1].startswith("└"):
            lines.append(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    text = "".join(lines)
    assert "Detected meetings" in text and ".txt" in text, text
    assert "EARLIER-RUN-ARTICLE" not in text, text


def _read_until(proc: subprocess.Popen, lines: list[str], text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not any(text in line for line in lines):
        assert time.monotonic() < deadline and proc.poll() is None, f"no {text!r} in:\n{''.join(lines)}"
        lines.append(proc.stdout.readline())


def test_a_killed_worker_is_restarted_counted_and_the_counter_passes_promtool(tmp_path, promtool):
    proc, lines = _start_following(tmp_path)
    try:
        metrics_url = re.search(r"supervisor\s+(http://\S+/metrics)", "".join(lines)).group(1)
        os.kill(children_of(proc.pid)["cleaner"], signal.SIGKILL)
        _read_until(proc, lines, "restarted worker cleaner")
        body = urllib.request.urlopen(metrics_url, timeout=10).read()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    text = "".join(lines)
    assert "worker cleaner exited with code -9" in text, text
    assert 'parley_worker_restarts_total{stage="cleaner"} 1.0' in body.decode(), body.decode()
    check = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, timeout=30)
    assert check.returncode == 0, (check.stdout, check.stderr)


def test_a_worker_that_keeps_dying_makes_up_give_up_loudly_naming_it(tmp_path):
    proc, lines = _start_following(tmp_path)
    try:
        deadline = time.monotonic() + 180
        while proc.poll() is None:  # kill the tagger each time it is back
            assert time.monotonic() < deadline, "parley up did not give up"
            pid = children_of(proc.pid).get("tagger")
            if pid:
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
        rest = proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode not in (0, None)
    assert "worker tagger exited 5 times within 60 s" in rest and "gives up" in rest, rest
    assert "Traceback" not in rest
    assert "logs kept in" in rest  # a failed run keeps its folder for reading


def test_up_once_survives_a_broker_kill_with_every_meeting(tmp_path):
    import sqlite3

    from parley.logic.pipeline import process
    from support.harness import read_messages

    corpus = tmp_path / "input"
    corpus.mkdir()
    for copy in range(4):  # enough articles that the kill lands mid-run
        for path in sorted((SEEDS.parent / "dev").glob("*.txt")):
            (corpus / f"{copy}-{path.name}").write_text(f"{path.read_text()}\n\nCopy {copy}.\n")
    expected = {e["event_id"] for m in read_messages([corpus]) for e in process(m).events}
    out, db = tmp_path / "out.jsonl", tmp_path / "parley.db"
    proc = subprocess.Popen(PARLEY + ["up", "--input", str(corpus), "--once", "--export", str(out)], cwd=tmp_path,
                            env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 180
    stored = 0
    while stored == 0:  # kill the broker once the sink has begun storing
        assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
        time.sleep(0.1)
        try:
            with sqlite3.connect(db, timeout=5) as conn:
                stored = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        except sqlite3.Error:
            pass
    os.kill(children_of(proc.pid)["broker"], signal.SIGKILL)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output[-3000:]
    assert "embedded broker exited" in output and "published again" in output, output[-3000:]
    assert {e["event_id"] for e in load_jsonl(out)} == expected


def test_sigint_stops_up_started_in_the_background_by_a_script(tmp_path):
    env = _env(tmp_path)
    env["PARLEY_INGEST_PORT"] = str(free_port())
    log = tmp_path / "up.log"
    # A non-interactive shell starts background jobs with SIGINT ignored.
    script = f"{' '.join(PARLEY)} up --input {SEEDS} > {log} 2>&1 &\necho $!\nwait"
    shell = subprocess.Popen(["bash", "-c", script], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    pid = int(shell.stdout.readline())
    deadline = time.monotonic() + 180
    while "pipeline running" not in (log.read_text() if log.exists() else ""):
        assert time.monotonic() < deadline and shell.poll() is None, log.read_text()
        time.sleep(0.2)
    os.kill(pid, signal.SIGINT)
    try:
        shell.wait(timeout=60)
    finally:
        if shell.poll() is None:  # SIGINT ignored: do not leave the pipeline running
            os.kill(pid, signal.SIGTERM)
            shell.wait(timeout=60)
    text = log.read_text()
    assert "SIGINT received: stopping workers and broker" in text, text
    assert "Traceback" not in text
