"""The compiled gazetteer: lookup tables plus one Aho-Corasick automaton over all phrases."""
from __future__ import annotations

from dataclasses import dataclass, field

import ahocorasick

from .normalise import fold, norm_text, skeleton

# Case rules for a phrase hit, checked against the original text
ANY_CASE, CAPITALISED, ACRONYM = 0, 1, 2
# The automaton stores one rule per phrase so that scan() checks most hits with one test:
# the entries' common rule, or MIXED when each entry needs its own check
MIXED = 3


def phrase_rule(entries) -> int:
    """The rule scan() applies to a phrase's hit: ANY_CASE or CAPITALISED when all its entries
    share it, ACRONYM for a lone acronym entry (its surface is checked), else MIXED."""
    rules = {e[2] for e in entries}
    if len(rules) == 1 and (len(entries) == 1 or ACRONYM not in rules):
        return rules.pop()
    return MIXED


@dataclass(slots=True)
class Person:
    id: str
    name: str
    country: str | None
    aliases: list[str] = field(default_factory=list)
    # (role, country, org, start, end); dates ISO strings or "" for open
    roles: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def __reduce__(self):   # plain constructor call: unpickles several times faster than slot state
        return (Person, (self.id, self.name, self.country, self.aliases, self.roles))

    def role_at(self, date: str | None) -> tuple[str, str, str] | None:
        """(role, country, org) held on `date` (latest-starting one); latest role when no date."""
        labelled = [r for r in self.roles if r[0]]
        if not labelled:
            return None
        if not date:
            return max(labelled, key=lambda r: r[3] or "0000")[:3]
        day = date[:10]
        valid = [r for r in labelled if (not r[3] or r[3] <= day) and (not r[4] or day <= r[4])]
        if not valid:
            return None
        return max(valid, key=lambda r: (r[3] or "0000", _ROLE_RANK.get(r[0], 0)))[:3]

    def active_at(self, date: str | None) -> bool:
        if not date:
            return True
        day = date[:10]
        return any((not r[3] or r[3] <= day) and (not r[4] or day <= r[4]) for r in self.roles)


# When two roles start the same day, the more senior one names the person
_ROLE_RANK = {"president": 9, "prime minister": 8, "king": 8, "queen": 8, "chancellor": 8,
              "foreign minister": 7, "secretary of state": 7, "secretary general": 7}


@dataclass(slots=True)
class Place:
    id: str
    name: str
    country: str
    lat: float
    lon: float
    population: int
    feature: str

    def __reduce__(self):
        return (Place, (self.id, self.name, self.country, self.lat, self.lon, self.population, self.feature))


_F, _L, _R = "\x1f", "\x1e", "\x1d"   # field, list item, role-field separators


class PersonTable:
    """People stored as one string each (fast to unpickle), decoded to Person on access."""

    def __init__(self, people: list[Person] = ()):
        self._rows = [_encode_person(p) for p in people]
        self._cache: dict[int, Person] = {}

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, i: int) -> Person:
        p = self._cache.get(i)
        if p is None:
            p = self._cache[i] = _decode_person(self._rows[i])
        return p

    def __iter__(self):
        return (self[i] for i in range(len(self._rows)))

    def __getstate__(self):
        return self._rows

    def __setstate__(self, rows):
        self._rows, self._cache = rows, {}


def _encode_person(p: Person) -> str:
    roles = _L.join(_R.join(r) for r in p.roles)
    return _F.join((p.id, p.name, p.country or "", _L.join(p.aliases), roles))


def _decode_person(row: str) -> Person:
    pid, name, country, aliases, roles = row.split(_F)
    return Person(pid, name, country or None, aliases.split(_L) if aliases else [],
                  [tuple(r.split(_R)) for r in roles.split(_L)] if roles else [])


class PlaceTable:
    """Places as tuples (fast to unpickle), Place objects on access."""

    def __init__(self, places: list[Place] = ()):
        self._rows = [(p.id, p.name, p.country, p.lat, p.lon, p.population, p.feature) for p in places]

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, i: int) -> Place:
        return Place(*self._rows[i])

    def __getstate__(self):
        return self._rows

    def __setstate__(self, rows):
        self._rows = rows


@dataclass(slots=True)
class Group:
    code: str
    name: str
    members: list[str]
    start: str
    end: str


