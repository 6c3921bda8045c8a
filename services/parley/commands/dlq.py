"""`parley dlq`: what the dead-letter topic holds, and re-publishing it after a fix.

Every run first notes where the dead-letter topic ends (the fetch high-watermark of each
partition: Tansu's ListOffsets under-reports it) and reads no further: records that arrive
while it runs are left for the next run. That matters for `--republish` on a running
pipeline, where a re-published message that fails again is dead-lettered anew: reading on
would re-send it again and again (issue 11: 4 poison messages became 868 records in 60 s).

Listing reads the topic from the start without a consumer group (it changes nothing).
Re-publishing reads from the offsets committed by the group
"<prefix>parley-dlq-replay.<stage|*>.<reason|*>" (assigned by hand, no group join) and
commits after the broker has acknowledged each batch it sent, so a message is re-published
once even if the command is re-run. `--dry-run` reads the same records, sends and commits
nothing.
"""
from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from ..config import Settings
from ..dlq import decode_headers
from ..kafka import consumer_kwargs, highwater_offsets, producer_kwargs
from ..topics import Topics

PROGRESS_EVERY = 2.0  # seconds between progress lines on stderr
STALL_TIMEOUT = 30.0  # seconds without reading anything before giving up
DRY_RUN_ROWS = 10  # rows a dry run lists unless --limit says otherwise
LIST_ROWS = 50


class DlqError(Exception):
    """A run that cannot go on; the message is for the user."""


class Stalled(DlqError):
    """Nothing could be read for STALL_TIMEOUT seconds."""


@dataclass
class Tally:
    """What a run read, matched and sent, by (stage, reason)."""

    read: int = 0
    matched: Counter = field(default_factory=Counter)
    sent: int = 0
    no_origin: int = 0

    @property
    def seen(self) -> int:
        return sum(self.matched.values())


async def _started(client):
    """`client` started, or stopped again (no "Unclosed" warning) if it cannot start."""
    try:
        await client.start()
    except BaseException:
        await client.stop()
        raise
    return client


async def _stop(consumer) -> None:
    """Stop a consumer. One stopped right after start() raises CancelledError (aiokafka 0.14:
    its group-less coordinator cancels a task that has not run yet): let that task run first."""
    await asyncio.sleep(0)
    await consumer.stop()


def _observed(future) -> None:
    """Mark a future's exception as retrieved: if the run stops before awaiting it, asyncio
    would otherwise print "Future exception was never retrieved" for every unsent record."""
    if not future.cancelled():
        future.exception()


def _partitions(consumer, topic: str):
    from aiokafka import TopicPartition

    return [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]


async def _topic_end(settings: Settings, topic: str) -> dict:
    """Each partition's high-watermark now, read with a throw-away group-less consumer."""
    from aiokafka import AIOKafkaConsumer

    consumer = await _started(AIOKafkaConsumer(**consumer_kwargs(settings, None)))
    try:
        partitions = _partitions(consumer, topic)
        if not partitions:
            raise DlqError(f"the dead-letter topic {topic} does not exist on {settings.bootstrap_servers} "
                           "(run `parley topics create`, or check PARLEY_TOPIC_PREFIX)")
        consumer.assign(partitions)
        return await highwater_offsets(consumer, partitions)
    finally:
        await _stop(consumer)


