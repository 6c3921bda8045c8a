"""PostgreSQL's native types (jsonb, text[], timestamptz, date) and the migration of a database
the sink created with its old text schema (schema version 1)."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

import orjson
import psycopg
import pytest

from parley.stages import sink_pg
from parley.stages.sink_store import Batch, PostgresStore, read_meetings, settled_articles

pytestmark = pytest.mark.postgres

# ------------------------------------------------------------------ the old schema, as it was

# The DDL of schema version 1 (sink_store.SCHEMA and ADDED_COLUMNS before native types),
# copied here so the migration is tested against what old sinks really created.
OLD_SCHEMA = [
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
OLD_ADDED = "ALTER TABLE articles ADD COLUMN IF NOT EXISTS event_ids TEXT"
OLD_WRITTEN_AT = "2026-03-01T12:00:00.123456+00:00"


def _old_meeting_row(event: dict) -> tuple:
    """The row the old sink wrote (sink_store.meeting_row of schema version 1)."""
    location = event.get("location") or {}
    day = event.get("date") or {}
    return (event["event_id"], event["article_id"], event["kind"], event["status"],
            ",".join(event.get("countries") or []), day.get("value"), location.get("name"),
            event.get("confidence"), event.get("published_at"), event.get("ingested_at"),
            event.get("detected_at"), OLD_WRITTEN_AT, orjson.dumps(event).decode())


def _old_article_row(receipt: dict) -> tuple:
    source = receipt.get("source") or {}
    return (receipt["article_id"], receipt.get("title"), source.get("file"), source.get("url"),
            receipt.get("published_at"), receipt.get("ingested_at"), receipt.get("mentions"), OLD_WRITTEN_AT,
            orjson.dumps(receipt.get("event_ids") or []).decode())


def _event(n: int, countries: list[str], *, date_value=None, published_at=None, status="occurred",
           participants=(), orgs=()) -> dict:
    return {
        "schema_version": 1, "event_id": f"m-{n:016x}", "article_id": f"a-{n:016x}",
        "source": {"file": f"{n}.txt", "url": None, "name": None}, "published_at": published_at,
        "ingested_at": "2026-03-01T11:59:00.000000Z", "kind": "meeting", "status": status,
        "participants": [{"name": p, "role": "foreign minister", "country": None, "org": None} for p in participants],
        "countries": countries, "orgs": list(orgs), "location": {"name": "Ankara", "country": "TUR", "lat": None,
                                                                 "lon": None},
        "date": None if date_value is None else {"text": "then", "value": date_value},
        "evidence": {"text": "they met", "start": 0, "end": 8}, "confidence": 0.9,
        "detected_at": "2026-03-01T11:59:30.000000Z",
    }


def _receipt(n: int, *, published_at=None, event_ids=None, text=None) -> dict:
    return {"schema_version": 1, "article_id": f"a-{n:016x}", "source": {"file": f"{n}.txt", "url": None, "name": None},
            "published_at": published_at, "ingested_at": "2026-03-01T11:59:00.000000Z", "title": f"title {n}",
            "mentions": 3, "event_ids": [f"m-{n:016x}"] if event_ids is None else event_ids,
            "detected_at": "2026-03-01T11:59:30.000000Z", **({"text": text} if text is not None else {})}


# Events as old sinks stored them: every published_at and date shape, and the malformed.
OLD_EVENTS = [
    _event(1, ["TUR", "USA"], date_value="2026-02-14", published_at="2026-02-15",
           participants=["Hakan Fidan", "Marco Rubio"]),
    _event(2, ["TUR"], date_value="2026-02", published_at="2026-02-20T08:30:00Z", orgs=["NATO"]),
    _event(3, ["FRA", "TUR"], date_value="2026", published_at="2026-02-20T10:30:00+02:00"),
    _event(4, [], date_value=None, published_at=None),
    _event(5, ["DEU"], date_value="2026-02-30", published_at="2026-02-30"),          # no such day
    _event(6, ["DEU"], date_value="soon", published_at="yesterday"),                  # not dates at all
    _event(7, ["ITA"], date_value="2026-13", published_at="2026-02-20T25:00:00Z"),    # out of range
    _event(8, ["ESP"], date_value="2026-02-01", published_at="2026-02-20 10:30:00.1234567+0530"),
]
OLD_RECEIPTS = [
    _receipt(1, published_at="2026-02-15"),
    _receipt(2, published_at="2026-02-20T08:30:00Z"),
    _receipt(5, published_at="not a date"),
    _receipt(9, published_at=None, event_ids=[]),
]


def _create_old_database(dsn: str, *, receipts_column: bool = True, broken_payload: bool = True) -> None:
    with psycopg.connect(dsn) as conn:
        for statement in OLD_SCHEMA:
            conn.execute(statement)
        if receipts_column:
            conn.execute(OLD_ADDED)
        conn.cursor().executemany("INSERT INTO meetings VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                         [_old_meeting_row(e) for e in OLD_EVENTS])
        # An event PostgreSQL's jsonb refuses as it is (a NUL escaped in a string): the NUL goes.
        conn.execute("INSERT INTO meetings VALUES ('m-00000000000000ff', 'a-00000000000000ff', 'call', 'planned', "
                     "'RUS', NULL, NULL, NULL, NULL, NULL, NULL, %s, %s)",
                     (OLD_WRITTEN_AT, '{"event_id": "m-00000000000000ff", "evidence": {"text": "a\\u0000b"}}'))
        if broken_payload:  # not JSON at all (no sink wrote such a row): kept, as text
            conn.execute("INSERT INTO meetings VALUES ('m-00000000000000fe', 'a-00000000000000fe', 'call', 'planned', "
                         "'RUS', NULL, NULL, NULL, NULL, NULL, NULL, %s, '{\"event_id\": ')", (OLD_WRITTEN_AT,))
        if receipts_column:
            conn.cursor().executemany("INSERT INTO articles VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                             [_old_article_row(r) for r in OLD_RECEIPTS])
            conn.execute("INSERT INTO articles VALUES ('a-00000000000000ee', NULL, NULL, NULL, NULL, NULL, 0, %s, "
                         "'[not json')", (OLD_WRITTEN_AT,))
        else:
            conn.cursor().executemany("INSERT INTO articles VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                             [_old_article_row(r)[:8] for r in OLD_RECEIPTS])


async def _open_and_close(dsn: str) -> None:
    store = PostgresStore(dsn)
    await store.open()
    await store.close()


async def _ensure(dsn: str) -> list:
    conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    try:
        return await sink_pg.ensure_schema(conn)
    finally:
        await conn.close()


def _schema(dsn: str) -> dict:
    """Columns (name, type, not null) and index names of the sink's tables, and the version."""
    with psycopg.connect(dsn) as conn:
        columns = conn.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname IN ('meetings', 'articles') AND a.attnum > 0 AND NOT a.attisdropped").fetchall()
        indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('meetings', 'articles')"
                               ).fetchall()
        version = conn.execute("SELECT version FROM parley_schema WHERE component = 'sink'").fetchone()
    return {"columns": sorted(columns), "indexes": sorted(indexes), "version": version}


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# ------------------------------------------------------------------ one grammar for times and dates

