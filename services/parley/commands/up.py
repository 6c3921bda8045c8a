"""`parley up`: the whole pipeline on one machine, as child processes of one command.

It starts the embedded broker when KAFKA_BOOTSTRAP_SERVERS is unset, creates the topics from
the registry, starts one worker process per service, publishes the input, shows progress
and prints the meetings. Children die with it: they run in their own sessions (a Ctrl-C is
handled here, once, as a clean stop) and have PR_SET_PDEATHSIG set (a `kill -9` of `parley
up` still takes them down).
"""
from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import signal
import socket
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..broker import EmbeddedBroker
from .. import metrics
from ..config import Settings
from ..ingest.readers import InputError, read_paths
from ..journal import Journal, journal_enabled
from ..progress import Stalled, publish_and_drain
from ..publisher import Publisher
from ..render import print_meetings, print_stories, wide_console
from ..stages.sink_store import DatabaseUrlError, check_database_url, read_meetings, read_stories, write_jsonl
from ..topics import create_topics_sync
from .export import stories_with_reports
from .supervise import BrokerRestarted, RestartPolicy, Supervisor
from .workers import Workers, pipeline

SAMPLES = Path(__file__).parent.parent / "data" / "samples"


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


def _publish_and_wait(settings: Settings, messages: list[dict], supervisor: Supervisor, console: Console,
                      once: bool, stall_timeout: float) -> None:
    if not once:
        asyncio.run(_publish(settings, messages, supervisor.journal))
        console.print(f"published {len(messages)} articles")
        return
    while True:
        try:
            _drain_with_progress(settings, messages, supervisor, console, stall_timeout)
            return
        except BrokerRestarted:
            # The supervisor has published again what the sink lacks (this run's articles
            # included, from the journal): wait for that.
            console.print("waiting again for the pipeline after the broker restart")
            messages = []


