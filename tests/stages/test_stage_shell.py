"""The faust shell every stage runs in: the settings the broker notes demand, and scaling out.

These pin measured behaviour of faust-streaming / aiokafka / Tansu (shared notes) so that a
library upgrade that changes it is seen here first.
"""
from __future__ import annotations

import asyncio
import signal
import socket

import orjson
import pytest

from support.harness import SEEDS, get, publish_and_drain, read_messages, read_topic, running_pipeline, settings_for
from parley.config import Settings
from parley.stages import StageSpec
from parley.stages.shell import Outgoing, Stage, build_app
from parley.topics import CLEAN, RAW


def _identity_stage() -> Stage:
    spec = StageSpec("probe", inputs=(RAW,), outputs=(CLEAN,), group="parley-probe", module=__name__)
    return Stage(spec, process=lambda topic, key, value: [Outgoing(CLEAN, key, value)])


def test_embedded_mode_uses_short_group_timeouts_and_no_faust_web_server():
    app, _health = build_app(_identity_stage(), Settings(bootstrap_servers="127.0.0.1:1", embedded_timeouts=True))
    conf = app.conf
    assert conf.broker_session_timeout == 6.0 and conf.broker_rebalance_timeout == 6.0
    assert conf.broker_heartbeat_interval == 1.0
    assert conf.web_enabled is False
    assert conf.topic_allow_declare is False  # topics come from the registry only
    assert conf.producer_acks == -1
    assert conf.broker_max_poll_records == 500


def test_against_apache_kafka_the_library_timeouts_are_kept():
    app, _ = build_app(_identity_stage(), Settings(bootstrap_servers="127.0.0.1:1", embedded_timeouts=False))
    assert app.conf.broker_session_timeout == 60.0


def test_idempotence_setting_reaches_the_faust_producer():
    from faust.transport.drivers import aiokafka as driver

    original = driver.Producer._settings_extra
    try:
        app, _ = build_app(_identity_stage(), Settings(bootstrap_servers="127.0.0.1:1", kafka_idempotence=True))
        extra = driver.Producer._settings_extra(app.producer)
        assert extra["enable_idempotence"] is True and extra["acks"] == "all"
    finally:
        driver.Producer._settings_extra = original


@pytest.mark.broker
def test_two_cleaners_share_the_partitions_and_survive_a_rebalance(broker, topic_prefix, tmp_path):
    settings = settings_for(broker, topic_prefix, tmp_path)
    messages = read_messages([SEEDS])
    with running_pipeline(settings, tmp_path, names=("cleaner", "cleaner", "tagger", "detector", "sink")) as workers:
        asyncio.run(publish_and_drain(settings, messages, workers))
        # Both cleaners were ready: each holds part of the 4 partitions.
        cleaners = [w for w in workers.started if w.name == "cleaner"]
        assert all(get(f"http://127.0.0.1:{w.port()}/readyz")[0] == 200 for w in cleaners)
        # No faust web server on its default port in any worker.
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", 6066)) != 0
        # One cleaner goes away: the other takes its partitions over (a rebalance) and
        # the next articles still reach the end.
        cleaners[1].proc.send_signal(signal.SIGTERM)
        cleaners[1].proc.wait(timeout=60)
        workers.started.remove(cleaners[1])
        more = [dict(m, article_id=f"a-{i:016x}") for i, m in enumerate(read_messages([SEEDS]), start=1)]
        asyncio.run(publish_and_drain(settings, more, workers))
    cleaned = {orjson.loads(r.value)["article_id"] for r in asyncio.run(read_topic(settings, "articles.clean"))}
    assert {m["article_id"] for m in messages + more} <= cleaned


def test_stage_consumers_wait_briefly_for_data_on_fetch():
    """faust hard-codes a 1.5 s fetch wait; Tansu holds empty fetches that long, which made
    every hop of an article wait (parley bench). The shell shortens it."""
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

    app, _ = build_app(_identity_stage(), Settings(bootstrap_servers="127.0.0.1:1", embedded_timeouts=True))

    async def create():
        thread = AIOKafkaConsumerThread(app.consumer)
        return thread._create_worker_consumer(app.transport)

    assert asyncio.run(create())._fetch_max_wait_ms == 100