TIME_SAMPLES = [
    None, "", "2026-05-01", "2026-05-01T10:00:00Z", "2026-05-01T10:00:00+02:00", "2026-05-01 10:00:00+0200",
    "2026-05-01T10:00", "2026-05-01T10:00:00.1234567Z", "2026-05-01T10:00:00.999999Z", "2026-05-01T10:00:00.9999996Z",
    "2026-05-01T10:00:00-00:30", "2026-05-01T10:00:00+14:00", "2026-12-31T23:30:00-05:00",
    # not read (NULL), though PostgreSQL alone would read some of them
    "2026-05-01T24:00:00Z", "2026-05-01T23:59:60Z", "2026-02-30", "2026-02-29", "2024-02-29T12:00:00Z",
    "0000-01-01", "2026-05-01T10:00:00+25:00", "2026-05-01T10:00:00+05:75", "2026-05-01T10", "2026-05-01T1:2:3Z",
    "2026-05-01T10:00:00.Z", "2026-05-01T10:00:00+02", "yesterday", "now", "epoch", "today", "2026-05-01\n",
    "2026-05-01 ", " 2026-05-01", "2026-5-1", "20260501", "2026-05-01T10:00:00z", "٢٠٢٦-05-01",
    "Robert'); DROP TABLE meetings; --",
]
DATE_SAMPLES = [None, "", "2026-05-01", "2026-05", "2026", "2024-02", "2026-02", "2026-02-30", "2026-13", "2026-00",
                "0000", "0000-01", "9999-12", "2026-05-01T10:00:00Z", "2026-5", "soon", "26", "2026\n", "٢٠٢٦"]


