"""The tagger's records: spans of known phrases, people named in an article, name candidates."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Span:
    start: int
    end: int
    kind: str            # country | capital | role | hon | org | group | topic | place
    entries: tuple       # gazetteer entries of this kind for the span
    used: bool = False


class Spans(list):
    """Non-overlapping spans in text order, with their ends for bisection, and masks of the
    text (1 per character) under spans that are no place (`blocked`) and under places (`placed`)."""

    def __init__(self, items, blocked: bytearray, placed: bytearray):
        super().__init__(items)
        self.ends = [s.end for s in items]
        self.blocked = blocked
        self.placed = placed


@dataclass(slots=True, eq=False)
class Found:
    """A person named in the article (for linking later mentions)."""
    id: str
    name: str
    role: str | None
    country: str | None
    org: str | None
    keys: frozenset = frozenset()      # folded surnames/name tokens
    firsts: frozenset = frozenset()    # folded given names (and initials)
    # the person whose side this one shares, named right before the title ("Putin's spokesman
    # X"): settled once the whole article is tagged (that person may get a side later)
    follows: "Found | None" = None


@dataclass
class Article:
    date: str | None
    headline: bool = False      # tagging the title: Title Case makes every word look like a name
    home: str | None = None     # the country of the dateline: a weak prior for state offices
    body: bool = False          # tagging the body (not the title, captions or dateline)
    # (offset, country, weak) of each person introduced in the body by a bare state title
    # ("President X", no country word) whose side the text does not give: see perspective.py
    bare_titles: list = field(default_factory=list)
    # (person, offset of the possessor's name end) for "X's spokesman Y" where X is resolved later
    pending_follow: list = field(default_factory=list)
    people: list[Found] = field(default_factory=list)
    by_id: dict = field(default_factory=dict)
    # folded surname/name token -> people named so far with it, in order: later mentions by
    # surname look up here instead of scanning every person
    by_key: dict = field(default_factory=dict)
    # family name written first ("Zhang" of "Zhang Lei") -> people named so far with it
    by_family: dict = field(default_factory=dict)
    # first letter -> (person, surname/name token) named so far, in order: a misspelt surname
    # is compared with the tokens of its initial only (_closest_surname)
    by_initial: dict = field(default_factory=dict)
    # end offset -> person, of the person mentions of the text being tagged
    person_ends: dict = field(default_factory=dict)
    ends_of: dict = field(default_factory=dict)      # person id -> end offsets of their mentions (same text)
    # (surname, number of people named so far) -> _link's fuzzy answer; a repeated surname
    # ("Lavrov ... Lavrov") is compared with everybody once
    link_memo: dict = field(default_factory=dict)


@dataclass(slots=True)
class Name:
    """A group of name tokens in a capitalised run, with what the gazetteer alone says about
    it. Kept in the run cache with the run, so an article starts from the answers instead of
    folding and looking up every window again; offsets are relative to the run."""
    start: int
    end: int
    tokens: tuple           # ((start, end, surface), ...)
    key: str                # folded name: "sergei lavrov"
    key_tokens: tuple       # ("sergei", "lavrov")
    surface: str            # "Sergei Lavrov" (the name of a new person)
    new_id: str             # "x:sergei-lavrov" (the id of a new person)
    given: bool             # the first word is a known given name
    never_surname: bool     # one word that cannot be a surname ("ISIS"; see _never_a_surname)
    # several words: the known people in it, longest windows first, left to right, as
    # (token index, window size, gazetteer choices, fuzzy?) - see _window_people ...
    known: tuple = ()
    # ... and the Names of the words between them
    rest: tuple = ()


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    base: int               # where its run starts (the Name's offsets are relative to it)
    name: Name
    context: dict | None    # role/country/org/hon from the text around it (computed on demand)
    # "Minister of Health and Medical Services": capitalised words after a lower-case
    # connector continue a title or an institution's name, not a person's
    after_connector: bool = False
    in_place: bool = False  # the whole candidate is a known place

