"""`parley up`: the whole pipeline on one machine, as child processes of one command.

It starts the embedded broker when KAFKA_BOOTSTRAP_SERVERS is unset, creates the topics from
the registry, starts one worker process per service, publishes the input, shows progress
and prints the meetings. Children die with it: they run in their own sessions (a Ctrl-C is
handled here, once, as a clean stop) and have PR_SET_PDEATHSIG set (a `kill -9` of `parley
up` still takes them down).
"""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..broker import EmbeddedBroker, die_with_parent
from ..config import Settings
from ..ingest.readers import InputError, read_paths
from ..progress import Stalled, publish_and_drain
from ..publisher import Publisher
from ..render import print_meetings, wide_console
from ..stages import NAMES
from ..stages.sink_store import DatabaseUrlError, check_database_url, read_meetings, write_jsonl
from ..topics import create_topics_sync

PIPELINE = NAMES  # one worker process per stage of the STAGES table
SAMPLES = Path(__file__).parent.parent / "data" / "samples"


@dataclass
class WorkerProcess:
    name: str
    proc: subprocess.Popen
    log_path: Path
    port_file: Path

    def port(self) -> int | None:
        try:
            return int(self.port_file.read_text())
        except (OSError, ValueError):
            return None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Workers:
    """The worker processes of one pipeline run."""

    settings: Settings
    run_dir: Path
    started: list[WorkerProcess] = field(default_factory=list)

    def start(self, names=PIPELINE) -> None:
        for name in names:
            self.started.append(self._spawn(name))

    def _spawn(self, name: str) -> WorkerProcess:
        # A second process of the same service (scaling out) gets its own log and port file.
        label = name
        taken = {w.log_path.stem for w in self.started}
        while label in taken:
            label = f"{name}-{sum(1 for t in taken if t.startswith(name)) + 1}"
        log_path = self.run_dir / f"{label}.log"
        port_file = self.run_dir / f"{label}.port"
        port_file.unlink(missing_ok=True)
        env = {**os.environ, **self.settings.env(), "PARLEY_PORT_FILE": str(port_file), "PYTHONUNBUFFERED": "1"}
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "parley.cli", "worker", name],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=die_with_parent,
            )
        return WorkerProcess(name, proc, log_path, port_file)

    def get(self, name: str) -> WorkerProcess:
        return next(w for w in self.started if w.name == name)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to one worker and reap it (fault injection, or a stop of one service)."""
        worker = self.get(name)
        if worker.proc.poll() is None:
            worker.proc.send_signal(sig)
        worker.proc.wait(timeout=60)

    def restart(self, name: str) -> WorkerProcess:
        """Start a fresh process for a worker that was killed or stopped."""
        old = self.get(name)
        if old.proc.poll() is None:
            self.kill(name, signal.SIGTERM)
        index = self.started.index(old)
        self.started.pop(index)
        fresh = self._spawn(name)
        self.started.insert(index, fresh)
        return fresh

    def wait_for_ports(self, timeout: float = 60.0) -> dict[str, int | None]:
        """The HTTP port of each worker (label -> port; None if it did not announce one in time)."""
        deadline = time.monotonic() + timeout
        while True:
            ports = {w.log_path.stem: w.port() for w in self.started}
            if all(p is not None for p in ports.values()) or time.monotonic() > deadline:
                return ports
            self.check()
            time.sleep(0.1)

    def check(self) -> None:
        for worker in self.started:
            code = worker.proc.poll()
            if code is not None:
                raise SystemExit(
                    f"worker {worker.name} exited with code {code}; its log ({worker.log_path}) ends:\n"
                    f"{worker.log_tail()}"
                )

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM: each worker finishes its batch, commits and closes; SIGKILL stragglers."""
        for worker in self.started:
            if worker.proc.poll() is None:
                worker.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for worker in self.started:
            try:
                worker.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.proc.kill()
                worker.proc.wait()
        self.started.clear()


def read_input(paths: list[str], settings: Settings, console: Console) -> list[dict]:
    messages, errors = [], 0
    for result in read_paths(paths, max_chars=settings.max_article_chars):
        if isinstance(result, InputError):
            errors += 1
            console.print(f"[yellow]skipped[/] {result.message}")
        else:
            messages.append(result.to_message())
    if not messages:
        raise SystemExit(
            f"no article could be read from {', '.join(paths)}"
            + (f" ({errors} refused, see above)" if errors else "")
            + "; give files or folders of .txt, .json, .jsonl or .html articles"
        )
    return messages


