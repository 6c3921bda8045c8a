"""Where the sink writes: SQLite by default, PostgreSQL when DATABASE_URL is set.

SQLite keeps every value as text (the event as JSON text); PostgreSQL has native types (the
event as jsonb, countries as text[], times as timestamptz, the meeting's date as a range of
days), created or migrated on open by `sink_pg.ensure_schema` (docs/database.md).

Every write is an upsert keyed by id, so replaying a topic (at-least-once delivery, a
restarted worker, a re-ingested article) changes nothing. Values are always bound as query
parameters; no text from an article ever becomes SQL.
"""
from __future__ import annotations

import asyncio
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Protocol

import orjson

from . import sink_pg

# The SQLite schema (PostgreSQL's is in sink_pg).
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS meetings (
        event_id TEXT PRIMARY KEY,
        article_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        countries TEXT NOT NULL,
        date_value TEXT,
        location TEXT,
        confidence DOUBLE PRECISION,
        published_at TEXT,
        ingested_at TEXT,
        detected_at TEXT,
        written_at TEXT NOT NULL,
        payload TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS meetings_article ON meetings (article_id)",
    # One row per story (the latest events.stories message of it) and which events it holds.
    """CREATE TABLE IF NOT EXISTS stories (
        story_id TEXT PRIMARY KEY,
        change TEXT NOT NULL,
        merged_into TEXT,
        status TEXT NOT NULL,
        kind TEXT NOT NULL,
        countries TEXT NOT NULL,
        date_value TEXT,
        location TEXT,
        confidence DOUBLE PRECISION,
        first_published TEXT,
        last_published TEXT,
        report_count INTEGER NOT NULL,
        written_at TEXT NOT NULL,
        payload TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS story_reports (
        story_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        PRIMARY KEY (story_id, event_id)
    )""",
    "CREATE INDEX IF NOT EXISTS story_reports_event ON story_reports (event_id)",
    """CREATE TABLE IF NOT EXISTS articles (
        article_id TEXT PRIMARY KEY,
        title TEXT,
        source_file TEXT,
        source_url TEXT,
        published_at TEXT,
        ingested_at TEXT,
        mentions INTEGER,
        written_at TEXT NOT NULL
    )""",
]
# Columns added after a release, with their type: SQLite's `open` adds those an older database lacks.
ADDED_COLUMNS = {"articles": [("event_ids", "TEXT"), ("text", "TEXT")]}

_MEETING_COLUMNS = (
    "event_id", "article_id", "kind", "status", "countries", "date_value", "location",
    "confidence", "published_at", "ingested_at", "detected_at", "written_at", "payload",
)
_ARTICLE_COLUMNS = (
    "article_id", "title", "source_file", "source_url", "published_at", "ingested_at", "mentions", "written_at",
    "event_ids", "text",
)
# A receipt without the article's text (published before receipts carried it) keeps the text stored.
_KEEP_WHEN_NULL = {"articles": ("text",)}


_STORY_COLUMNS = (
    "story_id", "change", "merged_into", "status", "kind", "countries", "date_value", "location", "confidence",
    "first_published", "last_published", "report_count", "written_at", "payload",
)
# PostgreSQL: column -> placeholder (with the cast that makes its type certain).
_PG_MEETING_COLUMNS = {
    "event_id": "%s", "article_id": "%s", "kind": "%s", "status": "%s", "countries": "%s::text[]",
    "orgs": "%s::text[]", "date_value": "%s", "date_from": "%s::date", "date_to": "%s::date", "location": "%s",
    "confidence": "%s::double precision", "published_at": "%s::timestamptz", "ingested_at": "%s::timestamptz",
    "detected_at": "%s::timestamptz", "written_at": "%s::timestamptz", "payload": "%s::jsonb",
}
_PG_ARTICLE_COLUMNS = {
    "article_id": "%s", "title": "%s", "source_file": "%s", "source_url": "%s", "published_at": "%s::timestamptz",
    "ingested_at": "%s::timestamptz", "mentions": "%s::integer", "written_at": "%s::timestamptz",
    "event_ids": "%s::jsonb", "payload": "%s::jsonb", "text": "%s",
}
_PG_STORY_CASTS = {"countries": "%s::text[]", "confidence": "%s::double precision", "report_count": "%s::integer",
                   "written_at": "%s::timestamptz", "payload": "%s::jsonb"}
