"""Kafka client settings shared by every aiokafka and faust client of Parley.

aiokafka's defaults differ from the Java client's (acks=1, 16 KiB batches, auto-commit on,
unbounded poll): the settings here make them explicit (see shared notes on the broker).
"""
from __future__ import annotations

import ssl
from typing import Any

from .config import Settings

PRODUCER_MAX_BATCH = 512 * 1024
PRODUCER_LINGER_MS = 10
MAX_REQUEST_BYTES = 4 * 1024 * 1024  # articles up to 1 MB of text plus their JSON envelope
MAX_POLL_RECORDS = 500


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    sec = settings.security
    if "SSL" not in sec.protocol:
        return None
    from aiokafka.helpers import create_ssl_context

    return create_ssl_context(cafile=sec.ssl_cafile, certfile=sec.ssl_certfile, keyfile=sec.ssl_keyfile)


def client_kwargs(settings: Settings) -> dict[str, Any]:
    """Connection and security arguments common to aiokafka producers, consumers and admin."""
    sec = settings.security
    kwargs: dict[str, Any] = {
        "bootstrap_servers": settings.require_bootstrap(),
        "security_protocol": sec.protocol,
    }
    context = ssl_context(settings)
    if context is not None:
        kwargs["ssl_context"] = context
    if sec.protocol.startswith("SASL"):
        kwargs["sasl_mechanism"] = sec.sasl_mechanism or "PLAIN"
        kwargs["sasl_plain_username"] = sec.sasl_username
        kwargs["sasl_plain_password"] = sec.sasl_password
    return kwargs


def producer_kwargs(settings: Settings) -> dict[str, Any]:
    kwargs = client_kwargs(settings)
    kwargs.update(
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        max_batch_size=PRODUCER_MAX_BATCH,
        linger_ms=PRODUCER_LINGER_MS,
        max_request_size=MAX_REQUEST_BYTES,
    )
    return kwargs


def consumer_kwargs(settings: Settings, group_id: str | None) -> dict[str, Any]:
    kwargs = client_kwargs(settings)
    kwargs.update(
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=MAX_POLL_RECORDS,
        fetch_max_bytes=MAX_REQUEST_BYTES * 4,
        max_partition_fetch_bytes=MAX_REQUEST_BYTES,
    )
    if settings.embedded_timeouts:
        kwargs.update(session_timeout_ms=6000, heartbeat_interval_ms=1000, rebalance_timeout_ms=6000)
    return kwargs


def faust_broker_credentials(settings: Settings):
    """faust's view of the same security settings (None for plaintext)."""
    import faust

    sec = settings.security
    context = ssl_context(settings)
    if sec.protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=sec.sasl_username,
            password=sec.sasl_password,
            mechanism=(sec.sasl_mechanism or "PLAIN").upper(),
            ssl_context=context,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


async def caught_up(consumer, partitions) -> bool:
    """True when a consumer's position has reached the fetch high-watermark of every partition.

    The high-watermark is known only after a fetch; Tansu's ListOffsets under-reports it.
    """
    for tp in partitions:
        highwater = consumer.highwater(tp)
        if highwater is None or await consumer.position(tp) < highwater:
            return False
    return True


async def read_partition(settings: Settings, topic: str, partition: int, end: int, *, timeout: float = 60.0):
    """The records of one partition from its start up to offset `end` (exclusive), without a
    consumer group; yields lists of records. Stops early when the partition ends before
    `end` (records removed by retention, or a broker that lost them)."""
    import asyncio

    from aiokafka import AIOKafkaConsumer, TopicPartition

    if end <= 0:
        return
    tp = TopicPartition(topic, partition)
    consumer = AIOKafkaConsumer(**consumer_kwargs(settings, None))
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = await consumer.getmany(tp, timeout_ms=200)
            records = [r for r in batch.get(tp, []) if r.offset < end]
            if records:
                yield records
            position = await consumer.position(tp)
            highwater = consumer.highwater(tp)
            if position >= end or (highwater is not None and position >= highwater):
                return
            if loop.time() > deadline:
                raise TimeoutError(f"could not read {topic}[{partition}] up to offset {end} within {timeout:.0f} s "
                                   f"(at {position})")
    finally:
        await consumer.stop()

async def highwater_offsets(consumer, partitions, timeout: float = 30.0) -> dict:
    """The end of each partition now (the offset the next record will get), from a fetch.

    `consumer.end_offsets()` (ListOffsets "latest") under-reports on Tansu's memory engine
    (the base offset of the last batch + 1), so the consumer is moved towards the end and the
    high-watermark of the fetch response is read. The consumer must be a group-less one,
    assigned `partitions` and used for nothing else: its positions are moved.
    """
    import asyncio

    partitions = list(partitions)
    if not partitions:
        return {}
    # Fetch from near the end: a fetch answers with the high-watermark even when it returns
    # nothing, and the records it does return (Tansu's end is a batch start) are dropped.
    await consumer.seek_to_end(*partitions)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while any(consumer.highwater(tp) is None for tp in partitions):
        if loop.time() > deadline:
            unknown = [f"{tp.topic}[{tp.partition}]" for tp in partitions if consumer.highwater(tp) is None]
            raise TimeoutError(f"no fetch answered for {', '.join(unknown)} within {timeout:g} s")
        await consumer.getmany(*partitions, timeout_ms=100)
    return {tp: consumer.highwater(tp) for tp in partitions}
