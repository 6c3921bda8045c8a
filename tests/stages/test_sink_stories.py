"""The sink keeps the latest version of each story and which events it holds, in SQLite and
PostgreSQL; a story merged into another keeps its row (change "merged") and no report."""
from __future__ import annotations

import asyncio
import sqlite3

from support.stories_helpers import SUMMIT, event
from parley.logic.stories.book import StoryBook
from parley.schemas import validator
from parley.stages.sink_store import Batch, open_store, read_stories


def _changes(events):
    book = StoryBook()
    return [c.to_message() for e in events for c in book.add(e)]


def _report_rows(url, path) -> list[tuple[str, str]]:
    query = "SELECT story_id, event_id FROM story_reports ORDER BY 1, 2"
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            return [tuple(r) for r in conn.execute(query)]
    with sqlite3.connect(path) as conn:
        return [tuple(r) for r in conn.execute(query)]


def _write(url, path, stories):
    async def run():
        store = open_store(url, path)
        await store.open()
        await store.write(Batch(events=[], articles=[], stories=stories))
        await store.close()

    asyncio.run(run())


def test_the_latest_version_of_each_story_and_its_reports_are_stored(sink_database):
    url, path = sink_database
    summit = SUMMIT
    messages = _changes([event("plan", status="planned", published="2024-03-01", **summit),
                         event("held", status="occurred", published="2024-03-13", **summit)])
    assert [m["change"] for m in messages] == ["new", "status_changed"]
    assert all(validator("events.stories")(m) == [] for m in messages)
    _write(url, path, messages[:1])
    _write(url, path, messages[1:])
    _write(url, path, messages[:1] + messages[1:])  # a replay changes nothing
    (stored,) = read_stories(url, path)
    assert stored == messages[-1]
    assert stored["status"] == "occurred" and stored["report_count"] == 2
    assert _report_rows(url, path) == sorted((stored["story_id"], t["event_id"]) for t in stored["timeline"])


def test_a_merged_story_keeps_its_row_and_loses_its_reports(sink_database):
    url, path = sink_database
    story = _changes([event("one", published="2024-03-05", date="2024-03-04")])[0]
    merged = {**story, "change": "merged", "merged_into": "s-0000000000000000"}
    _write(url, path, [story])
    assert len(_report_rows(url, path)) == 1
    _write(url, path, [merged])
    assert _report_rows(url, path) == []
    (stored,) = read_stories(url, path)
    assert stored["change"] == "merged" and stored["merged_into"] == "s-0000000000000000"


def test_the_stories_query_of_docs_database_runs_on_postgresql(postgres_database):
    import re
    from pathlib import Path

    import psycopg

    docs = (Path(__file__).resolve().parents[2] / "docs" / "database.md").read_text()
    query = re.search(r"```sql\n(-- the stories involving Turkey.*?)```", docs, re.S).group(1)
    cancelled = dict(people=("Carl Moss", "Hana Ito"), countries=("TUR", "JPN"), date="2024-05-02")
    events = [event("plan", status="planned", published="2024-04-20", **cancelled),
              event("off", status="cancelled", published="2024-04-28", **cancelled)]

    async def write():
        store = open_store(postgres_database, "unused.db")
        await store.open()
        await store.write(Batch(events=events, articles=[], stories=_changes(events)))
        await store.close()

    asyncio.run(write())
    with psycopg.connect(postgres_database) as conn:
        rows = conn.execute(query).fetchall()
    assert [(r[2], r[3]) for r in rows] == [(events[0]["event_id"], "planned"), (events[1]["event_id"], "cancelled")]
