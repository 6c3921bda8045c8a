"""The shell every streaming stage shares: a faust app that feeds messages to pure logic.

One faust app (own id, consumer group and process) per stage. Each message is handled at
the event boundary: whatever the logic raises, the original message goes to the dead-letter
topic with its reason and the stream goes on (an agent that raises would lose the event).
Offsets are committed by faust only after the producer has flushed what the batch sent, so
delivery is at-least-once; every effect downstream is idempotent (keys and ids are stable).
"""
from __future__ import annotations

import asyncio
import atexit
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Sequence

from .. import metrics
from ..brokerwatch import BrokerWatch
from ..config import Settings
from ..dlq import Failure
from ..http import Health, add_health_routes, announce_port, serve
from ..kafka import MAX_POLL_RECORDS, MAX_REQUEST_BYTES, PRODUCER_LINGER_MS, PRODUCER_MAX_BATCH, faust_broker_credentials
from ..timebudget import time_budget
from ..topics import DLQ, Topics
from . import StageSpec
from .patches import batches, committed_offsets, enable_producer_idempotence, set_fetch_wait

log = logging.getLogger("parley.stage")


@dataclass(frozen=True)
class Outgoing:
    topic: str  # registry name (parley.topics), e.g. CLEAN
    key: bytes
    value: bytes


@dataclass(frozen=True)
class Incoming:
    """Where a message of a batch comes from (what `Stage.prepare` is told)."""

    topic: str  # registry name
    partition: int
    offset: int
    key: bytes | None


@dataclass
class Stage:
    """What a stage plugs into the shell: its row of the STAGES table and its per-message logic.

    `process(topic, key, value)` is synchronous, pure logic (it may raise: the shell
    dead-letters). `flush()` runs after each batch, before its offsets can be committed:
    the sink writes its database there and retries until it succeeds. `prepare(batch)` runs
    before a batch is processed (a stateful stage rebuilds its state there); it is retried
    until it succeeds, since processing on wrong state would be wrong for good.
    `deliver(accepted)` is for a stage whose effect is slow I/O (the notifier's webhooks): it
    gets the batch's messages that `process` accepted, as (origin, value) pairs, after the
    batch's `process` calls and before `flush` and the commit; it returns the (origin,
    exception) pairs it gave up on, which the shell dead-letters like `process` failures.
    """

    spec: StageSpec
    process: Callable[[str, bytes | None, bytes], Sequence[Outgoing]]
    flush: Callable[[], Awaitable[None]] | None = None
    checks: dict[str, Callable] = field(default_factory=dict)
    on_start: Callable[[], Awaitable[None]] | None = None
    on_stop: Callable[[], Awaitable[None]] | None = None
    prepare: Callable[[list[Incoming]], Awaitable[None]] | None = None
    deliver: Callable[[list[tuple[Incoming, bytes]]], Awaitable[Sequence[tuple[Incoming, BaseException]]]] | None = None
    # Called every `tick_every` seconds between batches; what it returns is sent (the stories
    # stage closes the stories whose retention window has passed, in keys no report touches).
    tick: Callable[[], Sequence[Outgoing]] | None = None
    tick_every: float = 60.0

    @property
    def name(self) -> str:
        return self.spec.name


_RUNNING: dict[str, object] = {}


def stopping() -> bool:
    """True once this worker has been asked to stop (SIGTERM/SIGINT)."""
    app = _RUNNING.get("app")
    return bool(app is not None and app.should_stop)


def _faust_datadir(settings: Settings) -> str:
    """A data folder for this worker's faust app, removed when the worker exits normally
    (faust leaves one per process behind otherwise: they piled up in the temp directory)."""
    path = os.path.join(settings.data_dir or tempfile.gettempdir(), f"parley-faust-{os.getpid()}")
    atexit.register(shutil.rmtree, path, True)
    return path