@dataclass
class Gazetteer:
    countries: dict[str, str] = field(default_factory=dict)          # ISO3 -> common name
    capitals: dict[str, str] = field(default_factory=dict)           # folded capital -> ISO3
    people: PersonTable | list[Person] = field(default_factory=list)
    person_by_id: dict[str, int] = field(default_factory=dict)
    alias_index: dict[str, list[int]] = field(default_factory=dict)  # folded full name -> people
    surname_index: dict[str, list[int]] = field(default_factory=dict)
    skeleton_index: dict[str, list[str]] = field(default_factory=dict)  # skeleton -> surnames
    given_names: set[str] = field(default_factory=set)
    places: PlaceTable | list[Place] = field(default_factory=list)
    orgs: dict[str, tuple[str, str | None]] = field(default_factory=dict)   # code -> (name, country)
    groups: dict[str, list[Group]] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    nonname: set[str] = field(default_factory=set)                   # folded words
    gov_verbs: set[str] = field(default_factory=set)
    # folded family names written before the given name ("Zhang Lei", "Sato Kenji"): a later
    # mention by that first word is the same person
    family_first: frozenset[str] = field(default_factory=frozenset)
    # roles (as normalised) that are offices of a state (roles.tsv scope "national")
    national_roles: frozenset[str] = field(default_factory=frozenset)
    # folded title -> the one state that has it (roles.tsv scope an ISO3 code)
    title_country: dict[str, str] = field(default_factory=dict)
    # roles whose holders the text names by title and given name ("Queen Solveig", "King
    # Tamo"; roles.tsv scope "regnal"), and the people of each first name word
    regnal_roles: frozenset[str] = field(default_factory=frozenset)
    given_index: dict[str, list[int]] = field(default_factory=dict)
    female_honorifics: frozenset[str] = field(default_factory=frozenset)     # roles.tsv scope "female"
    nonperson: set[str] = field(default_factory=set)                 # "Hospital", "Operation" (as written)
    automaton: ahocorasick.Automaton | None = None
    sources: list[str] = field(default_factory=list)
    # per-process memos of the tagger (results that depend on the gazetteer only: fuzzy name
    # lookups, the Names of capitalised runs, people of a lone surname); bounded by the
    # tagger, empty when pickled
    fuzzy_cache: dict = field(default_factory=dict, repr=False, compare=False)
    name_cache: dict = field(default_factory=dict, repr=False, compare=False)
    surname_cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self):
        state = dict(self.__dict__)
        for name in ("fuzzy_cache", "name_cache", "surname_cache"):
            state[name] = {}
        return state

    # ------------------------------------------------------------ lookups

    def scan(self, text: str) -> list[tuple[int, int, tuple]]:
        """(start, end, entries) for every phrase hit on word boundaries, in text order of ends.

        entries: tuple of (kind, ref, case_rule, surface); the case rule is checked here, so
        only entries whose capitalisation fits the original text are returned.
        """
        padded = " " + norm_text(text) + " "
        out = []
        append = out.append      # one lookup, not one per hit
        for end_idx, (length, entries, rule) in self.automaton.iter(padded):
            # key is " phrase ": the phrase's first char is padded[start + 1] = text[start]
            start = end_idx - length + 1
            if rule == CAPITALISED:     # most phrases: names of countries, places, orgs
                if text[start].isupper():
                    append((start, end_idx - 1, entries))
            elif rule == ANY_CASE:
                append((start, end_idx - 1, entries))
            elif rule == ACRONYM:
                if _case_ok(ACRONYM, entries[0][3], text[start:end_idx - 1]):
                    append((start, end_idx - 1, entries))
            else:
                surface = text[start:end_idx - 1]
                ok = tuple(e for e in entries if _case_ok(e[2], e[3], surface))
                if ok:
                    append((start, end_idx - 1, ok))
        return out

    def group_members(self, code: str, date: str | None) -> list[str]:
        versions = self.groups.get(code, [])
        if not versions:
            return []
        if date:
            day = date[:10]
            for g in versions:
                if (not g.start or g.start <= day) and (not g.end or day <= g.end):
                    return g.members
            return []
        return versions[-1].members

    def similar_surnames(self, surname: str) -> list[str]:
        """Known surnames spelled differently ("Zelensky" -> "zelenskyy")."""
        sk = skeleton(surname)
        return [s for s in self.skeleton_index.get(sk, ()) if s != surname] if len(sk) >= 3 else []

    def find_people(self, name: str) -> list[Person]:
        return [self.people[i] for i in self.alias_index.get(fold(name), ())]


def _case_ok(rule: int, surface: str, text: str) -> bool:
    if rule == ANY_CASE:
        return True
    if rule == CAPITALISED:
        return text[:1].isupper()
    # Acronyms: exact capitals ("US", "UN"); 4+ letters also in title case ("Nato")
    if text == surface or text.replace(".", "") == surface.replace(".", ""):
        return True
    return len(surface) >= 4 and text[:1].isupper() and text[1:].islower() and text.upper() == surface
