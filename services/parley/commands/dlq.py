"""`parley dlq`: what the dead-letter topic holds, and re-publishing it after a fix.

Listing reads the topic from the start without a consumer group (it changes nothing).
Re-publishing uses the group "<prefix>parley-dlq-replay" and commits after the broker has
acknowledged each batch, so a message is re-published once even if the command is re-run.
"""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..config import Settings
from ..dlq import decode_headers
from ..kafka import caught_up, consumer_kwargs, producer_kwargs
from ..topics import Topics


async def _read_all(consumer, topic: str):
    """Yield every record up to the end of the topic (high-watermark from fetches)."""
    from aiokafka import TopicPartition

    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
    if not partitions:
        return
    if consumer._group_id is None:  # listing: no group, assign by hand
        consumer.assign(partitions)
    else:
        consumer.subscribe([topic])
    idle = 0
    while idle < 3:
        batch = await consumer.getmany(timeout_ms=500, max_records=1000)
        records = [r for rs in batch.values() for r in rs]
        if not records:
            assigned = consumer.assignment()
            idle = idle + 1 if not assigned or await caught_up(consumer, assigned) else idle
            continue
        idle = 0
        for record in records:
            yield record


def _matches(headers: dict, stage: str | None, reason: str | None) -> bool:
    return (stage is None or headers.get("parley-stage") == stage) and (
        reason is None or headers.get("parley-reason") == reason
    )


async def run(settings: Settings, *, republish: bool, stage: str | None, reason: str | None, limit: int) -> int:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    settings.require_bootstrap()
    topics = Topics(settings.topic_prefix)
    console = Console()
    # One replay group per filter: a run for one stage or reason must not move past the
    # messages of another, which a later run with that filter must still re-publish.
    group = (f"{settings.topic_prefix}parley-dlq-replay.{stage or '*'}.{reason or '*'}"
             if republish else None)
    consumer = AIOKafkaConsumer(**consumer_kwargs(settings, group))
    await consumer.start()
    producer = None
    if republish:
        producer = AIOKafkaProducer(**producer_kwargs(settings))
        await producer.start()
    table = Table(title=f"Dead-lettered messages in {topics.dlq}")
    for column in ("stage", "reason", "detail", "from", "key"):
        table.add_column(column, overflow="fold")
    seen = shown = sent = 0
    try:
        async for record in _read_all(consumer, topics.dlq):
            headers = decode_headers(record.headers)
            if not _matches(headers, stage, reason):
                continue
            seen += 1
            origin = headers.get("parley-topic", "?")
            if shown < limit:
                table.add_row(headers.get("parley-stage", "?"), headers.get("parley-reason", "?"),
                              headers.get("parley-detail", ""),
                              f"{origin}[{headers.get('parley-partition', '?')}]@{headers.get('parley-offset', '?')}",
                              (record.key or b"").decode("utf-8", "replace"))
                shown += 1
            if producer is not None and origin != "?":
                await producer.send_and_wait(origin, key=record.key, value=record.value)
                sent += 1
                # Exactly past this record: a bare commit() commits the whole fetched batch,
                # including records not yet re-published.
                await consumer.commit({TopicPartition(record.topic, record.partition): record.offset + 1})
    finally:
        await consumer.stop()
        if producer is not None:
            await producer.stop()
    console.print(table)
    console.print(f"{seen} dead-lettered messages" + (f"; re-published {sent}" if republish else "")
                  + (f" (showing {shown})" if seen > shown else ""))
    return 0
