"""Read-only queries over the sink's database (SQLite or PostgreSQL, docs/database.md).

The SQL is written once, with the few places the two databases differ in a `Dialect`:
JSON arrays (`json_each` / `jsonb_array_elements`), case-insensitive "contains" (a Python
function registered on the SQLite connection / ILIKE), the country set (comma-joined text /
`text[]` with its GIN index), and the collation that makes the keyset order the same as the
comparison (`COLLATE "C"` on PostgreSQL). Every value that comes from a request is bound as
a query parameter; the SQL text is built only from constants.

Lists are newest first: stories by their latest report's publication (`last_published`),
events by their article's publication, then by id; a page ends with the cursor of its last
item. A story merged into another (a retired id, `change = merged`) is left out of lists;
GET /stories/{id} still answers it, with `merged_into`.

The meeting's date filter works on `date_value` as reported (`2025-03-12`, `2025-03`,
`2025`): its first and last day are spelt out in SQL as text (`2025-03-01`..`2025-03-31`,
where "31" stands for the month's last day: the comparison with a real day gives the same
answer), so SQLite and PostgreSQL, stories and events, share one rule: the meeting may fall in
[from, to] when its first day <= to and its last day >= from.

Tables the sink has not created yet read as empty (no rows, 404 for an id).
"""
from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import orjson

from .params import Cursor, Filters, ListQuery


class DatabaseUnavailable(RuntimeError):
    """The database could not be read (503); the message never holds a password."""


class MissingColumn(DatabaseUnavailable):
    """A column the query reads is not in the database yet (a sink from before it has not
    reopened it): a caller that can, reads without it; else it is a 503 like any other."""


@dataclass
class Page:
    items: list[dict[str, Any]]
    next: Cursor | None


# ------------------------------------------------------------------------------ dialects

@dataclass(frozen=True)
class Dialect:
    mark: str
    collate: str
    # FROM item of an array of objects in the payload, as `alias` (its element as `alias.value`)
    elements: Callable[[str, str], str]
    # the text of field `name` of element `alias`
    field: Callable[[str, str], str]
    # FROM item of an array of strings, and the text of one element
    texts: Callable[[str, str], str]
    text_value: Callable[[str], str]
    # the text at a JSON path of the payload (keys)
    path: Callable[[tuple[str, ...]], str]
    # a predicate "expr contains the bound value, ignoring case", and that value
    contains: Callable[[str], str]
    contains_value: Callable[[str], Any]
    # a predicate "expr equals the bound value, ignoring case", and that value
    equals_folded: Callable[[str], str]
    equals_value: Callable[[str], Any]
    # predicates "the row's countries include every one of these", with their values
    countries: Callable[[tuple[str, ...]], tuple[list[str], list[Any]]]
    # the sort key of events (their article's publication time, as text)
    event_key: str


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


SQLITE = Dialect(
    mark="?",
    collate="",
    elements=lambda key, alias: f"json_each(payload, '$.{key}') AS {alias}",
    field=lambda alias, name: f"json_extract({alias}.value, '$.{name}')",
    texts=lambda key, alias: f"json_each(payload, '$.{key}') AS {alias}",
    text_value=lambda alias: f"{alias}.value",
    path=lambda keys: f"json_extract(payload, '$.{'.'.join(keys)}')",
    contains=lambda expr: f"parley_contains({expr}, ?)",
    contains_value=lambda text: text,
    equals_folded=lambda expr: f"parley_fold({expr}) = ?",
    equals_value=lambda text: text.casefold(),
    # codes are checked ([A-Z]{3}): no LIKE wildcard can come with them
    countries=lambda codes: ([f"(',' || countries || ',') LIKE ?" for _ in codes], [f"%,{c},%" for c in codes]),
    event_key="coalesce(published_at, '')",
)

