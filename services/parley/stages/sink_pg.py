"""The sink's PostgreSQL schema: native types, and the migration from the text schema.

Schema version 2 (this module; docs/database.md describes every column):

- `meetings.payload` is the whole event as `jsonb`; `countries` and `orgs` are `text[]` with
  GIN indexes; `published_at`, `ingested_at`, `detected_at` and `written_at` are `timestamptz`;
  `date_value` keeps the event's `date.value` as it came (`YYYY-MM-DD`, `YYYY-MM`, `YYYY` or
  null) and `date_from`/`date_to` (`date`) are the first and last day it may mean, so that a
  month-precision date can be queried by range (both null when the date is unknown).
- `articles.event_ids` and `articles.payload` (the detector's receipt) are `jsonb`; its times
  are `timestamptz`.

Version 3 added `stories` and `story_reports`; version 4 adds `articles.text`, the article's
cleaned text from the receipt (null for receipts that lack it), which then leaves the payload
(not stored twice): a row an older sink wrote from a receipt that carried it has it moved
from the payload to the column.

Version 1 was the text schema SQLite still has (every column text, the event as JSON text).
`ensure_schema` creates version 2, or converts a version-1 database in place, on every open:
in one transaction, under an advisory lock (two sinks starting at once: the second waits and
then finds nothing to do), column by column (a column already of its new type is left alone,
so running it again changes nothing), recording the version in `parley_schema`. A time or
date that cannot be read becomes NULL instead of failing the migration; the original text is
kept in the payload (meetings) or in the payload built from the old columns (articles).

Times are read by one grammar, here in Python for the rows the sink writes and in SQL for the
rows the migration converts (tests/stages/test_sink_postgres_types.py checks they agree):
`YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM`, optional `:SS` and fraction,
and an optional `Z` or `+HH:MM`/`+HHMM` offset. A time without an offset, and a bare date
(midnight), are read as UTC.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

VERSION = 4  # 2: native types; 3: stories and story_reports; 4: articles.text
COMPONENT = "sink"
# pg_advisory_xact_lock key of the schema check/migration ("parley" in ASCII).
LOCK_KEY = 0x7061726C6579

# The same pattern serves Python's `re` and PostgreSQL's regular expressions.
TIMESTAMP_PATTERN = (r"^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
                     r"(?:[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,9}))?)?"
                     r"(Z|[+-](?:0\d|1[0-4]):?[0-5]\d)?)?$")
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN, re.ASCII)
_DATE_VALUE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)


def parse_timestamp(value: Any) -> datetime | None:
    """`value` as an aware datetime, or None when it is not a time Parley can read."""
    if not isinstance(value, str):
        return None
    m = _TIMESTAMP.fullmatch(value)
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = m.groups()
    tz = timezone.utc
    if offset and offset != "Z":
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        tz = timezone(-delta if offset[0] == "-" else delta)
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                          tzinfo=tz)
        if fraction:  # to the microsecond, rounded as PostgreSQL does
            micro = Decimal("0." + fraction).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)
            moment += timedelta(microseconds=int(micro * 1_000_000))
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # 30 February, year 0, out of range
        return None


def date_bounds(value: Any) -> tuple[date | None, date | None]:
    """The first and last day a `date.value` may mean: a day is itself, `YYYY-MM` its month,
    `YYYY` its year; (None, None) when it is null or unreadable."""
    if not isinstance(value, str):
        return None, None
    m = _DATE_VALUE.fullmatch(value)
    if m is None:
        return None, None
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        if day is not None:
            one = date(year, month, day)
            return one, one
        if month is not None:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None, None


# ------------------------------------------------------------------------------ the schema

TABLES = {
    "meetings": """CREATE TABLE IF NOT EXISTS meetings (
        event_id TEXT PRIMARY KEY,
        article_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        countries TEXT[] NOT NULL,
        date_value TEXT,
        location TEXT,
        confidence DOUBLE PRECISION,
        published_at TIMESTAMPTZ,
        ingested_at TIMESTAMPTZ,
        detected_at TIMESTAMPTZ,
        written_at TIMESTAMPTZ NOT NULL,
        payload JSONB NOT NULL,
        orgs TEXT[] NOT NULL DEFAULT '{}',
        date_from DATE,
        date_to DATE
    )""",
    "articles": """CREATE TABLE IF NOT EXISTS articles (
        article_id TEXT PRIMARY KEY,
        title TEXT,
        source_file TEXT,
        source_url TEXT,
        published_at TIMESTAMPTZ,
        ingested_at TIMESTAMPTZ,
        mentions INTEGER,
        written_at TIMESTAMPTZ NOT NULL,
        event_ids JSONB,
        payload JSONB,
        text TEXT
    )""",
    "stories": """CREATE TABLE IF NOT EXISTS stories (
        story_id TEXT PRIMARY KEY,
        change TEXT NOT NULL,
        merged_into TEXT,
        status TEXT NOT NULL,
        kind TEXT NOT NULL,
        countries TEXT[] NOT NULL,
        date_value TEXT,
        location TEXT,
        confidence DOUBLE PRECISION,
        first_published TEXT,
        last_published TEXT,
        report_count INTEGER NOT NULL,
        written_at TIMESTAMPTZ NOT NULL,
        payload JSONB NOT NULL
    )""",
    "story_reports": """CREATE TABLE IF NOT EXISTS story_reports (
        story_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        PRIMARY KEY (story_id, event_id)
    )""",
}

INDEXES = {
    "meetings_article": "CREATE INDEX IF NOT EXISTS meetings_article ON meetings (article_id)",
    "meetings_countries": "CREATE INDEX IF NOT EXISTS meetings_countries ON meetings USING gin (countries)",
    "meetings_orgs": "CREATE INDEX IF NOT EXISTS meetings_orgs ON meetings USING gin (orgs)",
    "meetings_participants": "CREATE INDEX IF NOT EXISTS meetings_participants ON meetings "
                             "USING gin ((payload -> 'participants') jsonb_path_ops)",
    "meetings_dates": "CREATE INDEX IF NOT EXISTS meetings_dates ON meetings (date_from, date_to)",
    "meetings_status_kind": "CREATE INDEX IF NOT EXISTS meetings_status_kind ON meetings (status, kind)",
    "meetings_published": "CREATE INDEX IF NOT EXISTS meetings_published ON meetings (published_at)",
    "articles_published": "CREATE INDEX IF NOT EXISTS articles_published ON articles (published_at)",
    "stories_countries": "CREATE INDEX IF NOT EXISTS stories_countries ON stories USING gin (countries)",
    "story_reports_event": "CREATE INDEX IF NOT EXISTS story_reports_event ON story_reports (event_id)",
}

# The type of every column (as format_type names it); text columns of version 1 are not listed.
TYPES = {
    "meetings": {"countries": "text[]", "orgs": "text[]", "confidence": "double precision",
                 "published_at": "timestamp with time zone", "ingested_at": "timestamp with time zone",
                 "detected_at": "timestamp with time zone", "written_at": "timestamp with time zone",
                 "payload": "jsonb", "date_from": "date", "date_to": "date"},
    "articles": {"published_at": "timestamp with time zone", "ingested_at": "timestamp with time zone",
                 "written_at": "timestamp with time zone", "mentions": "integer",
                 "event_ids": "jsonb", "payload": "jsonb", "text": "text"},
    "stories": {"countries": "text[]", "confidence": "double precision", "report_count": "integer",
                "written_at": "timestamp with time zone", "payload": "jsonb"},
    "story_reports": {},
}

# How a column of another type (the text of version 1) becomes its new type: ALTER ... USING.
_CONVERT = {
    ("meetings", "countries"): "string_to_array(countries::text, ',')",
    ("meetings", "published_at"): "pg_temp.parley_timestamptz(published_at::text)",
    ("meetings", "ingested_at"): "pg_temp.parley_timestamptz(ingested_at::text)",
    ("meetings", "detected_at"): "pg_temp.parley_timestamptz(detected_at::text)",
    # written_at is the sink's own clock and NOT NULL: unreadable (never seen) is the migration's time
    ("meetings", "written_at"): "coalesce(pg_temp.parley_timestamptz(written_at::text), now())",
    # an event that is not JSON at all is kept as text
    ("meetings", "payload"): "coalesce(pg_temp.parley_jsonb(payload::text), jsonb_build_object("
                             "'event_id', event_id, 'article_id', article_id, 'kind', kind, 'status', status, "
                             "'unreadable_payload', payload::text))",
    ("articles", "published_at"): "pg_temp.parley_timestamptz(published_at::text)",
    ("articles", "ingested_at"): "pg_temp.parley_timestamptz(ingested_at::text)",
    ("articles", "written_at"): "coalesce(pg_temp.parley_timestamptz(written_at::text), now())",
    ("articles", "event_ids"): "pg_temp.parley_jsonb(event_ids::text)",
}

# Columns that version 1 lacks: how to add them, and how to fill them for the rows already there
# (run after the conversions, so `payload` is jsonb; the articles' payload is built before them,
# from the old text, so that an unreadable time keeps its original there).
_ADD = {
    ("meetings", "orgs"): ("TEXT[] NOT NULL DEFAULT '{}'", "pg_temp.parley_text_array(payload -> 'orgs')"),
    ("meetings", "date_from"): ("DATE", "pg_temp.parley_date_from(date_value)"),
    ("meetings", "date_to"): ("DATE", "pg_temp.parley_date_to(date_value)"),
    ("articles", "event_ids"): ("JSONB", None),
    ("articles", "payload"): ("JSONB", None),
    ("articles", "text"): ("TEXT", None),  # filled by _ARTICLE_TEXT_FROM_PAYLOAD
}
_ARTICLE_PAYLOAD_FROM_TEXT = """UPDATE articles SET payload = jsonb_build_object(
    'article_id', article_id, 'title', title, 'source', jsonb_build_object('file', source_file, 'url', source_url),
    'published_at', published_at::text, 'ingested_at', ingested_at::text, 'mentions', mentions,
    'event_ids', pg_temp.parley_jsonb(event_ids::text))"""
# An older sink kept a receipt's text (when the detector already sent it) in the payload: it
# moves to the column. Only those rows are rewritten (adding the column itself is instant).
_ARTICLE_TEXT_FROM_PAYLOAD = """UPDATE articles SET text = payload ->> 'text', payload = payload - 'text'
    WHERE payload -> 'text' IS NOT NULL"""

# Helpers of the migration, in the session's temporary schema (gone when it ends): each turns a
# value it cannot read into NULL instead of failing the transaction.
MIGRATION_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION pg_temp.parley_timestamptz(t text) RETURNS timestamptz
        LANGUAGE plpgsql IMMUTABLE SET timezone TO 'UTC' SET datestyle TO 'ISO, YMD' AS $fn$
    BEGIN
        IF t IS NULL OR t !~ '{TIMESTAMP_PATTERN}' THEN RETURN NULL; END IF;
        RETURN t::timestamptz;
    EXCEPTION WHEN others THEN RETURN NULL;
    END $fn$""",
    r"""CREATE OR REPLACE FUNCTION pg_temp.parley_date_from(v text) RETURNS date
        LANGUAGE plpgsql IMMUTABLE SET datestyle TO 'ISO, YMD' AS $fn$
    BEGIN
        IF v ~ '^\d{4}-\d{2}-\d{2}$' THEN RETURN v::date;
        ELSIF v ~ '^\d{4}-\d{2}$' THEN RETURN (v || '-01')::date;
        ELSIF v ~ '^\d{4}$' THEN RETURN (v || '-01-01')::date;
        END IF;
        RETURN NULL;
    EXCEPTION WHEN others THEN RETURN NULL;
    END $fn$""",
    r"""CREATE OR REPLACE FUNCTION pg_temp.parley_date_to(v text) RETURNS date
        LANGUAGE plpgsql IMMUTABLE SET datestyle TO 'ISO, YMD' AS $fn$
    BEGIN
        IF v ~ '^\d{4}-\d{2}-\d{2}$' THEN RETURN v::date;
        ELSIF v ~ '^\d{4}-\d{2}$' THEN RETURN ((v || '-01')::date + interval '1 month' - interval '1 day')::date;
        ELSIF v ~ '^\d{4}$' THEN RETURN (v || '-12-31')::date;
        END IF;
        RETURN NULL;
    EXCEPTION WHEN others THEN RETURN NULL;
    END $fn$""",
    # jsonb refuses the \u0000 escape (NUL) that JSON text may hold: drop it, as the sink does
    # with a NUL in an event it writes (a backslash before it must not be escaped itself)
    r"""CREATE OR REPLACE FUNCTION pg_temp.parley_jsonb(t text) RETURNS jsonb
        LANGUAGE plpgsql IMMUTABLE AS $fn$
    BEGIN
        RETURN t::jsonb;
    EXCEPTION WHEN others THEN
        BEGIN
            RETURN regexp_replace(t, '(?<!\\)((?:\\\\)*)\\u0000', '\1', 'g')::jsonb;
        EXCEPTION WHEN others THEN RETURN NULL;
        END;
    END $fn$""",
    """CREATE OR REPLACE FUNCTION pg_temp.parley_text_array(j jsonb) RETURNS text[]
        LANGUAGE sql IMMUTABLE AS $fn$
        SELECT CASE WHEN jsonb_typeof(j) = 'array'
                    THEN ARRAY(SELECT jsonb_array_elements_text(j)) ELSE '{}'::text[] END
    $fn$""",
]

