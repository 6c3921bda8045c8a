"""The acceptance journal: every article ingest accepts, kept on disk until the sink has it.

The embedded broker keeps messages in memory only, so an article answered 202 would be lost
with the broker (or with `parley up`, which the broker dies with). Ingest records each
article here, in one SQLite transaction, before it publishes it and answers; `parley up`
forgets an article once the sink has stored it (its receipt and every event it lists, see
sink_store.settled_articles) and publishes again, at start and after a broker restart, what
is still here. Publishing twice is harmless: ids are stable and the sink upserts.

An article that is published again and again without ever reaching the sink (it went to
the dead-letter topic every time) is set aside after MAX_ATTEMPTS, so the journal stays
bounded; `parley up` says how many.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator

import orjson

MAX_ATTEMPTS = 5  # publications of one article (first one included) before it is set aside
OFF = frozenset({"off", "none", "false", "0", "no"})

_SCHEMA = """CREATE TABLE IF NOT EXISTS accepted (
    article_id TEXT PRIMARY KEY,
    accepted_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    message BLOB NOT NULL
)"""


def journal_enabled(path: str | None) -> bool:
    return bool(path) and path.strip().lower() not in OFF


class Journal:
    """One SQLite file, shared by the ingest process (writes) and `parley up` (reads, forgets).

    WAL mode and synchronous=FULL: a record survives a SIGKILL of any process (and a power
    cut) once `record` has returned."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one connection, used from worker threads one at a time
        self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, messages: Iterable[dict]) -> int:
        """Keep `messages` (articles.raw messages); returns how many. A re-sent article
        replaces its earlier record and starts its attempts again."""
        now = time.time()
        rows = [(m["article_id"], now, orjson.dumps(m)) for m in messages]
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO accepted (article_id, accepted_at, attempts, message) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (article_id) DO UPDATE SET accepted_at = excluded.accepted_at, attempts = 1, "
                "message = excluded.message", rows)
        return len(rows)

    def ids(self) -> list[str]:
        """Every article not yet forgotten (set-aside ones included)."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT article_id FROM accepted ORDER BY accepted_at")]

    def pending(self, batch: int = 500) -> Iterator[list[dict]]:
        """The articles to publish again, in batches, oldest first; each batch counts as an attempt.
        Set-aside articles (MAX_ATTEMPTS reached) are not included."""
        last = ""
        while True:
            with self._lock, self._db:
                rows = self._db.execute(
                    "SELECT article_id, message FROM accepted WHERE attempts < ? AND article_id > ? "
                    "ORDER BY article_id LIMIT ?", (MAX_ATTEMPTS, last, batch)).fetchall()
                if not rows:
                    return
                self._db.executemany("UPDATE accepted SET attempts = attempts + 1 WHERE article_id = ?",
                                     [(r[0],) for r in rows])
            last = rows[-1][0]
            yield [orjson.loads(r[1]) for r in rows]

    def forget(self, article_ids: Iterable[str]) -> int:
        ids = [(a,) for a in article_ids]
        with self._lock, self._db:
            self._db.executemany("DELETE FROM accepted WHERE article_id = ?", ids)
        return len(ids)

    def counts(self) -> tuple[int, int]:
        """(articles waiting for the sink, articles set aside after MAX_ATTEMPTS)."""
        with self._lock:
            waiting, aside = self._db.execute(
                "SELECT COALESCE(SUM(attempts < ?), 0), COALESCE(SUM(attempts >= ?), 0) FROM accepted",
                (MAX_ATTEMPTS, MAX_ATTEMPTS)).fetchone()
        return int(waiting), int(aside)