def build_app(stage: Stage, settings: Settings):
    import faust

    bootstrap = settings.require_bootstrap()
    if settings.kafka_idempotence:
        enable_producer_idempotence()
    set_fetch_wait(settings.consumer_fetch_wait_ms())
    timeouts = {}
    if settings.embedded_timeouts:
        # faust's 60 s defaults made each worker take ~30 s to join a group on Tansu.
        timeouts = dict(
            broker_session_timeout=6.0,
            broker_rebalance_timeout=6.0,
            broker_heartbeat_interval=1.0,
            broker_commit_interval=0.5,
            stream_recovery_delay=0.0,
        )
    spec = stage.spec
    app = faust.App(
        spec.group_id(settings.topic_prefix),
        broker=[f"kafka://{host.strip()}" for host in bootstrap.split(",")],
        broker_credentials=faust_broker_credentials(settings),
        web_enabled=False,
        key_serializer="raw",
        value_serializer="raw",
        topic_allow_declare=False,  # topics come from the registry (parley/topics.py)
        topic_disable_leader=True,
        topic_partitions=settings.partitions,
        producer_acks=-1,
        producer_linger_ms=PRODUCER_LINGER_MS,
        producer_max_batch_size=PRODUCER_MAX_BATCH,
        producer_max_request_size=MAX_REQUEST_BYTES,
        consumer_max_fetch_size=MAX_REQUEST_BYTES,
        consumer_auto_offset_reset="earliest",
        broker_max_poll_records=MAX_POLL_RECORDS,
        datadir=_faust_datadir(settings),
        **timeouts,
    )
    _RUNNING["app"] = app
    topics = Topics(settings.topic_prefix)
    source = app.topic(*[topics.name(t) for t in spec.inputs], key_serializer="raw", value_serializer="raw")
    outputs: dict[str, object] = {}

    def out_topic(base: str):
        if base not in outputs:
            outputs[base] = app.topic(topics.name(base), key_serializer="raw", value_serializer="raw")
        return outputs[base]

    health = Health(stage.name)
    health.checks["consumer_assigned"] = lambda: bool(app.consumer.assignment())
    health.checks.update(stage.checks)

    async def dead_letter(event, exc: BaseException) -> None:
        message = event.message
        failure = Failure.from_exception(stage.name, exc)
        metrics.FAILURES.labels(stage.name, failure.reason).inc()
        metrics.DLQ_MESSAGES.labels(stage.name, failure.reason).inc()
        log.warning("dead-lettered %s[%s]@%s: %s (%s)", message.topic, message.partition, message.offset,
                    failure.reason, failure.detail)
        await out_topic(DLQ).send(
            key=message.key,
            value=message.value if message.value is not None else b"",
            headers=failure.headers(message.topic, message.partition, message.offset),
        )

    async def prepare(batch: list[Incoming]) -> None:
        delay = 0.2
        while True:
            try:
                await stage.prepare(batch)
                return
            except Exception as exc:
                log.warning("stage %s could not prepare a batch (%s: %s); retrying in %.1f s", stage.name,
                            type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)
                delay = min(5.0, delay * 2)

    processing = metrics.PROCESSING_SECONDS.labels(stage.name)
    messages_in = metrics.MESSAGES_IN.labels(stage.name)
    messages_out = metrics.MESSAGES_OUT.labels(stage.name)

    # Named after the consumer group: what faust knows a stage by stays as deployed.
    @app.agent(source, name=spec.group, concurrency=1)
    async def run(stream):
        # A batch: up to batch_size events, waited for up to batch_within after its first one.
        async for events in batches(stream, settings.batch_size, settings.batch_within):
            if stage.prepare is not None:
                await prepare([Incoming(topics.base(e.message.topic), e.message.partition, e.message.offset,
                                        e.message.key) for e in events])
            accepted: dict[Incoming, object] = {}
            for event in events:
                message = event.message
                messages_in.inc()
                started = time.perf_counter()
                try:
                    with time_budget(settings.article_time_budget):
                        produced = stage.process(topics.base(message.topic), message.key, message.value)
                except Exception as exc:  # every failure is dead-lettered, never raised
                    await dead_letter(event, exc)
                    continue
                finally:
                    processing.observe(time.perf_counter() - started)
                for item in produced:
                    await out_topic(item.topic).send(key=item.key, value=item.value)
                    messages_out.inc()
                if stage.deliver is not None:
                    accepted[Incoming(topics.base(message.topic), message.partition, message.offset,
                                      message.key)] = event
            if accepted:
                try:
                    given_up = await stage.deliver([(origin, e.message.value) for origin, e in accepted.items()])
                except Exception as exc:  # a bug in deliver: dead-letter the batch rather than lose it
                    log.exception("stage %s: deliver failed", stage.name)
                    given_up = [(origin, exc) for origin in accepted]
                for origin, exc in given_up:
                    await dead_letter(accepted[origin], exc)
            if stage.flush is not None:
                await stage.flush()

    if stage.tick is not None:
        @app.timer(stage.tick_every)
        async def run_tick():
            try:
                produced = stage.tick()
            except Exception:  # a timer must not die; the next tick tries again
                log.exception("stage %s: tick failed", stage.name)
                return
            for item in produced:
                await out_topic(item.topic).send(key=item.key, value=item.value)
                messages_out.inc()

    @app.timer(2.0)
    async def report_lag():
        consumer = app.consumer
        committed = committed_offsets(consumer)
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            done = committed.get(tp) or 0
            metrics.CONSUMER_LAG.labels(stage.name, tp.topic, str(tp.partition)).set(max(0, highwater - done))

    runner_box: dict[str, object] = {}

    @app.task
    async def start_http():
        from aiohttp import web

        if stage.on_start is not None:
            await stage.on_start()
        watch = BrokerWatch(bootstrap).start()  # readiness false within a second of a dead broker
        runner_box["watch"] = watch
        health.checks["broker"] = lambda: watch.ok
        web_app = web.Application()
        add_health_routes(web_app, health)
        runner, port = await serve(web_app, settings.http_host, settings.http_port)
        runner_box["runner"] = runner
        log.warning("stage %s serving /metrics /healthz /readyz on http://%s:%d", stage.name, settings.http_host, port)
        announce_port(port)

    @app.on_before_shutdown.connect
    async def stop_http(app, **_kwargs):
        runner = runner_box.get("runner")
        if runner is not None:
            await runner.cleanup()
        watch = runner_box.get("watch")
        if watch is not None:
            await watch.stop()
        if stage.on_stop is not None:
            await stage.on_stop()

    return app, health


def run_worker(stage: Stage, settings: Settings) -> None:
    """Run one stage until SIGTERM/SIGINT, then finish the batch, commit, flush and close."""
    import faust

    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app, _health = build_app(stage, settings)
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True, redirect_stdouts=False)
    # faust's terminal spinner sets the root logger to DEBUG: every aiokafka debug call then
    # builds a record (6.8% of the cleaner's time in parley bench's profile).
    worker.spinner = None
    worker.execute_from_commandline()
