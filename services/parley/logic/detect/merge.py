"""Merging: the reports of one meeting (headline, lead, body, caption) into one event; a
meeting reported without its own date or place takes them from another of the same trip.
"""
from __future__ import annotations

from parley.logic import dates as _dates
from parley.logic.detect.distinct import put_off_and_reset, sequel_dates, take_reset, told_apart
from parley.logic.detect.records import Candidate

_KIND_RANK = {"visit": 3, "call": 2, "multilateral": 2, "meeting": 1}


def _compatible(a: Candidate, b: Candidate) -> bool:
    if b.features.get("occasion") and a.evidence["start"] == b.evidence["start"] and a.field == b.field \
            and a.order < b.order and b.countries <= a.countries and b.orgs <= a.orgs:
        return True   # "will not meet Ortega during the NATO summit": the summit is the occasion
    if a.key != b.key and a.evidence["start"] == b.evidence["start"] and a.field == b.field \
            and b.countries <= a.countries and b.orgs <= a.orgs \
            and _status_class(a.status) == _status_class(b.status):
        return True   # one sentence, two triggers, the smaller side set is part of the larger
    if a.key == b.key and a.evidence["start"] == b.evidence["start"] and a.field == b.field \
            and b.features.get("elaboration") and not a.features.get("elaboration"):
        return True   # "met on Monday, saying they would discuss trade": what the meeting is about
    if a.key == b.key and b.features.get("anaphoric") and a.order < b.order and a.status == "occurred" \
            and a.field == b.field == "text" and b.date_text is None and a.kind == b.kind:
        return True   # "... will end the summit with a press conference": the summit already reported
    if a.key != b.key:
        if b.features.get("anaphoric") and b.countries <= a.countries and b.orgs <= a.orgs \
                and _status_class(a.status) == _status_class(b.status) and a.order < b.order:
            return True   # "... took part in the summit" after the summit was reported
        return False
    if told_apart(a, b):
        return False
    if put_off_and_reset(a, b):
        return True
    headline = "text" not in (a.field, b.field) or a.field != b.field
    if _status_class(a.status) != _status_class(b.status) and not headline:
        return False
    if a.date_value and b.date_value and a.date_value != b.date_value:
        if not (a.date_value.startswith(b.date_value) or b.date_value.startswith(a.date_value)):
            return False
    if a.date_text and b.date_text and not a.date_value and not b.date_value \
            and a.date_text.lower() != b.date_text.lower():
        return False
    if (a.kind == "call") != (b.kind == "call") and a.strength >= 1 and b.strength >= 1 \
            and a.field == b.field == "text" and not (a.features.get("elaboration") or b.features.get("elaboration")):
        return False
    return True


def _status_class(s: str) -> str:
    return {"planned": "future", "proposed": "future"}.get(s, s)


def merge(cands: list[Candidate], published=None) -> list[Candidate]:
    # body reports first: they carry offsets into the text and usually more detail
    ordered = sorted(cands, key=lambda c: (c.field != "text", c.order))
    out: list[Candidate] = []
    for c in ordered:
        for e in out:
            if _compatible(e, c):
                _absorb(e, c)
                break
        else:
            if c.field != "text":
                continue        # a headline-only report is no event of the article body
            if c.features.get("elaboration") and c.features.get("coref"):
                continue        # "The parties discussed ...": more about a meeting already reported
            if any(e.key == c.key and told_apart(e, c) for e in out):
                c.features["apart"] = True   # a meeting of its own, even on the same day and place
            out.append(c)
    out.sort(key=lambda c: c.order)
    sequel_dates(out)
    _inherit_context(out, _dates.parse_published(published))
    _same_meeting_location(out)
    _refine_locations(out)
    return out


def _same_meeting_location(events: list[Candidate]) -> None:
    """A report that names no place ("Berg said the talks with Ortega went well") takes the
    place of another report of the same sides in the article on a compatible date ("Berg and
    Ortega met in Lisbon on Monday"): newspapers name the venue once."""
    placed = [e for e in events if e.location and e.kind in ("meeting", "multilateral")]
    for c in events:
        if c.location is not None or c.kind not in ("meeting", "multilateral") or c.features.get("no_context"):
            continue
        for e in placed:
            if e.countries == c.countries and e.orgs == c.orgs and _same_day(e.date_value, c.date_value) \
                    and _status_class(e.status) == _status_class(c.status):
                c.location = e.location
                c.features["context_location"] = True
                break


