"""GET /stream: new and changed stories as Server-Sent Events, read from `events.stories`.

Each connection has its own group-less aiokafka consumer assigned every partition of the
topic (no consumer group: nothing is committed, and clients do not share or steal
partitions). Every story message is sent as

    event: story
    id: 0:13,1:40,2:3,3:7
    data: {...the events.stories message...}

where the id is the position after that message on every partition: partition:next offset.
A client that reconnects with that id in `Last-Event-ID` (browsers' EventSource do it by
themselves) continues right after it on every partition: no gap, no repeat. A partition
the id does not name is read from its start. Without `Last-Event-ID` the stream starts at
the end of the topic ("now") or, with `?since=beginning`, at its start. The first event,
`ready`, carries the starting position as its id (and in its data), so a client that got
no story before it disconnected resumes from where it began.

The end of each partition is the fetch high-watermark (`parley.kafka.highwater_offsets`):
Tansu's memory engine under-reports ListOffsets "latest". A comment line (`: heartbeat`)
goes out when nothing else did for `heartbeat` seconds, so proxies keep the connection open,
and a closed connection is noticed within that time at the latest.

Order: the messages of one story are in order (one partition); across partitions they come
as fetched. A resume position past a partition's end (a broker that lost its data) makes
the consumer start that partition again from its beginning (`auto_offset_reset=earliest`):
repeats, never a gap; each message is the whole story, so a repeat is harmless.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time

import orjson
from aiohttp import web

from .. import metrics
from ..config import Settings
from ..kafka import consumer_kwargs, highwater_offsets
from ..topics import STORIES, Topics
from .params import BadRequest

log = logging.getLogger("parley.api.stream")

_POSITION = re.compile(r"[0-9]{1,6}:[0-9]{1,19}(,[0-9]{1,6}:[0-9]{1,19})*", re.ASCII)


def format_position(positions: dict[int, int]) -> str:
    return ",".join(f"{p}:{o}" for p, o in sorted(positions.items()))


def parse_position(raw: str) -> dict[int, int]:
    raw = raw.strip()
    if not _POSITION.fullmatch(raw):
        raise BadRequest("Last-Event-ID is not a stream position; send the id of the last event received, "
                         "e.g. 0:12,1:40,2:3,3:7 (partition:next offset)")
    return {int(p): int(o) for p, o in (part.split(":") for part in raw.split(","))}


class StreamUnavailable(RuntimeError):
    """The broker or the topic is not there (503)."""


class StoryStream:
    """The /stream handler of one API process."""

    def __init__(self, settings: Settings, *, heartbeat: float = 15.0, poll: float = 0.5, max_streams: int = 64):
        self.settings = settings
        self.topic = Topics(settings.topic_prefix).name(STORIES)
        self.heartbeat = heartbeat
        self.poll = poll
        self.max_streams = max_streams
        self.open = 0
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """End every open stream (the service is stopping)."""
        self._stopping.set()

    async def _consumer(self):
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(**consumer_kwargs(self.settings, None), request_timeout_ms=10000)
        try:
            await asyncio.wait_for(consumer.start(), 15)
            topics = await consumer.topics()
            if self.topic not in topics:
                raise StreamUnavailable(f"the topic {self.topic} does not exist yet; start the pipeline "
                                        "(parley up, or parley topics create)")
            partitions = [TopicPartition(self.topic, p) for p in sorted(consumer.partitions_for_topic(self.topic))]
            consumer.assign(partitions)
            return consumer, partitions
        except StreamUnavailable:
            await consumer.stop()
            raise
        except Exception as exc:
            await consumer.stop()
            raise StreamUnavailable(f"the broker ({self.settings.bootstrap_servers}) cannot be reached: "
                                    f"{type(exc).__name__}") from None

    async def _start(self, consumer, partitions, resume: dict[int, int] | None, since: str) -> dict[int, int]:
        """Seek every partition to where this stream starts; returns partition -> offset."""
        if resume is not None:
            start = {tp.partition: resume.get(tp.partition, 0) for tp in partitions}
        elif since == "beginning":
            start = {tp.partition: offset for tp, offset in (await consumer.beginning_offsets(partitions)).items()}
        else:
            start = {tp.partition: offset for tp, offset in (await highwater_offsets(consumer, partitions)).items()}
        for tp in partitions:
            consumer.seek(tp, start[tp.partition])
        return start

    async def handle(self, request: web.Request) -> web.StreamResponse:
        since = request.query.get("since", "now")
        if since not in ("now", "beginning"):
            raise BadRequest(f"since {since[:40]!r} is not one of now, beginning")
        last_id = request.headers.get("Last-Event-ID")
        resume = parse_position(last_id) if last_id is not None and last_id.strip() else None
        if self.open >= self.max_streams:
            raise StreamUnavailable(f"{self.open} streams are open, the most this service serves; try again later")
        self.open += 1
        metrics.API_STREAMS.set(self.open)
        consumer = None
        try:
            consumer, partitions = await self._consumer()
            positions = await self._start(consumer, partitions, resume, since)
            response = web.StreamResponse(headers={
                "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no"})
            await response.prepare(request)
            position = format_position(positions)
            await response.write(f"retry: 2000\nevent: ready\nid: {position}\n"
                                 f"data: {orjson.dumps({'position': position}).decode()}\n\n".encode())
            await self._pump(request, response, consumer, positions)
            return response
        finally:
            self.open -= 1
            metrics.API_STREAMS.set(self.open)
            if consumer is not None:
                await consumer.stop()

    async def _pump(self, request, response, consumer, positions: dict[int, int]) -> None:
        last_write = time.monotonic()
        while not self._stopping.is_set():
            transport = request.transport
            if transport is None or transport.is_closing():
                return  # the client went away
            batch = await consumer.getmany(timeout_ms=int(self.poll * 1000))
            chunks = []
            for tp in sorted(batch, key=lambda tp: tp.partition):
                for record in batch[tp]:
                    if record.offset < positions.get(tp.partition, 0):
                        continue  # before the start (a fetch may return a whole batch)
                    positions[tp.partition] = record.offset + 1
                    try:
                        story = orjson.loads(record.value) if record.value else None
                    except orjson.JSONDecodeError:
                        story = None
                    if not isinstance(story, dict):
                        continue  # not a story: skipped (the next event's id moves past it)
                    data = orjson.dumps(story).decode()
                    chunks.append(f"event: story\nid: {format_position(positions)}\ndata: {data}\n\n")
            try:
                if chunks:
                    await response.write("".join(chunks).encode())
                    metrics.API_STREAMED.inc(len(chunks))
                    last_write = time.monotonic()
                elif time.monotonic() - last_write >= self.heartbeat:
                    await response.write(b": heartbeat\n\n")
                    last_write = time.monotonic()
            except (ConnectionResetError, ConnectionError, RuntimeError):
                return  # the client went away while we wrote
