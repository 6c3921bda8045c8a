"""Every place Parley reaches into faust / aiokafka internals, in one file.

Written against faust-streaming 0.15.3 and aiokafka 0.14.0 (mode-streaming 0.7.1), the
versions pinned in pyproject.toml (faust-streaming <0.16, aiokafka <0.15). Re-read each
patched function before an upgrade; tests/stages/test_stage_shell.py pins what each one does.
"""
from __future__ import annotations


def enable_producer_idempotence() -> None:
    """Idempotent faust producers without exactly_once.

    faust turns idempotence on only with exactly_once (which fails on Tansu and has open
    bugs); against Apache Kafka Parley wants it on for plain at-least-once producing.
    Patches `faust.transport.drivers.aiokafka.Producer._settings_extra` (process-wide).
    """
    from faust.transport.drivers import aiokafka as driver

    original = driver.Producer._settings_extra
    if getattr(original, "_parley", False):
        return

    def settings_extra(self):
        return {**original(self), "acks": "all", "enable_idempotence": True}

    settings_extra._parley = True
    driver.Producer._settings_extra = settings_extra


def set_fetch_wait(milliseconds: int) -> None:
    """The fetch wait of faust's consumers.

    faust hard-codes fetch_max_wait_ms=1500 for its consumers, and Tansu holds an empty fetch
    for the whole wait even when data arrives: 370 ms median per hop, 4 hops per article
    (measured by parley bench). Shorter waits cost the broker a few more empty fetches.
    Wraps `AIOKafkaConsumerThread._create_worker_consumer` and sets the aiokafka consumer's
    `_fetch_max_wait_ms` before it starts (aiokafka hands it to its Fetcher in `start()`).
    """
    from faust.transport.drivers import aiokafka as driver

    thread = driver.AIOKafkaConsumerThread
    original = getattr(thread._create_worker_consumer, "_parley_original", thread._create_worker_consumer)

    def create_worker_consumer(self, transport):
        consumer = original(self, transport)
        consumer._fetch_max_wait_ms = milliseconds
        return consumer

    create_worker_consumer._parley_original = original
    thread._create_worker_consumer = create_worker_consumer


def committed_offsets(consumer) -> dict:
    """The offsets a faust consumer has committed, by TopicPartition (a private attribute of
    `faust.transport.consumer.Consumer`, read for the consumer-lag gauge)."""
    return getattr(consumer, "_committed_offset", {})
