"""The stories stage's timer closes stories whose window has passed in keys no report touches
any more, so their reports leave memory (without Kafka: the stage's own functions)."""
from __future__ import annotations

import orjson

from support.stories_helpers import event
from parley.config import Settings
from parley.stages import stories
from parley.topics import STORIES, STORY_REPORTS


def test_the_tick_closes_old_stories_of_untouched_keys_and_only_those():
    stage = stories.make_stage(Settings(story_retention_days=10))
    old = event("old", people=("Ana Lund", "Boris Kane"), date="2024-01-10", published="2024-01-11")
    recent = event("recent", people=("Eva Stone", "Gus Park"), date="2024-03-01", published="2024-03-02")
    assert stage.tick() == []  # nothing yet
    for e in (old, recent):
        out = stage.process(STORY_REPORTS, None, orjson.dumps(e))
        assert [o.topic for o in out] == [STORIES]
    closed = [orjson.loads(o.value) for o in stage.tick()]
    # the old story's window (10 + 7 days after 2024-01-10) ended before the latest day seen
    assert [(c["change"], c["timeline"][0]["event_id"]) for c in closed] == [("closed", old["event_id"])]
    assert stage.tick() == []  # closed once; the recent story stays open