def _drain_with_progress(settings: Settings, messages: list[dict], supervisor: Supervisor, console: Console,
                         stall_timeout: float) -> None:
    with Progress(TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def show(stages) -> None:
            for s in stages:
                if s.stage not in tasks:
                    tasks[s.stage] = bar.add_task(s.stage, total=max(1, s.available))
                bar.update(tasks[s.stage], completed=min(s.committed, s.available), total=max(1, s.available))

        try:
            asyncio.run(publish_and_drain(settings, messages, journal=supervisor.journal, check=supervisor.tick,
                                          on_progress=show, stall_timeout=stall_timeout))
        except Stalled as exc:
            raise SystemExit(f"{exc}. Worker logs are in {supervisor.workers.run_dir}") from None


async def _publish(settings: Settings, messages: list[dict], journal: Journal | None) -> None:
    async with Publisher(settings, journal=journal) as publisher:
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


def _print_endpoints(settings: Settings, workers: Workers, supervisor_port: int, console: Console) -> None:
    """Where each service's Prometheus metrics and health checks are (ports are picked free)."""
    host = settings.http_host
    console.print("metrics and health checks:")
    for label, port in workers.wait_for_ports().items():
        if port is None:
            console.print(f"  {label:<10} no HTTP port announced yet; see {workers.run_dir / (label + '.log')}")
        else:
            console.print(f"  {label:<10} http://{host}:{port}/metrics  http://{host}:{port}/healthz",
                          highlight=False, soft_wrap=True)
    console.print(f"  {'supervisor':<10} http://{host}:{supervisor_port}/metrics  (restarts, journal)",
                  highlight=False, soft_wrap=True)


def _serve_supervisor_metrics(settings: Settings):
    """`parley up`'s own /metrics (worker and broker restarts, the journal); returns the server."""
    from prometheus_client import start_http_server

    server, _thread = start_http_server(settings.http_port, addr=settings.http_host,
                                        registry=metrics.SUPERVISOR_REGISTRY)
    return server


def open_journal(settings: Settings, console: Console) -> Journal | None:
    """The acceptance journal of this pipeline (PARLEY_JOURNAL; by default next to the SQLite
    database, so that a later `parley up` in the same folder finds it), or None when off."""
    path = settings.journal_path or str(Path(settings.sqlite_path).with_name("parley-journal.db"))
    if not journal_enabled(path):
        console.print("acceptance journal off (PARLEY_JOURNAL): accepted articles live in the broker only")
        return None
    try:
        return Journal(path)
    except (OSError, sqlite3.Error) as exc:
        raise SystemExit(f"cannot open the acceptance journal {path}: {exc}; set PARLEY_JOURNAL to a writable "
                         "file, or PARLEY_JOURNAL=off to run without it") from None


def _stop_on_sigterm() -> dict:
    """Make SIGTERM (systemd, docker stop, kill) and SIGINT stop `parley up` the same way:
    workers finish their batch and commit, the broker stops, the same message is printed.
    Without this SIGTERM's default action kills `parley up` at once (its children die by
    PR_SET_PDEATHSIG, SIGKILL), and SIGINT does nothing when a shell script started `parley
    up` in the background (such jobs start with SIGINT ignored, and Python keeps it so).
    Returns the state the handler fills in: which signal arrived, and the handlers to restore."""
    state: dict = {}
    if threading.current_thread() is not threading.main_thread():
        return state  # signal handlers can only be set from the main thread

    def on_term(signum, frame):
        if "signum" in state:
            return  # already stopping: let the clean-up finish
        state["signum"] = signum
        raise KeyboardInterrupt

    state["previous"] = {sig: signal.signal(sig, on_term) for sig in (signal.SIGTERM, signal.SIGINT)}
    return state


def up(settings: Settings, inputs: list[str], *, once: bool, export: str | None,
       stall_timeout: float = 120.0, console: Console | None = None,
       policy: RestartPolicy | None = None) -> int:
    console = console or wide_console()
    inputs = inputs or [str(SAMPLES)]
    # The supervisor reports a dead broker itself; aiokafka's own reconnect errors (from the
    # progress monitor and the publisher) would only bury that line.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    run_dir = Path(tempfile.mkdtemp(prefix="parley-up-"))
    broker = workers = journal = metrics_server = None
    started = time.monotonic()
    # Meetings detected from now on are this run's; older rows of the same database are not shown.
    run_started_at = _utc_now_iso()
    stop_signal = _stop_on_sigterm()
    clean_stop = False
    try:
        if export and not Path(export).parent.is_dir():  # say so now, not after the whole run
            raise SystemExit(f"cannot write {export}: folder {Path(export).parent} does not exist; "
                             "create it or choose another path")
        if settings.database_url:  # a malformed URL: say so now, its password masked
            try:
                check_database_url(settings.database_url)
            except DatabaseUrlError as exc:
                raise SystemExit(f"parley up: {exc}") from None
        if settings.alert_rules:  # a bad alert rules file: refuse now, naming the rule and field
            from .alerts import refuse_bad_rules

            refuse_bad_rules(settings.alert_rules)
        if not once:  # --once runs no ingest API and no query API
            _check_port_free(settings.http_host, settings.ingest_port, "the HTTP ingest API", "PARLEY_INGEST_PORT")
            _check_port_free(settings.api_host, settings.api_port, "the query API", "PARLEY_API_PORT")
        messages = read_input(inputs, settings, console)
        journal = open_journal(settings, console)
        settings = settings.with_(journal_path=str(journal.path) if journal else "off")
        if not settings.bootstrap_servers:
            broker = EmbeddedBroker(run_dir=run_dir / "broker").start()
            settings = settings.with_(bootstrap_servers=broker.bootstrap, embedded_timeouts=True)
            console.print(f"embedded broker (Tansu, memory storage) on {broker.bootstrap}")
        created = create_topics_sync(settings)
        if created:
            console.print(f"created topics: {', '.join(created)}")
        workers = Workers(settings.with_(data_dir=str(run_dir)), run_dir)
        workers.start(pipeline(settings) if once else pipeline(settings) + ("ingest", "api"))
        console.print(f"started workers: {', '.join(w.name for w in workers.started)} (logs in {run_dir})")
        supervisor = Supervisor(settings, workers, console, broker=broker, journal=journal,
                                policy=policy or RestartPolicy())
        metrics_server = _serve_supervisor_metrics(settings)
        _print_endpoints(settings, workers, metrics_server.server_port, console)
        if not once:
            console.print(f"analyst page and query API: http://{settings.api_host}:{settings.api_port}/",
                          highlight=False, soft_wrap=True)
        supervisor.republish()  # what an earlier run accepted and the sink never stored
        _publish_and_wait(settings, messages, supervisor, console, once, stall_timeout)
        if once:
            _report_once(settings, messages, supervisor, export, console, started)
        else:
            _follow(settings, supervisor, export, console, since=run_started_at)
        clean_stop = True
        return 0
    except KeyboardInterrupt:
        signum = stop_signal.get("signum", signal.SIGINT)
        console.print(f"{signal.Signals(signum).name} received: stopping workers and broker")
        clean_stop = True
        return 128 + signum
    finally:
        if workers is not None:
            workers.stop()
        if broker is not None:
            broker.stop()
        if metrics_server is not None:
            metrics_server.shutdown()
        if journal is not None:
            journal.close()
        for sig, handler in stop_signal.get("previous", {}).items():
            signal.signal(sig, handler)
        if clean_stop:  # a failed run keeps its folder (logs) for reading
            shutil.rmtree(run_dir, ignore_errors=True)
        else:
            console.print(f"worker and broker logs kept in {run_dir}", highlight=False)


def _report_once(settings: Settings, messages: list[dict], supervisor: Supervisor, export: str | None,
                 console: Console, started: float) -> None:
    ids = {m["article_id"] for m in messages}
    events = [e for e in read_meetings(settings.database_url, settings.sqlite_path) if e["article_id"] in ids]
    print_meetings(events, console)
    # This run's stories: those holding one of its events (they may hold reports of earlier runs).
    event_ids = {e["event_id"] for e in events}
    stories = [s for s in stories_with_reports(read_stories(settings.database_url, settings.sqlite_path), events)
               if any(t["event_id"] in event_ids for t in s["timeline"])]
    print_stories(stories, console)
    if export:
        count = write_jsonl(events, export)
        stories_path = Path(export).with_suffix(".stories.jsonl")
        write_jsonl(stories, stories_path)
        console.print(f"wrote {count} meetings to {export} and {len(stories)} stories to {stories_path}")
    supervisor.settle()
    if supervisor.journal is not None:
        # Every stage has handled everything: what the sink lacks was dead-lettered on the way.
        unstored = [a for a in supervisor.journal.ids() if a in ids]
        if unstored:
            console.print(f"[yellow]{len(unstored)} articles went to the dead-letter topic[/] "
                          "(their reasons: parley dlq, while a pipeline runs)")
            supervisor.journal.forget(unstored)
    console.print(f"done in {time.monotonic() - started:.1f} s: {len(messages)} articles, {len(events)} meetings, "
                  f"{len(stories)} stories")


def _utc_now_iso() -> str:
    """Now in the format of a meeting's `detected_at` (parley.logic.detect.event), so comparable."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _follow(settings: Settings, supervisor: Supervisor, export: str | None, console: Console, *,
            since: str = "") -> None:
    """Keep the pipeline running, printing meetings as the sink stores them, until Ctrl-C.

    Only meetings detected since `since` (this run) are shown and exported: the database may
    hold those of earlier runs; an article of an earlier run sent again is detected again, so shows."""
    ingest = next((w for w in supervisor.workers.started if w.name == "ingest"), None)
    journal_env = f"PARLEY_JOURNAL={supervisor.journal.path} " if supervisor.journal else ""
    console.print(
        f"pipeline running; POST articles to http://{settings.http_host}:{settings.ingest_port}/articles "
        f"or run `{journal_env}KAFKA_BOOTSTRAP_SERVERS={settings.bootstrap_servers} parley ingest PATH`; "
        "Ctrl-C stops" if ingest else "pipeline running; Ctrl-C stops",
        highlight=False, soft_wrap=True,
    )
    seen: set[str] = set()
    next_read = 0.0
    while True:
        try:
            supervisor.tick()
        except BrokerRestarted:
            pass  # the supervisor has published again what the sink lacked
        if time.monotonic() >= next_read:
            next_read = time.monotonic() + 2.0
            events = [e for e in read_meetings(settings.database_url, settings.sqlite_path)
                      if (e.get("detected_at") or "") >= since]
            fresh = [e for e in events if e["event_id"] not in seen]
            if fresh:
                print_meetings(fresh, console)
                seen.update(e["event_id"] for e in fresh)
                if export:
                    write_jsonl(events, export)
        time.sleep(0.25)