POSTGRES = Dialect(
    mark="%s",
    collate=' COLLATE "C"',
    elements=lambda key, alias: f"jsonb_array_elements(payload -> '{key}') AS {alias}(value)",
    field=lambda alias, name: f"({alias}.value ->> '{name}')",
    texts=lambda key, alias: f"jsonb_array_elements_text(payload -> '{key}') AS {alias}(value)",
    text_value=lambda alias: f"{alias}.value",
    path=lambda keys: "(payload" + "".join(f" -> '{k}'" for k in keys[:-1]) + f" ->> '{keys[-1]}')",
    contains=lambda expr: f"{expr} ILIKE %s",
    contains_value=_like_pattern,
    equals_folded=lambda expr: f"lower({expr}) = lower(%s)",
    equals_value=lambda text: text,
    countries=lambda codes: ((["countries @> %s::text[]"], [list(codes)]) if codes else ([], [])),
    event_key="coalesce(payload ->> 'published_at', '')",
)


# ------------------------------------------------------------------------------ the SQL

_FIRST_DAY = ("(CASE length(date_value) WHEN 4 THEN date_value || '-01-01' "
              "WHEN 7 THEN date_value || '-01' ELSE date_value END)")
_LAST_DAY = ("(CASE length(date_value) WHEN 4 THEN date_value || '-12-31' "
             "WHEN 7 THEN date_value || '-31' ELSE date_value END)")


@dataclass(frozen=True)
class Listing:
    """What differs between the list of stories and the list of events."""

    table: str
    id: str
    people: str  # the payload's array of people
    stories: bool

    def key(self, d: Dialect) -> str:
        return "coalesce(last_published, '')" if self.stories else d.event_key


STORY_LIST = Listing("stories", "story_id", "people", True)
EVENT_LIST = Listing("meetings", "event_id", "participants", False)


def list_sql(d: Dialect, listing: Listing, query: ListQuery) -> tuple[str, list[Any]]:
    """The SELECT of one page (one row more than the page, to know whether another follows)."""
    f: Filters = query.filters
    m = d.mark
    where: list[str] = []
    params: list[Any] = []
    if listing.stories:
        where.append(f"change <> {m}")
        params.append("merged")
    predicates, values = d.countries(f.countries)
    where += predicates
    params += values
    if f.person is not None:
        where.append(f"EXISTS (SELECT 1 FROM {d.elements(listing.people, 'p')} "
                     f"WHERE {d.contains(d.field('p', 'name'))})")
        params.append(d.contains_value(f.person))
    if f.organisation is not None:
        where.append(f"EXISTS (SELECT 1 FROM {d.texts('orgs', 'o')} WHERE {d.equals_folded(d.text_value('o'))})")
        params.append(d.equals_value(f.organisation))
    for column, chosen in (("kind", f.kinds), ("status", f.statuses)):
        if chosen:
            where.append(f"{column} IN ({', '.join(m for _ in chosen)})")
            params += list(chosen)
    if f.date_from is not None or f.date_to is not None:
        where.append("date_value IS NOT NULL")
    if f.date_from is not None:
        where.append(f"{_LAST_DAY}{d.collate} >= {m}")
        params.append(f.date_from.isoformat())
    if f.date_to is not None:
        where.append(f"{_FIRST_DAY}{d.collate} <= {m}")
        params.append(f.date_to.isoformat())
    if f.text is not None:
        if listing.stories:
            where.append(f"EXISTS (SELECT 1 FROM {d.elements('timeline', 't')} "
                         f"WHERE {d.contains(d.field('t', 'evidence'))})")
        else:
            where.append(d.contains(d.path(("evidence", "text"))))
        params.append(d.contains_value(f.text))
    key, ident, c = listing.key(d), listing.id, d.collate
    if query.cursor is not None:
        where.append(f"({key}{c} < {m} OR ({key}{c} = {m} AND {ident}{c} < {m}))")
        params += [query.cursor.key, query.cursor.key, query.cursor.id]
    sql = (f"SELECT payload, {key} AS sort_key, {ident} FROM {listing.table} "
           f"WHERE {' AND '.join(where) or '1 = 1'} "
           f"ORDER BY {key}{c} DESC, {ident}{c} DESC LIMIT {m}")
    params.append(query.limit + 1)
    return sql, params


_ARTICLE_COLUMNS = "article_id, title, source_file, source_url, published_at, ingested_at, mentions, event_ids"


def _json(value):
    if isinstance(value, (bytes, str)):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
    return value


def _time_text(value) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return value


