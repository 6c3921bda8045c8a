"""May a report join a story? The rules of docs/stories.md, one function each.

`fit(report, draft, rules)` answers None (no) or a score (higher = a better story for it).
A `Draft` is a story being built: its reports so far, oldest first, and what they agree on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from parley.logic.stories import when
from parley.logic.stories.continuity import continues
from parley.logic.stories.people import conflict, fold, shared, union
from parley.logic.stories.records import Person, Place, Report
from parley.logic.stories.rules import FORWARD, TIED_BY_PEOPLE, MergeRules
from parley.logic.stories.summary import current_status, story_date


@dataclass
class Draft:
    reports: list[Report] = field(default_factory=list)
    date: str | None = None
    people: tuple[Person, ...] = ()
    places: tuple[Place, ...] = ()
    status: str = ""
    articles: frozenset = frozenset()
    built: object = None   # the Story of these reports, once asked for (cluster.py)
    horizon: object = None  # see horizon()

    def add(self, report: Report) -> None:
        self.built = None
        self.reports.append(report)
        self.date = story_date(self.reports)[0]
        self.horizon = horizon(self.date, self.reports)
        self.people = union([self.people, report.people])
        if report.place and all(not same_place_name(report.place, p) for p in self.places):
            self.places = self.places + (report.place,)
        self.status = current_status(self.reports)
        self.articles = self.articles | {report.article_id}


def horizon(value: str | None, reports):
    """The day a story's retention window starts from: the end of its date or its latest
    report's publication day, whichever is later (a story stays open while it is reported)."""
    days = [when.day(r.published) for r in reports if r.published]
    span = when.span(value)
    days = [d for d in days if d] + ([span[1]] if span else [])
    return max(days) if days else None


def same_place_name(a: Place, b: Place) -> bool:
    """One name within the other, folded ("New York" ~ "New York City")."""
    fa, fb = " ".join(fold(a.name)), " ".join(fold(b.name))
    return bool(fa) and bool(fb) and (fa in fb or fb in fa)


def place_compatible(a: Place, b: Place) -> bool:
    """The same place, or two places of one country (a city within a stated country)."""
    return same_place_name(a, b) or (a.country is not None and a.country == b.country)


def same_article_ok(report: Report, other: Report) -> bool:
    """Two reports of one article are two meetings (the detector merged its own repeats),
    except a plan and its cancellation, both dated, told in the same article."""
    return (report.status != other.status and "cancelled" in (report.status, other.status)
            and bool(report.date) and bool(other.date))


def within_retention(report: Report, draft: Draft, rules: MergeRules) -> bool:
    start, published = draft.horizon, when.day(report.published)
    return start is None or published is None or published <= start + timedelta(days=rules.retention_days)


def timing_ok(undated: Report, value: str) -> bool:
    """An undated report and a dated story: a report of a held meeting comes after it, a
    plan or proposal before it (a cancellation may come either side)."""
    span, published = when.span(value), when.day(undated.published)
    if span is None or published is None:
        return True
    if undated.status == "occurred":
        return span[0] <= published
    if undated.status in FORWARD:
        return span[1] >= published
    return True


def tie(undated: Report, others: list[Report], places: tuple[Place, ...]) -> bool:
    """What ties an undated report to a story: a named person in common (for a held,
    planned or cancelled meeting; an open offer needs more), or the same place name."""
    if undated.place and any(same_place_name(undated.place, p) for p in places):
        return True
    if undated.status in TIED_BY_PEOPLE or still_in_prospect(undated):
        return any(shared(undated.people, o.people) for o in others)
    return False


def still_in_prospect(report: Report) -> bool:
    """An undated plan or offer told as the meeting still ahead ("Kim still wants to meet
    Trump", "the summit is back on"): the pending meeting of its people, not a new one."""
    return not report.date and report.status in FORWARD and continues(report.evidence)


def dates_fit(report: Report, draft: Draft) -> int | None:
    """2: the same date, 1: a month containing the day, or a tied undated report; None: no."""
    mine, theirs = report.date if when.span(report.date) else None, draft.date
    if mine and theirs:
        if when.compatible(mine, theirs):
            return 2 if mine == theirs else 1
        span, story = when.span(mine), when.span(theirs)
        published = when.day(report.published)
        # a cancellation dated when it was announced, before the meeting it cancels
        if report.status == "cancelled" and span[1] < story[0] and (published is None or span[0] <= published):
            return 1
        return None
    if not mine and not theirs:
        return 0 if tie(report, draft.reports, draft.places) else None
    if not mine:
        if not tie(report, draft.reports, draft.places) or not timing_ok(report, theirs):
            return None
        return 0
    # a dated report and a story none of whose reports has a date
    tied = [r for r in draft.reports if tie(r, [report], (report.place,) if report.place else ())]
    if not tied or not all(timing_ok(r, mine) for r in draft.reports):
        return None
    return 0


def fit(report: Report, draft: Draft, rules: MergeRules) -> int | None:
    # the cheap tests first: this runs for every open story of the key
    if report.kind != draft.reports[0].kind or not within_retention(report, draft, rules):
        return None
    # a plan (or a report of the meeting) after a cancellation is the same meeting only on
    # the same date; otherwise it is the rescheduled or substitute one, a story of its own —
    # unless it says the called-off meeting is still in prospect (and its date still ahead)
    if draft.status == "cancelled" and report.status != "cancelled":
        if not (report.date and draft.date and when.compatible(report.date, draft.date)) \
                and not (draft.date and still_in_prospect(report)):
            return None
    score = dates_fit(report, draft)
    if score is None:
        return None
    if report.place and not all(place_compatible(report.place, p) for p in draft.places):
        return None
    if report.article_id in draft.articles and not all(
            same_article_ok(report, r) for r in draft.reports if r.article_id == report.article_id):
        return None
    if conflict(report.people, draft.people):
        return None
    # a better date first, then the same place name, then the people in common, then the
    # same current status (a cancellation goes with the cancelled trip, not its rescheduling)
    return (score * 100 + 10 * int(bool(report.place) and any(same_place_name(report.place, p) for p in draft.places))
            + 2 * min(shared(report.people, draft.people), 4) + int(report.status == draft.status))