class _Progress:
    """A line on stderr every few seconds while a long run reads."""

    def __init__(self, what: str, total: int, sending: bool):
        self.what, self.total, self.sending = what, total, sending
        self.started = self.last = time.monotonic()

    def update(self, tally: Tally, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < PROGRESS_EVERY:
            return
        if final and now - self.started < PROGRESS_EVERY:
            return  # a short run needs no progress line
        self.last = now
        sent = f", {tally.sent:,} re-published" if self.sending else ""
        print(f"{self.what}: read {tally.read:,} of {self.total:,} records, {tally.seen:,} matching{sent} "
              f"({now - self.started:.0f} s)", file=sys.stderr, flush=True)


async def _read_until(consumer, starts: dict, ends: dict, on_batch) -> None:
    """Hand `on_batch(records)` every record from `starts` up to (not including) `ends`.

    Partitions are paused once their end is reached, so nothing written later is fetched
    for long, and a record at or past its partition's end is never handed on.
    """
    remaining = {tp for tp in ends if starts[tp] < ends[tp]}
    for tp in set(ends) - remaining:
        consumer.pause(tp)
    last_read = time.monotonic()
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=500)
        records = []
        for tp, rs in batch.items():
            records.extend(r for r in rs if r.offset < ends[tp])
        if records:
            last_read = time.monotonic()
            await on_batch(records)
        for tp in list(remaining):
            if await consumer.position(tp) >= ends[tp]:
                remaining.discard(tp)
                consumer.pause(tp)
        if remaining and time.monotonic() - last_read > STALL_TIMEOUT:
            where = ", ".join(f"[{tp.partition}] at {await consumer.position(tp)} of {ends[tp]}"
                              for tp in sorted(remaining))
            raise Stalled(f"nothing could be read for {STALL_TIMEOUT:.0f} s (partition {where}); is the broker up?")


def _matches(headers: dict, stage: str | None, reason: str | None) -> bool:
    return (stage is None or headers.get("parley-stage") == stage) and (
        reason is None or headers.get("parley-reason") == reason
    )


def _rows_table(title: str) -> Table:
    table = Table(title=title)
    for column in ("stage", "reason", "detail", "from", "key"):
        table.add_column(column, overflow="fold")
    return table


def _add_row(table: Table, headers: dict, record) -> None:
    origin = headers.get("parley-topic", "?")
    table.add_row(headers.get("parley-stage", "?"), headers.get("parley-reason", "?"),
                  headers.get("parley-detail", ""),
                  f"{origin}[{headers.get('parley-partition', '?')}]@{headers.get('parley-offset', '?')}",
                  (record.key or b"").decode("utf-8", "replace"))


def _counts_table(title: str, counts: Counter) -> Table:
    table = Table(title=title)
    for column in ("stage", "reason", "messages"):
        table.add_column(column, justify="right" if column == "messages" else "left")
    for (stage, reason), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(stage, reason, f"{count:,}")
    return table


def _reasons_text(counts: Counter) -> str:
    by_reason = Counter()
    for (_stage, reason), count in counts.items():
        by_reason[reason] += count
    return ", ".join(f"{reason} ({count:,})" for reason, count in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])))


async def _survey(settings: Settings, topic: str, ends: dict) -> Counter:
    """(stage, reason) -> count of every record up to `ends`, read without a group."""
    from aiokafka import AIOKafkaConsumer

    counts: Counter = Counter()
    consumer = await _started(AIOKafkaConsumer(**consumer_kwargs(settings, None)))
    try:
        consumer.assign(list(ends))
        await consumer.seek_to_beginning(*ends)
        starts = {tp: await consumer.position(tp) for tp in ends}

        async def count(records):
            for record in records:
                headers = decode_headers(record.headers)
                counts[(headers.get("parley-stage", "?"), headers.get("parley-reason", "?"))] += 1

        await _read_until(consumer, starts, ends, count)
    finally:
        await _stop(consumer)
    return counts