def article_object(row: tuple) -> dict[str, Any]:
    """An `articles` row as the API shows it. PostgreSQL rows end with the receipt (payload),
    whose times are the text they came as (the columns are timestamptz)."""
    article_id, title, source_file, source_url, published_at, ingested_at, mentions, event_ids = row[:8]
    receipt = (_json(row[8]) if len(row) > 8 else None) or {}
    event_ids = _json(event_ids)
    return {
        "article_id": article_id,
        "title": title,
        "source": {"file": source_file, "url": source_url},
        "published_at": receipt.get("published_at", _time_text(published_at)),
        "ingested_at": receipt.get("ingested_at", _time_text(ingested_at)),
        "mentions": mentions,
        "event_ids": event_ids if isinstance(event_ids, list) else None,
    }


# ------------------------------------------------------------------------------ readers

class Reader:
    """The queries, over `_all(sql, params) -> rows` of one database."""

    dialect: Dialect
    article_columns = _ARTICLE_COLUMNS

    async def _all(self, sql: str, params: list[Any]) -> list[tuple]:
        raise NotImplementedError

    async def ping(self) -> bool:
        raise NotImplementedError

    async def close(self) -> None:
        pass

    async def _page(self, listing: Listing, query: ListQuery) -> Page:
        rows = await self._all(*list_sql(self.dialect, listing, query))
        items = [_json(r[0]) for r in rows[:query.limit]]
        following = None
        if len(rows) > query.limit:
            last = rows[query.limit - 1]
            following = Cursor(last[1], last[2])
        return Page(items, following)

    async def stories(self, query: ListQuery) -> Page:
        return await self._page(STORY_LIST, query)

    async def events(self, query: ListQuery) -> Page:
        return await self._page(EVENT_LIST, query)

    async def _articles(self, article_ids: list[str]) -> list[dict[str, Any]]:
        ids = list(dict.fromkeys(a for a in article_ids if a))
        if not ids:
            return []
        marks = ", ".join(self.dialect.mark for _ in ids)
        rows = await self._all(f"SELECT {self.article_columns} FROM articles WHERE article_id IN ({marks})", ids)
        found = {r[0]: article_object(r) for r in rows}
        return [found[a] for a in ids if a in found]

    async def story(self, story_id: str) -> dict[str, Any] | None:
        """The story, the stored events of its reports (timeline order) and their articles."""
        m = self.dialect.mark
        rows = await self._all(f"SELECT payload FROM stories WHERE story_id = {m}", [story_id])
        if not rows:
            return None
        story = _json(rows[0][0])
        events = [_json(r[0]) for r in await self._all(
            f"SELECT meetings.payload FROM story_reports JOIN meetings ON meetings.event_id = story_reports.event_id "
            f"WHERE story_reports.story_id = {m}", [story_id])]
        timeline = story.get("timeline") or []
        order = {t.get("event_id"): i for i, t in enumerate(timeline)}
        events.sort(key=lambda e: (order.get(e.get("event_id"), len(order)), e.get("event_id") or ""))
        articles = await self._articles([t.get("article_id") for t in timeline])
        return {"story": story, "reports": events, "articles": articles}

    async def event(self, event_id: str) -> dict[str, Any] | None:
        """The event, the story holding it (if the sink has it) and its article."""
        m = self.dialect.mark
        rows = await self._all(f"SELECT payload FROM meetings WHERE event_id = {m}", [event_id])
        if not rows:
            return None
        event = _json(rows[0][0])
        holders = await self._all(f"SELECT story_id FROM story_reports WHERE event_id = {m} ORDER BY story_id",
                                  [event_id])
        articles = await self._articles([event.get("article_id")])
        return {"event": event, "story_id": holders[0][0] if holders else None,
                "article": articles[0] if articles else None}

    async def article(self, article_id: str) -> dict[str, Any] | None:
        """The article's row (the detector's receipt: title, link, times, its event ids, and
        its cleaned text: null when the receipt lacked it) and its stored events."""
        m = self.dialect.mark
        try:
            rows = await self._all(f"SELECT text, {self.article_columns} FROM articles WHERE article_id = {m}",
                                   [article_id])
        except MissingColumn:  # a database from before articles.text: no text stored
            rows = [(None, *r) for r in await self._all(
                f"SELECT {self.article_columns} FROM articles WHERE article_id = {m}", [article_id])]
        if not rows:
            return None
        text = rows[0][0]
        events = [_json(r[0]) for r in await self._all(
            f"SELECT payload FROM meetings WHERE article_id = {m} ORDER BY event_id", [article_id])]
        return {"article": {**article_object(rows[0][1:]), "text": text if isinstance(text, str) else None},
                "events": events}


