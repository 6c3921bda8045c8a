"""Sides of a clause: which mentions around a trigger are the meeting's sides. The subject
window (prepositional phrases, occasions and possessives are no sides), the counterparts and
destinations after the trigger, and how listed counterparts become one table or several
bilateral meetings.
"""
from __future__ import annotations

import re

from parley.logic.detect.grammar import LEFT_BOUNDARY
from parley.logic.detect.location import location_of, particle_in, place_party
from parley.logic.detect.records import Party, sides
from parley.logic.detect.reference import NUMBER, is_collective
from parley.logic.detect.vocabulary import lex


def inside(pos: int, spans) -> tuple[int, int] | None:
    for s, e in spans:
        if s <= pos < e:
            return (s, e)
    return None


def last_left_boundary(text, sent, end) -> int:
    left = sent.start
    for m in LEFT_BOUNDARY.finditer(text, sent.start, end):
        left = m.end()
    return left


def is_occasion(text, sent, p: Party, lo: int = 0) -> bool:
    """"on the margins of the UN General Assembly": the occasion is no side of the meeting.
    Words of the trigger itself (from `lo` back) are no occasion ("called on the king")."""
    before = text[max(sent.start, lo, p.start - 40):p.start]
    return bool(lex("occasion").search(before))


def drop_non_subjects(text, subj: list[Party], start: int, end: int) -> list[Party]:
    """Mentions inside prepositional phrases of the subject window ("In Washington, ...")
    or possessives of the topic are not sides; the mentions before a subject verb are."""
    out = []
    for p in subj:
        if p.kind == "country" and (text[p.end:p.end + 1] in "-–" or text[p.start - 1:p.start] in ("-", "–")) \
                and end - p.end > 25:
            continue   # "the Armenia-Azerbaijan war": a compound modifier, not a side
        before = text[max(start, p.start - 25):p.start]
        premodifier = end - p.end <= 12 and p.kind in ("group", "org")   # "the 14th BRICS Summit"
        if (p.kind in ("country", "group", "org") or not p.name) and lex("prep_off").search(before) \
                and not lex("prep_on").search(before) and not premodifier \
                and not lex("people_from").search(before):   # "ministers from China met ..."
            continue
        if p.name and text[p.end:p.end + 2] not in ("'s", "’s") \
                and lex("prep_person_off").search(text, max(start, p.start - 60), p.start):
            continue   # "As pressure mounts on President X, A and B meet": X is no side
        if p.kind == "country" and (lex("of_before").search(before) or (
                text[p.end:p.end + 2] in ("'s", "’s") and not lex("coord_next").match(text, p.end + 2))):
            continue   # "the invasion of Ukraine", "Russia's invasion": not a side
        out.append(p)
    return out


def object_side(text, trig, hit, right, parties, places, other_paren, sent):
    """Parties and destinations after the trigger, up to the clause end.

    Each mention is read with the words between it and the previous one: "with", "and", ","
    and "of" keep collecting sides; "in", "at", "about", "on" stop (a place after "in"/"at"
    is the location); a visit's destination is its direct object or follows "to".
    """
    collecting = trig.obj == "party" or "between" in trig.flags   # "meeting of A and B"
    want_dest = trig.kind == "visit"
    dest_mode = want_dest
    obj: list[Party] = []
    dests: list[tuple[Party | None, dict]] = []
    loc = None
    prev_end = hit.end
    carry = None
    items = sorted([("party", p.start, p.end, p) for p in parties if hit.end <= p.start < right]
                   + [("place", m["start"], m["end"], m) for m in places
                      if hit.end <= m["start"] < right and m.get("type") == "place"],
                   key=lambda x: (x[1], 0 if x[0] == "place" else 1))
    for typ, s, e, item in items:
        if inside(s, other_paren):
            continue
        if s < prev_end:
            continue
        gap = text[prev_end:s]
        governing = None
        # "in Seoul on April 12 and Tokyo on April 14": a date between destinations keeps the list
        dated = dest_mode and bool(dests) and lex("date_gap").fullmatch(gap)
        for m in () if dated else _FUNC.finditer(gap):
            w = m.group(0).lower()
            if w in ("with", "between", "among", "including", "honor", "honour"):
                collecting, dest_mode, governing = True, False, None
            elif w == "of" and prev_end == hit.end and not gap[:m.start()].strip() and lex("meeting_noun_end").search(
                    text, max(hit.start, hit.end - 14), hit.end):
                collecting, governing = True, None   # "hold a meeting of the Normandy Four"
            elif w in _CONTINUE:
                continue     # "and", "," and "of" only continue a list
            elif w == "to" and collecting and _TITLE_TO.match(gap, m.end()) \
                    and _TITLE_WORDS.fullmatch(gap, 0, m.start()):
                continue     # "Legal Counsel to the Secretary of the Presidency": inside a title
            elif w == "to" and want_dest and not dests:
                dest_mode, collecting, governing = True, False, None
            elif w == "by" and (lex("passive_by").search(text, hit.start, prev_end + m.start())
                                or lex("passive_agent").search(text, hit.start, prev_end + m.start())):
                collecting, governing = True, None   # "talks held ... by Russian and Ukrainian delegations"
            elif w == "for" and trig.obj == "party" and lex("meal_for").search(text, hit.start, prev_end + m.start()):
                collecting, governing = True, None   # "hosted a dinner for the visiting minister"
            elif w == "to" and trig.obj == "party" and prev_end == hit.end and not gap[:m.start()].strip():
                collecting, governing = True, None   # "spoke to the prime minister"
            elif w == "from" and trig.obj == "party" and not want_dest \
                    and lex("people_from").search(text, hit.end, s):
                collecting, governing = True, None   # "received a delegation from Ethiopia"
            elif w in ("in", "at") and want_dest and dest_mode and not dests:
                governing = None
            else:
                collecting = dest_mode = False
                governing = w
        if governing is None and carry and _CARRY_GAP.fullmatch(gap):
            governing = carry    # "in the Russian Pacific port of Vladivostok": still "in"
        carry = None
        if governing is not None:
            if governing in ("in", "at") and (loc is None or loc.get("_level") == "country") \
                    and not particle_in(text, s):   # "reining in Ruritania": no place
                if (typ == "place" or (typ == "party" and item.kind == "country")) \
                        and text[e:e + 2] not in ("'s", "’s"):   # "in Russia's waters": no place
                    found = location_of(item, typ)
                    loc = found or loc
                    if found is None:
                        carry = governing     # an adjective ("Russian") names no place yet
            prev_end = e
            continue
        if dest_mode:
            if typ == "place":
                dests.append((place_party(item), location_of(item, typ)))
            elif item.kind == "country":
                dests.append((item, location_of(item, typ)))
            elif item.kind in ("person", "role") and text[hit.start:hit.end].lower().startswith("visit") \
                    and trig.cls == "verb":
                # "visited the Armenian president" — a person as the visited side
                dests.append((item, None))
        elif collecting and typ == "party":
            if item.kind == "country" and text[item.end:item.end + 2] in ("'s", "’s") \
                    and not lex("coord_next").match(text, item.end + 2) \
                    and not lex("envoy_after").match(text, item.end + 2):
                prev_end = e
                continue   # "welcomed Ireland's voice": a possessor, not a counterpart
            if is_occasion(text, sent, item, hit.end):
                prev_end = e
                continue
            obj.append(item)
        prev_end = e
    return obj, dests, loc