def _same_day(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def _inherit_context(events: list[Candidate], published=None) -> None:
    """A meeting reported without its own date or place, after another of the same trip
    ("... will meet in Sochi on 26 November. Putin is also expected to have bilateral meetings
    with ..."), happens in that place and month. A meeting that took place takes no month after
    the article's."""
    pub_month = published.isoformat()[:7] if published else None
    for i, c in enumerate(events):
        names = {p.name for p in c.parties if p.name}
        # a meeting told apart from another ("they met again") is not on that one's date
        need_date = c.date_value is None and c.date_text is None and not c.features.get("apart")
        need_loc = c.location is None and c.kind != "call" and not c.features.get("no_context")
        for prev in reversed(events[:i]):
            if not (need_date or need_loc):
                break
            same_trip = prev.kind == "visit" and prev.countries >= c.countries \
                and (prev.status not in ("cancelled", "denied") or prev.status == c.status) \
                and not (c.status == "occurred" and _status_class(prev.status) == "future")  # no trip, no stay
            if (_status_class(prev.status) != _status_class(c.status) and not same_trip) \
                    or not (prev.countries & c.countries):
                continue
            if not (names & {p.name for p in prev.parties if p.name}) and not c.features.get("protagonist"):
                continue
            if need_date and prev.date_value and not (
                    c.status == "occurred" and pub_month and prev.date_value[:7] > pub_month):
                c.date_text, c.date_value = prev.date_text, prev.date_value[:7]
                c.features["inherited_date"] = True
                need_date = False
            if need_loc and prev.location and prev.kind != "call":
                loc = prev.location
                if prev.kind == "visit" or loc.get("country") in c.countries or prev.kind == c.kind:
                    c.location = loc
                    c.features["trip_location"] = True
                    need_loc = False


def _refine_locations(events: list[Candidate]) -> None:
    """"visiting Armenia ... meeting in Yerevan": a country-level location takes the city named
    for another meeting of the same trip in that country."""
    cities = [c.location for c in events if c.location and c.location.get("_level") != "country"]
    for c in events:
        if c.location and c.location.get("_level") == "country" and c.kind != "visit":
            same = [l for l in cities if l.get("country") == c.location.get("country")]
            if len({l["name"] for l in same}) == 1:
                c.location = same[0]


def _merged_kind(e: Candidate, c: Candidate) -> str:
    """A visit reported with a meeting verb ("visiting Armenia, met the minister") is the
    meeting; a visit with only a noun ("his talks there") stays a visit."""
    kinds = {e.kind, c.kind}
    if kinds == {"call", "meeting"} and bool(e.features.get("elaboration")) != bool(c.features.get("elaboration")):
        # "discussed Syria in a phone call": "discussed" says what was talked about, the call
        # how
        return "call"
    if "visit" in kinds and len(kinds) > 1:
        other = e if e.kind != "visit" else c
        return other.kind if other.strength >= 2 else "visit"
    if c.strength > e.strength or (c.strength == e.strength and _KIND_RANK[c.kind] > _KIND_RANK[e.kind]):
        return c.kind
    return e.kind


def _absorb(e: Candidate, c: Candidate) -> None:
    e.features["reports"] = e.features.get("reports", 1) + 1
    if put_off_and_reset(e, c):
        take_reset(e, c)
    e.kind = _merged_kind(e, c)
    if e.location is None and c.location is not None and e.kind != "call":
        e.location = c.location
    elif e.features.get("context_location") and c.location and not c.features.get("context_location"):
        e.location = c.location
    elif e.location and c.location and e.location.get("_level") == "country" \
            and c.location.get("_level") != "country" and e.kind != "visit":
        e.location = c.location
    if (e.date_value is None and c.date_value) or (e.date_text is None and c.date_text):
        e.date_value, e.date_text = c.date_value, c.date_text
    elif e.date_value and c.date_value and len(c.date_value) > len(e.date_value):
        e.date_value, e.date_text = c.date_value, c.date_text
    names = {(p.name, p.role, p.country, p.org) for p in e.parties}
    for p in c.parties:
        k = (p.name, p.role, p.country, p.org)
        if k not in names:
            if p.name and any(q.name is None and q.sides == p.sides for q in e.parties):
                e.parties = [q for q in e.parties if not (q.name is None and q.sides == p.sides)]
            if p.name or not any(q.sides == p.sides for q in e.parties):
                e.parties.append(p)
                names.add(k)
    e.strength = max(e.strength, c.strength)
    if c.field == "text" and e.field != "text":
        e.evidence, e.field = c.evidence, c.field
