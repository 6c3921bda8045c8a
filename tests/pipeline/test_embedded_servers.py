"""The embedded broker and the throw-away PostgreSQL: start, stop, restart, never orphaned."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

from parley.broker import BrokerStartError, EmbeddedBroker, probe_kafka

ROOT = Path(__file__).resolve().parents[2]


def process_gone(pid: int, wait: float = 15.0) -> bool:
    """True once `pid` has exited (a zombie waiting for init to reap it counts as exited)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if "State:\tZ" in state:
            return True
        time.sleep(0.05)
    return False


def port_accepts(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.broker
def test_embedded_broker_answers_metadata_with_its_own_address_and_stops(tmp_path):
    with EmbeddedBroker(run_dir=tmp_path) as broker:
        host, port = broker.bootstrap.split(":")
        assert [(h, p) for _, h, p in probe_kafka(host, int(port))] == [(host, int(port))]
        pid = broker.pid
    assert not broker.is_running()
    assert process_gone(pid)
    assert not port_accepts(int(port))
    assert "listening on" in (tmp_path / "tansu.log").read_text()


def test_broker_start_failure_names_binary_port_and_shows_its_output(tmp_path):
    fake = tmp_path / "fake-tansu"
    fake.write_text("#!/bin/sh\necho 'cannot open storage: boom' >&2\nexit 3\n")
    fake.chmod(0o755)
    broker = EmbeddedBroker(binary=str(fake), port=1, run_dir=tmp_path, start_timeout=5)
    with pytest.raises(BrokerStartError) as info:
        broker.start()
    message = str(info.value)
    assert str(fake) in message and "127.0.0.1:1" in message
    assert "boom" in message and "status 3" in message
    assert not broker.is_running()


@pytest.mark.broker
def test_broker_dies_with_the_process_that_started_it():
    script = textwrap.dedent("""
        import sys, time
        from parley.broker import EmbeddedBroker
        broker = EmbeddedBroker().start()
        print(broker.pid, flush=True)
        time.sleep(120)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        broker_pid = int(parent.stdout.readline())
        assert not process_gone(broker_pid, wait=0.2)
    finally:
        parent.send_signal(signal.SIGKILL)  # no atexit, no cleanup: only the kernel can help
        parent.wait()
    assert process_gone(broker_pid)


@pytest.mark.postgres
def test_postgres_outage_and_recovery_keep_the_dsn_and_the_data(postgres_server):
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS survivors (name text)")
        conn.execute("INSERT INTO survivors VALUES ('kept')")
    postgres_server.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(postgres_server.dsn, connect_timeout=2)
    postgres_server.start()
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        assert ("kept",) in conn.execute("SELECT name FROM survivors").fetchall()
        conn.execute("DROP TABLE survivors")


@pytest.mark.postgres
def test_postgres_recovers_after_being_killed(postgres_server):
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE crash_test (n int)")
        conn.execute("INSERT INTO crash_test VALUES (1)")
    pid = postgres_server.pid
    postgres_server.kill()
    assert process_gone(pid)
    postgres_server.start()
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        assert conn.execute("SELECT n FROM crash_test").fetchall() == [(1,)]
        conn.execute("DROP TABLE crash_test")


@pytest.mark.postgres
def test_each_postgres_database_fixture_starts_empty(postgres_database):
    with psycopg.connect(postgres_database, autocommit=True) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        assert tables == (0,)


@pytest.mark.postgres
def test_postgres_server_does_not_run_as_root(postgres_server):
    status = Path(f"/proc/{postgres_server.pid}/status").read_text()
    uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
    assert uid_line.split()[1] != "0"
