"""Helpers of the fault-injection tests: raw producing, waiting with deadlines, reading results.

Every wait here is bounded and fails with a message naming what was still missing.
"""
from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .harness import get, read_topic  # noqa: F401  (read_topic is part of this module's toolkit)
from parley.config import Settings
from parley.dlq import decode_headers
from parley.kafka import producer_kwargs
from parley.progress import ProgressMonitor, StageProgress
from parley.publisher import Publisher
from parley.commands.workers import Workers
from parley.topics import Topics


@dataclass(frozen=True)
class Produced:
    topic: str  # full topic name
    partition: int
    offset: int


async def produce_records(settings: Settings, records: list[tuple[str, bytes | None, bytes | None]]) -> list[Produced]:
    """Send (registry topic, key, value) records as they are, bypassing ingest; acks=all."""
    from aiokafka import AIOKafkaProducer

    topics = Topics(settings.topic_prefix)
    producer = AIOKafkaProducer(**producer_kwargs(settings))
    await producer.start()
    try:
        futures = [await producer.send(topics.name(base), key=key, value=value) for base, key, value in records]
        metas = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return [Produced(m.topic, m.partition, m.offset) for m in metas]


async def publish_in_chunks(settings: Settings, messages: list[dict], chunk: int, pause: float) -> None:
    """Stream articles to articles.raw a chunk at a time, as a live feed would."""
    async with Publisher(settings) as publisher:
        for start in range(0, len(messages), chunk):
            await publisher.publish(messages[start:start + chunk])
            await asyncio.sleep(pause)


def wait_ready(workers: Workers, name: str, timeout: float = 90.0, want: int = 200, host: str = "127.0.0.1") -> None:
    """Wait until worker `name` answers /readyz with `want` (200 ready, 503 not ready)."""
    deadline = time.monotonic() + timeout
    last = "no HTTP port announced yet"
    while time.monotonic() < deadline:
        workers.check()
        worker = workers.get(name)
        port = worker.port()
        if port is not None:
            try:
                status, body = get(f"http://{host}:{port}/readyz", timeout=3)
                last = f"/readyz answered {status}: {body[:200]!r}"
                if status == want:
                    return
            except OSError as exc:
                last = f"/readyz unreachable: {exc}"
        time.sleep(0.3)
    raise AssertionError(f"{name} did not answer /readyz with {want} within {timeout:.0f} s ({last}); "
                         f"its log ends:\n{workers.get(name).log_tail()}")


def wait_all_ready(workers: Workers, timeout: float = 90.0) -> None:
    for worker in list(workers.started):
        wait_ready(workers, worker.name, timeout)


def metrics_text(workers: Workers, name: str) -> str:
    status, body = get(f"http://127.0.0.1:{workers.get(name).port()}/metrics")
    assert status == 200, f"/metrics of {name} answered {status}"
    return body.decode()


def metric_values(text: str, metric: str) -> dict[str, float]:
    """`{label text: value}` of one metric family in Prometheus text format."""
    out = {}
    for line in text.splitlines():
        if line.startswith(metric + "{") or line.startswith(metric + " "):
            labels, _, value = line.rpartition(" ")
            out[labels[len(metric):]] = float(value)
    return out


class Clock:
    """Pipeline progress read from committed offsets, for waits that depend on it."""

    def __init__(self, settings: Settings):
        self.monitor = ProgressMonitor(settings)

    async def __aenter__(self) -> "Clock":
        await self.monitor.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.monitor.stop()

    async def stages(self) -> dict[str, StageProgress]:
        return {s.stage: s for s in await self.monitor.stages()}

    async def wait_committed(self, stage: str, at_least: int, timeout: float, check=lambda: None) -> int:
        deadline = time.monotonic() + timeout
        committed = 0
        while time.monotonic() < deadline:
            check()
            committed = (await self.stages())[stage].committed
            if committed >= at_least:
                return committed
            await asyncio.sleep(0.3)
        raise AssertionError(f"{stage} committed {committed} < {at_least} messages within {timeout:.0f} s")


# ---------------------------------------------------------------- results


def sink_event_ids(settings: Settings) -> list[str]:
    """Every meetings row's event_id (a list: a doubled row would show twice)."""
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url, connect_timeout=5) as conn:
            return [r[0] for r in conn.execute("SELECT event_id FROM meetings")]
    if not Path(settings.sqlite_path).exists():
        return []
    with sqlite3.connect(settings.sqlite_path, timeout=30) as db:
        return [r[0] for r in db.execute("SELECT event_id FROM meetings")]


def sink_articles(settings: Settings) -> dict[str, str | None]:
    """article_id -> title of every articles row."""
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url, connect_timeout=5) as conn:
            return {r[0]: r[1] for r in conn.execute("SELECT article_id, title FROM articles")}
    with sqlite3.connect(settings.sqlite_path, timeout=30) as db:
        return {r[0]: r[1] for r in db.execute("SELECT article_id, title FROM articles")}


@dataclass
class Tally:
    """What the sink holds against what it should: the figures the fault tests report."""

    expected: int
    stored_rows: int
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, expected: set[str], stored: list[str]) -> "Tally":
        counts = Counter(stored)
        return cls(
            expected=len(expected), stored_rows=len(stored),
            lost=sorted(expected - set(counts)),
            doubled=sorted(i for i, n in counts.items() if n > 1),
            unexpected=sorted(set(counts) - expected),
        )

    def problems(self) -> str:
        return (f"{len(self.lost)} lost (e.g. {self.lost[:3]}), {len(self.doubled)} doubled "
                f"(e.g. {self.doubled[:3]}), {len(self.unexpected)} unexpected (e.g. {self.unexpected[:3]}) "
                f"of {self.expected} expected; {self.stored_rows} rows stored")

    @property
    def exact(self) -> bool:
        return not (self.lost or self.doubled or self.unexpected) and self.stored_rows == self.expected


async def dlq_records(settings: Settings) -> list[tuple[bytes | None, bytes | None, dict[str, str]]]:
    records = await read_topic(settings, "parley.dlq")
    return [(r.key, r.value, decode_headers(r.headers)) for r in records]


async def topic_count(settings: Settings, base: str) -> int:
    return len(await read_topic(settings, base))


def children_of(parent_pid: int) -> dict[str, int]:
    """The processes `parley up` (pid `parent_pid`) runs: worker name, or "broker", -> pid."""
    import re

    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            words = [w.decode(errors="replace") for w in (entry / "cmdline").read_bytes().split(b"\0") if w]
        except OSError:
            continue
        if int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1)) != parent_pid:
            continue
        if "worker" in words:
            out[words[words.index("worker") + 1]] = int(entry.name)
        elif "--storage-engine" in words:
            out["broker"] = int(entry.name)
    return out
