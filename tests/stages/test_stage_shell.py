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
