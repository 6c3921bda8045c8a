"""Publishing articles to `articles.raw`: the producer side of ingest."""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Iterable

from .codec import encode
from .config import Settings
from .kafka import producer_kwargs
from .topics import Topics

if TYPE_CHECKING:
    from .journal import Journal


class Publisher:
    """An aiokafka producer that returns only once the broker has acknowledged (acks=all).

    With a journal (parley.journal), every article is recorded there before it is sent."""

    def __init__(self, settings: Settings, journal: "Journal | None" = None):
        self.settings = settings
        self.topic = Topics(settings.topic_prefix).raw
        self.journal = journal
        self._producer = None

    async def start(self) -> None:
        from aiokafka import AIOKafkaProducer

        self._producer = AIOKafkaProducer(**producer_kwargs(self.settings))
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def __aenter__(self) -> "Publisher":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    async def publish(self, messages: Iterable[dict[str, Any]]) -> int:
        assert self._producer is not None, "start() the publisher first"
        messages = list(messages)
        if self.journal is not None and messages:
            await asyncio.to_thread(self.journal.record, messages)
        futures = [
            await self._producer.send(self.topic, key=m["article_id"].encode(), value=encode(m))
            for m in messages
        ]
        if futures:
            await asyncio.gather(*futures)
        return len(futures)

    @property
    def ready(self) -> bool:
        return self._producer is not None