_FUNC = re.compile(r"\b(with|between|among|and|of|including|or|both|to|in|at|on|about|over|for|"
                   r"during|from|by|regarding|concerning|against|amid|under|after|before|into|following|"
                   r"toward|towards|via|his|her|their|the|counterparts?|discuss\w*|sidelines|"
                   r"margins|hono(?:u)?r)\b|[,&]", re.I)


# between an adjective after "in" and the place it qualifies: a few words, no list or "with"
_CARRY_GAP = re.compile(r"(?:\s*(?!(?:with|between|among|including|and)\b)[\w'’-]+){0,4}\s*", re.I)
_TITLE_TO = re.compile(r"\s+(?:the\s+)?[A-Z]")
_TITLE_WORDS = re.compile(r"\s*(?:[A-Z][\w'’-]*\s*)+")
_CONTINUE = frozenset(["and", ",", "of", "&", "or", "both", "his", "her", "their", "the",
                       "counterpart", "counterparts"])


def one_to_many(one: list[Party], many: list[Party], trig, hit, text, sent) -> bool:
    """One side meeting counterparts of two or more other sides is, in news copy, a series of
    bilateral meetings ("spoke with President A of X and President B of Y") unless the
    sentence marks one table ("together", "joint", "three-way") or the trigger is a
    gathering noun (a summit, a session)."""
    if trig.kind not in ("meeting", "call") or trig.cls != "verb" or trig.flags & {"between", "attend"}:
        return False   # "a telephone conversation with A and B" is one call
    mine, theirs = sides(one), [p.sides for p in many if p.sides]
    if len(mine) != 1 or len(frozenset().union(*theirs) if theirs else ()) < 2:
        return False
    if any(s & mine for s in theirs) or any(len(s) > 1 for s in theirs):
        return False   # a counterpart from one's own side or a bloc: one table
    if lex("one_table").search(sent.text) or lex("singular").search(text, hit.start, hit.end):
        return False
    # "the leaders of the five states" elsewhere in the article: they sat at one table
    count = len(frozenset().union(*theirs) | mine)
    return not any(NUMBER.get(m.group(1).lower()) == count for m in lex("group_count").finditer(text))


def by_side(parties: list[Party]) -> list[list[Party]]:
    """Parties grouped by side, in order of first mention (parties without a side dropped)."""
    groups: dict[frozenset, list[Party]] = {}
    for p in parties:
        if p.sides:
            groups.setdefault(p.sides, []).append(p)
    return list(groups.values())


_DASHES = ("-", "–", "‐")


def paired_sides(text, parties: list[Party], lo: int, hi: int, head: int = -1) -> list[Party] | None:
    """Two sides joined by a hyphen before a meeting noun ("Russia-Ukraine negotiations",
    "the China-India corps commander level meeting"): exactly the sides of the meeting. So
    are the members of a collective name right before the noun at `head` ("the inter-Korean
    summit")."""
    ordered = sorted((p for p in parties if p.sides and lo <= p.start < hi), key=lambda p: p.start)
    for p in ordered:
        if is_collective(p) and p.end <= head and (m := lex("meeting_noun").match(text, p.end)) \
                and m.end() > head:
            return [p]
    for a, b in zip(ordered, ordered[1:]):
        if text[a.end:b.start] in _DASHES and a.sides != b.sides \
                and lex("meeting_noun").match(text, b.end):
            return [a, b]
    return None
