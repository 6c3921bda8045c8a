"""The sink stores each article's cleaned text from the detector's receipt (articles.detected),
in SQLite and PostgreSQL, and the query API's reader returns it; receipts from before the
field (no `text`) and databases from before the column are handled."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest

from parley.api.queries import open_reader
from parley.schemas import validator
from parley.stages.sink_store import Batch, SQLiteStore, open_store, settled_articles

TEXT = ("ANKARA (Example News) - Turkey's foreign minister met his Greek counterpart on Tuesday.\n\n"
        "Hakan Fidan and Giorgos Gerapetritis met in Ankara to discuss maritime borders. "
        "Ünlü «quotes», em — dashes and 🇹🇷 flags stay as they are.")
EVIDENCE = "Hakan Fidan and Giorgos Gerapetritis met in Ankara to discuss maritime borders."


def _receipt(n: int, *, text: str | None = None, title: str = "Fidan meets Gerapetritis") -> dict:
    receipt = {"schema_version": 1, "article_id": f"a-{n:016x}",
               "source": {"file": f"{n}.txt", "url": f"https://news.example/{n}", "name": "Example News"},
               "published_at": "2026-03-03", "ingested_at": "2026-03-03T08:00:00.000000Z", "title": title,
               "mentions": 4, "event_ids": [], "detected_at": "2026-03-03T08:00:01.000000Z"}
    if text is not None:
        receipt["text"] = text
    assert validator("articles.detected")(receipt) == []
    return receipt


def _write(url, path, *receipts) -> None:
    async def run():
        store = open_store(url, path)
        await store.open()
        try:
            await store.write(Batch(events=[], articles=list(receipts)))
        finally:
            await store.close()

    asyncio.run(run())


def _stored_texts(url, path) -> dict[str, str | None]:
    query = "SELECT article_id, text FROM articles"
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            return dict(conn.execute(query).fetchall())
    with sqlite3.connect(path) as db:
        return dict(db.execute(query).fetchall())


def _read_article(url, path, article_id) -> dict | None:
    async def run():
        reader = open_reader(url, path)
        try:
            return await reader.article(article_id)
        finally:
            await reader.close()

    return asyncio.run(run())


def test_the_sink_stores_the_articles_text_and_the_reader_returns_it(sink_database):
    url, path = sink_database
    _write(url, path, _receipt(1, text=TEXT), _receipt(2))  # 2: a receipt from before the field
    assert _stored_texts(url, path) == {"a-0000000000000001": TEXT, "a-0000000000000002": None}

    found = _read_article(url, path, "a-0000000000000001")
    assert found["article"]["text"] == TEXT and found["article"]["title"] == "Fidan meets Gerapetritis"
    start = TEXT.index(EVIDENCE)
    assert found["article"]["text"][start:start + len(EVIDENCE)] == EVIDENCE
    assert _read_article(url, path, "a-0000000000000002")["article"]["text"] is None
    assert settled_articles(url, path, ["a-0000000000000001", "a-0000000000000002"]) == {
        "a-0000000000000001", "a-0000000000000002"}

    # a replayed older receipt (no text) keeps the stored text; a newer text replaces it
    _write(url, path, _receipt(1, title="Replayed"))
    assert _stored_texts(url, path)["a-0000000000000001"] == TEXT
    assert _read_article(url, path, "a-0000000000000001")["article"]["title"] == "Replayed"
    _write(url, path, _receipt(1, text="An updated article."), _receipt(2, text="Now with its text."))
    assert _stored_texts(url, path) == {"a-0000000000000001": "An updated article.",
                                        "a-0000000000000002": "Now with its text."}


@pytest.mark.postgres
def test_postgres_keeps_the_text_once_in_its_column_not_in_the_payload(postgres_database):
    import psycopg

    _write(postgres_database, "unused.db", _receipt(1, text="a\x00b " + TEXT))  # a NUL that slipped through
    with psycopg.connect(postgres_database) as conn:
        text, payload = conn.execute("SELECT text, payload FROM articles").fetchone()
    assert text == "ab " + TEXT  # PostgreSQL's text cannot hold a NUL: it goes, as in events
    assert payload == _receipt(1)  # the receipt, without its text


def test_an_older_sqlite_database_gains_the_text_column_on_open(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # the articles table as the sink created it before the text
        db.execute("CREATE TABLE articles (article_id TEXT PRIMARY KEY, title TEXT, source_file TEXT, "
                   "source_url TEXT, published_at TEXT, ingested_at TEXT, mentions INTEGER, written_at TEXT NOT NULL, "
                   "event_ids TEXT)")
        db.execute("INSERT INTO articles VALUES ('a-0000000000000009', 't', NULL, NULL, NULL, NULL, 3, 'x', '[]')")
    # the API reads it before any new sink has opened it: no text, and no error
    assert _read_article(None, str(path), "a-0000000000000009")["article"]["text"] is None

    store = SQLiteStore(path)
    asyncio.run(store.open())
    asyncio.run(store.write(Batch(events=[], articles=[_receipt(1, text=TEXT)])))
    asyncio.run(store.close())
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(articles)")]
        rows = dict(db.execute("SELECT article_id, text FROM articles").fetchall())
    assert columns[-2:] == ["event_ids", "text"]
    assert rows == {"a-0000000000000009": None, "a-0000000000000001": TEXT}
    assert _read_article(None, str(path), "a-0000000000000001")["article"]["text"] == TEXT
    assert settled_articles(None, str(path), ["a-0000000000000009"]) == {"a-0000000000000009"}
