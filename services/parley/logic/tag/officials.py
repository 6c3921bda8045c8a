"""Unnamed officials: titles not attached to a named person ("the Armenian foreign minister")."""
from __future__ import annotations

import re

from .context import owner_gap
from .records import Article, Span
from .spans import OF_GAP_RE


_TO_NAME_RE = re.compile(r"[\s,]*")


def tag_roles(gz, text, spans: list[Span], art: Article, in_person: bytearray) -> list[dict]:
    out = []
    for i, s in enumerate(spans):
        if s.kind != "role" or s.used:
            continue
        if in_person[_TO_NAME_RE.match(text, s.end).end()]:
            continue   # "President Biden": the title belongs to the person named next
        role, org = s.entries[0][1]
        countries, orgs = _role_owners(text, spans, i)
        if org:
            orgs = orgs or [org]
        for code in countries:
            out.append(_role_mention(text, s, role, code, None, art))
        for code in orgs if not countries else []:
            out.append(_role_mention(text, s, role, None, code, art))
    return out


def _role_owners(text, spans, i) -> tuple[list[str], list[str]]:
    countries, orgs = [], []
    # left: "Azerbaijani and Armenian foreign ministers", "Russia's president", "NATO Secretary General"
    j, pos = i - 1, spans[i].start
    while j >= 0:
        s = spans[j]
        gap = text[s.end:pos]
        # the owner right before the title is adjacent or owns it with a few words between
        # ("Tunisia's agriculture minister"); earlier owners may be listed
        if pos == spans[i].start:
            joined = owner_gap(gap, first=False)
        else:
            joined = gap in (" ", "'s ", "’s ", " and ", ", ", " & ")
        if not joined or s.kind not in ("country", "org", "group"):
            break
        if s.kind == "country":
            countries.insert(0, s.entries[0][1][0])
        else:
            orgs.insert(0, s.entries[0][1])
        pos, j = s.start, j - 1
    # right: "the presidents of Armenia and Azerbaijan"
    j, pos = i + 1, spans[i].end
    first = True
    while j < len(spans):
        s = spans[j]
        gap = text[pos:s.start]
        ok = OF_GAP_RE.fullmatch(gap) if first else gap in (" and ", ", ", ", and ", " and the ", ", the ")
        if not ok or s.kind not in ("country", "org", "group"):
            break
        if s.kind == "country":
            countries.append(s.entries[0][1][0])
        else:
            orgs.append(s.entries[0][1])
        pos, j, first = s.end, j + 1, False
    return list(dict.fromkeys(countries)), list(dict.fromkeys(orgs))


def _role_mention(text, s, role, country, org, art: Article) -> dict:
    m = {"type": "role", "text": text[s.start:s.end], "start": s.start, "end": s.end,
         "id": f"role:{role}:{country or org}", "name": None, "role": role, "country": country, "org": org}
    for f in art.people:
        if f.role == role and ((country and f.country == country) or (org and f.org == org)):
            m["ref"] = f.id
            break
    return m