def test_the_fetch_wait_is_a_setting():
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

    settings = Settings(bootstrap_servers="127.0.0.1:1", embedded_timeouts=True, fetch_wait_ms=400)
    app, _ = build_app(_identity_stage(), settings)

    async def create():
        thread = AIOKafkaConsumerThread(app.consumer)
        return thread._create_worker_consumer(app.transport)

    assert asyncio.run(create())._fetch_max_wait_ms == 400
    assert settings.env()["PARLEY_FETCH_WAIT_MS"] == "400"
    assert Settings(embedded_timeouts=False).consumer_fetch_wait_ms() == 500


# -- batching: parley.stages.patches.take_batches -----------------------------------------------


class _FakeStream:
    """What `take_batches` uses of a faust Stream. faust runs a stream's processors on each
    event its passive drainer reads, one event after the other: `feed` does that."""

    def __init__(self):
        import logging

        self.enable_acks = True
        self.channel = self
        self.current_event = None
        self.should_stop = False
        self.loop = asyncio.get_running_loop()
        self.log = logging.getLogger("test.fake_stream")
        self._processors: list = []
        self._active_agens: set = set()
        self.acked: list = []
        self.timed_waits: list = []   # the timeout of every wait_for_stopped call

    def __aiter__(self):
        return self

    def add_processor(self, processor):
        self._processors.append(processor)

    def _enable_passive(self, _channel):
        pass

    async def feed(self, *values):
        for value in values:
            self.current_event = _FakeEvent(value)
            for processor in list(self._processors):
                await processor(value)

    async def wait(self, event):
        await event.wait()

    async def wait_for_stopped(self, event, timeout=None):
        self.timed_waits.append(timeout)
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        return self.should_stop

    async def ack(self, event):
        self.acked.append(event.value)

    async def crash(self, exc):  # pragma: no cover
        raise exc


class _FakeEvent:
    def __init__(self, value):
        self.value = value


def _run_batches(scenario, max_=3, within=0.05):
    from parley.stages.patches import batches

    async def main():
        stream = _FakeStream()
        got: list = []
        handled = asyncio.Event()

        async def consume():
            async for events in batches(stream, max_, within):
                got.append([e.value for e in events])
                # A batch's events are acked when the next batch is asked for, after it was handled.
                assert stream.acked == [v for batch in got[:-1] for v in batch]
                handled.set()

        task = asyncio.ensure_future(consume())
        while not stream._processors:  # the generator has started and takes events
            await asyncio.sleep(0)
        try:
            await scenario(stream, got, handled)
        finally:
            stream.should_stop = True
            task.cancel()
        return stream, got

    return asyncio.run(main())


def test_an_idle_stage_waits_for_its_first_event_without_a_timer():
    # faust's take_events woke every batch_within (100 times a second per worker at 10 ms).
    async def scenario(stream, got, handled):
        await asyncio.sleep(0.3)
        assert got == [] and stream.timed_waits == [None]

    _run_batches(scenario, within=0.01)


def test_events_arriving_together_make_one_batch_and_each_batch_is_acked_after_it_is_handled():
    async def scenario(stream, got, handled):
        await stream.feed("a", "b")
        await asyncio.wait_for(handled.wait(), 5)
        handled.clear()
        await stream.feed("c")
        await asyncio.wait_for(handled.wait(), 5)
        handled.clear()
        await stream.feed("d")
        await asyncio.wait_for(handled.wait(), 5)
        # (_run_batches checked at each batch that only the batches before it were acked)
        assert got == [["a", "b"], ["c"], ["d"]]
        # Each batch waited once with no timer (idle), then once up to within for more.
        assert stream.timed_waits[:2] == [None, 0.05]

    _run_batches(scenario)


def test_a_full_batch_is_handed_over_without_waiting_for_the_window():
    async def scenario(stream, got, handled):
        feeding = asyncio.ensure_future(stream.feed(*"abcde"))
        await asyncio.wait_for(handled.wait(), 5)   # the window is an hour: only max_ ends it
        assert got == [["a", "b", "c"]]
        feeding.cancel()

    _run_batches(scenario, max_=3, within=3600)
