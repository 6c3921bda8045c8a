"""The stories of a batch of events, as `parley process --stories` writes them: the same
StoryBook as the stream, fed in publication order, every story (open or closed) with its
reports, each the full event as published on events.meetings."""
from __future__ import annotations

from parley.logic.stories.book import StoryBook
from parley.logic.stories.records import Report, Story
from parley.logic.stories.rules import MergeRules


def build_stories(events: list[dict], rules: MergeRules | None = None) -> list[Story]:
    """Stories of `events` (any order: they are sorted by publication, then event id)."""
    book = StoryBook(rules)
    closed: list[Story] = []
    for event in sorted(events, key=lambda e: Report.from_event(e).order):
        closed += [c.story for c in book.add(event) if c.change == "closed"]
    stories = closed + book.stories()
    return sorted(stories, key=lambda s: (s.reports[0].order, s.story_id))


def story_records(events: list[dict], rules: MergeRules | None = None) -> list[dict]:
    """One JSON object per story: the `events.stories` message (change "new" is not
    meaningful here, so `change` is left out) plus `reports`, the full events."""
    by_id = {str(e["event_id"]): e for e in events}
    out = []
    for story in build_stories(events, rules):
        record = story.to_message("new")
        for name in ("change", "changed", "merged_into"):
            record.pop(name)
        record["reports"] = [by_id[r.event_id] for r in story.reports]
        out.append(record)
    return out
