"""GET /stream on the real embedded broker: stories produced on events.stories arrive as
Server-Sent Events; a client that disconnects and comes back with Last-Event-ID gets exactly
the stories it missed (no gap, no repeat), in each story's order."""
from __future__ import annotations

import asyncio
import time

import aiohttp
import orjson
import pytest

from support.api_helpers import SseReader, produce, served_api, story_messages
from support.harness import settings_for
from support.stories_helpers import SUMMIT, event
from parley.api.stream import format_position, parse_position
from parley.config import Settings
from parley.topics import create_topics_sync

pytestmark = pytest.mark.broker


def stories(count: int, start: int = 0) -> list[dict]:
    """`count` distinct events.stories messages (one story each, ids spread over partitions)."""
    template = story_messages([event("stream-template", published="2024-03-05", date="2024-03-04")])[0]
    return [{**template, "story_id": f"s-{i:016x}", "confidence": round(0.5 + i / 1000, 3)}
            for i in range(start, start + count)]


@pytest.fixture
def stream_settings(broker, topic_prefix, tmp_path) -> Settings:
    settings = settings_for(broker, topic_prefix, tmp_path)
    create_topics_sync(settings)
    return settings


async def open_stream(session, url: str, last_id: str | None = None, **params):
    headers = {"Last-Event-ID": last_id} if last_id else {}
    response = await session.get(url + "/stream", params=params, headers=headers,
                                 timeout=aiohttp.ClientTimeout(total=None, sock_read=30))
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/event-stream")
    reader = SseReader(response)
    kind, ident, data = await reader.next(30)
    assert kind == "ready" and orjson.loads(data) == {"position": ident}
    return response, reader, ident


def test_a_client_that_reconnects_with_last_event_id_gets_exactly_what_it_missed(stream_settings):
    first, second = stories(8), stories(7, start=100)

    async def run():
        async with aiohttp.ClientSession() as session:
            await produce(stream_settings, stories(5, start=500))  # before the client: not for it
            response, reader, start = await open_stream(session, api.url)
            assert set(parse_position(start)) == {0, 1, 2, 3} and sum(parse_position(start).values()) == 5
            await produce(stream_settings, first)
            received = await reader.stories(3, timeout=30)
            last_id = received[-1][0]
            response.close()  # gone: the other five of the first batch are not read
            await produce(stream_settings, second)
            response, reader, resumed_at = await open_stream(session, api.url, last_id)
            assert resumed_at == last_id
            rest = await reader.stories(len(first) + len(second) - 3, timeout=30)
            with pytest.raises(asyncio.TimeoutError):  # and nothing more: heartbeats only
                await reader.stories(1, timeout=2.5)
            assert reader.comments and set(reader.comments) == {"heartbeat"}
            response.close()
            return received, rest

    with served_api(stream_settings, heartbeat=0.5) as api:
        received, rest = asyncio.run(run())
    got = [s["story_id"] for _, s in received + rest]
    assert sorted(got) == sorted(s["story_id"] for s in first + second)  # no gap
    assert len(got) == len(set(got))  # no repeat
    assert {s["story_id"]: s for _, s in received + rest} == {s["story_id"]: s for s in first + second}
    # ids move forward: each names the position after its story, on every partition
    positions = [parse_position(i) for i, _ in received + rest]
    for before, after in zip(positions, positions[1:]):
        assert all(after[p] >= before[p] for p in before) and sum(after.values()) == sum(before.values()) + 1


def test_a_story_changed_twice_arrives_in_order_and_since_beginning_replays_the_topic(stream_settings):
    summit = SUMMIT
    changes = story_messages([event("plan", status="planned", published="2024-03-01", **summit),
                              event("held", status="occurred", published="2024-03-13", **summit)])
    assert [c["change"] for c in changes] == ["new", "status_changed"]

    async def run():
        async with aiohttp.ClientSession() as session:
            _, live, _ = await open_stream(session, api.url)
            await produce(stream_settings, changes)
            seen = [s for _, s in await live.stories(2, timeout=30)]
            _, replay, start = await open_stream(session, api.url, since="beginning")
            assert sum(parse_position(start).values()) == 0
            replayed = [s for _, s in await replay.stories(2, timeout=30)]
            return seen, replayed

    with served_api(stream_settings) as api:
        seen, replayed = asyncio.run(run())
    assert seen == changes and replayed == changes


def test_a_wrong_last_event_id_or_since_is_refused(stream_settings):
    async def run():
        async with aiohttp.ClientSession() as session:
            answers = []
            for headers, params in (({"Last-Event-ID": "yesterday"}, {}), ({}, {"since": "monday"}),
                                    ({}, {"partition": "1"})):
                async with session.get(api.url + "/stream", headers=headers, params=params) as response:
                    answers.append((response.status, (await response.json())["message"]))
            return answers

    with served_api(stream_settings) as api:
        answers = asyncio.run(run())
    assert answers[0][0] == 400 and "Last-Event-ID is not a stream position" in answers[0][1]
    assert answers[1][0] == 400 and "since 'monday' is not one of now, beginning" in answers[1][1]
    assert answers[2][0] == 400 and "unknown parameter 'partition'" in answers[2][1]


def test_no_topic_is_a_503_and_the_stream_ends_when_the_service_stops(broker, topic_prefix, tmp_path):
    settings = settings_for(broker, topic_prefix, tmp_path)  # topics not created

    async def missing():
        async with aiohttp.ClientSession() as session:
            async with session.get(api.url + "/stream") as response:
                return response.status, await response.json()

    with served_api(settings) as api:
        status, body = asyncio.run(missing())
    assert status == 503 and "does not exist yet" in body["message"]

    create_topics_sync(settings)

    async def until_stopped():
        async with aiohttp.ClientSession() as session:
            response, reader, _ = await open_stream(session, api.url)
            started = time.monotonic()
            api.stream.stop()
            with pytest.raises(EOFError):
                await reader.next(10)
            return time.monotonic() - started

    with served_api(settings) as api:
        assert asyncio.run(until_stopped()) < 3


def test_positions_read_and_write():
    assert format_position({2: 3, 0: 12, 1: 40}) == "0:12,1:40,2:3"
    assert parse_position(" 0:12,1:40,2:3 ") == {0: 12, 1: 40, 2: 3}
