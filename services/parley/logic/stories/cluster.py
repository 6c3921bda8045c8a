"""The stories of one partition key: reports taken in publication order, each joining the
story that fits it best or starting a new one.

The result depends only on the set of reports (they are sorted first), never on the order
they arrived in: this is what makes a replay, in any order, give the same stories. A report
that sorts after every report seen so far (the usual case: news arrives about in publication
order) is placed incrementally (`Clusterer.place`); one that sorts earlier makes the key's
stories be computed again from its reports.
"""
from __future__ import annotations

from parley.logic.stories import when
from parley.logic.stories.match import Draft, fit
from parley.logic.stories.records import Report, Story
from parley.logic.stories.rules import MergeRules
from parley.logic.stories.summary import build_story


class Clusterer:
    def __init__(self, rules: MergeRules):
        self.rules = rules
        self.drafts: list[Draft] = []
        self.last: tuple | None = None   # order of the latest report placed

    def place(self, report: Report) -> None:
        """Add a report that sorts after every report placed so far."""
        scored = [(score, -i) for i, d in enumerate(self.drafts) if (score := fit(report, d, self.rules)) is not None]
        if scored and not when.span(report.date):
            # an undated report that fits stories of several dates is not tied to one of them
            if len({self.drafts[-i].date for _, i in scored} - {None}) > 1:
                scored = []
        if scored:
            _, index = max(scored)
            self.drafts[-index].add(report)
        else:
            draft = Draft()
            draft.add(report)
            self.drafts.append(draft)
        self.last = report.order

    @classmethod
    def of(cls, reports, rules: MergeRules) -> "Clusterer":
        clusterer = cls(rules)
        for report in sorted(reports, key=lambda r: r.order):
            clusterer.place(report)
        return clusterer

    def stories(self, key: str) -> list[Story]:
        """One Story per draft; a draft that did not change keeps its Story object."""
        for d in self.drafts:
            if d.built is None:
                d.built = build_story(key, d.reports)
        return [d.built for d in self.drafts]


def cluster(reports, rules: MergeRules) -> list[list[Report]]:
    """Groups of reports, each group one story, in the order of their first reports."""
    return [d.reports for d in Clusterer.of(reports, rules).drafts]


def stories_of(key: str, reports, rules: MergeRules) -> list[Story]:
    return Clusterer.of(reports, rules).stories(key)
