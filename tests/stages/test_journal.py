"""The acceptance journal and the rule that lets it forget an article: the sink holds the
detector's receipt and every event the receipt lists."""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sqlite3

import pytest

from parley.journal import MAX_ATTEMPTS, Journal, journal_enabled
from parley.stages.sink_store import Batch, SQLiteStore, open_store, settled_articles


def _message(n: int) -> dict:
    return {"schema_version": 1, "article_id": f"a-{n:016x}", "text": f"article {n}"}


def test_recorded_articles_survive_a_sigkill_of_the_writer(tmp_path):
    path = tmp_path / "journal.db"

    def write_then_die():
        Journal(path).record([_message(1), _message(2)])
        os.kill(os.getpid(), signal.SIGKILL)  # no close, no atexit

    child = multiprocessing.get_context("fork").Process(target=write_then_die)
    child.start()
    child.join(30)
    assert child.exitcode == -signal.SIGKILL
    assert sorted(Journal(path).ids()) == [_message(1)["article_id"], _message(2)["article_id"]]


def test_pending_counts_attempts_and_sets_an_article_aside_after_the_last(tmp_path):
    journal = Journal(tmp_path / "journal.db")
    journal.record([_message(n) for n in range(3)])
    assert journal.counts() == (3, 0)
    for _ in range(MAX_ATTEMPTS - 1):  # each re-publication is an attempt
        batches = list(journal.pending(batch=2))
        assert [len(b) for b in batches] == [2, 1]
        assert batches[0][0] == _message(0)
    assert list(journal.pending()) == []  # all set aside: never published again
    assert journal.counts() == (0, 3)
    journal.record([_message(1)])  # accepted again: a fresh start
    assert [m["article_id"] for b in journal.pending() for m in b] == [_message(1)["article_id"]]
    journal.forget([_message(0)["article_id"], _message(1)["article_id"], _message(2)["article_id"]])
    assert journal.ids() == [] and journal.counts() == (0, 0)


def test_journal_off_values():
    assert not journal_enabled(None) and not journal_enabled("off") and not journal_enabled("OFF")
    assert journal_enabled("/var/lib/parley/journal.db")


def _receipt(article: str, events: list[str]) -> dict:
    return {"schema_version": 1, "article_id": article, "source": {"file": None, "url": None, "name": None},
            "published_at": None, "ingested_at": None, "title": None, "mentions": 0, "event_ids": events,
            "detected_at": "2026-12-07T00:00:00.000000Z"}


def _event(article: str, event_id: str) -> dict:
    return {"event_id": event_id, "article_id": article, "kind": "meeting", "status": "occurred",
            "countries": ["AUT", "SVN"], "orgs": [], "participants": []}


def test_an_article_is_settled_only_with_its_receipt_and_every_listed_event(sink_database):
    url, path = sink_database
    a, b, c, d = (f"a-{n:016x}" for n in range(4))

    async def write(batch: Batch):
        store = open_store(url, path)
        await store.open()
        await store.write(batch)
        await store.close()

    assert settled_articles(url, path, [a]) == set()  # nothing stored yet
    asyncio.run(write(Batch(events=[_event(a, "m-0000000000000001")], articles=[])))
    assert settled_articles(url, path, [a]) == set()  # events without the receipt
    asyncio.run(write(Batch(events=[], articles=[
        _receipt(a, ["m-0000000000000001"]),
        _receipt(b, ["m-0000000000000002", "m-0000000000000003"]),  # receipt before its events
        _receipt(c, []),  # an article without meetings
    ])))
    asyncio.run(write(Batch(events=[_event(b, "m-0000000000000002")], articles=[])))
    assert settled_articles(url, path, [a, b, c, d]) == {a, c}
    asyncio.run(write(Batch(events=[_event(b, "m-0000000000000003")], articles=[])))
    assert settled_articles(url, path, [a, b, c, d]) == {a, b, c}


def test_a_database_from_before_receipts_gains_the_column_on_open(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # the articles table as the sink created it before
        db.execute("CREATE TABLE articles (article_id TEXT PRIMARY KEY, title TEXT, source_file TEXT, "
                   "source_url TEXT, published_at TEXT, ingested_at TEXT, mentions INTEGER, written_at TEXT NOT NULL)")
        db.execute("INSERT INTO articles VALUES ('a-0000000000000009', 't', NULL, NULL, NULL, NULL, 3, 'x')")
    store = SQLiteStore(path)
    asyncio.run(store.open())
    asyncio.run(store.write(Batch(events=[], articles=[_receipt("a-0000000000000001", [])])))
    asyncio.run(store.close())
    assert settled_articles(None, str(path), ["a-0000000000000001", "a-0000000000000009"]) == {"a-0000000000000001"}
