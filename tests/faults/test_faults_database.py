"""The sink survives its database going away: it retries with backoff, commits nothing it has
not written, reports itself not ready meanwhile, and ends with exactly the expected rows.

Two outages of the real PostgreSQL server during one streaming run:
A. the database stops while the sink is writing; the sink keeps running and catches up;
B. the database stops, and the sink is stopped (SIGTERM) while it holds an unwritten batch;
   after the database is back a fresh sink must still write that batch.
"""
from __future__ import annotations

import asyncio
import signal
import subprocess
import time
import uuid

import psycopg
import pytest

from support import workload
from support.faults import Clock, Tally, sink_articles, sink_event_ids, wait_all_ready, wait_ready
from support.harness import publish, running_pipeline, settings_for
from parley.progress import wait_until_drained
from parley.stages.sink_store import Batch, PostgresStore

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(600)]

FIRST, SECOND = 300, 200
SEED = 11


def _fresh_database(server) -> str:
    name = f"outage{uuid.uuid4().hex[:8]}"
    admin = server.dsn.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.dsn.rsplit("/", 1)[0] + f"/{name}"


async def _committed(clock: Clock, stage: str) -> int:
    return (await clock.stages())[stage].committed


# "fast" is PostgreSQL's own stop (sessions cut, in-flight transactions rolled back). Not
# "immediate": the throw-away server runs with fsync and synchronous_commit off, so a crash
# of it loses transactions it had acknowledged; a production server does not.
async def _outages(settings, workers, server, first, second) -> dict:
    seen: dict = {}
    async with Clock(settings) as clock:
        # A: the database goes away under a busy sink, which stays up.
        await publish(settings, first)
        await clock.wait_committed("sink", FIRST // 5, timeout=180, check=workers.check)
        server.stop("fast")
        await asyncio.to_thread(wait_ready, workers, "sink", 60, 503)
        seen["not_ready_during_outage"] = True
        await asyncio.sleep(3.0)  # a commit already under way when the database went may land
        before = await _committed(clock, "sink")
        await asyncio.sleep(5.0)
        seen["committed_while_down"] = (before, await _committed(clock, "sink"))
        workers.check()  # the sink did not die
        server.start()
        await asyncio.to_thread(wait_ready, workers, "sink", 90)
        await wait_until_drained(clock.monitor, FIRST, check=workers.check, stall_timeout=120)
        seen["rows_after_first_outage"] = len(sink_event_ids(settings))

        # B: the database goes away again and the sink is stopped while holding a batch.
        done = await _committed(clock, "sink")
        await publish(settings, second)
        await clock.wait_committed("sink", done + 1, timeout=180, check=workers.check)
        server.stop("fast")
        await asyncio.to_thread(wait_ready, workers, "sink", 60, 503)
        sink = workers.get("sink").proc
        sink.send_signal(signal.SIGTERM)
        started = time.monotonic()
        try:
            seen["sink_exit_code"] = await asyncio.to_thread(sink.wait, 30)
        except subprocess.TimeoutExpired:
            seen["sink_exit_code"] = "still running after 30 s (killed)"
            sink.kill()
            sink.wait()
        seen["sink_stop_seconds"] = round(time.monotonic() - started, 1)
        server.start()
        workers.restart("sink")
        await asyncio.to_thread(wait_ready, workers, "sink", 90)
        await wait_until_drained(clock.monitor, FIRST + SECOND, check=workers.check, stall_timeout=120)
    return seen


@pytest.fixture(scope="module")
def outage(broker, postgres_session_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("db-outage")
    dsn = _fresh_database(postgres_session_server)
    settings = settings_for(broker, f"db{uuid.uuid4().hex[:6]}.", tmp, database_url=dsn)
    articles = workload.good_articles(FIRST + SECOND, seed=SEED, label="db-outage", max_chars=workload.SHORT)
    messages = workload.messages_of(articles)
    try:
        with running_pipeline(settings, tmp) as workers:
            wait_all_ready(workers)
            seen = asyncio.run(_outages(settings, workers, postgres_session_server,
                                        messages[:FIRST], messages[FIRST:]))
            workers.check()
    finally:
        if not postgres_session_server.is_running():
            postgres_session_server.start()
    yield dict(settings=settings, articles=articles, expected=workload.expected_events(articles), seen=seen,
               stored=sink_event_ids(settings), stored_articles=sink_articles(settings))
    admin = postgres_session_server.dsn.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dsn.rsplit("/", 1)[1]}" WITH (FORCE)')


def test_the_sink_reports_not_ready_while_the_database_is_down(outage):
    assert outage["seen"]["not_ready_during_outage"]


def test_the_sink_commits_no_offset_while_it_cannot_write(outage):
    before, after = outage["seen"]["committed_while_down"]
    assert after == before


def test_a_stopped_sink_hands_its_batch_back_and_exits_while_the_database_is_down(outage):
    # It cannot finish its batch, so it must leave it uncommitted (the final tally checks that
    # nothing was lost) and exit rather than wait for the database forever.
    assert isinstance(outage["seen"]["sink_exit_code"], int), outage["seen"]


def test_after_the_first_outage_the_sink_holds_every_meeting_of_the_first_articles(outage):
    expected_first = workload.expected_events(outage["articles"][:FIRST])
    assert outage["seen"]["rows_after_first_outage"] == len(expected_first)


def test_after_two_outages_the_sink_holds_every_meeting_exactly_once(outage):
    tally = Tally.of(outage["expected"], outage["stored"])
    print(f"\ndatabase outage figures: articles={len(outage['articles'])} expected={tally.expected} "
          f"rows={tally.stored_rows} lost={len(tally.lost)} doubled={len(tally.doubled)} seen={outage['seen']}")
    assert set(outage["stored_articles"]) == {a.article_id for a in outage["articles"]}
    assert tally.exact, tally.problems() + "; " + workload.explain(outage["articles"], tally)


# ---------------------------------------------------------------- the store on its own


def test_the_postgres_store_survives_concurrent_open_write_and_ping(postgres_database):
    """The sink opens its store on start, writes it from the agent and pings it from /readyz,
    concurrently on one event loop: after a restart with a backlog all three run at once."""
    event = {"event_id": "m-00000000000000c1", "article_id": "a-00000000000000c1", "kind": "meeting",
             "status": "occurred", "countries": ["FRA"], "orgs": []}

    async def run():
        store = PostgresStore(postgres_database)
        try:
            return await asyncio.gather(store.open(), store.write(Batch(events=[event], articles=[])),
                                        store.ping(), return_exceptions=True)
        finally:
            await store.close()

    results = asyncio.run(run())
    assert [r for r in results if isinstance(r, Exception)] == []
    with psycopg.connect(postgres_database) as conn:
        assert conn.execute("SELECT event_id FROM meetings").fetchall() == [("m-00000000000000c1",)]


def test_a_readiness_ping_does_not_leave_later_writes_uncommitted(postgres_database):
    """/readyz pings the store; a write after a ping must still be committed when it returns."""
    event = {"event_id": "m-00000000000000c2", "article_id": "a-00000000000000c2", "kind": "meeting",
             "status": "occurred", "countries": ["KEN"], "orgs": []}

    async def run():
        store = PostgresStore(postgres_database)
        await store.open()
        try:
            assert await store.ping()
            await store.write(Batch(events=[event], articles=[]))
            # Read from another connection while the store's is still open: committed or not?
            with psycopg.connect(postgres_database) as conn:
                return conn.execute("SELECT event_id FROM meetings").fetchall()
        finally:
            await store.close()

    assert asyncio.run(run()) == [("m-00000000000000c2",)]


def test_an_idle_sink_turns_not_ready_when_the_database_goes_away(postgres_server, tmp_path):
    """Readiness asks the database: a sink that wrote its last batch before the database went
    away (nothing left to fail on) must not keep answering ready."""
    from parley.config import Settings
    from parley.stages.sink import make_stage

    settings = Settings.from_env().with_(database_url=postgres_server.dsn,
                                         sqlite_path=str(tmp_path / "unused.db"))
    stage = make_stage(settings)

    async def run():
        await stage.on_start()
        try:
            up = await stage.checks["database"]()
            postgres_server.stop("fast")
            down = await stage.checks["database"]()
            postgres_server.start()
            back = await stage.checks["database"]()
            return up, down, back
        finally:
            await stage.on_stop()

    assert asyncio.run(run()) == (True, False, True)
