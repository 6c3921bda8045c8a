"""The detector's records: one side's representative (Party), a trigger found in a sentence
(Hit), a report of a meeting before merging (Candidate) and what the article walk remembers of
the sentences read so far (Context).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from parley.logic.detect.grammar import Sentence
from parley.logic.detect.vocabulary import Trigger


@dataclass(slots=True)
class Party:
    """One side's representative as written in the text (a person, an official, a country...)."""
    name: str | None
    role: str | None
    country: str | None
    org: str | None
    countries: frozenset
    orgs: frozenset
    start: int = -1
    end: int = -1
    kind: str = "person"   # person | role | country | org | group
    label: str | None = None  # the mention's canonical name (country or place name)
    mention: dict | None = field(default=None, repr=False)
    sides: frozenset = field(init=False, repr=False)   # countries | orgs

    def record(self) -> dict:
        return {"name": self.name, "role": self.role, "country": self.country, "org": self.org}

    def __post_init__(self):
        # countries and orgs are never changed after construction
        self.sides = self.countries | self.orgs


@dataclass(slots=True)
class Candidate:
    kind: str
    status: str
    parties: list
    countries: frozenset
    orgs: frozenset
    location: dict | None
    date_text: str | None
    date_value: str | None
    evidence: dict
    field: str
    strength: int         # 2 verb trigger, 1 noun trigger, 0 weak noun
    features: dict = field(default_factory=dict)
    order: int = 0

    @property
    def key(self) -> tuple:
        return (self.countries, self.orgs)


@dataclass
class Context:
    published: object
    recent: list = field(default_factory=list)        # parties in reading order
    last_event_parties: list = field(default_factory=list)
    last_group: Party | None = None
    location: dict | None = None                      # where the main actor currently is
    location_status_future: bool | None = None
    speaker: Party | None = None
    speech: list = field(default_factory=list)        # (text, sentence, parties) with a speech verb, unread
    national: dict = field(default_factory=dict)      # national body code -> country
    first_hit: int = 0                                # start of the sentence's first trigger
    last_candidates: list = field(default_factory=list)
    countries_seen: list = field(default_factory=list)  # country mentions in reading order
    names: dict = field(default_factory=dict)         # person id -> canonical name
    counts: dict = field(default_factory=dict)        # person name -> mentions so far
    people: dict = field(default_factory=dict)        # person name -> Party
    subjects: list = field(default_factory=list)      # subject persons of detected meetings
    prev_sentence: Sentence | None = None             # the sentence read before this one
    prev_names: frozenset = frozenset()               # the people named in it
    inferred: dict = field(default_factory=dict)      # person name -> country told by context


@dataclass
class Hit:
    trig: Trigger
    start: int
    end: int


def sides(parties) -> frozenset:
    return frozenset().union(*(p.sides for p in parties)) if parties else frozenset()