def test_python_and_postgresql_read_times_and_dates_alike(postgres_database):
    with psycopg.connect(postgres_database) as conn:
        for statement in sink_pg.MIGRATION_FUNCTIONS:
            conn.execute(statement)
        for value in TIME_SAMPLES:
            in_sql = conn.execute("SELECT pg_temp.parley_timestamptz(%s::text)", (value,)).fetchone()[0]
            assert sink_pg.parse_timestamp(value) == in_sql, value
        for value in DATE_SAMPLES:
            in_sql = conn.execute("SELECT pg_temp.parley_date_from(%s::text), pg_temp.parley_date_to(%s::text)",
                                  (value, value)).fetchone()
            assert sink_pg.date_bounds(value) == tuple(in_sql), value


def test_time_and_date_readings():
    assert sink_pg.parse_timestamp("2026-02-20T10:30:00+02:00") == _utc(2026, 2, 20, 8, 30)
    assert sink_pg.parse_timestamp("2026-02-20") == _utc(2026, 2, 20)             # a bare date: midnight UTC
    assert sink_pg.parse_timestamp("2026-02-20 10:30") == _utc(2026, 2, 20, 10, 30)  # no offset: UTC
    assert sink_pg.parse_timestamp("2026-05-01T10:00:00.9999996Z") == _utc(2026, 5, 1, 10, 0, 1)
    assert sink_pg.date_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert sink_pg.date_bounds("2026") == (date(2026, 1, 1), date(2026, 12, 31))
    assert sink_pg.date_bounds("2026-02-14") == (date(2026, 2, 14), date(2026, 2, 14))
    assert sink_pg.date_bounds("2026-02-30") == (None, None)


# ------------------------------------------------------------------ a new database


def test_a_new_database_gets_native_types_and_indexes(postgres_database):
    asyncio.run(_open_and_close(postgres_database))
    schema = _schema(postgres_database)
    types = {(t, c): ty for t, c, ty, _ in schema["columns"]}
    assert types[("meetings", "payload")] == "jsonb" and types[("articles", "event_ids")] == "jsonb"
    assert types[("articles", "text")] == "text"
    assert types[("meetings", "countries")] == "text[]" and types[("meetings", "orgs")] == "text[]"
    assert types[("meetings", "date_from")] == "date" and types[("meetings", "date_value")] == "text"
    for column in ("published_at", "ingested_at", "detected_at", "written_at"):
        assert types[("meetings", column)] == "timestamp with time zone", column
    assert {name for name, _ in schema["indexes"]} >= {"meetings_countries", "meetings_orgs", "meetings_participants",
                                                       "meetings_dates", "meetings_status_kind", "meetings_published"}
    assert "gin" in dict(schema["indexes"])["meetings_countries"]
    assert schema["version"] == (sink_pg.VERSION,)
    assert asyncio.run(_ensure(postgres_database)) == []  # a second open does nothing


