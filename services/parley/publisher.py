"""Publishing articles to `articles.raw`: the producer side of ingest."""
from __future__ import annotations

import asyncio
from typing import Any, Iterable

from .codec import encode
from .config import Settings
from .kafka import producer_kwargs
from .topics import Topics


class Publisher:
    """An aiokafka producer that returns only once the broker has acknowledged (acks=all)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.topic = Topics(settings.topic_prefix).raw
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