def _publish_and_wait(settings: Settings, messages: list[dict], workers: Workers, console: Console,
                      once: bool, stall_timeout: float) -> None:
    if not once:
        asyncio.run(_publish(settings, messages))
        console.print(f"published {len(messages)} articles")
        return
    with Progress(TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def show(stages) -> None:
            for s in stages:
                if s.stage not in tasks:
                    tasks[s.stage] = bar.add_task(s.stage, total=max(1, s.available))
                bar.update(tasks[s.stage], completed=min(s.committed, s.available), total=max(1, s.available))

        try:
            asyncio.run(publish_and_drain(settings, messages, check=workers.check, on_progress=show,
                                          stall_timeout=stall_timeout))
        except Stalled as exc:
            raise SystemExit(f"{exc}. Worker logs are in {workers.run_dir}") from None


async def _publish(settings: Settings, messages: list[dict]) -> None:
    async with Publisher(settings) as publisher:
        await publisher.publish(messages)


def _check_port_free(host: str, port: int, what: str, variable: str) -> None:
    """Refuse to start (no broker, no workers) when `port` is taken, naming the variable to set.

    Binds the way aiohttp does (SO_REUSEADDR), so a socket in TIME_WAIT from a previous run
    does not count as taken."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise SystemExit(
                f"port {port} on {host} ({what}) is not available: {exc.strerror or exc}; "
                f"stop what holds it, or set {variable} to a free port (e.g. {variable}={port + 1} parley up)"
            ) from None


def _print_endpoints(settings: Settings, workers: Workers, console: Console) -> None:
    """Where each service's Prometheus metrics and health checks are (ports are picked free)."""
    host = settings.http_host
    console.print("metrics and health checks:")
    for label, port in workers.wait_for_ports().items():
        if port is None:
            console.print(f"  {label:<9} no HTTP port announced yet; see {workers.run_dir / (label + '.log')}")
        else:
            console.print(f"  {label:<9} http://{host}:{port}/metrics  http://{host}:{port}/healthz",
                          highlight=False, soft_wrap=True)


def _stop_on_sigterm() -> dict:
    """Make SIGTERM (systemd, docker stop, kill) stop `parley up` the way Ctrl-C does: workers
    finish their batch and commit, the broker stops, the same message is printed. Without this
    the default action kills `parley up` at once and its children die by PR_SET_PDEATHSIG (SIGKILL).
    Returns the state the handler fills in: which signal arrived, and the handler to restore."""
    state: dict = {}
    if threading.current_thread() is not threading.main_thread():
        return state  # signal handlers can only be set from the main thread

    def on_term(signum, frame):
        if "signum" in state:
            return  # already stopping: let the clean-up finish
        state["signum"] = signum
        raise KeyboardInterrupt

    state["previous"] = signal.signal(signal.SIGTERM, on_term)
    return state


def up(settings: Settings, inputs: list[str], *, once: bool, export: str | None,
       stall_timeout: float = 120.0, console: Console | None = None) -> int:
    console = console or wide_console()
    inputs = inputs or [str(SAMPLES)]
    run_dir = Path(tempfile.mkdtemp(prefix="parley-up-"))
    broker = None
    workers = None
    started = time.monotonic()
    # Meetings detected from now on are this run's; older rows of the same database are not shown.
    run_started_at = _utc_now_iso()
    stop_signal = _stop_on_sigterm()
    try:
        if export and not Path(export).parent.is_dir():  # say so now, not after the whole run
            raise SystemExit(f"cannot write {export}: folder {Path(export).parent} does not exist; "
                             "create it or choose another path")
        if settings.database_url:  # a malformed URL: say so now, its password masked
            try:
                check_database_url(settings.database_url)
            except DatabaseUrlError as exc:
                raise SystemExit(f"parley up: {exc}") from None
        if not once:  # --once runs no ingest API
            _check_port_free(settings.http_host, settings.ingest_port, "the HTTP ingest API", "PARLEY_INGEST_PORT")
        messages = read_input(inputs, settings, console)
        if not settings.bootstrap_servers:
            broker = EmbeddedBroker(run_dir=run_dir / "broker").start()
            settings = settings.with_(bootstrap_servers=broker.bootstrap, embedded_timeouts=True)
            console.print(f"embedded broker (Tansu, memory storage) on {broker.bootstrap}")
        created = create_topics_sync(settings)
        if created:
            console.print(f"created topics: {', '.join(created)}")
        workers = Workers(settings, run_dir)
        workers.start(PIPELINE if once else PIPELINE + ("ingest",))
        console.print(f"started workers: {', '.join(w.name for w in workers.started)} (logs in {run_dir})")
        _print_endpoints(settings, workers, console)
        _publish_and_wait(settings, messages, workers, console, once, stall_timeout)
        ids = {m["article_id"] for m in messages}
        if once:
            events = [e for e in read_meetings(settings.database_url, settings.sqlite_path) if e["article_id"] in ids]
            print_meetings(events, console)
            if export:
                count = write_jsonl(events, export)
                console.print(f"wrote {count} meetings to {export}")
            console.print(f"done in {time.monotonic() - started:.1f} s: {len(messages)} articles, {len(events)} meetings")
            return 0
        _follow(settings, workers, export, console, since=run_started_at)
        return 0
    except KeyboardInterrupt:
        signum = stop_signal.get("signum", signal.SIGINT)
        console.print(f"{signal.Signals(signum).name} received: stopping workers and broker")
        return 128 + signum
    finally:
        if workers is not None:
            workers.stop()
        if broker is not None:
            broker.stop()
        if "previous" in stop_signal:
            signal.signal(signal.SIGTERM, stop_signal["previous"])


def _utc_now_iso() -> str:
    """Now in the format of a meeting's `detected_at` (parley.logic.detect.event), so comparable."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _follow(settings: Settings, workers: Workers, export: str | None, console: Console, *,
            since: str = "") -> None:
    """Keep the pipeline running, printing meetings as the sink stores them, until Ctrl-C.

    Only meetings detected since `since` (this run) are shown and exported: the database may
    hold those of earlier runs; an article of an earlier run sent again is detected again, so shows."""
    ingest = next((w for w in workers.started if w.name == "ingest"), None)
    console.print(
        f"pipeline running; POST articles to http://{settings.http_host}:{settings.ingest_port}/articles "
        f"or run `KAFKA_BOOTSTRAP_SERVERS={settings.bootstrap_servers} parley ingest PATH`; Ctrl-C stops"
        if ingest else "pipeline running; Ctrl-C stops"
    )
    seen: set[str] = set()
    while True:
        workers.check()
        events = [e for e in read_meetings(settings.database_url, settings.sqlite_path)
                  if (e.get("detected_at") or "") >= since]
        fresh = [e for e in events if e["event_id"] not in seen]
        if fresh:
            print_meetings(fresh, console)
            seen.update(e["event_id"] for e in fresh)
            if export:
                write_jsonl(events, export)
        time.sleep(2.0)