def test_written_events_read_back_typed_and_whole(postgres_database):
    events = [e for e in OLD_EVENTS]
    nul = _event(10, ["RUS"], date_value="2026-03")
    nul["evidence"]["text"] = "a\x00b"  # ingest removes NULs; one that slipped through must not block the sink

    async def write():
        store = PostgresStore(postgres_database)
        await store.open()
        await store.write(Batch(events=events + [nul], articles=[_receipt(1, published_at="2026-02-15",
                                                                         text="They met.\n\nThey spoke.")]))
        await store.write(Batch(events=events, articles=[]))  # a replay changes nothing
        await store.close()

    asyncio.run(write())
    with psycopg.connect(postgres_database) as conn:
        rows = {r[0]: r[1:] for r in conn.execute(
            "SELECT event_id, countries, orgs, date_value, date_from, date_to, published_at, payload FROM meetings")}
        article = conn.execute("SELECT published_at, event_ids, payload, text FROM articles").fetchone()
    assert rows["m-0000000000000001"][:6] == (["TUR", "USA"], [], "2026-02-14", date(2026, 2, 14), date(2026, 2, 14),
                                              _utc(2026, 2, 15))
    assert rows["m-0000000000000002"][1:5] == (["NATO"], "2026-02", date(2026, 2, 1), date(2026, 2, 28))
    assert rows["m-0000000000000003"][5] == _utc(2026, 2, 20, 8, 30)
    assert rows["m-0000000000000005"][3:6] == (None, None, None)   # 30 February: NULL, the payload keeps it
    assert rows["m-0000000000000005"][6]["published_at"] == "2026-02-30"
    assert rows["m-0000000000000006"][3:6] == (None, None, None)
    assert rows["m-0000000000000001"][6] == OLD_EVENTS[0]  # psycopg reads jsonb as the dict
    assert rows["m-000000000000000a"][6]["evidence"]["text"] == "ab"
    # the payload is the receipt without its text, which has its own column
    assert article == (_utc(2026, 2, 15), ["m-0000000000000001"], _receipt(1, published_at="2026-02-15"),
                       "They met.\n\nThey spoke.")
    assert read_meetings(postgres_database, "unused.db") == sorted(events + [rows["m-000000000000000a"][6]],
                                                                   key=lambda e: (e["article_id"], e["event_id"]))
    assert settled_articles(postgres_database, "unused.db", ["a-0000000000000001"]) == {"a-0000000000000001"}


# ------------------------------------------------------------------ migrating an old database


@pytest.mark.parametrize("receipts_column", [True, False], ids=["with_receipts", "before_receipts"])
def test_an_old_text_database_is_converted_in_place(postgres_database, receipts_column):
    _create_old_database(postgres_database, receipts_column=receipts_column)
    steps = asyncio.run(_ensure(postgres_database))
    assert ("convert", "meetings.payload") in steps and ("convert", "meetings.countries") in steps
    assert ("add", "meetings.date_from") in steps

    with psycopg.connect(postgres_database) as conn:
        rows = {r[0]: r[1:] for r in conn.execute(
            "SELECT event_id, countries, orgs, date_value, date_from, date_to, published_at, ingested_at, "
            "detected_at, written_at, payload FROM meetings")}
        articles = {r[0]: r[1:] for r in conn.execute(
            "SELECT article_id, published_at, written_at, event_ids, payload, text FROM articles")}
    written = _utc(2026, 3, 1, 12, 0, 0, 123456)
    assert ("add", "articles.text") in steps
    assert all(row[4] is None for row in articles.values())  # no receipt carried the text then
    assert len(rows) == len(OLD_EVENTS) + 2
    assert rows["m-0000000000000001"] == (["TUR", "USA"], [], "2026-02-14", date(2026, 2, 14), date(2026, 2, 14),
                                          _utc(2026, 2, 15), _utc(2026, 3, 1, 11, 59), _utc(2026, 3, 1, 11, 59, 30),
                                          written, OLD_EVENTS[0])
    assert rows["m-0000000000000002"][:6] == (["TUR"], ["NATO"], "2026-02", date(2026, 2, 1), date(2026, 2, 28),
                                              _utc(2026, 2, 20, 8, 30))
    assert rows["m-0000000000000003"][3:6] == (date(2026, 1, 1), date(2026, 12, 31), _utc(2026, 2, 20, 8, 30))
    assert rows["m-0000000000000004"][:6] == ([], [], None, None, None, None)
    for n, published in ((5, "2026-02-30"), (6, "yesterday"), (7, "2026-02-20T25:00:00Z")):
        row = rows[f"m-{n:016x}"]
        assert row[3:6] == (None, None, None), n          # unreadable: NULL ...
        assert row[9]["published_at"] == published, n     # ... and the original kept in the payload
        assert row[9] == OLD_EVENTS[n - 1]
    assert rows["m-0000000000000008"][5] == _utc(2026, 2, 20, 5, 0, 0, 123457)
    assert rows["m-00000000000000ff"][9] == {"event_id": "m-00000000000000ff", "evidence": {"text": "ab"}}
    assert rows["m-00000000000000fe"][0] == ["RUS"] and rows["m-00000000000000fe"][9] == {
        "event_id": "m-00000000000000fe", "article_id": "a-00000000000000fe", "kind": "call", "status": "planned",
        "unreadable_payload": '{"event_id": '}

    if receipts_column:
        assert articles["a-0000000000000001"][:3] == (_utc(2026, 2, 15), written, ["m-0000000000000001"])
        assert articles["a-0000000000000005"][0] is None
        assert articles["a-0000000000000005"][3]["published_at"] == "not a date"  # kept in the payload
        assert articles["a-00000000000000ee"][2] is None  # event_ids that were not JSON: NULL (not settled)
        assert articles["a-0000000000000009"][2] == []
        expected_settled = {"a-0000000000000001", "a-0000000000000002", "a-0000000000000005", "a-0000000000000009"}
    else:
        assert all(row[2] is None for row in articles.values())  # no receipts stored yet
        assert articles["a-0000000000000005"][3]["published_at"] == "not a date"
        expected_settled = set()
    ids = [f"a-{n:016x}" for n in (1, 2, 5, 9, 0xee)]
    assert settled_articles(postgres_database, "unused.db", ids) == expected_settled

    # Exported as they were stored; the migration is done once and the database is as a new one.
    exported = {e["event_id"]: e for e in read_meetings(postgres_database, "unused.db")}
    assert [exported[e["event_id"]] for e in OLD_EVENTS] == OLD_EVENTS
    assert asyncio.run(_ensure(postgres_database)) == []
    assert _schema(postgres_database)["version"] == (sink_pg.VERSION,)
    with psycopg.connect(postgres_database) as conn:
        assert conn.execute("SELECT event_id FROM meetings WHERE countries @> ARRAY['TUR'] "
                            "AND date_from >= '2026-02-01' AND date_to <= '2026-02-28' ORDER BY event_id"
                            ).fetchall() == [("m-0000000000000001",), ("m-0000000000000002",)]