_PG_STORY_COLUMNS = {c: _PG_STORY_CASTS.get(c, "%s") for c in _STORY_COLUMNS}


def _upsert_sql(table: str, columns: tuple[str, ...] | dict[str, str], placeholder: str | None = None) -> str:
    """An upsert keyed by the first column; `columns` maps each to its placeholder, or
    `placeholder` serves them all. A column of `_KEEP_WHEN_NULL` is not overwritten by a null."""
    if not isinstance(columns, dict):
        columns = {c: placeholder for c in columns}
    key = next(iter(columns))
    keep = _KEEP_WHEN_NULL.get(table, ())
    updates = ", ".join(f"{c} = coalesce(excluded.{c}, {table}.{c})" if c in keep else f"{c} = excluded.{c}"
                        for c in list(columns)[1:])
    marks = ", ".join(columns.values())
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT ({key}) DO UPDATE SET {updates}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def meeting_row(event: dict[str, Any], written_at: str) -> tuple:
    location = event.get("location") or {}
    date = event.get("date") or {}
    return (
        event["event_id"], event["article_id"], event["kind"], event["status"],
        ",".join(event.get("countries") or []), date.get("value"), location.get("name"),
        event.get("confidence"), event.get("published_at"), event.get("ingested_at"),
        event.get("detected_at"), written_at, orjson.dumps(event).decode(),
    )


def article_row(receipt: dict[str, Any], written_at: str) -> tuple:
    """The row of an article from the detector's receipt (articles.detected); `text` is null
    when the receipt lacks it (older receipts)."""
    source = receipt.get("source") or {}
    return (
        receipt["article_id"], receipt.get("title"), source.get("file"), source.get("url"),
        receipt.get("published_at"), receipt.get("ingested_at"), receipt.get("mentions"), written_at,
        orjson.dumps(receipt.get("event_ids") or []).decode(), _text_of(receipt),
    )


def _text_of(receipt: dict[str, Any]) -> str | None:
    text = receipt.get("text")
    return text if isinstance(text, str) else None


def story_row(story: dict[str, Any], written_at, *, postgres: bool = False) -> tuple:
    """The values of `_STORY_COLUMNS` for an events.stories message (PostgreSQL: countries as
    an array, the payload without NUL characters)."""
    story, payload = _without_nul(story) if postgres else (story, orjson.dumps(story).decode())
    location = story.get("location") or {}
    date = story.get("date") or {}
    countries = list(story.get("countries") or [])
    return (
        story["story_id"], story["change"], story.get("merged_into"), story["status"], story["kind"],
        countries if postgres else ",".join(countries), date.get("value"), location.get("name"),
        story.get("confidence"), story.get("first_published"), story.get("last_published"),
        story.get("report_count") or 0, written_at, payload,
    )


def story_report_rows(stories: list[dict[str, Any]]) -> tuple[list[tuple], list[tuple]]:
    """(story ids whose report rows are replaced, the new (story_id, event_id) rows). A story
    merged into another holds no report any more."""
    latest = {s["story_id"]: s for s in stories}  # a batch may carry several versions of one story
    rows = [(sid, t["event_id"]) for sid, s in latest.items() if s["change"] != "merged" for t in s["timeline"]]
    return [(sid,) for sid in latest], rows


