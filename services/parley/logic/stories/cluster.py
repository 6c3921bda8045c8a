"""The stories of one partition key: reports taken in publication order, each joining the
story that fits it best or starting a new one.

The result depends only on the set of reports (they are sorted first), never on the order
they arrived in: this is what makes a replay, in any order, give the same stories.
"""
from __future__ import annotations

from parley.logic.stories import when
from parley.logic.stories.match import Draft, fit
from parley.logic.stories.records import Report, Story
from parley.logic.stories.rules import MergeRules
from parley.logic.stories.summary import build_story


def cluster(reports, rules: MergeRules) -> list[list[Report]]:
    """Groups of reports, each group one story, in the order of their first reports."""
    drafts: list[Draft] = []
    for report in sorted(reports, key=lambda r: r.order):
        scored = [(score, -i) for i, d in enumerate(drafts) if (score := fit(report, d, rules)) is not None]
        undated = not when.span(report.date)
        if scored and undated:
            # an undated report that fits stories of several dates is not tied to one of them
            dates = {drafts[-i].date for _, i in scored} - {None}
            if len(dates) > 1:
                scored = []
        if scored:
            _, index = max(scored)
            drafts[-index].add(report)
        else:
            draft = Draft()
            draft.add(report)
            drafts.append(draft)
    return [d.reports for d in drafts]


def stories_of(key: str, reports, rules: MergeRules) -> list[Story]:
    return [build_story(key, group) for group in cluster(reports, rules)]
