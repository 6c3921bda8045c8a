"""A story's fields from its reports: date and place (the most precise reported), people,
current status, confidence and id."""
from __future__ import annotations

import hashlib
from collections import Counter

from parley.logic.stories import when
from parley.logic.stories.people import fold, union
from parley.logic.stories.records import Place, Report, Story
from parley.logic.stories.rules import STATUS_PRIORITY


def story_id(key: str, first: Report) -> str:
    """`s-` + 16 hex of the key and the story's first report (by publication, then event id).

    A function of the story's reports, not of the order they arrived in; it changes only
    when a report published before all the others arrives late, or two stories merge (the
    retired id is announced with a `merged` change)."""
    return "s-" + hashlib.sha256(f"{key}|{first.event_id}".encode()).hexdigest()[:16]


def current_status(reports: tuple[Report, ...] | list[Report]) -> str:
    """`occurred` once any report says it took place; else the status of the latest
    published report (ties: STATUS_PRIORITY), so a later cancellation cancels a plan and a
    later plan reinstates a cancelled meeting."""
    if any(r.status == "occurred" for r in reports):
        return "occurred"
    latest = max(r.published or "" for r in reports)
    found = {r.status for r in reports if (r.published or "") == latest}
    return min(found, key=lambda s: STATUS_PRIORITY.index(s) if s in STATUS_PRIORITY else len(STATUS_PRIORITY))


def story_date(reports) -> tuple[str | None, str | None]:
    """The most precise date reported (a day before a month), leaving out cancellations
    dated when they were announced unless nothing else has a date; ties: the value most
    reports give, then the latest report's."""
    dated = [r for r in reports if r.date and when.span(r.date)]
    kept = [r for r in dated if r.status != "cancelled"] or dated
    if not kept:
        return None, None
    counts = Counter(r.date for r in kept)
    best = max(kept, key=lambda r: (when.precision(r.date), counts[r.date], r.order))
    return best.date, best.date_text


def story_place(reports) -> Place | None:
    """A city (a place with coordinates) before a country; then the name most reports give."""
    placed = [r for r in reports if r.place]
    if not placed:
        return None
    counts = Counter(fold(r.place.name) for r in placed)
    best = max(placed, key=lambda r: (r.place.precise, counts[fold(r.place.name)], r.order))
    return best.place


def confidence(reports) -> float:
    """Noisy-or over articles (the best report of each): independent articles that report
    the meeting each make it likelier."""
    best: dict[str, float] = {}
    for r in reports:
        best[r.article_id] = max(best.get(r.article_id, 0.0), r.confidence)
    miss = 1.0
    for c in best.values():
        miss *= 1.0 - min(max(c, 0.0), 1.0)
    return round(1.0 - miss, 3)


def build_story(key: str, reports: list[Report]) -> Story:
    reports = sorted(reports, key=lambda r: r.order)
    value, text = story_date(reports)
    return Story(
        story_id=story_id(key, reports[0]),
        key=key,
        kind=reports[0].kind,
        countries=tuple(sorted({c for r in reports for c in r.countries})),
        orgs=tuple(sorted({o for r in reports for o in r.orgs})),
        people=union(r.people for r in reports),
        place=story_place(reports),
        date=value,
        date_text=text,
        status=current_status(reports),
        confidence=confidence(reports),
        reports=tuple(reports),
    )