def _contains(haystack, needle) -> int:
    return int(isinstance(haystack, str) and isinstance(needle, str) and needle.casefold() in haystack.casefold())


def _fold(value):
    return value.casefold() if isinstance(value, str) else value


class SQLiteReader(Reader):
    """A read-only connection per query (`mode=ro`), in a worker thread: the sink writes the
    same file (WAL), and sqlite3 connections are not shared across threads."""

    dialect = SQLITE

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path.absolute().as_uri() + "?mode=ro", uri=True, timeout=10)
        db.create_function("parley_contains", 2, _contains, deterministic=True)
        db.create_function("parley_fold", 1, _fold, deterministic=True)
        return db

    def _run(self, sql: str, params: list[Any]) -> list[tuple]:
        if not self.path.exists():
            return []  # the sink has not created the database yet
        try:
            db = self._connect()
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(f"cannot open {self.path}: {exc}") from None
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            if "no such column" in str(exc):
                raise MissingColumn(f"cannot read {self.path}: {exc}") from None
            raise DatabaseUnavailable(f"cannot read {self.path}: {exc}") from None
        finally:
            db.close()

    async def _all(self, sql: str, params: list[Any]) -> list[tuple]:
        return await asyncio.to_thread(self._run, sql, params)

    async def ping(self) -> bool:
        def check() -> bool:
            if not self.path.exists():
                return False
            db = self._connect()
            try:
                return db.execute("SELECT 1").fetchone() == (1,)
            finally:
                db.close()

        try:
            return await asyncio.to_thread(check)
        except sqlite3.Error:
            return False


class PostgresReader(Reader):
    """One connection in a read-only session, used by one query at a time (a lock), replaced
    when it breaks. Queries are cut after `statement_timeout` seconds."""

    dialect = POSTGRES
    article_columns = _ARTICLE_COLUMNS + ", payload"

    def __init__(self, dsn: str, *, statement_timeout: float = 15.0):
        self.dsn = dsn
        self.statement_timeout = statement_timeout
        self._conn = None
        self._lock = asyncio.Lock()

    def _unavailable(self, exc: Exception) -> DatabaseUnavailable:
        from ..stages.sink_store import mask_url, scrub

        return DatabaseUnavailable(f"cannot read {mask_url(self.dsn)!r}: "
                                   f"{scrub(f'{type(exc).__name__}: {exc}', self.dsn)}")

    async def _connect(self):
        import psycopg

        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        await self._drop()
        try:
            conn = await psycopg.AsyncConnection.connect(self.dsn, connect_timeout=5, autocommit=True)
            await conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            await conn.execute(f"SET statement_timeout = {int(self.statement_timeout * 1000)}")
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None
        self._conn = conn
        return conn

    async def _drop(self) -> None:
        if self._conn is not None:
            try:
                await self._conn.close()
            except Exception:
                pass
            self._conn = None

    async def _all(self, sql: str, params: list[Any]) -> list[tuple]:
        import psycopg

        async with self._lock:
            conn = await self._connect()
            try:
                cursor = await conn.execute(sql, params)
                return await cursor.fetchall()
            except psycopg.errors.UndefinedTable:
                return []  # the sink has not created its tables yet
            except psycopg.errors.UndefinedColumn as exc:
                raise MissingColumn(str(self._unavailable(exc))) from None
            except psycopg.OperationalError as exc:  # connection lost, statement timeout
                await self._drop()
                raise self._unavailable(exc) from None

    async def ping(self) -> bool:
        try:
            return await self._all("SELECT 1", []) == [(1,)]
        except DatabaseUnavailable:
            return False

    async def close(self) -> None:
        async with self._lock:
            await self._drop()


def open_reader(database_url: str | None, sqlite_path: str) -> Reader:
    """The reader of the sink's database: PostgreSQL when `database_url` is set, else SQLite."""
    if database_url:
        from ..stages.sink_store import require_database_url

        require_database_url(database_url)
        return PostgresReader(database_url)
    return SQLiteReader(sqlite_path)