def _without_nul(record: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """`record` and its JSON, without NUL characters: PostgreSQL's text and jsonb cannot hold
    them (ingest already removes them from articles; this keeps one that slipped through from
    failing every retry of its batch)."""
    text = orjson.dumps(record).decode()
    if "\\u0000" not in text:
        return record, text

    def clean(value):
        if isinstance(value, str):
            return value.replace("\x00", "")
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        return value

    record = clean(record)
    return record, orjson.dumps(record).decode()


def pg_meeting_row(event: dict[str, Any], written_at: datetime) -> tuple:
    """The values of `_PG_MEETING_COLUMNS` for `event`; unreadable times and dates are None
    (the payload keeps them as they came)."""
    event, payload = _without_nul(event)
    location = event.get("location") or {}
    date = event.get("date") or {}
    date_from, date_to = sink_pg.date_bounds(date.get("value"))
    return (
        event["event_id"], event["article_id"], event["kind"], event["status"],
        list(event.get("countries") or []), list(event.get("orgs") or []), date.get("value"), date_from, date_to,
        location.get("name"), event.get("confidence"), sink_pg.parse_timestamp(event.get("published_at")),
        sink_pg.parse_timestamp(event.get("ingested_at")), sink_pg.parse_timestamp(event.get("detected_at")),
        written_at, payload,
    )


def pg_article_row(receipt: dict[str, Any], written_at: datetime) -> tuple:
    """The values of `_PG_ARTICLE_COLUMNS` for the detector's receipt; the payload is the receipt
    without its text, which has a column of its own (not stored twice)."""
    text = _text_of(receipt)
    receipt, payload = _without_nul({k: v for k, v in receipt.items() if k != "text"})
    source = receipt.get("source") or {}
    return (
        receipt["article_id"], receipt.get("title"), source.get("file"), source.get("url"),
        sink_pg.parse_timestamp(receipt.get("published_at")), sink_pg.parse_timestamp(receipt.get("ingested_at")),
        receipt.get("mentions"), written_at, orjson.dumps(receipt.get("event_ids") or []).decode(), payload,
        text.replace("\x00", "") if text is not None else None,
    )


@dataclass
class Batch:
    events: list[dict[str, Any]]
    articles: list[dict[str, Any]]
    stories: list[dict[str, Any]] = field(default_factory=list)  # events.stories messages, in order

    def story_writes(self, *, postgres: bool, written_at) -> list[tuple[str, list[tuple]]]:
        """(statement, rows) pairs that store the batch's stories (the latest version of each)."""
        if not self.stories:
            return []
        replaced, reports = story_report_rows(self.stories)
        latest = list({s["story_id"]: s for s in self.stories}.values())
        placeholder = "%s" if postgres else "?"
        upsert = _upsert_sql("stories", _PG_STORY_COLUMNS) if postgres else _upsert_sql("stories", _STORY_COLUMNS, "?")
        return [
            (upsert, [story_row(s, written_at, postgres=postgres) for s in latest]),
            (f"DELETE FROM story_reports WHERE story_id = {placeholder}", replaced),
            (f"INSERT INTO story_reports (story_id, event_id) VALUES ({placeholder}, {placeholder}) "
             "ON CONFLICT DO NOTHING", reports),
        ]


class Store(Protocol):
    async def open(self) -> None: ...
    async def write(self, batch: Batch) -> None: ...
    async def ping(self) -> bool: ...
    def busy(self) -> bool: ...   # a write or ping is under way
    async def close(self) -> None: ...


class SQLiteStore:
    def __init__(self, path: str | Path):
        self.path = str(path)
        self._db: sqlite3.Connection | None = None

    async def open(self) -> None:
        self._db = sqlite3.connect(self.path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        for statement in SCHEMA:
            self._db.execute(statement)
        for table, columns in ADDED_COLUMNS.items():
            have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for name, sql_type in columns:
                if name not in have:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}")
        self._db.commit()

    async def write(self, batch: Batch) -> None:
        assert self._db is not None, "open() the store first"
        written_at = _now()
        with self._db:  # one transaction per batch
            self._db.executemany(_upsert_sql("meetings", _MEETING_COLUMNS, "?"),
                                 [meeting_row(e, written_at) for e in batch.events])
            self._db.executemany(_upsert_sql("articles", _ARTICLE_COLUMNS, "?"),
                                 [article_row(a, written_at) for a in batch.articles])
            for statement, rows in batch.story_writes(postgres=False, written_at=written_at):
                self._db.executemany(statement, rows)

    async def ping(self) -> bool:
        return self._db is not None and self._db.execute("SELECT 1").fetchone() == (1,)

    def busy(self) -> bool:
        return False   # calls run to completion on the event loop

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class PostgresStore:
    """One async connection, used by one operation at a time.

    The sink opens the store on start, writes from its agent and pings from /readyz, all on
    one event loop: a psycopg connection must not run two of those at once, so a lock
    serialises them, and a broken connection is replaced on the next operation.
    """

    def __init__(self, dsn: str):
        self.dsn = dsn
        self._conn = None
        self._lock = asyncio.Lock()

    async def _connect(self):
        import psycopg

        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        await self._close()
        # autocommit: `transaction()` is then a real BEGIN/COMMIT. Without it the ping's SELECT
        # opens an implicit transaction that later writes only nest in as savepoints, and that
        # is never committed: the rows vanish while the offsets are committed.
        conn = await psycopg.AsyncConnection.connect(self.dsn, connect_timeout=5, autocommit=True)
        try:
            await sink_pg.ensure_schema(conn)  # creates, or migrates an older database (one transaction)
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        return conn

    async def open(self) -> None:
        async with self._lock:
            await self._connect()

    async def write(self, batch: Batch) -> None:
        async with self._lock:
            conn = await self._connect()
            written_at = datetime.now(timezone.utc)
            async with conn.transaction():
                async with conn.cursor() as cur:
                    if batch.events:
                        await cur.executemany(_upsert_sql("meetings", _PG_MEETING_COLUMNS),
                                              [pg_meeting_row(e, written_at) for e in batch.events])
                    if batch.articles:
                        await cur.executemany(_upsert_sql("articles", _PG_ARTICLE_COLUMNS),
                                              [pg_article_row(a, written_at) for a in batch.articles])
                    for statement, rows in batch.story_writes(postgres=True, written_at=written_at):
                        if rows:
                            await cur.executemany(statement, rows)

    def busy(self) -> bool:
        return self._lock.locked()

    async def ping(self) -> bool:
        async with self._lock:
            conn = await self._connect()
            async with conn.cursor() as cur:
                await cur.execute("SELECT 1")
                return (await cur.fetchone()) == (1,)

    async def _close(self) -> None:
        if self._conn is not None:
            try:
                await self._conn.close()
            except Exception:
                pass
            self._conn = None

    async def close(self) -> None:
        async with self._lock:
            await self._close()


class DatabaseUrlError(ValueError):
    """DATABASE_URL is unusable; the message never holds its password."""


class DatabaseError(RuntimeError):
    """The database could not be reached or read; the message never holds the password."""


_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)", re.IGNORECASE)


