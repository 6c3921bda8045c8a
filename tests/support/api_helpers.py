"""The query API under test: a database filled as the sink fills it, the API served on a free
port from a thread of the test process, a small HTTP client and a Server-Sent Events reader."""
from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from typing import Iterator

import orjson

from parley.api.app import make_app
from parley.api.queries import open_reader
from parley.api.stream import StoryStream
from parley.config import Settings
from parley.http import serve
from parley.logic.stories.book import StoryBook
from parley.stages.sink_store import Batch, open_store

from .stories_helpers import SUMMIT, event



def sample_events() -> list[dict]:
    """Reports of five real meetings (one reported twice), as the detector publishes them."""
    return [
        event("ministers", status="cancelled", people=("Carl Moss", "Dana Roe"), published="2024-02-01",
              evidence="The meeting of the foreign ministers was called off."),
        event("summit-plan", status="planned", published="2024-03-01", confidence=0.8,
              evidence="The presidents of Armenia and Azerbaijan will meet in Vienna to discuss the border.",
              **SUMMIT),
        event("summit-held", status="occurred", published="2024-03-13T10:00:00Z",
              evidence="Ana Lund and Boris Kane met in Vienna on Tuesday; the border talks went on for hours.",
              **SUMMIT),
        event("call", kind="call", people=("Eva Stone", "Gus Park"), date="2024-04", published="2024-04-10",
              evidence="Eva Stone spoke by phone with Gus Park about 100% tariffs."),
        event("visit", kind="visit", status="planned", people=("Hana Ito", "Gus Park"), date="2024-05",
              published="2024-05-02", place="Tokyo", place_country="JPN",
              evidence="Gus Park will visit Tokyo in May, his office said."),
        event("nato", kind="multilateral", people=("Eva Stone", "Ivo Dahl"), orgs=("NATO",), date="2024-07-10",
              published="2024-07-11", place="Washington", place_country="USA",
              evidence="Leaders gathered in Washington for the NATO summit."),
    ]


def receipt(events: list[dict], title: str | None = None, text: str | None = None) -> dict:
    """The detector's receipt (articles.detected) of the article of `events`; without `text`
    it is a receipt from before receipts carried the article's text."""
    first = events[0]
    return {"schema_version": 1, "article_id": first["article_id"], "source": first["source"],
            "published_at": first["published_at"], "ingested_at": first["ingested_at"],
            "title": title or f"Report {first['source']['file']}", "mentions": 7,
            "event_ids": [e["event_id"] for e in events], "detected_at": first["detected_at"],
            **({"text": text} if text is not None else {})}


def article_text(events: list[dict], lead: str = "(Example News) - Officials spoke to reporters on Monday.",
                 tail: str = "The ministry gave no further details.") -> str:
    """A cleaned article holding the evidence of `events` (paragraphs joined by a blank line, as
    the cleaner joins them); sets each event's evidence `start`/`end` to where it stands."""
    text = lead
    for e in events:
        text += "\n\n"
        e["evidence"].update(start=len(text), end=len(text) + len(e["evidence"]["text"]))
        text += e["evidence"]["text"] + " Both sides described the talks as open."
    return text + "\n\n" + tail


def story_messages(events: list[dict]) -> list[dict]:
    book = StoryBook()
    return [change.to_message() for e in events for change in book.add(e)]


def latest_stories(messages: list[dict]) -> dict[str, dict]:
    return {m["story_id"]: m for m in messages}


def store(database_url: str | None, sqlite_path: str, *, events=(), articles=(), stories=()) -> None:
    """Write as the sink does (parley.stages.sink_store)."""
    async def write():
        sink = open_store(database_url, sqlite_path)
        await sink.open()
        try:
            await sink.write(Batch(events=list(events), articles=list(articles), stories=list(stories)))
        finally:
            await sink.close()

    asyncio.run(write())


# The article of this sample event has a receipt from before receipts carried the text.
WITHOUT_TEXT = "ministers.txt"


def fill(database_url: str | None, sqlite_path: str) -> tuple[list[dict], dict[str, dict]]:
    """Store the sample events, their articles (with their text, but for WITHOUT_TEXT) and
    stories; returns (events, stories by id)."""
    events = sample_events()
    messages = story_messages(events)
    by_article: dict[str, list[dict]] = {}
    for e in events:
        by_article.setdefault(e["article_id"], []).append(e)
    receipts = [receipt(es, text=None if es[0]["source"]["file"] == WITHOUT_TEXT else article_text(es))
                for es in by_article.values()]
    store(database_url, sqlite_path, events=events, articles=receipts, stories=messages)
    return events, latest_stories(messages)


async def produce(settings: Settings, messages: list[dict]) -> None:
    """Publish events.stories messages as the stories stage does (keyed by story id)."""
    from aiokafka import AIOKafkaProducer

    from parley.kafka import producer_kwargs
    from parley.topics import STORIES, Topics

    producer = AIOKafkaProducer(**producer_kwargs(settings))
    await producer.start()
    try:
        topic = Topics(settings.topic_prefix).name(STORIES)
        for message in messages:
            await producer.send_and_wait(topic, key=message["story_id"].encode(), value=orjson.dumps(message))
    finally:
        await producer.stop()


class ServedApi:
    """The API served on 127.0.0.1:<free port> by an event loop in a thread."""

    def __init__(self, settings: Settings, *, heartbeat: float = 15.0, poll: float = 0.2):
        self.settings = settings
        self.heartbeat = heartbeat
        self.poll = poll
        self.url = ""
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="api-under-test", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        reader = open_reader(self.settings.database_url, self.settings.sqlite_path)
        self.stream = StoryStream(self.settings, heartbeat=self.heartbeat, poll=self.poll)
        app = make_app(reader, self.stream, token=self.settings.api_token)
        runner, port = await serve(app, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            self.stream.stop()
            await runner.cleanup()
            await reader.close()

    def start(self) -> "ServedApi":
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@contextmanager
def served_api(settings: Settings, **options) -> Iterator[ServedApi]:
    api = ServedApi(settings, **options).start()
    try:
        yield api
    finally:
        api.stop()


def get_json(url: str, token: str | None = None, headers: dict | None = None) -> tuple[int, dict, dict]:
    """(status, JSON body, headers) of a GET."""
    request = urllib.request.Request(url, headers={**({"Authorization": f"Bearer {token}"} if token else {}),
                                                   **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, orjson.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, orjson.loads(exc.read()), dict(exc.headers)


class SseReader:
    """Reads Server-Sent Events from an open aiohttp response: (event, id, data) tuples, and
    the comments seen."""

    def __init__(self, response):
        self.response = response
        self.comments: list[str] = []

    async def next(self, timeout: float) -> tuple[str, str | None, str]:
        event, ident, data = "message", None, []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            line = await asyncio.wait_for(self.response.content.readline(), max(0.01, deadline - loop.time()))
            if not line:
                raise EOFError("the stream ended")
            line = line.decode().rstrip("\r\n")
            if not line:
                if data or event != "message":
                    return event, ident, "\n".join(data)
                continue
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "id":
                ident = value
            elif name == "data":
                data.append(value)

    async def stories(self, count: int, timeout: float) -> list[tuple[str, dict]]:
        """The next `count` story events, as (id, story)."""
        found = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found) < count:
            event, ident, data = await self.next(deadline - loop.time())
            if event == "story":
                found.append((ident, orjson.loads(data)))
        return found
