"""The stories stage: events.meetings -> stories.reports -> events.stories.

One agent reads two topics. A meeting event from `events.meetings` (keyed by article) is
sent again on `stories.reports`, keyed by its story partition key, so that every report
that could join a story reaches the same partition (and worker). A report from
`stories.reports` is added to the StoryBook (parley.logic.stories), and every story it
created or changed is published on `events.stories`, keyed by story id.

State lives in Kafka: `stories.reports` is the log of the state. Before a batch, for each
partition whose state this process has not folded up to the batch's first offset (a fresh
start, a restart after SIGKILL, a partition gained in a rebalance), the stories of that
partition's keys are rebuilt by reading the partition from its start up to that offset,
without publishing anything. Folding the same reports gives the same stories (the book is
order-independent), so a restarted or moved worker continues where the last commit left off;
the reports after it are processed again and their changes published again (at-least-once,
like every topic here: consumers upsert by story_id).

Every minute the stage closes, in every key, the stories whose retention window has passed
(by the latest publication day seen), so that keys no report touches any more leave memory.
"""
from __future__ import annotations

import logging
import time

from ..codec import decode, encode
from ..config import Settings
from ..kafka import read_partition
from ..topics import MEETINGS, STORIES, STORY_REPORTS, Topics
from . import STORIES_STAGE
from .shell import Incoming, Outgoing, Stage

log = logging.getLogger("parley.stories")

TICK_SECONDS = 60.0  # how often stories past their window are closed in untouched keys


def make_stage(settings: Settings) -> Stage:
    from ..logic.stories.book import StoryBook
    from ..logic.stories.key import partition_key
    from ..logic.stories.rules import MergeRules

    book = StoryBook(MergeRules(retention_days=settings.story_retention_days))
    owner: dict[str, int] = {}  # partition key -> partition of stories.reports it lives in
    folded: dict[int, int] = {}  # partition -> the offset the book holds its reports up to
    reports_topic = Topics(settings.topic_prefix).name(STORY_REPORTS)
    rebuilding: set[int] = set()  # partitions being folded again: their keys are incomplete

    def process(topic: str, _key: bytes | None, value: bytes) -> list[Outgoing]:
        event = decode(value, schema=MEETINGS)
        if topic == MEETINGS:
            return [Outgoing(STORY_REPORTS, partition_key(event).encode(), value)]
        return [Outgoing(STORIES, change.story_id.encode(), encode(change.to_message()))
                for change in book.add(event)]

    async def prepare(batch: list[Incoming]) -> None:
        first: dict[int, int] = {}
        for message in batch:
            if message.topic == STORY_REPORTS:
                first.setdefault(message.partition, message.offset)
        for partition, offset in sorted(first.items()):
            if folded.get(partition) != offset:
                await rebuild(partition, offset)
        for message in batch:
            if message.topic == STORY_REPORTS:
                owner[message.key.decode()] = message.partition
                folded[message.partition] = message.offset + 1

    def tick() -> list[Outgoing]:
        """Close the stories whose window has passed in every key (a key no report touches
        would otherwise keep its reports in memory for good)."""
        if rebuilding:
            return []  # a half-folded key would publish a story without all its reports
        return [Outgoing(STORIES, change.story_id.encode(), encode(change.to_message()))
                for change in book.close_expired()]

    async def rebuild(partition: int, end: int) -> None:
        rebuilding.add(partition)
        try:
            await fold(partition, end)
        finally:
            rebuilding.discard(partition)

    async def fold(partition: int, end: int) -> None:
        started = time.perf_counter()
        for key in [k for k, p in owner.items() if p == partition]:
            book.blocks.pop(key, None)
            del owner[key]
        count = 0
        async for records in read_partition(settings, reports_topic, partition, end):
            for record in records:
                try:
                    book.add(decode(record.value, schema=MEETINGS))  # changes already published
                except Exception:  # dead-lettered when it was first processed
                    continue
                owner[record.key.decode()] = partition
                count += 1
        folded[partition] = end
        log.warning("stories: rebuilt the state of %s[%d] from %d reports in %.2f s",
                    reports_topic, partition, count, time.perf_counter() - started)

    return Stage(STORIES_STAGE, process=process, prepare=prepare, tick=tick, tick_every=TICK_SECONDS)
