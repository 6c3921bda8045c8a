"""The detector's data files (services/parley/data/detection/): meeting triggers
(triggers.tsv), status cues (cues.tsv) and the lexicon's word lists (lexicon.tsv and the org
tables), each loaded once; and the literal text any match of one of their patterns begins with.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "detection"


@dataclass(frozen=True)
class Trigger:
    kind: str
    cls: str
    obj: str
    flags: frozenset
    pattern: str


@dataclass(frozen=True)
class Cue:
    status: str
    scope: str
    rx: re.Pattern


def _rows(name: str):
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


@lru_cache(maxsize=1)
def triggers() -> tuple[Trigger, ...]:
    out = []
    for kind, cls, obj, flags, pattern in _rows("triggers.tsv"):
        re.compile(pattern)   # fail early on a bad pattern in the data file
        out.append(Trigger(kind, cls, obj, frozenset(f for f in flags.split(",") if f), pattern))
    return tuple(out)


@lru_cache(maxsize=1)
def cues() -> tuple[Cue, ...]:
    return tuple(Cue(status, scope, re.compile(p, re.I)) for status, scope, p in _rows("cues.tsv"))


@lru_cache(maxsize=1)
def lexicon_raw() -> dict:
    return {cat: pattern for cat, pattern in _rows("lexicon.tsv")}


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    """Word lists of lexicon.tsv: category -> compiled regex."""
    cats: dict[str, list[str]] = {}
    for cat, pattern in _rows("lexicon.tsv"):
        if cat != "heads":
            cats.setdefault(cat, []).append(pattern)
    return {c: re.compile("|".join(f"(?:{p})" for p in ps), re.I) for c, ps in cats.items()}


@lru_cache(maxsize=1)
def org_sides() -> dict[str, str]:
    """Bodies of an organisation that take part as the organisation itself (UNGA -> UN)."""
    return {code: side for code, side in _rows("org_sides.tsv")}


@lru_cache(maxsize=1)
def collectives() -> tuple[re.Pattern, dict]:
    """Names of several countries at once ("the two Koreas", collectives.tsv): one pattern
    (each row a named group) and the members of each group."""
    parts, members = [], {}
    for i, (p, m) in enumerate(_rows("collectives.tsv")):
        re.compile(p)
        parts.append(f"(?P<c{i}>{p})")
        members[f"c{i}"] = frozenset(m.split("|"))
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.I), members


@lru_cache(maxsize=1)
def dependent_demonyms() -> frozenset:
    return frozenset(code for row in _rows("dependent_demonyms.tsv") for code in row if code)


def lex(cat: str) -> re.Pattern:
    return _lexicon()[cat]


def literal_prefixes(pattern: str, n: int = 5) -> frozenset | None:
    """Lower-case literal beginnings (up to `n` characters) of every match of `pattern`, or None
    when some match can begin with no fixed text: a window that holds none of them cannot
    match, so the cue is skipped without running the regex."""
    import re._constants as sc
    import re._parser as sp
    out: set = set()

    def walk(items, cur):
        for i, (op, av) in enumerate(items):
            if len(cur) >= n:
                break
            if op is sc.LITERAL:
                cur += chr(av).lower()
            elif op is sc.AT:
                continue        # \b, ^, $: no text
            elif op is sc.SUBPATTERN:
                return walk(list(av[-1].data) + items[i + 1:], cur)
            elif op is sc.BRANCH:
                for sub in av[1]:
                    walk(list(sub.data) + items[i + 1:], cur)
                return
            elif op is sc.IN and all(o is sc.LITERAL for o, _ in av):
                for _, ch in av:
                    walk(items[i + 1:], cur + chr(ch).lower())
                return
            else:
                break           # a repeat, a class, any character: the fixed text ends here
        out.add(cur)

    walk(list(sp.parse(pattern, re.I).data), "")
    return None if "" in out else frozenset(out)


@dataclass(frozen=True)
class Venue:
    pattern: re.Pattern
    name: str
    country: str


@lru_cache(maxsize=1)
def venues() -> tuple[Venue, ...]:
    """Seats of government and venues named instead of their city (venues.tsv)."""
    return tuple(Venue(re.compile(rf"\b(?:{p})\b", re.I), name, code) for p, name, code in _rows("venues.tsv"))


@lru_cache(maxsize=1)
def any_venue() -> re.Pattern:
    """Every venue in one pattern: one scan tells a sentence with no venue (most of them)."""
    return re.compile("|".join(v.pattern.pattern for v in venues()), re.I)


@dataclass(frozen=True)
class Region:
    name: str
    country: str


@lru_cache(maxsize=1)
def regions() -> tuple[re.Pattern, dict]:
    """States and provinces written after a town (regions.tsv): one pattern (case-sensitive,
    each row a named group) and the region of each group."""
    parts, table = [], {}
    for i, (p, name, code) in enumerate(_rows("regions.tsv")):
        re.compile(p)
        parts.append(f"(?P<r{i}>{p})")
        table[f"r{i}"] = Region(name, code)
    return re.compile(r"(?<![\w.])(?:" + "|".join(parts) + r")(?![\w])"), table