def _url_passwords(url: str) -> list[str]:
    """Every form the password of `url` may take in a message (raw and %-decoded)."""
    from urllib.parse import unquote

    found = []
    head, sep, rest = url.partition("://")
    if sep and "@" in rest:
        userinfo = rest[:rest.rfind("@")]
        if ":" in userinfo:
            found.append(userinfo.split(":", 1)[1])
    found += [m.group(2).strip("'") for m in _KEYWORD_PASSWORD.finditer(url)]
    found += [unquote(p) for p in found]
    return sorted({p for p in found if p}, key=len, reverse=True)


def mask_url(url: str) -> str:
    """`url` with its password replaced by ***, whatever shape the URL has."""
    return scrub(url, url)


def scrub(text: str, url: str | None) -> str:
    """`text` with every trace of `url`'s password replaced by ***."""
    if not url:
        return text
    for password in _url_passwords(url):
        text = text.replace(password, "***")
    return _KEYWORD_PASSWORD.sub(lambda m: m.group(1) + "***", text)


def check_database_url(url: str) -> None:
    """Raise DatabaseUrlError (password masked) when `url` is not a usable postgresql:// URL."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise DatabaseUrlError(f"DATABASE_URL must be a postgresql:// URL (unset it to use SQLite), "
                               f"not {mask_url(url)!r}")
    try:
        from psycopg.conninfo import conninfo_to_dict

        params = conninfo_to_dict(url)
    except Exception as exc:
        raise DatabaseUrlError(f"DATABASE_URL {mask_url(url)!r} is malformed: "
                               f"{scrub(str(exc), url)}") from None
    ports = [p for p in str(params.get("port") or "").split(",") if p]
    bad = [p for p in ports if not (p.isdigit() and 0 < int(p) < 65536)]
    if bad:
        raise DatabaseUrlError(f"DATABASE_URL {mask_url(url)!r} is malformed: port {scrub(bad[0], url)!r} "
                               "is not a number from 1 to 65535")


def require_database_url(database_url: str) -> None:
    """Stop (SystemExit, the password masked) when DATABASE_URL is malformed."""
    try:
        check_database_url(database_url)
    except DatabaseUrlError as exc:
        raise SystemExit(str(exc)) from None


def open_store(database_url: str | None, sqlite_path: str) -> Store:
    if database_url:
        require_database_url(database_url)
        return PostgresStore(database_url)
    return SQLiteStore(sqlite_path)


def read_meetings_sqlite(path: str | Path) -> list[dict[str, Any]]:
    if not Path(path).exists():
        return []
    with sqlite3.connect(str(path), timeout=30) as db:
        rows = db.execute("SELECT payload FROM meetings ORDER BY article_id, event_id").fetchall()
    return [orjson.loads(r[0]) for r in rows]


def read_meetings_postgres(dsn: str) -> list[dict[str, Any]]:
    """The stored meetings; raises DatabaseUrlError or DatabaseError, never with the password."""
    import psycopg

    check_database_url(dsn)
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            # payload::text reads the jsonb (and the text of a database not yet migrated) alike
            rows = conn.execute("SELECT payload::text FROM meetings ORDER BY article_id, event_id").fetchall()
    except psycopg.Error as exc:
        # psycopg/libpq messages may quote the URL: scrub, and do not chain the original.
        raise DatabaseError(f"cannot read meetings from {mask_url(dsn)!r}: "
                            f"{scrub(f'{type(exc).__name__}: {exc}', dsn)}") from None
    return [orjson.loads(r[0]) for r in rows]


def read_stories(database_url: str | None, sqlite_path: str) -> list[dict[str, Any]]:
    """The stored stories (the latest message of each; merged ones included, `change` says so)."""
    rows = _query(database_url, sqlite_path, "SELECT payload FROM stories ORDER BY first_published, story_id", [])
    return [orjson.loads(r[0]) if isinstance(r[0], (str, bytes)) else r[0] for r in rows]


def read_meetings(database_url: str | None, sqlite_path: str) -> list[dict[str, Any]]:
    if database_url:
        return read_meetings_postgres(database_url)
    return read_meetings_sqlite(sqlite_path)


def settled_articles(database_url: str | None, sqlite_path: str, article_ids: Iterable[str]) -> set[str]:
    """The articles among `article_ids` that are fully stored: the detector's receipt is in
    `articles` and every event it lists is in `meetings` (receipt and events may arrive in
    either order, in different batches)."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return set()
    receipts: dict[str, list[str]] = {}
    stored: set[str] = set()
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for article_id, event_ids in _query(database_url, sqlite_path,
                                            "SELECT article_id, event_ids FROM articles WHERE event_ids IS NOT NULL "
                                            "AND article_id IN ({marks})", chunk):
            # JSON text in SQLite (and in a PostgreSQL database not yet migrated), jsonb (a list) else
            receipts[article_id] = orjson.loads(event_ids) if isinstance(event_ids, (str, bytes)) else event_ids
        listed = [e for a in chunk for e in receipts.get(a, ())]
        for part in (listed[i:i + 500] for i in range(0, len(listed), 500)):
            stored.update(row[0] for row in _query(database_url, sqlite_path,
                                                   "SELECT event_id FROM meetings WHERE event_id IN ({marks})", part))
    return {a for a, events in receipts.items() if stored.issuperset(events)}


