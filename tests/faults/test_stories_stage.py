"""The stories stage on the real broker: the streamed stories equal the batch path's, whatever
the order the events arrive in, and a SIGKILL of the stories worker changes nothing (its
state is rebuilt from stories.reports; the sink holds each story once)."""
from __future__ import annotations

import asyncio
import random
import sqlite3
from itertools import product

import orjson
import pytest

from support.faults import Clock, produce_records, wait_all_ready
from support.harness import running_pipeline, settings_for
from support.stories_helpers import SUMMIT, event
from parley.logic.stories.batch import build_stories
from parley.progress import wait_until_drained

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(600)]


def scenario() -> list[dict]:
    """Several reports of a few meetings, and many one-report meetings around them."""
    summit = SUMMIT
    events = [
        event("plan-1", status="planned", published="2024-03-01", **summit),
        event("cancel-1", status="cancelled", published="2024-03-05", **summit),
        event("plan-2", status="planned", published="2024-03-08", **summit),
        event("held-1", status="occurred", published="2024-03-13", **summit),
        event("held-2", status="occurred", published="2024-03-14", outlet="Other Wire", **summit),
        # the same leaders a month later: another meeting
        event("april-1", published="2024-04-16", people=("Ana Lund", "Boris Kane"), place="Geneva",
              place_country="CHE", date="2024-04-15"),
        event("april-2", published="2024-04-17", people=("Ana Lund", "Boris Kane"), date="2024-04-15"),
        # a call reported three times
        *[event(f"call-{i}", kind="call", people=("Eva Stone", "Gus Park"), date="2024-03-10",
                published=f"2024-03-{10 + i:02d}") for i in range(3)],
    ]
    # one-report meetings of other pairs on other days, for volume
    pairs = [("Carl Moss", "Hana Ito"), ("Finn Hale", "Dana Roe"), ("Ivo Dahl", "Hana Ito"), ("Finn Hale", "Carl Moss")]
    for n, ((a, b), day) in enumerate(product(pairs, range(1, 29, 3))):
        events.append(event(f"single-{n}", people=(a, b), date=f"2024-03-{day:02d}", published=f"2024-03-{day + 1:02d}"))
    return events


def expected(events: list[dict]) -> set[tuple[str, tuple[str, ...]]]:
    return {(s.story_id, tuple(sorted(r.event_id for r in s.reports))) for s in build_stories(events)}


def stored(db) -> tuple[set[tuple[str, tuple[str, ...]]], list[str]]:
    """(story id and its events for every story not merged away, every story_reports event id)."""
    with sqlite3.connect(db, timeout=30) as conn:
        payloads = [orjson.loads(r[0]) for r in conn.execute("SELECT payload FROM stories")]
        linked = [r[0] for r in conn.execute("SELECT event_id FROM story_reports")]
    stories = {(p["story_id"], tuple(sorted(t["event_id"] for t in p["timeline"])))
               for p in payloads if p["change"] != "merged"}
    return stories, linked


def _records(events: list[dict]) -> list[tuple[str, bytes, bytes]]:
    return [("events.meetings", e["article_id"].encode(), orjson.dumps(e)) for e in events]


@pytest.mark.parametrize("seed", [1, 2])
def test_streamed_stories_equal_the_batch_stories_in_any_arrival_order(broker, topic_prefix, tmp_path, seed):
    events = scenario()
    random.Random(seed).shuffle(events)
    settings = settings_for(broker, topic_prefix, tmp_path)
    with running_pipeline(settings, tmp_path, names=("stories", "sink")) as workers:
        wait_all_ready(workers)

        async def feed():
            async with Clock(settings) as clock:
                await produce_records(settings, _records(events))
                await wait_until_drained(clock.monitor, 0, check=workers.check, stall_timeout=90)

        asyncio.run(feed())
        stories, linked = stored(tmp_path / "parley.db")
    assert stories == expected(events)
    assert sorted(linked) == sorted(e["event_id"] for e in events)  # every report in one story, once
    assert any(len(ids) == 5 for _sid, ids in stories)  # the summit: planned, cancelled, planned, held x2


def test_a_sigkilled_stories_worker_rebuilds_its_state_and_the_stories_stay_the_same(broker, topic_prefix, tmp_path):
    events = scenario()
    random.Random(3).shuffle(events)
    half = len(events) // 2
    settings = settings_for(broker, topic_prefix, tmp_path)
    with running_pipeline(settings, tmp_path, names=("stories", "sink")) as workers:
        wait_all_ready(workers)

        async def feed():
            async with Clock(settings) as clock:
                await produce_records(settings, _records(events[:half]))
                await wait_until_drained(clock.monitor, 0, check=workers.check, stall_timeout=90)
                workers.kill("stories")  # SIGKILL, state in memory gone
                await produce_records(settings, _records(events[half:]))
                workers.restart("stories")
                wait_all_ready(workers)
                await wait_until_drained(clock.monitor, 0, check=workers.check, stall_timeout=90)

        asyncio.run(feed())
        log = workers.get("stories").log_tail(50)
        stories, linked = stored(tmp_path / "parley.db")
    assert "rebuilt the state" in log, log
    assert stories == expected(events)
    assert sorted(linked) == sorted(e["event_id"] for e in events)
