"""The example queries of the README's "Querying the database" run, as written there, against a
real PostgreSQL the sink wrote, give the answers they promise, and can use the indexes."""
from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from parley.stages.sink_store import Batch, PostgresStore

pytestmark = pytest.mark.postgres

README = Path(__file__).resolve().parents[2] / "README.md"


def documented_queries() -> dict[str, str]:
    """title (the query's first line, a `-- ` comment) -> SQL, in the README's order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Querying the database\n", 1)[1].split("\n## ", 1)[0]
    queries = {}
    for block in re.findall(r"```sql\n(.*?)```", section, re.DOTALL):
        first, _, _ = block.partition("\n")
        assert first.startswith("-- "), f"a documented query must start with a `-- title` line: {first!r}"
        queries[first[3:].strip()] = block
    return queries


def _event(n: int, countries, *, status="occurred", kind="meeting", day=None, published=None,
           participants=(), orgs=()) -> dict:
    return {
        "schema_version": 1, "event_id": f"m-{n:016x}", "article_id": f"a-{n:016x}",
        "source": {"file": None, "url": f"https://example.org/{n}", "name": None},
        "published_at": published, "ingested_at": None, "kind": kind, "status": status,
        "participants": [{"name": p, "role": None, "country": None, "org": None} for p in participants],
        "countries": sorted(countries), "orgs": list(orgs), "location": {"name": f"place {n}", "country": None,
                                                                         "lat": None, "lon": None},
        "date": None if day is None else {"text": "then", "value": day},
        "evidence": {"text": "met", "start": 0, "end": 3}, "confidence": 0.9,
        "detected_at": "2026-01-01T00:00:00.000000Z",
    }


def _receipt(event: dict) -> dict:
    return {"schema_version": 1, "article_id": event["article_id"], "source": event["source"],
            "published_at": event["published_at"], "ingested_at": None, "title": f"title of {event['article_id']}",
            "mentions": 2, "event_ids": [event["event_id"]], "detected_at": "2026-01-01T00:00:00.000000Z"}


def _stored_events(today: date, now: datetime) -> list[dict]:
    """Events around the server's `today`, each placed to be found, or not, by one query."""
    month_start = today.replace(day=1)
    last_month = month_start - timedelta(days=1)

    def published(days_ago: float) -> str:
        return (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")

    month = today.strftime("%Y-%m")
    in_three_days = today + timedelta(days=3)
    return [
        # Turkey, this month
        _event(1, ["TUR", "USA"], day=today.isoformat(), published=published(0.5),
               participants=["Hakan Fidan", "Marco Rubio"]),
        _event(2, ["TUR"], kind="visit", day=month_start.isoformat(), published=published(1), orgs=["NATO"]),
        _event(3, ["TUR", "AZE"], day=month, published=published(2)),              # "this month": within it
        _event(4, ["TUR", "GRC"], day=last_month.isoformat(), published=published(40),
               participants=["Hakan Fidan", "Giorgos Gerapetritis"]),              # last month
        _event(5, ["TUR"], status="planned", day=in_three_days.isoformat(), published=published(1)),  # not held
        _event(6, ["TUR", "AZE"], day=None, published=published(3)),               # date unknown
        _event(7, ["TUR"], day=str(today.year), published=published(3)),           # only the year: maybe not
        # the USA, planned
        _event(8, ["USA", "CHN"], status="planned", kind="call", day=(today + timedelta(days=2)).isoformat(),
               published=published(1)),
        _event(9, ["USA"], status="planned", day=(today + timedelta(days=10)).isoformat(), published=published(1)),
        _event(10, ["USA", "RUS"], status="planned", day=in_three_days.strftime("%Y-%m"), published=published(1)),
        _event(11, ["USA"], status="planned", day=(today - timedelta(days=5)).isoformat(), published=published(9)),
        # a namesake is someone else
        _event(12, ["TUR", "USA"], day=today.isoformat(), published=published(1), participants=["Hakan Fidanov"]),
        # NATO last year
        _event(13, ["BEL"], day=f"{today.year - 1}-12", published=published(35), orgs=["NATO"]),
        # calls called off
        _event(14, ["FRA", "DEU"], status="cancelled", kind="call", day=None, published=published(4)),
        _event(15, ["FRA", "ITA"], status="denied", kind="call", day=None, published=published(2)),
        _event(16, ["FRA", "ESP"], status="cancelled", kind="meeting", day=None, published=published(1)),
    ]


def _pairs(events: list[dict], now: datetime) -> list[tuple]:
    counts: dict[tuple[str, str], int] = {}
    for e in events:
        when = datetime.fromisoformat(e["published_at"].replace("Z", "+00:00"))
        if e["status"] == "occurred" and when >= now - timedelta(days=30):
            for i, a in enumerate(e["countries"]):
                for b in e["countries"][i + 1:]:
                    counts[(a, b)] = counts.get((a, b), 0) + 1
    return sorted(((a, b, n) for (a, b), n in counts.items()), key=lambda r: (-r[2], r[0], r[1]))


def _ids(*numbers: int) -> list[str]:
    return [f"m-{n:016x}" for n in numbers]


@pytest.fixture
def analyst_database(postgres_database):
    with psycopg.connect(postgres_database) as conn:
        today, now = conn.execute("SELECT current_date, now()").fetchone()
    events = _stored_events(today, now)

    async def write():
        store = PostgresStore(postgres_database)
        await store.open()
        await store.write(Batch(events=events, articles=[_receipt(e) for e in events]))
        await store.close()

    asyncio.run(write())
    return postgres_database, events, today, now


def test_the_readme_documents_four_to_six_queries():
    assert 4 <= len(documented_queries()) <= 6


def test_each_documented_query_gives_its_answer(analyst_database):
    dsn, events, today, now = analyst_database
    month_start = today.replace(day=1)
    expected = {
        "Meetings Turkey held this month": None,                                          # below
        "Planned meetings involving the USA that may fall in the next seven days": None,  # below
        "Every meeting of one person, latest first": _ids(1, 4),
        "Pairs of countries that met most, in articles published in the last 30 days": _pairs(events, now),
        "Meetings NATO took part in this year, with the article that reported each": [
            ("m-0000000000000002", "occurred", month_start.isoformat(), "title of a-0000000000000002",
             "https://example.org/2")],
        "Calls called off or denied, latest reports first": _ids(15, 14),
    }
    # Turkey: 2 (the 1st), 3 (the month) and 1, 12 (today), by date_from then id; not 4 (last
    # month), 5 (planned), 6 (no date) nor 7 (only the year is known)
    expected["Meetings Turkey held this month"] = sorted(
        _ids(1, 2, 3, 12), key=lambda i: (month_start if i in _ids(2, 3) else today, i))
    # the USA: 8 (in two days) and 10 (its month overlaps the week), by date_from then id
    month_of_10 = (today + timedelta(days=3)).replace(day=1)
    expected["Planned meetings involving the USA that may fall in the next seven days"] = sorted(
        _ids(8, 10), key=lambda i: (today + timedelta(days=2) if i.endswith("8") else month_of_10, i))

    queries = documented_queries()
    assert set(queries) == set(expected), "README queries and this test's answers must name the same queries"
    with psycopg.connect(dsn) as conn:
        for title, sql in queries.items():
            rows = conn.execute(sql).fetchall()
            if title.startswith("Pairs") or title.startswith("Meetings NATO"):
                got = [tuple(r) for r in rows]
            else:
                got = [r[0] for r in rows]
            assert got == expected[title], title


def test_each_documented_query_can_use_the_indexes(analyst_database):
    dsn = analyst_database[0]
    queries = documented_queries()
    with psycopg.connect(dsn) as conn:
        conn.execute("ANALYZE meetings")
        conn.execute("SET enable_seqscan = off")  # with a handful of rows a scan is cheaper; forbid it
        plans = {title: "\n".join(r[0] for r in conn.execute("EXPLAIN " + sql))
                 for title, sql in queries.items()}
        country_only = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT event_id FROM meetings WHERE countries @> ARRAY['TUR']"))
    for title, plan in plans.items():
        assert "Seq Scan on meetings" not in plan, f"{title}:\n{plan}"
    assert "meetings_countries" in country_only, country_only
    assert "meetings_participants" in plans["Every meeting of one person, latest first"]
    assert "meetings_orgs" in plans["Meetings NATO took part in this year, with the article that reported each"] \
        or "meetings_dates" in plans["Meetings NATO took part in this year, with the article that reported each"]


def test_the_country_index_is_chosen_on_a_larger_table(postgres_database):
    """With enough rows, and nothing forbidden, the planner picks the GIN index for a country."""
    with psycopg.connect(postgres_database) as conn:
        asyncio.run(_open(postgres_database))
        codes = [f"C{n:02d}" for n in range(60)] + ["TUR"]
        conn.execute(
            "INSERT INTO meetings (event_id, article_id, kind, status, countries, written_at, payload) "
            "SELECT 'm-' || lpad(to_hex(g), 16, '0'), 'a-' || lpad(to_hex(g), 16, '0'), 'meeting', 'occurred', "
            "ARRAY[(%s::text[])[1 + g %% 60], (%s::text[])[1 + (g / 60) %% 60]], now(), '{}'::jsonb "
            "FROM generate_series(1, 20000) AS g", (codes, codes))
        conn.execute("INSERT INTO meetings (event_id, article_id, kind, status, countries, written_at, payload) "
                     "VALUES ('m-ffffffffffffffff', 'a-ffffffffffffffff', 'meeting', 'occurred', '{TUR}', now(), '{}')")
        conn.commit()
        conn.execute("ANALYZE meetings")
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT event_id FROM meetings WHERE countries @> ARRAY['TUR']"))
        assert "meetings_countries" in plan, plan
        assert conn.execute("SELECT event_id FROM meetings WHERE countries @> ARRAY['TUR']").fetchall() == [
            ("m-ffffffffffffffff",)]


async def _open(dsn: str) -> None:
    store = PostgresStore(dsn)
    await store.open()
    await store.close()