def test_a_migrated_database_is_the_same_as_a_new_one(postgres_database, postgres):
    _create_old_database(postgres_database)
    asyncio.run(_open_and_close(postgres_database))
    migrated = _schema(postgres_database)
    admin = postgres.rsplit("/", 1)[0] + "/postgres"
    fresh = postgres_database + "_fresh"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{fresh.rsplit("/", 1)[1]}"')
    try:
        asyncio.run(_open_and_close(fresh))
        assert _schema(fresh) == migrated
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh.rsplit("/", 1)[1]}" WITH (FORCE)')


# The articles table of schema version 3 (before `text`), as sinks of that version created it.
V3_ARTICLES = """CREATE TABLE articles (
        article_id TEXT PRIMARY KEY,
        title TEXT,
        source_file TEXT,
        source_url TEXT,
        published_at TIMESTAMPTZ,
        ingested_at TIMESTAMPTZ,
        mentions INTEGER,
        written_at TIMESTAMPTZ NOT NULL,
        event_ids JSONB,
        payload JSONB
    )"""


def test_a_version_3_database_gains_the_articles_text_column(postgres_database):
    with psycopg.connect(postgres_database) as conn:
        for table, ddl in sink_pg.TABLES.items():
            conn.execute(V3_ARTICLES if table == "articles" else ddl)
        for ddl in sink_pg.INDEXES.values():
            conn.execute(ddl)
        conn.execute(sink_pg._VERSION_TABLE)
        conn.execute("INSERT INTO parley_schema (component, version) VALUES ('sink', 3)")
        insert = ("INSERT INTO articles (article_id, title, written_at, event_ids, payload) "
                  "VALUES (%s, %s, now(), '[]', %s::jsonb)")
        # a version-3 sink fed by a newer detector kept the receipt's text in the payload
        with_text = _receipt(1, event_ids=[], text="Kept by an older sink.")
        without = _receipt(2, event_ids=[])
        conn.execute(insert, ("a-0000000000000001", "title 1", orjson.dumps(with_text).decode()))
        conn.execute(insert, ("a-0000000000000002", "title 2", orjson.dumps(without).decode()))

    assert asyncio.run(_ensure(postgres_database)) == [("add", "articles.text")]
    with psycopg.connect(postgres_database) as conn:
        rows = dict((r[0], r[1:]) for r in conn.execute("SELECT article_id, text, payload FROM articles"))
    assert rows["a-0000000000000001"] == ("Kept by an older sink.", _receipt(1, event_ids=[]))  # moved
    assert rows["a-0000000000000002"] == (None, without)
    assert _schema(postgres_database)["version"] == (sink_pg.VERSION,) == (4,)
    assert asyncio.run(_ensure(postgres_database)) == []
    assert settled_articles(postgres_database, "unused.db", ["a-0000000000000001", "a-0000000000000002"]) == {
        "a-0000000000000001", "a-0000000000000002"}


