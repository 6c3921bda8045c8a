"""Figures (b) and (c): the pipeline as separate processes, through a real broker.

Uses the product's own pieces: the embedded broker (or KAFKA_BOOTSTRAP_SERVERS), the topic
registry, `commands.up.Workers` for the four stage processes, a `Publisher` to offer load
and a `ProgressMonitor` to know when every stage has committed everything.

Phases, each with ids of its own:
- warm-up: a few articles, so every worker has joined its group before timing starts;
- max: the whole workload offered at once; the rate is valid articles over the time from
  the first publish to the last sink write;
- latency: fresh articles offered at a fixed rate (`load` x the max rate), one at a time on a
  schedule; each article's latency is from its `ingested_at` (stamped when published) to
  the latest `written_at` the sink gave its rows (the article row, written after the
  tagger, and its meeting rows, written after the detector);
- long (optional): a long stream with back-pressure, for the RSS leak check.
"""
from __future__ import annotations

import asyncio
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..commands.workers import PIPELINE, Workers
from ..config import Settings
from ..progress import ProgressMonitor, StageProgress, wait_until_drained
from ..publisher import Publisher
from ..topics import DLQ, create_topics_sync
from . import workload
from .memory import Sampler
from .workload import Item, stamped

WARMUP_ARTICLES = 20
CHUNK = 500
LONG_CHUNK = 1_000
LONG_MAX_IN_FLIGHT = 2_000
SETTLE_SECONDS = 5.0


class SerialMonitor(ProgressMonitor):
    """A ProgressMonitor whose committed-offset queries never overlap: the chart recorder
    and the drain wait share it."""

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self._lock = asyncio.Lock()

    async def stages(self) -> list[StageProgress]:
        async with self._lock:
            return await super().stages()


@dataclass
class Options:
    articles: int
    seed: int = 7
    partitions: int = 4
    load: float = 0.5
    latency_seconds: float = 30.0
    long: int = 0
    stall_timeout: float = 180.0
    run_dir: Path | None = None


@dataclass
class Timeline:
    """What happened when, in seconds since the sampler started (shared clock)."""

    wall0: float  # time.time() at t = 0
    progress: list[tuple[float, dict[str, int]]] = field(default_factory=list)  # committed per stage
    offered: list[tuple[float, int]] = field(default_factory=list)  # cumulative messages published
    latencies: list[tuple[float, float, str]] = field(default_factory=list)  # (done at, ms, phase)
    phases: list[tuple[str, float, float]] = field(default_factory=list)  # (name, start, end)

    def rel(self, wall: float) -> float:
        return wall - self.wall0