def _query(database_url: str | None, sqlite_path: str, sql: str, values: list[str]) -> list[tuple]:
    """Run `sql` with `{marks}` standing for one placeholder per value (read-only); no rows
    when the sink has not created the tables yet."""
    if database_url:
        import psycopg

        try:
            with psycopg.connect(database_url, connect_timeout=5) as conn:
                return conn.execute(sql.format(marks=", ".join("%s" for _ in values)), values).fetchall()
        except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn):
            return []  # the sink has not created its tables (or the receipt column) yet: nothing stored
        except psycopg.Error as exc:
            raise DatabaseError(f"cannot read {mask_url(database_url)!r}: "
                                f"{scrub(f'{type(exc).__name__}: {exc}', database_url)}") from None
    if not Path(sqlite_path).exists():
        return []
    db = sqlite3.connect(str(sqlite_path), timeout=30)
    try:
        return db.execute(sql.format(marks=", ".join("?" for _ in values)), values).fetchall()
    except sqlite3.OperationalError:  # no tables (or no event_ids column) yet: nothing stored
        return []
    finally:
        db.close()


def write_jsonl(events: Iterable[dict[str, Any]], path: str | Path) -> int:
    count = 0
    with open(path, "wb") as fh:
        for event in events:
            fh.write(orjson.dumps(event, option=orjson.OPT_SORT_KEYS))
            fh.write(b"\n")
            count += 1
    return count
