"""Mentions -> parties: the tagger's mentions of a sentence as the sides' representatives
("Russian Foreign Minister Sergei Lavrov" folded into one party), completed from what the
article said before (who holds a role, which country a person speaks for).
"""
from __future__ import annotations

import re

from parley.logic.detect.grammar import Sentence
from parley.logic.detect.records import Context, Party, sides
from parley.logic.detect.vocabulary import dependent_demonyms, lex, org_sides

PARTY_TYPES = ("person", "role", "country", "org")   # the mention types that can be a side
_ISO3 = re.compile(r"[A-Z]{3}")


def party_from_mention(m: dict, national: dict) -> Party | None:
    t = m.get("type")
    if t in ("person", "role"):
        org = m.get("org")
        country = m.get("country")
        if country in dependent_demonyms() or (country and not _ISO3.fullmatch(country)):
            country = None   # a shared demonym resolved to a dependency: the country is unknown
        if org and org in national:
            # an official of a national body ("State Department official") speaks for its country
            country, org = country or national[org], None
        if org:
            org = org_sides().get(org, org)
            return Party(m.get("name"), m.get("role"), None if org else country, org,
                         frozenset(), frozenset([org]), m["start"], m["end"], t, None, m)
        if not country:
            return Party(m.get("name"), m.get("role"), None, None, frozenset(), frozenset(),
                         m["start"], m["end"], t, None, m)
        return Party(m.get("name"), m.get("role"), country, None, frozenset([country]),
                     frozenset(), m["start"], m["end"], t, None, m)
    if t == "country":
        code = m.get("code") or m.get("id")
        if not _ISO3.fullmatch(code or ""):
            return None
        if m.get("via") == "demonym" and code in dependent_demonyms():
            return None
        return Party(None, None, code, None, frozenset([code]), frozenset(), m["start"], m["end"],
                     "country", m.get("name"), m)
    if t == "org":
        members = m.get("members")
        code = m.get("code") or m.get("id")
        if m.get("country") and not members:
            c = m["country"]
            return Party(None, None, c, None, frozenset([c]), frozenset(), m["start"], m["end"],
                         "country", m.get("name"))
        if members:
            return Party(None, None, None, code, frozenset(members), frozenset(),
                         m["start"], m["end"], "group")
        code = org_sides().get(code, code)
        return Party(None, None, None, code, frozenset(), frozenset([code]), m["start"], m["end"],
                     "org")
    return None


def merge_adjacent(text: str, parties: list[Party]) -> list[Party]:
    """Fold "Russian Foreign Minister Sergei Lavrov" (country + role + person) into one party."""
    out: list[Party] = []
    for p in parties:
        if p.kind == "group":
            # "the U.S., Russian and French co-chairs of ...": the adjectives name the members
            while out and out[-1].kind == "country" and out[-1].mention is not None \
                    and out[-1].mention.get("via") == "demonym" \
                    and lex("group_glue").fullmatch(text[out[-1].end:p.start]):
                out.pop()
        if out and p.kind == "org" and out[-1].kind == "country" and out[-1].mention is not None \
                and out[-1].mention.get("via") == "demonym" and text[out[-1].end:p.start].strip() == "":
            continue   # "the Turkish Ministry of Foreign Affairs": a national body of that country
        if out:
            q = out[-1]
            gap = text[q.end:p.start]
            if p.kind == "country" and q.kind in ("role", "person", "country") and q.sides \
                    and lex("envoy_to").fullmatch(gap) and lex("envoy_title").search(text, q.start, p.start) \
                    and not (p.sides & q.sides):
                # "the Ambassador of Chile to Norway": the host country is part of the title
                out[-1] = Party(q.name, q.role, q.country, q.org, q.countries, q.orgs, q.start, p.end,
                                q.kind, q.label, q.mention)
                continue
            same = (q.countries == p.countries and q.orgs == p.orgs) or not q.sides or not p.sides \
                or (q.kind == "country" and p.kind in ("person", "role") and q.countries <= p.countries) \
                or (p.kind == "country" and q.kind in ("person", "role") and p.countries <= q.countries) \
                or (q.kind == "org" and p.kind in ("person", "role") and not p.countries and not p.orgs) \
                or (q.kind == "org" and p.kind in ("person", "role") and lex("igo_office").search(text, q.end, p.end)) \
                or (q.orgs and not q.countries and p.kind == "person" and lex("igo_office").search(p.role or ""))
            if q.name and ((p.name and q.name != p.name) or _AND.search(gap)):
                # "Minister X and Senior Minister Y", "X and Vanuatu's minister": two parties
                same = False
            if same and len(gap) <= 45 and glue(gap):
                out[-1] = _fold(q, p)
                continue
            if _titles_name(q, p, gap):
                # "Samoa Minister of Justice and Courts Administration <name>": the title just
                # before a name says whose official it is, over a country guessed for the name
                out[-1] = _fold(q, Party(p.name, p.role, q.country, None, q.countries, frozenset(),
                                         p.start, p.end, p.kind, p.label, p.mention))
                continue
        out.append(p)
    return out


_TOKEN = re.compile(r"[\w.'’-]+|[^\w\s]")
_AND = re.compile(r"\band\b|&")


def _titles_name(q: Party, p: Party, gap: str) -> bool:
    """Is `q` an unnamed national title standing right before the name `p` of a person the
    gazetteer does not know (the tagger's "x:" ids), whose country was only guessed from
    context? A known person keeps the gazetteer's country."""
    return q.kind == "role" and not q.name and p.kind == "person" and bool(p.name) \
        and str((p.mention or {}).get("id") or "").startswith("x:") \
        and bool(q.countries) and not q.orgs and not p.orgs and p.countries != q.countries \
        and len(gap) <= 45 and (("," not in gap and glue(gap)) or bool(lex("appositive").fullmatch(gap)))