_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS parley_schema (
    component TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    migrated_at TIMESTAMPTZ NOT NULL DEFAULT now()
)"""

_COLUMNS = """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE a.attrelid IN (to_regclass('meetings'), to_regclass('articles'), to_regclass('stories'),
                         to_regclass('story_reports'), to_regclass('parley_schema'))
      AND a.attnum > 0 AND NOT a.attisdropped"""
_INDEX_NAMES = """SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid IN (to_regclass('meetings'), to_regclass('articles'), to_regclass('stories'),
                         to_regclass('story_reports'))"""


def _plan(columns: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """What `ensure_schema` has to do to tables whose columns have these types:
    ("create", table), ("add", table.column), ("convert", table.column)."""
    steps: list[tuple[str, str]] = []
    for table, types in TYPES.items():
        have = columns.get(table)
        if have is None:
            steps.append(("create", table))
            continue
        for column, sql_type in types.items():
            if column not in have:
                steps.append(("add", f"{table}.{column}"))
            elif have[column] != sql_type:
                steps.append(("convert", f"{table}.{column}"))
    return steps


async def _catalog(conn) -> tuple[dict[str, dict[str, str]], set[str], int | None]:
    columns: dict[str, dict[str, str]] = {}
    for table, column, sql_type in await (await conn.execute(_COLUMNS)).fetchall():
        columns.setdefault(table, {})[column] = sql_type
    indexes = {row[0] for row in await (await conn.execute(_INDEX_NAMES)).fetchall()}
    version = None
    if "parley_schema" in columns:
        row = await (await conn.execute("SELECT version FROM parley_schema WHERE component = %s",
                                        (COMPONENT,))).fetchone()
        version = row[0] if row else None
    return columns, indexes, version


async def ensure_schema(conn) -> list[tuple[str, str]]:
    """Create or migrate the schema on `conn` (an autocommit psycopg AsyncConnection) in one
    transaction; returns the steps it took (empty when the schema was already current)."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        columns, indexes, version = await _catalog(conn)
        if version is not None and version > VERSION:
            return []  # a newer sink has moved the schema on: leave it alone
        steps = _plan(columns)
        missing_indexes = [name for name in INDEXES if name not in indexes]
        if not steps and not missing_indexes and version == VERSION:
            return []
        if any(kind != "create" for kind, _ in steps):
            for statement in MIGRATION_FUNCTIONS:
                await conn.execute(statement)
        await conn.execute(_VERSION_TABLE)
        for table in TYPES:
            if ("create", table) in steps:
                await conn.execute(TABLES[table])
            else:
                await _migrate(conn, table, steps)
        for name in INDEXES.values():
            await conn.execute(name)
        await conn.execute("INSERT INTO parley_schema (component, version) VALUES (%s, %s) "
                           "ON CONFLICT (component) DO UPDATE SET version = excluded.version, migrated_at = now()",
                           (COMPONENT, VERSION))
        return steps + [("index", name) for name in missing_indexes]


async def _migrate(conn, table: str, steps: list[tuple[str, str]]) -> None:
    def columns(kind: str) -> list[str]:
        return [ref.split(".", 1)[1] for k, ref in steps if k == kind and ref.split(".", 1)[0] == table]

    added, converted = columns("add"), columns("convert")
    for column in added:
        sql_type = _ADD.get((table, column), (TYPES[table][column], None))[0]
        await conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {sql_type}")
    if table == "articles" and "payload" in added:
        await conn.execute(_ARTICLE_PAYLOAD_FROM_TEXT)
    if converted:
        await conn.execute(f"ALTER TABLE {table} " + ", ".join(
            f"ALTER COLUMN {column} TYPE {TYPES[table][column]} "
            f"USING {_CONVERT.get((table, column), f'{column}::{TYPES[table][column]}')}"
            for column in converted))
    fills = [f"{column} = {_ADD[(table, column)][1]}" for column in added if _ADD.get((table, column), ("", None))[1]]
    if fills:
        await conn.execute(f"UPDATE {table} SET {', '.join(fills)}")
    if table == "articles" and "text" in added:
        await conn.execute(_ARTICLE_TEXT_FROM_PAYLOAD)