def _ts(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def article_completions(db_path: Path, ids: set[str]) -> dict[str, tuple[float, float]]:
    """article_id -> (ingested_at, done_at) as epoch seconds, for the ids stored so far.

    done_at is the latest write of the article's rows that carry the same ingested_at (a
    duplicate re-sent later overwrites the rows with its own timestamps).
    """
    with sqlite3.connect(str(db_path), timeout=30) as db:
        articles = db.execute("SELECT article_id, ingested_at, written_at FROM articles").fetchall()
        meetings = db.execute("SELECT article_id, ingested_at, written_at FROM meetings").fetchall()
    done: dict[str, tuple[float, float]] = {}
    for article_id, ingested, written in articles:
        if article_id in ids:
            start, end = _ts(ingested), _ts(written)
            if start is not None and end is not None:
                done[article_id] = (start, end)
    for article_id, ingested, written in meetings:
        if article_id in done:
            start, end = done[article_id]
            if _ts(ingested) == start:
                done[article_id] = (start, max(end, _ts(written) or end))
    return done


def percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    ordered = sorted(values)

    def pick(q: float) -> float:
        # nearest rank: the smallest value with at least q of the values at or below it
        rank = max(1, int(-(-q * len(ordered) // 1)))
        return round(ordered[min(len(ordered), rank) - 1], 1)

    return {"count": len(ordered), "p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99),
            "max": round(ordered[-1], 1), "mean": round(sum(ordered) / len(ordered), 1)}


class Pipeline:
    """One benchmark run's broker, topics, workers, monitor and publisher."""

    def __init__(self, settings: Settings, options: Options, run_dir: Path):
        self.options = options
        self.run_dir = run_dir
        self.broker = None
        if not settings.bootstrap_servers:
            from ..broker import EmbeddedBroker

            self.broker = EmbeddedBroker(run_dir=run_dir / "broker").start()
            settings = settings.with_(bootstrap_servers=self.broker.bootstrap, embedded_timeouts=True)
            prefix = settings.topic_prefix
        else:  # a shared cluster: topics and groups of our own
            prefix = f"{settings.topic_prefix}bench-{uuid.uuid4().hex[:8]}-"
        self.settings = settings.with_(
            partitions=options.partitions, topic_prefix=prefix, database_url=None,
            sqlite_path=str(run_dir / "bench.db"), log_level="WARNING",
        )
        self.db_path = run_dir / "bench.db"
        self.workers = Workers(self.settings, run_dir)
        self.sampler: Sampler | None = None
        self.timeline: Timeline | None = None
        self.offered = 0
        self.lags: dict[str, int] = {}
        self.monitor: ProgressMonitor | None = None
        self.publisher: Publisher | None = None

    @property
    def broker_name(self) -> str:
        return "embedded (Tansu, memory storage)" if self.broker else self.settings.bootstrap_servers

    def start(self) -> None:
        create_topics_sync(self.settings)
        self.workers.start(PIPELINE)
        pids = {w.name: w.proc.pid for w in self.workers.started}
        if self.broker is not None:
            pids["broker"] = self.broker.pid
        pids["bench driver"] = os.getpid()
        self.sampler = Sampler(pids).start()
        self.timeline = Timeline(wall0=time.time() - self.sampler.now())

    def stop(self) -> None:
        if self.sampler is not None:
            self.sampler.stop()
        self.workers.stop()
        if self.broker is not None:
            self.broker.stop()

    # -- offering load -----------------------------------------------------------------

    async def _publish(self, items: list[Item]) -> None:
        await self.publisher.publish([stamped(item) for item in items])

    def _note_offered(self, count: int) -> None:
        self.offered += count
        self.timeline.offered.append((self.sampler.now(), self.offered))

    async def offer_all(self, items: list[Item]) -> None:
        """As fast as the producer goes, in chunks each stamped just before it is sent."""
        for start in range(0, len(items), CHUNK):
            chunk = items[start:start + CHUNK]
            await self._publish(chunk)
            self._note_offered(len(chunk))

    async def offer_paced(self, items: list[Item], rate: float) -> None:
        """Open loop: message i is published at t0 + i/rate, whatever the pipeline does."""
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        sent = 0
        pending: set[asyncio.Task] = set()
        while sent < len(items):
            due = min(len(items), int((loop.time() - t0) * rate) + 1)
            if due > sent:
                task = asyncio.create_task(self._publish(items[sent:due]))
                pending.add(task)
                task.add_done_callback(pending.discard)
                self._note_offered(due - sent)
                sent = due
            await asyncio.sleep(min(0.005, 0.5 / rate))
        if pending:
            await asyncio.gather(*pending)

    async def offer_with_backpressure(self, items, total: int, on_chunk=None) -> None:
        """Publish in chunks, each only once no stage has more than LONG_MAX_IN_FLIGHT
        messages waiting: the services run at their steady rate, not through a backlog."""
        chunk: list[Item] = []
        sent = 0
        for item in items:
            chunk.append(item)
            if len(chunk) < LONG_CHUNK and sent + len(chunk) < total:
                continue
            while self._in_flight() > LONG_MAX_IN_FLIGHT:
                self.workers.check()
                await asyncio.sleep(0.2)
            await self._publish(chunk)
            self._note_offered(len(chunk))
            sent += len(chunk)
            chunk = []
            if on_chunk is not None:
                on_chunk(sent)

    def _in_flight(self) -> int:
        """The largest backlog of any stage (the first one's counted from what was offered)."""
        if not self.timeline.progress:
            return self.offered
        committed = self.timeline.progress[-1][1]
        return max(self.offered - committed.get(PIPELINE[0], 0), *self.lags.values(), 0)

    async def drain(self) -> float:
        """Wait until every stage has committed all offered messages; returns the wall time."""
        await wait_until_drained(self.monitor, self.offered, check=self.workers.check,
                                 stall_timeout=self.options.stall_timeout, poll=0.25)
        return time.time()

    async def record_progress(self) -> None:
        while True:
            try:
                stages = await self.monitor.stages()
                self.timeline.progress.append((self.sampler.now(), {s.stage: s.committed for s in stages}))
                self.lags = {s.stage: s.lag for s in stages}
            except Exception:  # a missed poll only leaves a gap in the chart
                pass
            await asyncio.sleep(0.5)

    def dlq_messages(self) -> int:
        return self.monitor.available(DLQ)

    # -- phases --------------------------------------------------------------------------

    def _phase(self, name: str, start: float) -> None:
        self.timeline.phases.append((name, start, self.sampler.now()))

    def _latencies(self, items: list[Item], phase: str) -> tuple[dict[str, tuple[float, float]], list[float]]:
        ids = {item.message["article_id"] for item in items if item.kind == "fresh"}
        done = article_completions(self.db_path, ids)
        latencies = []
        for start, end in done.values():
            ms = max(0.0, (end - start) * 1000)
            latencies.append(ms)
            self.timeline.latencies.append((round(self.timeline.rel(end), 3), round(ms, 2), phase))
        return done, latencies

    async def warm_up(self) -> dict:
        started = time.time()
        t = self.sampler.now()
        await self.offer_all(workload.generate(WARMUP_ARTICLES, self.options.seed, namespace="warmup",
                                               duplicate_share=0, bad_share=0))
        await self.drain()
        self._phase("warm-up", t)
        return {"articles": WARMUP_ARTICLES, "seconds": round(time.time() - started, 2)}

    async def max_rate(self) -> dict:
        items = workload.generate(self.options.articles, self.options.seed, namespace="max")
        self.sampler.mark("max")
        t = self.sampler.now()
        dlq_before = self.dlq_messages()
        first = time.time()
        await self.offer_all(items)
        published = time.time()
        drained = await self.drain()
        self._phase("max", t)
        done, _latencies = self._latencies(items, "max")
        last = max((end for _start, end in done.values()), default=drained)
        elapsed = max(1e-6, last - first)
        valid = sum(1 for item in items if item.valid)
        fresh = sum(1 for item in items if item.kind == "fresh")
        return {
            "messages": len(items),
            "valid_articles": valid,
            "publish_s": round(published - first, 2),
            "elapsed_s": round(elapsed, 2),
            "drained_s": round(drained - first, 2),
            "messages_per_s": round(len(items) / elapsed, 1),
            "articles_per_s": round(valid / elapsed, 1),
            "stored_articles": len(done),
            "expected_articles": fresh,
            "dead_lettered": self.dlq_messages() - dlq_before,
            "expected_dead_letters": sum(1 for item in items if not item.valid),
        }

    async def latency(self, max_messages_per_s: float) -> dict:
        rate = max(1.0, self.options.load * max_messages_per_s)
        count = int(min(self.options.articles, max(20, rate * self.options.latency_seconds)))
        # The pipeline comes out of the max phase with a backlog just cleared; the first
        # seconds at the new rate are not yet its steady state, so they are offered but
        # not counted.
        settle_s = min(SETTLE_SECONDS, self.options.latency_seconds)
        settle = workload.generate(max(1, int(rate * settle_s)), self.options.seed + 3, namespace="settle")
        items = workload.generate(count, self.options.seed + 1, namespace="latency")
        self.sampler.mark("latency")
        t = self.sampler.now()
        started = time.time()
        await self.offer_paced(settle + items, rate)
        offered_s = time.time() - started
        await self.drain()
        self._phase("latency", t)
        self._latencies(settle, "settle")
        done, latencies = self._latencies(items, "latency")
        total = len(settle) + count
        return {
            "load": self.options.load,
            "offered_messages_per_s": round(rate, 1),
            "messages": count,
            "settle_messages": len(settle),
            "offered_s": round(offered_s, 2),
            "achieved_messages_per_s": round(total / offered_s, 1) if offered_s else None,
            "stored_articles": len(done),
            "latency_ms": percentiles(latencies),
        }

    async def long_run(self) -> dict:
        total = self.options.long
        items = workload.iter_workload(total, self.options.seed + 2, namespace="long")
        self.sampler.mark("long")
        t = self.sampler.now()
        warm = {"t": None}
        first = time.time()

        def on_chunk(sent: int) -> None:
            # RSS is compared from the point a tenth of the run has gone through: by then
            # caches and buffers have reached their working size.
            if warm["t"] is None and sent >= total / 10:
                warm["t"] = self.sampler.now()

        await self.offer_with_backpressure(items, total, on_chunk)
        await self.drain()
        elapsed = time.time() - first
        self._phase("long", t)
        end = self.sampler.now()
        return {
            "messages": total,
            "seconds": round(elapsed, 1),
            "messages_per_s": round(total / elapsed, 1),
            "rss_from_s": round(warm["t"] or t, 1),
            "rss_growth": self.sampler.growth(warm["t"] or t, end),
        }

    async def run_phases(self) -> dict:
        self.monitor = SerialMonitor(self.settings)
        await self.monitor.start()
        recorder = asyncio.create_task(self.record_progress())
        try:
            async with Publisher(self.settings) as publisher:
                self.publisher = publisher
                out = {"warm_up": await self.warm_up()}
                after_warmup = self.sampler.now()
                out["max"] = await self.max_rate()
                out["latency"] = await self.latency(out["max"]["messages_per_s"])
                if self.options.long:
                    out["long"] = await self.long_run()
                self.sampler.mark("end")
                out["rss_growth_run"] = {"from_s": round(after_warmup, 1), "to_s": round(self.sampler.now(), 1),
                                         "processes": self.sampler.growth(after_warmup, self.sampler.now())}
                return out
        finally:
            recorder.cancel()
            try:
                await recorder
            except (asyncio.CancelledError, Exception):
                pass
            await self.monitor.stop()


def measure(settings: Settings, options: Options, run_dir: Path) -> tuple[dict, Timeline, Sampler]:
    pipeline = Pipeline(settings, options, run_dir)
    try:
        pipeline.start()
        phases = asyncio.run(pipeline.run_phases())
    finally:
        pipeline.stop()
    cpu = pipeline.sampler.phase_cpu()
    max_phase = phases["max"]
    if "max" in cpu:
        # CPU time each process spent per article: unlike rates, it barely depends on what
        # else the machine runs, and the largest one bounds the pipeline's rate.
        max_phase["cpu_ms_per_article"] = {
            name: round(share * max_phase["elapsed_s"] / max(1, max_phase["valid_articles"]) * 1000, 2)
            for name, share in cpu["max"].items()
        }
        services = {n: ms for n, ms in max_phase["cpu_ms_per_article"].items() if n in PIPELINE}
        if services:
            slowest = max(services, key=services.get)
            max_phase["bottleneck"] = {
                "service": slowest,
                "cpu_ms_per_article": services[slowest],
                # the most that service could do with a core to itself
                "bound_articles_per_s": round(1000 / services[slowest], 1) if services[slowest] else None,
            }
    summary = {
        "broker": pipeline.broker_name,
        "partitions": pipeline.settings.partitions,
        "batch_size": pipeline.settings.batch_size,
        "services": list(PIPELINE),
        **phases,
        "cpu_share_of_one_core": cpu,
        "peak_rss_mb": pipeline.sampler.peak_rss_mb(),
    }
    return summary, pipeline.timeline, pipeline.sampler