def test_the_old_sink_rows_are_overwritten_by_a_replay_after_the_migration(postgres_database):
    _create_old_database(postgres_database)

    async def replay():
        store = PostgresStore(postgres_database)
        await store.open()
        await store.write(Batch(events=OLD_EVENTS[:2], articles=[_receipt(2, published_at="2026-02-20T08:30:00Z")]))
        await store.close()

    asyncio.run(replay())
    with psycopg.connect(postgres_database) as conn:
        assert conn.execute("SELECT count(*), count(*) FILTER (WHERE written_at > '2026-03-02') FROM meetings"
                            ).fetchone() == (len(OLD_EVENTS) + 2, 2)
        assert conn.execute("SELECT payload FROM meetings WHERE event_id = 'm-0000000000000002'"
                            ).fetchone()[0] == OLD_EVENTS[1]


def test_two_sinks_opening_an_old_database_at_once_migrate_it_once(postgres_database):
    _create_old_database(postgres_database)

    async def race() -> list:
        # Hold the migration's lock so both sinks are waiting on it when it is released.
        holder = await psycopg.AsyncConnection.connect(postgres_database, autocommit=True)
        await holder.execute("SELECT pg_advisory_lock(%s)", (sink_pg.LOCK_KEY,))
        tasks = [asyncio.create_task(_ensure(postgres_database)) for _ in range(2)]
        for _ in range(100):  # both are blocked on the lock
            waiting = await (await holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).fetchone()
            if waiting[0] == 2:
                break
            await asyncio.sleep(0.05)
        assert waiting[0] == 2
        await holder.execute("SELECT pg_advisory_unlock(%s)", (sink_pg.LOCK_KEY,))
        await holder.close()
        return await asyncio.gather(*tasks)

    first, second = sorted(asyncio.run(race()), key=len)
    assert first == [] and ("convert", "meetings.payload") in second
    with psycopg.connect(postgres_database) as conn:
        assert conn.execute("SELECT count(*) FROM meetings WHERE countries @> ARRAY['TUR']").fetchone() == (3,)


def test_parley_export_reads_an_old_database_before_and_after_its_migration(postgres_database, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    services = Path(__file__).resolve().parents[2] / "services"
    env = {**os.environ, "DATABASE_URL": postgres_database, "PYTHONPATH": str(services)}

    def export(name: str) -> dict:
        out = tmp_path / name
        done = subprocess.run([sys.executable, "-m", "parley.cli", "export", str(out)], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return {e["event_id"]: e for e in map(orjson.loads, out.read_bytes().splitlines())}

    _create_old_database(postgres_database, broken_payload=False)
    before = export("before.jsonl")  # text payloads: the sink has not opened it yet
    asyncio.run(_open_and_close(postgres_database))
    after = export("after.jsonl")    # jsonb payloads
    assert before.pop("m-00000000000000ff")["evidence"] == {"text": "a\x00b"}
    assert after.pop("m-00000000000000ff")["evidence"] == {"text": "ab"}  # jsonb cannot hold a NUL
    assert before == after and [after[e["event_id"]] for e in OLD_EVENTS] == OLD_EVENTS
