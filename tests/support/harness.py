"""A real pipeline for tests: the service processes of `parley up`, on the test broker.

Used by the end-to-end, fault-injection and benchmark smoke tests. It drives the product's
own pieces (commands.up.Workers, Publisher, ProgressMonitor) rather than test doubles.
"""
from __future__ import annotations

import asyncio
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import orjson

from parley.config import Settings
from parley.kafka import caught_up
from parley.ingest.readers import Article, read_paths
from parley import progress
from parley.publisher import Publisher
from parley.commands.workers import PIPELINE, Workers
from parley.topics import Topics, create_topics_sync

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "tests" / "corpus" / "seeds"


def settings_for(bootstrap: str, prefix: str, tmp_path: Path, database_url: str | None = None, **extra) -> Settings:
    return Settings.from_env().with_(
        bootstrap_servers=bootstrap, topic_prefix=prefix, sqlite_path=str(tmp_path / "parley.db"),
        database_url=database_url, embedded_timeouts=True, log_level="WARNING", **extra,
    )


def read_messages(paths) -> list[dict]:
    return [r.to_message() for r in read_paths([str(p) for p in paths]) if isinstance(r, Article)]


async def publish(settings: Settings, messages: list[dict]) -> None:
    async with Publisher(settings) as publisher:
        await publisher.publish(messages)


async def publish_and_drain(settings: Settings, messages: list[dict], workers: Workers | None = None,
                            stall_timeout: float = 90.0) -> None:
    await progress.publish_and_drain(settings, messages, check=workers.check if workers else (lambda: None),
                                     stall_timeout=stall_timeout,
                                     names=tuple(w.name for w in workers.started) if workers else None)


async def read_topic(settings: Settings, base: str, timeout: float = 20.0) -> list:
    """Every record of a topic, read from the start without a consumer group."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from parley.kafka import consumer_kwargs

    name = Topics(settings.topic_prefix).name(base)
    consumer = AIOKafkaConsumer(**consumer_kwargs(settings, None))
    await consumer.start()
    try:
        partitions = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or [])]
        consumer.assign(partitions)
        records = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = await consumer.getmany(timeout_ms=300)
            for rs in batch.values():
                records.extend(rs)
            if await caught_up(consumer, partitions):
                return records
            if loop.time() > deadline:
                raise AssertionError(f"could not read {name} to its end within {timeout:.0f} s "
                                     f"({len(records)} records read)")
    finally:
        await consumer.stop()


@contextmanager
def running_pipeline(settings: Settings, run_dir: Path, names=PIPELINE) -> Iterator[Workers]:
    create_topics_sync(settings)
    workers = Workers(settings, run_dir)
    workers.start(names)
    try:
        yield workers
    finally:
        workers.stop()


def get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def load_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in Path(path).read_bytes().splitlines() if line.strip()]
