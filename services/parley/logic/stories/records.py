"""The stories' records: one report of a meeting (`Report`, the part of an `events.meetings`
event that merging and the timeline need), a story built from reports (`Story`) and what a
new report did to the stories (`StoryChange`).

Every record turns into plain JSON (`to_dict`) and back (`from_dict`), so that a stream
processor can keep them in a keyed table with a changelog.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# What a change did to a story. The first four are the issue's; "merged" retires a story id
# whose reports now belong to another story (`merged_into`), "closed" says the story left the
# state (retention) and will not change again.
CHANGE_KINDS = ("new", "report_added", "status_changed", "fields_changed", "merged", "closed")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str | None
    country: str | None

    def to_dict(self) -> dict:
        return {"name": self.name, "role": self.role, "country": self.country}


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str | None
    precise: bool = False    # the event gave coordinates: a city or a site, not a whole country

    def to_dict(self) -> dict:
        return {"name": self.name, "country": self.country}


@dataclass(frozen=True, slots=True)
class Report:
    """One meeting event as merging sees it. `order` sorts reports by publication (reports
    without a publication date last), then a cancellation after the other reports published
    at the same time (an article telling a plan and its cancellation is read plan first),
    then by event id, so that every replay agrees."""

    event_id: str
    article_id: str
    file: str | None
    url: str | None
    outlet: str | None
    published: str | None        # ISO day or datetime as the event gave it
    detected_at: str | None
    status: str
    kind: str
    countries: tuple[str, ...]
    orgs: tuple[str, ...]
    people: tuple[Person, ...]
    place: Place | None
    date: str | None             # YYYY-MM-DD or YYYY-MM
    date_text: str | None
    evidence: str
    confidence: float

    @property
    def day(self) -> str | None:
        """The publication day (YYYY-MM-DD) or None."""
        return self.published[:10] if self.published else None

    @property
    def order(self) -> tuple:
        return (self.published is None, self.published or "", self.status == "cancelled", self.event_id)

    @classmethod
    def from_event(cls, event: dict) -> "Report":
        source = event.get("source") or {}
        location = event.get("location") or None
        when = event.get("date") or None
        countries = tuple(sorted(set(event.get("countries") or [])))
        people = sided(tuple(
            Person(p["name"], p.get("role"), p.get("country"))
            for p in event.get("participants") or [] if isinstance(p, dict) and p.get("name")), countries)
        evidence = event.get("evidence") or {}
        return cls(
            event_id=str(event["event_id"]),
            article_id=str(event.get("article_id") or ""),
            file=source.get("file"), url=source.get("url"), outlet=source.get("name"),
            published=event.get("published_at") or None,
            detected_at=event.get("detected_at"),
            status=event["status"], kind=event["kind"],
            countries=countries,
            orgs=tuple(sorted(set(event.get("orgs") or []))),
            people=people,
            place=(Place(location["name"], location.get("country"), location.get("lat") is not None)
                   if location and location.get("name") else None),
            date=(when or {}).get("value") or None,
            date_text=(when or {}).get("text") or None,
            evidence=str(evidence.get("text") or "") if isinstance(evidence, dict) else str(evidence),
            confidence=float(event.get("confidence") or 0.0),
        )

    def to_dict(self) -> dict:
        return {
            "event_id": self.event_id, "article_id": self.article_id, "file": self.file, "url": self.url,
            "outlet": self.outlet, "published": self.published, "detected_at": self.detected_at,
            "status": self.status, "kind": self.kind, "countries": list(self.countries), "orgs": list(self.orgs),
            "people": [[p.name, p.role, p.country] for p in self.people],
            "place": [self.place.name, self.place.country, self.place.precise] if self.place else None,
            "date": self.date, "date_text": self.date_text, "evidence": self.evidence,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Report":
        return cls(
            event_id=d["event_id"], article_id=d["article_id"], file=d.get("file"), url=d.get("url"),
            outlet=d.get("outlet"), published=d.get("published"), detected_at=d.get("detected_at"),
            status=d["status"], kind=d["kind"], countries=tuple(d["countries"]), orgs=tuple(d["orgs"]),
            people=tuple(Person(*p) for p in d.get("people") or []),
            place=Place(*d["place"]) if d.get("place") else None,
            date=d.get("date"), date_text=d.get("date_text"), evidence=d.get("evidence") or "",
            confidence=float(d.get("confidence") or 0.0),
        )

    def timeline_entry(self) -> dict:
        """The report as one line of its story's timeline."""
        return {
            "event_id": self.event_id, "article_id": self.article_id, "file": self.file, "url": self.url,
            "outlet": self.outlet, "published_at": self.published, "detected_at": self.detected_at,
            "status": self.status, "date": self.date, "evidence": self.evidence, "confidence": self.confidence,
        }


def sided(people: tuple[Person, ...], countries: tuple[str, ...]) -> tuple[Person, ...]:
    """People whose country the event does not give are on its one side no named person
    stands for, when there is exactly one ("Trump" beside Kim Jong Un of PRK in a PRK–USA
    meeting is on the USA side)."""
    if all(p.country for p in people):
        return people
    open_sides = set(countries) - {p.country for p in people if p.country}
    if len(open_sides) != 1:
        return people
    side = open_sides.pop()
    return tuple(p if p.country else Person(p.name, p.role, side) for p in people)


@dataclass(frozen=True, slots=True)
class Story:
    """One real-world meeting and the reports of it, oldest first."""

    story_id: str
    key: str
    kind: str
    countries: tuple[str, ...]
    orgs: tuple[str, ...]
    people: tuple[Person, ...]
    place: Place | None
    date: str | None
    date_text: str | None
    status: str
    confidence: float
    reports: tuple[Report, ...] = field(default=())

    @property
    def first_published(self) -> str | None:
        days = [r.published for r in self.reports if r.published]
        return min(days) if days else None

    @property
    def last_published(self) -> str | None:
        days = [r.published for r in self.reports if r.published]
        return max(days) if days else None

    def fields(self) -> dict:
        """Everything but the id and the reports: what `fields_changed` compares."""
        return {
            "kind": self.kind, "countries": list(self.countries), "orgs": list(self.orgs),
            "people": [p.to_dict() for p in self.people],
            "location": self.place.to_dict() if self.place else None,
            "date": {"value": self.date, "text": self.date_text} if self.date else None,
            "confidence": self.confidence,
        }

    def to_message(self, change: str, *, changed: tuple[str, ...] = (), merged_into: str | None = None) -> dict:
        """The `events.stories` message (schemas/events.stories.json)."""
        return {
            "schema_version": 1, "story_id": self.story_id, "change": change, "changed": list(changed),
            "merged_into": merged_into, "partition_key": self.key, "status": self.status, **self.fields(),
            "first_published": self.first_published, "last_published": self.last_published,
            "report_count": len(self.reports),
            "article_count": len({r.article_id for r in self.reports}),
            "timeline": [r.timeline_entry() for r in self.reports],
        }


@dataclass(frozen=True, slots=True)
class StoryChange:
    """What one added report (or a retention sweep) did to one story."""

    change: str                      # one of CHANGE_KINDS
    story: Story
    changed: tuple[str, ...] = ()    # for fields_changed and the others: which parts changed
    merged_into: str | None = None   # for merged: the story that now holds the reports
    previous_status: str | None = None  # the status before this change (None for a new story)

    @property
    def story_id(self) -> str:
        return self.story.story_id

    def to_message(self) -> dict:
        message = self.story.to_message(self.change, changed=self.changed, merged_into=self.merged_into)
        message["previous_status"] = self.previous_status
        return message
