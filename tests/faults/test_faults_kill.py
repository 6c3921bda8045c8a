"""kill -9 of every worker, at seeded random points, while 2,000 articles stream through.

Each worker is killed when it has done a seeded random fraction of its own work, restarted,
and must rejoin; the sink (PostgreSQL) must end with exactly one row per expected meeting
event: none lost (offsets are committed only after the output is acknowledged and the batch
written), none doubled (replayed messages are upserted by event_id).
"""
from __future__ import annotations

import asyncio
import random
import time

import pytest

from support import workload
from support.faults import Clock, Tally, publish_in_chunks, read_topic, sink_articles, sink_event_ids, wait_all_ready, wait_ready
from support.harness import running_pipeline, settings_for
from parley.progress import wait_until_drained

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(900)]

ARTICLES = 2000
SEED = 20261129
ROUNDS = 1  # every worker is killed this many times
WORKERS = ("cleaner", "tagger", "detector", "sink")


def kill_plan(rng: random.Random) -> list[tuple[str, float]]:
    """(worker, fraction of its own work done when it is killed), in kill order."""
    plan = []
    for round_ in range(ROUNDS):
        names = list(WORKERS)
        rng.shuffle(names)
        low, high = 0.05 + 0.4 * round_ / ROUNDS, 0.05 + 0.8 * (round_ + 1) / ROUNDS
        fractions = sorted(rng.uniform(low, high) for _ in names)
        plan += list(zip(names, fractions))
    return plan


async def feed(settings, messages, kills_done: asyncio.Event) -> None:
    """Stream the articles as a live feed; the last tenth waits until every kill is done, so
    that no worker can have finished its work when it is killed."""
    held = len(messages) - len(messages) // 10
    # ~35 s of feed: every stage is still busy with it when its turn to be killed comes.
    await publish_in_chunks(settings, messages[:held], chunk=40, pause=0.75)
    await kills_done.wait()
    await publish_in_chunks(settings, messages[held:], chunk=40, pause=0.1)


async def stream_and_kill(settings, workers, messages, expected_events: int, plan) -> list[dict]:
    # The work each stage has to do: its input messages.
    work = {"cleaner": len(messages), "tagger": len(messages), "detector": len(messages),
            "sink": len(messages) + expected_events}
    kills = []
    kills_done = asyncio.Event()
    async with Clock(settings) as clock:
        feeding = asyncio.create_task(feed(settings, messages, kills_done))
        try:
            for name, fraction in plan:
                target = int(work[name] * fraction)
                done = await clock.wait_committed(name, target, timeout=180, check=workers.check)
                started = time.monotonic()
                await asyncio.to_thread(workers.kill, name)  # SIGKILL: no commit, no flush, no goodbye
                workers.restart(name)
                await asyncio.to_thread(wait_ready, workers, name, 120)
                kills.append({"worker": name, "at": done, "of": work[name],
                              "back_in_s": round(time.monotonic() - started, 1)})
            kills_done.set()
            await feeding
        finally:
            if not feeding.done():
                feeding.cancel()
        await wait_until_drained(clock.monitor, len(messages), check=workers.check, stall_timeout=120)
    return kills


def test_kill_9_of_every_worker_mid_stream_loses_and_doubles_no_meeting(
        broker, postgres_database, topic_prefix, tmp_path, record_property):
    settings = settings_for(broker, topic_prefix, tmp_path, database_url=postgres_database)
    articles = workload.good_articles(ARTICLES, seed=SEED, label="kill", max_chars=workload.SHORT)
    workload.check_expectations(articles)
    expected = workload.expected_events(articles)
    plan = kill_plan(random.Random(SEED))
    started = time.monotonic()
    with running_pipeline(settings, tmp_path) as workers:
        wait_all_ready(workers)
        kills = asyncio.run(stream_and_kill(settings, workers, workload.messages_of(articles), len(expected), plan))
        workers.check()
    stored = sink_event_ids(settings)
    tally = Tally.of(expected, stored)
    replayed = len(asyncio.run(read_topic(settings, "events.meetings"))) - len(expected)
    figures = {"articles": ARTICLES, "expected_events": len(expected), "kills": len(kills),
               "rows": tally.stored_rows, "lost": len(tally.lost), "doubled": len(tally.doubled),
               "unexpected": len(tally.unexpected), "events_replayed_on_topic": replayed,
               "seconds": round(time.monotonic() - started, 1), "kill_log": kills}
    record_property("figures", figures)
    print(f"\nkill -9 figures: {figures}")
    assert len(kills) == len(WORKERS) * ROUNDS
    assert all(k["at"] < k["of"] for k in kills), f"a worker was killed after it had finished: {kills}"
    assert set(sink_articles(settings)) == {a.article_id for a in articles}
    assert tally.exact, tally.problems() + "; " + workload.explain(articles, tally)