def glue(gap: str) -> bool:
    """Is `gap` only words that join the parts of one noun phrase (titles, "of", names)?"""
    rx = lex("np_glue")
    return all(rx.fullmatch(t) or t[0].isupper() for t in _TOKEN.findall(gap))


def _fold(a: Party, b: Party) -> Party:
    named = b if b.name else a
    role = a.role or b.role
    countries = a.countries | b.countries
    orgs = a.orgs | b.orgs
    if (a.kind == "org" or (a.orgs and not a.countries)) and b.kind in ("person", "role"):
        countries, orgs = frozenset(), a.orgs   # "NATO Secretary General" speaks for NATO
        return Party(named.name, role, None, next(iter(a.orgs), None), countries, orgs,
                     a.start, b.end, "person" if named.name else "role")
    kind = "person" if named.name else ("role" if role else a.kind)
    return Party(named.name, role, named.country or a.country or b.country,
                 a.org or b.org, countries, orgs, a.start, b.end, kind)


def collective(text: str, p: Party) -> Party:
    """"the Biden administration": the person's government takes part, not the person."""
    if p.kind == "person" and p.sides and lex("collective_after").match(text, p.end):
        return Party(None, None, p.country, p.org, p.countries, p.orgs, p.start, p.end,
                     "country" if p.countries else "org", None, None)
    return p


def untagged_name(text: str, sent: Sentence, p: Party, limit: int) -> Party:
    """"Angola's Minister of Justice Maria da Costa Pereira, ...", "Mongolia Vice Minister of
    Justice Ganbat Tserendorj": an unnamed title, or a country with a title, followed by a
    capitalised name the tagger did not mark names that official."""
    if p.name or not p.sides or p.kind not in ("role", "country"):
        return p
    if not _SPACE_CAPITAL.match(text, p.end):
        return p
    glue_rx = lex("np_glue")
    pos, end, title = p.end, min(limit, sent.end), ""
    for _ in range(4):
        m = lex("untagged_name").match(text, pos, end)
        if not m:
            return p
        title, words = title + m.group("title"), m.group("name").split()
        last = max((i for i, w in enumerate(words) if glue_rx.fullmatch(w.rstrip("."))), default=-1)
        # "... and Ocean Affairs Pedro Alvarez": the title goes on to its last title word
        title, words = " ".join([title] + words[:last + 1]), words[last + 1:]
        if len(words) >= 2:
            break
        pos = m.end("name")    # "Vice Minister", "Foreign Affairs": all title; read on
    else:
        return p
    if p.kind == "country" and not lex("title_word").search(title):
        return p       # "Chile Ocean Partners": no title, no official
    role = p.role
    if role is None:
        t = lex("title_word").findall(title.lower())
        role = t[-1] if t else None
    return Party(" ".join(words), role, p.country, p.org, p.countries, p.orgs, p.start,
                 m.end("name"), "person", None, p.mention)


_SPACE_CAPITAL = re.compile(r"\s+[A-Z]")


def name_role(p: Party, ctx: Context) -> Party:
    """"the Russian President" -> the person the tagger links it to, when named in the article;
    "the President" with no country -> the latest person with that role."""
    if p.kind != "role" or p.name:
        return p
    ref = (p.mention or {}).get("ref") if p.mention else None
    if ref and (p.mention.get("text") or "").lower().endswith("s"):
        ref = None   # "the foreign ministers of A and B": a role, not the person who holds it
    name = ctx.names.get(ref) if ref else None
    if name and name in ctx.people:
        q = ctx.people[name]
        return Party(q.name, q.role or p.role, q.country or p.country, q.org or p.org,
                     q.countries or p.countries, q.orgs or p.orgs, p.start, p.end, "person")
    plural = (p.mention.get("text") or "").lower().endswith("s") if p.mention else False
    if p.role and not plural:
        # "the President" -> the latest person with that role; "the Turkish foreign minister"
        # -> the latest one of that country with that role ("the foreign ministers": a role)
        for q in reversed(ctx.recent):
            if q.kind == "person" and q.name and q.role == p.role and q.sides \
                    and (not p.sides or q.sides == p.sides):
                return Party(q.name, q.role, q.country, q.org, q.countries, q.orgs, p.start, p.end,
                             "person")
    return p


def same_side_as_partner(subj: list[Party], obj: list[Party], ctx: Context) -> list[Party]:
    """"Minister X and Senior Minister Y met with Z": a named subject of unknown country sits
    on the side of the subject it is coordinated with; the article keeps that for later
    reports ("Y met with W")."""
    if not obj or not sides(obj):
        return subj
    known = sides([p for p in subj if p.kind in ("person", "role")]) - sides(obj)
    if len(known) != 1:
        return subj
    side = next(iter(known))
    out = []
    for p in subj:
        if p.kind == "person" and p.name and not p.sides and _ISO3.fullmatch(side):
            ctx.inferred[p.name] = side
            p = Party(p.name, p.role, side, None, frozenset([side]), frozenset(), p.start, p.end,
                      "person", p.label, p.mention)
        out.append(p)
    return out


def inferred_side(p: Party, ctx: Context) -> Party:
    if p.kind == "person" and p.name and not p.sides and p.name in ctx.inferred:
        side = ctx.inferred[p.name]
        return Party(p.name, p.role, side, None, frozenset([side]), frozenset(), p.start, p.end,
                     "person", p.label, p.mention)
    return p
