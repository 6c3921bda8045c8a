"""`StoryBook`: the stories of a stream of meeting events, and what each event changed.

    book = StoryBook()
    for event in events:              # events.meetings messages, in any order
        for change in book.add(event):
            publish(change.to_message())        # keyed by change.story_id
    state = book.to_dict()             # plain JSON; StoryBook.from_dict(state) continues

The state is one `Block` per partition key (parley.logic.stories.key): the reports of its
open stories. A stream processor keeps each block as the value of its key in a table; the
stories are recomputed from the block's reports (cluster.py), so they do not depend on the
order the reports arrived in. Stories whose retention window has passed are closed: a
`closed` change carries their final state and their reports leave the block.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from parley.logic.stories import when
from parley.logic.stories.cluster import Clusterer
from parley.logic.stories.key import partition_key
from parley.logic.stories.match import horizon
from parley.logic.stories.records import Report, Story, StoryChange
from parley.logic.stories.rules import MergeRules


class Block:
    """The open stories of one partition key."""

    def __init__(self, key: str, reports=(), rules: MergeRules | None = None):
        self.key = key
        self.rules = rules or MergeRules()
        self.reports: dict[str, Report] = {r.event_id: r for r in reports}
        self._clusterer: Clusterer | None = None
        self._stories: list[Story] | None = None

    @property
    def stories(self) -> list[Story]:
        if self._stories is None:
            if self._clusterer is None:
                self._clusterer = Clusterer.of(self.reports.values(), self.rules)
            self._stories = self._clusterer.stories(self.key)
        return self._stories

    def add(self, report: Report) -> list[StoryChange]:
        if self.reports.get(report.event_id) == report:
            return []  # a redelivered event: nothing changes
        before = self.stories
        replaced = report.event_id in self.reports
        self.reports[report.event_id] = report
        self._stories = None
        if not replaced and self._clusterer is not None and (self._clusterer.last is None
                                                             or report.order > self._clusterer.last):
            self._clusterer.place(report)   # after every report of the key: no need to start over
        else:
            self._clusterer = None
        return diff(before, self.stories)

    def close(self, today: date) -> list[StoryChange]:
        """Close the stories whose window (retention + lateness after their date, or after
        their latest report when undated) ended before `today`."""
        limit = timedelta(days=self.rules.retention_days + self.rules.lateness_days)
        closed = []
        for story in self.stories:
            start = horizon(story.date, story.reports)
            if start is not None and start + limit < today:
                closed.append(StoryChange("closed", story, previous_status=story.status))
        if closed:
            for change in closed:
                for r in change.story.reports:
                    del self.reports[r.event_id]
            self._stories = [s for s in self.stories if all(s is not c.story for c in closed)]
            self._clusterer = None  # rebuilt from the reports left, when next needed
        return closed

    def to_dict(self) -> dict:
        return {"key": self.key, "reports": [r.to_dict() for r in sorted(self.reports.values(), key=lambda r: r.order)]}

    @classmethod
    def from_dict(cls, data: dict, rules: MergeRules | None = None) -> "Block":
        return cls(data["key"], (Report.from_dict(r) for r in data["reports"]), rules)


def diff(before: list[Story], after: list[Story]) -> list[StoryChange]:
    """The changes that turn the stories `before` into `after` (one per story that changed).

    A story keeps its id while its first report stays first; a story whose id is gone was
    merged into the story that now holds most of its reports.
    """
    old = {s.story_id: s for s in before}
    new_ids = {s.story_id for s in after}
    holder = {r.event_id: s.story_id for s in after for r in s.reports}
    changes = []
    for story in after:
        prior = old.get(story.story_id)
        if prior is story:
            continue  # the same object: untouched by this report
        if prior is None:
            changes.append(StoryChange("new", story))
            continue
        changed = []
        ids, prior_ids = {r.event_id for r in story.reports}, {r.event_id for r in prior.reports}
        if ids != prior_ids or story.reports != prior.reports:
            changed.append("reports")
        if story.status != prior.status:
            changed.append("status")
        fields, prior_fields = story.fields(), prior.fields()
        changed += [name for name in fields if fields[name] != prior_fields[name]]
        if not changed:
            continue
        if "status" in changed:
            kind = "status_changed"
        elif ids > prior_ids:
            kind = "report_added"
        else:
            kind = "fields_changed"
        changes.append(StoryChange(kind, story, tuple(changed), previous_status=prior.status))
    for story in before:
        if story.story_id not in new_ids:
            into = Counter(holder[r.event_id] for r in story.reports if r.event_id in holder).most_common(1)
            changes.append(StoryChange("merged", story, ("reports",), merged_into=into[0][0] if into else None,
                                       previous_status=story.status))
    return changes


class StoryBook:
    """Every open story, by partition key; `add` one event, get what it changed."""

    def __init__(self, rules: MergeRules | None = None):
        self.rules = rules or MergeRules()
        self.blocks: dict[str, Block] = {}
        self.watermark: str | None = None   # the latest publication day seen

    def add(self, event: dict) -> list[StoryChange]:
        report = Report.from_event(event)
        key = partition_key(event)
        block = self.blocks.get(key)
        if block is None:
            block = self.blocks[key] = Block(key, rules=self.rules)
        changes = block.add(report)
        self._advance(report)
        if self.watermark:
            changes += block.close(when.day(self.watermark))
            if not block.reports:
                del self.blocks[key]
        return changes

    def close_expired(self, today: date | str | None = None) -> list[StoryChange]:
        """Close, in every block, the stories whose window ended before `today` (default:
        the watermark); what a stream processor's timer calls."""
        day = when.day(today) if isinstance(today, str) else today or when.day(self.watermark)
        if day is None:
            return []
        changes = []
        for key in sorted(self.blocks):
            changes += self.blocks[key].close(day)
            if not self.blocks[key].reports:
                del self.blocks[key]
        return changes

    def stories(self) -> list[Story]:
        """The open stories, by key then first report."""
        return [s for key in sorted(self.blocks) for s in self.blocks[key].stories]

    def _advance(self, report: Report) -> None:
        # A publication date after the detection time is a wrong date, not the present:
        # it must not close every story.
        day = report.day
        if day and report.detected_at and day > report.detected_at[:10]:
            day = report.detected_at[:10]
        if day and when.day(day) and (self.watermark is None or day > self.watermark):
            self.watermark = day

    def to_dict(self) -> dict:
        return {"watermark": self.watermark,
                "rules": {"retention_days": self.rules.retention_days, "lateness_days": self.rules.lateness_days},
                "blocks": [self.blocks[k].to_dict() for k in sorted(self.blocks)]}

    @classmethod
    def from_dict(cls, data: dict) -> "StoryBook":
        book = cls(MergeRules(**data.get("rules") or {}))
        book.watermark = data.get("watermark")
        for block in data.get("blocks") or []:
            book.blocks[block["key"]] = Block.from_dict(block, book.rules)
        return book
