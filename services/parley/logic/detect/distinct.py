"""Reports of different meetings: the marks that keep two reports of the same sides apart
("met again", "another round of talks", "their second meeting", "later that day", "the next
day", "working-level talks" beside the principals' meeting, places far apart), the one that
joins a meeting put off with its new date, and the date a report told relative to another
("the next day") takes from it.
"""
from __future__ import annotations

import math
from datetime import date, timedelta

from parley.logic.detect.records import Candidate
from parley.logic.detect.vocabulary import lex

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "tenth": 10}
SEQUEL_DAYS = {"sequel_same": 0, "sequel_next": 1, "sequel_prev": -1}
FAR_KM = 50.0


def repeat_marks(text: str, sent, hit, left: int, right: int, visit: bool = False) -> dict:
    """The marks of one trigger's clause that tell its meeting from another one of the same
    sides: an ordinal before a meeting noun ("the second round of talks"), a repetition ("met
    again", "another meeting"), a time told from another report ("the next day")."""
    out: dict = {}
    words = text[hit.start:hit.end].rstrip()
    head = hit.start + words.rfind(" ") + 1   # the noun of "held the first round of talks"
    m = lex("ordinal_before").search(text, max(sent.start, head - 45), head)
    if m:
        word = m.group("ord").lower()
        # visits are counted apart from meetings ("her third visit" to the "second session")
        out["ordinal"] = (ORDINALS.get(word) or int("".join(ch for ch in word if ch.isdigit())), visit)
    if lex("earlier_meeting").search(text, max(sent.start, head - 60), head):
        out["earlier"] = True
    if lex("another_before").search(text, max(sent.start, head - 35), head):
        out["again"] = True
    if lex("working_level").search(text, max(sent.start, hit.start - 30), hit.end):
        out["working_level"] = True
    end = max(right, hit.end)
    again = lex("again").search(text, max(sent.start, hit.start - 12), sent.end)
    if again and again.start() < min(end, hit.end + 60):
        out["again"] = True
    for cat in SEQUEL_DAYS:
        m = lex(cat).search(text, sent.start, sent.end)
        if m:
            out["sequel"] = (cat, m.group(0))
            break
    if lex("postpone").search(text, left, end):
        out["postponed"] = True
    if lex("reset").search(text, left, end):
        out["reset"] = True
    return out


def told_apart(a: Candidate, b: Candidate) -> bool:
    """Are `a` and `b`, reports of the same sides, of different meetings?"""
    if far_apart(a, b):
        return True
    if a.evidence["start"] == b.evidence["start"] and a.field == b.field:
        return False
    fa, fb = a.features, b.features
    oa, ob = fa.get("ordinal"), fb.get("ordinal")
    if oa and ob and oa[1] == ob[1] and oa[0] != ob[0]:
        return True     # "the first round ... the second round"
    if a.field == b.field == "text" and "visit" not in (a.kind, b.kind):
        if bool(fa.get("working_level")) != bool(fb.get("working_level")) \
                and not (fa.get("anaphoric") or fb.get("anaphoric")):
            return True  # "working-level talks" prepare a meeting of the principals: not that one
        later = b if a.order < b.order else a
        if (later.features.get("again") or later.features.get("sequel")) and not later.features.get("anaphoric"):
            return True  # "met again", "later that day": another meeting ("the talks went on the next day": not)
    return False


def far_apart(a: Candidate, b: Candidate) -> bool:
    """Two places a report names for itself (not taken from the context) that cannot be one
    meeting's: in two countries, or two towns far apart ("in Oslo ... in Bergen")."""
    la, lb = a.location, b.location
    if not la or not lb or a.features.get("context_location") or b.features.get("context_location"):
        return False
    if a.features.get("anaphoric") or b.features.get("anaphoric"):
        return False   # "the talks" placed elsewhere in passing: no place of their own to tell apart
    if la.get("country") and lb.get("country") and la["country"] != lb["country"]:
        return True
    if None in (la.get("lat"), la.get("lon"), lb.get("lat"), lb.get("lon")):
        return False
    return _km(la["lat"], la["lon"], lb["lat"], lb["lon"]) > FAR_KM


def _km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def put_off_and_reset(a: Candidate, b: Candidate) -> bool:
    """"X and Y postponed their meeting. They will now meet next week.": the meeting put off
    and the one set in its place are one meeting (told with "now", "instead", "first set for",
    or as "the talks")."""
    for old, new in ((a, b), (b, a)):
        if old.status in ("cancelled", "denied") and old.features.get("postponed") \
                and new.status in ("planned", "proposed") \
                and (new.features.get("reset") or new.features.get("anaphoric")):
            return True
    return False


def take_reset(e: Candidate, c: Candidate) -> None:
    """The event of a meeting put off and set again is the meeting ahead, on its new date."""
    new = c if c.status in ("planned", "proposed") else e
    if new is c:
        e.status = c.status
        if c.date_text:
            e.date_text, e.date_value = c.date_text, c.date_value


def sequel_dates(events: list[Candidate]) -> None:
    """"Later that day ...", "The next day ...": an undated report told from the report before
    it takes that report's day (the same, the next or the previous one)."""
    for i, c in enumerate(events):
        mark = c.features.get("sequel")
        if not mark or c.date_text is not None:
            continue
        prev = max((e for e in events[:i] if e.date_value and len(e.date_value) == 10
                    and e.evidence["start"] < c.evidence["start"]),
                   key=lambda e: e.evidence["start"], default=None)
        if prev is None:
            continue
        day = date.fromisoformat(prev.date_value) + timedelta(days=SEQUEL_DAYS[mark[0]])
        c.date_text, c.date_value = mark[1], day.isoformat()
        c.features["sequel_date"] = True
