"""Named people of two reports: the same person, a conflict, a tie.

Names are compared as the reference scorer compares them: accents and case folded, titles
dropped (data/stories/titles.txt), and two spellings are one person when their last words are
equal or one name's words are within the other's ("Donald J. Trump" ~ "Donald Trump",
"Kim Jong-un" ~ "Kim Jong Un").
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from parley.logic.stories.records import Person

TITLES_FILE = Path(__file__).resolve().parents[2] / "data" / "stories" / "titles.txt"
_WORD = re.compile(r"[a-z0-9]+")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


@lru_cache(maxsize=1)
def titles() -> frozenset[str]:
    lines = TITLES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=50_000)
def fold(name: str, german: bool = False) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKD", name.translate(_GERMAN) if german else name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = _WORD.findall(text.replace("-", " "))
    return tuple(w for w in words if w not in titles()) or tuple(words)


@lru_cache(maxsize=50_000)
def same_person(a: str, b: str) -> bool:
    for ta in {fold(a), fold(a, True)}:
        for tb in {fold(b), fold(b, True)}:
            if ta and tb and (ta[-1] == tb[-1] or set(ta) <= set(tb) or set(tb) <= set(ta)):
                return True
    return False


def shared(a: tuple[Person, ...], b: tuple[Person, ...]) -> int:
    """How many people of `a` are also in `b`."""
    return sum(any(same_person(p.name, q.name) for q in b) for p in a)


def conflict(a: tuple[Person, ...], b: tuple[Person, ...]) -> bool:
    """Do two reports name different people for the same meeting?

    - A side (country) both name someone for, with no one in common: Trump–Kim against
      Pompeo–Kim, Trump's cancelled trip against Pence's trip.
    - When a name has no known side, the whole lists are compared: both name someone and no
      one is in both.
    Reports naming no one never conflict.
    """
    if not a or not b:
        return False
    if any(p.country is None for p in a + b):
        if not shared(a, b):
            return True
    sides = {p.country for p in a if p.country} & {p.country for p in b if p.country}
    for side in sides:
        mine = tuple(p for p in a if p.country == side)
        theirs = tuple(p for p in b if p.country == side)
        if not shared(mine, theirs):
            return True
    return False


def union(groups) -> tuple[Person, ...]:
    """The distinct people of several reports (first spelling kept, role and side filled in
    from later spellings when missing)."""
    out: list[Person] = []
    for people in groups:
        for p in people:
            for i, q in enumerate(out):
                if same_person(p.name, q.name) and (p.country is None or q.country is None or p.country == q.country):
                    if (q.role is None and p.role) or (q.country is None and p.country):
                        out[i] = Person(q.name, q.role or p.role, q.country or p.country)
                    break
            else:
                out.append(p)
    return tuple(out)
