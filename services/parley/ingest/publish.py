"""`parley ingest PATH...`: read articles and publish them to a running pipeline."""
from __future__ import annotations

import asyncio

from rich.console import Console

from ..config import Settings
from ..publisher import Publisher
from .readers import InputError, read_paths

BATCH = 500


async def _ingest(settings: Settings, paths: list[str], console: Console) -> tuple[int, int]:
    published = refused = 0
    batch: list[dict] = []
    async with Publisher(settings) as publisher:
        for result in read_paths(paths, max_chars=settings.max_article_chars):
            if isinstance(result, InputError):
                refused += 1
                console.print(f"[yellow]refused[/] {result.message}")
                continue
            batch.append(result.to_message())
            if len(batch) >= BATCH:
                published += await publisher.publish(batch)
                batch.clear()
                console.print(f"published {published} articles", end="\r")
        if batch:
            published += await publisher.publish(batch)
    return published, refused


def ingest_paths(settings: Settings, paths: list[str]) -> int:
    settings.require_bootstrap()
    console = Console(stderr=True, soft_wrap=True)  # one message per line, also in a log file
    published, refused = asyncio.run(_ingest(settings, paths, console))
    console.print(f"published {published} articles; refused {refused} input records")
    return 0 if published or not refused else 1
