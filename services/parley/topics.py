"""The topic registry: every topic's name comes from here, and so does its creation.

Tansu auto-creates unknown topics with 4 partitions and cannot add partitions later, so
every topic is created explicitly, with its partition count, before any worker starts.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

RAW = "articles.raw"
CLEAN = "articles.clean"
TAGGED = "articles.tagged"
MEETINGS = "events.meetings"
# The detector's receipt for each article it finished: which events it gave (maybe none).
DETECTED = "articles.detected"
STORIES = "events.stories"
# events.meetings again, keyed by the story partition key (parley.logic.stories.key): every
# report that could join a story reaches one partition, and the stories stage rebuilds its
# state from this topic (it is the state's log).
STORY_REPORTS = "stories.reports"
# What alert rules matched (alerts stage -> notifier, subscribers), keyed by alert id.
ALERTS = "alerts"
DLQ = "parley.dlq"

ALL = (RAW, CLEAN, TAGGED, MEETINGS, DETECTED, STORIES, STORY_REPORTS, ALERTS, DLQ)


@dataclass(frozen=True)
class Topics:
    """Topic names of one deployment; a prefix lets two deployments share a cluster."""

    prefix: str = ""

    def name(self, base: str) -> str:
        if base not in ALL:
            raise KeyError(f"unknown topic {base!r}; known topics: {', '.join(ALL)}")
        return f"{self.prefix}{base}"

    def base(self, full: str) -> str:
        """The registry name of a (possibly prefixed) topic name."""
        if self.prefix and full.startswith(self.prefix):
            full = full[len(self.prefix):]
        return full

    @property
    def raw(self) -> str:
        return self.name(RAW)

    @property
    def clean(self) -> str:
        return self.name(CLEAN)

    @property
    def tagged(self) -> str:
        return self.name(TAGGED)

    @property
    def meetings(self) -> str:
        return self.name(MEETINGS)

    @property
    def detected(self) -> str:
        return self.name(DETECTED)

    @property
    def dlq(self) -> str:
        return self.name(DLQ)

    def all(self) -> list[str]:
        return [self.name(base) for base in ALL]


async def create_topics(settings, *, timeout: float = 30.0) -> list[str]:
    """Create every registry topic that does not exist yet; returns the names created."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from .kafka import client_kwargs

    topics = Topics(settings.topic_prefix)
    admin = AIOKafkaAdminClient(**client_kwargs(settings), request_timeout_ms=int(timeout * 1000))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics.all() if t not in existing]
        if missing:
            await admin.create_topics(
                [NewTopic(name, num_partitions=settings.partitions, replication_factor=1) for name in missing]
            )
        return missing
    finally:
        await admin.close()


def create_topics_sync(settings, *, attempts: int = 30) -> list[str]:
    """Create the topics, retrying while the broker is still starting up."""
    last: Exception | None = None
    for _ in range(attempts):
        try:
            return asyncio.run(create_topics(settings))
        except Exception as exc:  # broker not reachable yet: retry for a while
            last = exc
            import time

            time.sleep(1.0)
    raise SystemExit(
        f"could not create topics on {settings.bootstrap_servers}: {last!r}; "
        "check that the broker is running and KAFKA_BOOTSTRAP_SERVERS is right"
    )