async def run(settings: Settings, *, republish: bool, stage: str | None, reason: str | None,
              limit: int | None = None, dry_run: bool = False) -> int:
    from aiokafka.errors import KafkaConnectionError, KafkaError

    # aiokafka logs every failed reconnection attempt: when the broker goes away that is
    # thousands of lines; this command says what happened once, in its own words.
    kafka_log = logging.getLogger("aiokafka")
    level = kafka_log.level
    kafka_log.setLevel(logging.CRITICAL)
    try:
        return await _run(settings, republish=republish or dry_run, dry_run=dry_run, stage=stage, reason=reason,
                          limit=limit)
    except DlqError as exc:
        print(f"parley dlq: {exc}", file=sys.stderr)
        return 1
    except KafkaConnectionError as exc:
        print(f"parley dlq: cannot reach the broker at {settings.bootstrap_servers} (KAFKA_BOOTSTRAP_SERVERS): "
              f"{exc}", file=sys.stderr)
        return 1
    except KafkaError as exc:
        print(f"parley dlq: the broker at {settings.bootstrap_servers} failed: {exc!r}", file=sys.stderr)
        return 1
    finally:
        kafka_log.setLevel(level)


async def _run(settings: Settings, *, republish: bool, dry_run: bool, stage: str | None, reason: str | None,
               limit: int | None) -> int:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from aiokafka.errors import KafkaError

    settings.require_bootstrap()
    topic = Topics(settings.topic_prefix).dlq
    console = Console()
    if limit is None:
        limit = DRY_RUN_ROWS if dry_run else LIST_ROWS
    # The end of the topic when the command starts: nothing past it is read or re-sent.
    ends = await _topic_end(settings, topic)
    held = sum(ends.values())

    all_counts: Counter | None = None
    if reason is not None and republish:
        # Refuse an unknown reason before sending anything (a listing finds out as it reads).
        all_counts = await _survey(settings, topic, ends)
        if not _known_reason(all_counts, reason, topic):
            return 2

    # One replay group per filter: a run for one stage or reason must not move past the
    # messages of another, which a later run with that filter must still re-publish.
    group = (f"{settings.topic_prefix}parley-dlq-replay.{stage or '*'}.{reason or '*'}"
             if republish else None)
    consumer = await _started(AIOKafkaConsumer(**consumer_kwargs(settings, group)))
    producer = None
    if republish and not dry_run:
        try:
            producer = await _started(AIOKafkaProducer(**producer_kwargs(settings)))
        except BaseException:
            await _stop(consumer)
            raise
    tally = Tally()
    every = Counter()  # (stage, reason) of every record read, for an unknown --reason
    title = (f"Would re-publish from {topic}" if dry_run else
             f"Re-published from {topic}" if republish else f"Dead-lettered messages in {topic}")
    table = _rows_table(title)
    shown = 0
    try:
        partitions = list(ends)
        consumer.assign(partitions)
        if republish:
            # Where the replay group stopped (the start of the topic if it never ran).
            for tp in partitions:
                committed = await consumer.committed(tp)
                if committed is None:
                    await consumer.seek_to_beginning(tp)
                else:
                    consumer.seek(tp, committed)
        else:
            await consumer.seek_to_beginning(*partitions)
        starts = {tp: await consumer.position(tp) for tp in partitions}
        to_read = sum(max(0, ends[tp] - starts[tp]) for tp in partitions)
        verb = "would re-publish" if dry_run else "re-publishing" if republish else "listing"
        if republish:
            console.print(_start_line(topic, held, to_read, verb, stage, reason))
        progress = _Progress(f"{verb} {topic}", to_read, sending=producer is not None)

        async def handle(records):
            nonlocal shown
            pending = []
            for record in records:
                tally.read += 1
                headers = decode_headers(record.headers)
                key = (headers.get("parley-stage", "?"), headers.get("parley-reason", "?"))
                every[key] += 1
                if not _matches(headers, stage, reason):
                    continue
                tally.matched[key] += 1
                if shown < limit:
                    _add_row(table, headers, record)
                    shown += 1
                origin = headers.get("parley-topic")
                if not origin:
                    tally.no_origin += 1
                    continue
                if producer is not None:
                    ack = await producer.send(origin, key=record.key, value=record.value)
                    ack.add_done_callback(_observed)  # a failure is reported below, once, not at exit
                    pending.append(ack)
            if producer is not None:
                acks = await asyncio.gather(*pending, return_exceptions=True)
                failed = [ack for ack in acks if isinstance(ack, BaseException)]
                if failed:
                    raise DlqError(
                        f"the broker did not acknowledge {len(failed)} of a batch of {len(pending)} re-published "
                        f"records ({failed[0]!r}); the {tally.sent:,} re-published before it are committed: run "
                        "the command again to re-send the rest (this batch's acknowledged records are then sent "
                        "twice; the stages' effects are idempotent)")
                tally.sent += len(pending)
                # Past exactly what was handled: a bare commit() would commit the consumer's
                # position, which may be past the records of this batch.
                last = {}
                for record in records:
                    tp = (record.topic, record.partition)
                    last[tp] = max(last.get(tp, -1), record.offset)
                await consumer.commit({TopicPartition(t, p): offset + 1 for (t, p), offset in last.items()})
            progress.update(tally)

        try:
            await _read_until(consumer, starts, ends, handle)
        except (KafkaError, Stalled) as exc:
            what = str(exc) if isinstance(exc, Stalled) else f"the broker at {settings.bootstrap_servers} failed ({exc!r})"
            sent = (f"; {tally.sent:,} re-published and committed: run the command again to go on"
                    if producer is not None else "")
            raise DlqError(f"{what}; stopped after reading {tally.read:,} of {to_read:,} records{sent}") from exc
        progress.update(tally, final=True)
    finally:
        await _stop(consumer)
        if producer is not None:
            await producer.stop()

    if reason is not None and all_counts is None:
        if not _known_reason(every, reason, topic):
            return 2
    if shown:
        console.print(table)
    if tally.matched:
        console.print(_counts_table("Would re-publish" if dry_run else "Re-published" if republish else "Count",
                                    tally.matched))
    summary = f"{tally.seen} dead-lettered messages"  # tests and scripts read this line: no separators
    if dry_run:
        summary += f"; would re-publish {tally.seen - tally.no_origin} (dry run: nothing sent)"
    elif republish:
        summary += f"; re-published {tally.sent}"
    if tally.seen > shown:
        summary += f" (showing {shown})"
    console.print(summary)
    if tally.no_origin:
        console.print(f"{tally.no_origin} without a parley-topic header cannot be re-published")
    if republish:
        try:
            later = sum((await _topic_end(settings, topic)).values()) - held
        except KafkaError:  # the run is done; only this remark is lost
            later = 0
        if later > 0:
            were = "record was" if later == 1 else "records were"
            console.print(f"{later:,} {were} dead-lettered while this ran and not "
                          f"{'counted' if dry_run else 're-published'} (a re-published message that fails "
                          "again comes back this way): `parley dlq` lists them")
    return 0


def _start_line(topic: str, held: int, to_read: int, verb: str, stage: str | None, reason: str | None) -> str:
    """What a re-publishing run is about to do, said before it does it."""
    flags = " ".join(f"--{name} {value}" for name, value in (("stage", stage), ("reason", reason)) if value)
    earlier = held - to_read
    line = f"{topic} holds {held:,} record{'' if held == 1 else 's'}"
    if earlier:
        line += f", {earlier:,} of them read by an earlier run{' with ' + flags if flags else ''}"
    if not to_read:
        return line + ": nothing left to re-publish"
    line += f"; {verb} {'the matching ones among ' if flags else ''}"
    line += f"the {to_read:,} after them" if earlier else f"the {to_read:,}"
    return line + " (records dead-lettered from now on are left for a later run)"


def _known_reason(counts: Counter, reason: str, topic: str) -> bool:
    if any(r == reason for (_s, r) in counts):
        return True
    if not counts:
        print(f"parley dlq: unknown reason {reason!r}: {topic} is empty", file=sys.stderr)
    else:
        print(f"parley dlq: unknown reason {reason!r}: no message in {topic} has it; "
              f"reasons in {topic}: {_reasons_text(counts)}", file=sys.stderr)
    return False
