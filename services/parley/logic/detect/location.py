"""Location: where a meeting took place, from a place after "in"/"at", elsewhere in the
sentence, in the occasion ("on the sidelines of ..."), in the dateline, or where the article
last put its main actor.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parley.logic import dates as _dates
from parley.logic.detect.records import Candidate, Party
from parley.logic.detect.vocabulary import any_venue, lex, regions, venues


# "OSLO — ", "LIMA, Peru – ", "ACCRA (Newswire) - ": a dateline left at the start of a
# paragraph of the text (after a byline the cleaner kept as a paragraph of its own)
_TEXT_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z'.\-]{2,}(?:[ \t]+[A-Z][A-Z'.\-]+){0,3})(?:[ \t]*,[ \t]*[A-Z][\w.'-]+(?:[ \t]+[A-Z][\w.'-]+){0,2})?"
    r"[ \t]*(?:\([^()\n]{2,25}\)[ \t]*)?[-–—]{1,2}[ \t]+(?=\S)")
# the paragraphs before a dateline in the text: a byline or the paper's name, short and unfinished
_BYLINE_MAX = 80
_DATELINE_PARAGRAPHS = 3


@dataclass
class Dateline:
    """Where (and when) the story is filed from, and the lead paragraph it opens."""
    location: dict
    lead_start: int
    lead_end: int
    date: object = None          # a dates.DateExpr of the dateline, if it has one


def find_dateline(tagged: dict, dateline_mentions: list[dict], mentions: list[dict]) -> Dateline | None:
    """The dateline of the article: the cleaner's (mentions tagged in the dateline field), or
    one left at the start of one of the first paragraphs of the text."""
    text = tagged.get("text") or ""
    if dateline_mentions:
        loc = _dateline_place(dateline_mentions)
        if loc is None:
            return None
        end = text.find("\n\n")
        raw = tagged.get("dateline") or ""
        found = _dates.find_dates(raw)
        return Dateline(loc, 0, len(text) if end == -1 else end, found[0] if found else None)
    pos = 0
    for _ in range(_DATELINE_PARAGRAPHS):
        end = text.find("\n\n", pos)
        end = len(text) if end == -1 else end
        m = _TEXT_DATELINE.match(text, pos)
        if m:
            inside = [x for x in mentions if pos <= x["start"] < pos + m.end("place") - m.start()
                      and x.get("type") in ("place", "country")]
            loc = _dateline_place(inside)
            return Dateline(loc, pos, end) if loc else None
        para = text[pos:end].strip()
        if len(para) > _BYLINE_MAX or para[-1:] in ".!?\"”":
            return None     # a paragraph of the story: no dateline comes after it
        pos = end + 2
        if pos >= len(text):
            return None
    return None


def _dateline_place(mentions: list[dict]) -> dict | None:
    places = [m for m in mentions if m.get("type") == "place"]
    countries = [m for m in mentions if m.get("type") == "country" and m.get("via") != "demonym"]
    if places:
        return location_of(places[0], "place")
    if countries:
        m = countries[0]
        return {"name": m.get("name") or m.get("text"), "country": m.get("code") or m.get("id"),
                "lat": None, "lon": None, "_level": "country"}
    return None


def dateline_location(events: list[Candidate], dl: Dateline | None, text: str, published) -> None:
    """"MOSCOW, March 3 (Reuters) - Putin met ...": a meeting of the lead paragraph that names
    no place took place where the dateline files from, on the dateline's day when it names no
    other; "held talks here" anywhere in the story is the dateline's place, and a meeting placed
    only in the dateline's country took place in the dateline's city."""
    if dl is None:
        return
    loc = dl.location
    for c in events:
        if c.kind not in ("meeting", "multilateral") or c.field != "text":
            continue
        start = c.evidence["start"]
        in_lead = dl.lead_start <= start < dl.lead_end
        if c.location is None and (_HERE.search(c.evidence["text"]) or (in_lead and c.status == "occurred")):
            c.location = loc
            c.features["dateline_location"] = True
        elif c.location and c.location.get("_level") == "country" and loc.get("_level") != "country" \
                and c.location.get("country") == loc.get("country"):
            c.location = loc    # "met in Ghana" filed from Accra: in Accra
            c.features["dateline_location"] = True
        if c.status != "occurred" or c.date_text is not None:
            continue
        if in_lead and dl.date is not None:
            c.date_text, c.date_value = dl.date.text, _dates.resolve(dl.date, published, False)
            c.features["dateline_date"] = True
        elif not in_lead and c.location and c.location.get("name") == loc.get("name") \
                and loc.get("_level") != "country" and (day := _lead_day(text, dl)) is not None:
            # "LIMA – Vega said Monday ... In his talks with Berg, ...": the day the story
            # files from the dateline's city
            c.date_text, c.date_value = day.text, _dates.resolve(day, published, False)
            c.features["dateline_date"] = True




def _lead_day(text: str, dl: Dateline):
    """The day of the story filed under a dateline: the dateline's date, else the first day
    named in the lead's first sentence."""
    if dl.date is not None:
        return dl.date
    lead = text[dl.lead_start:dl.lead_end]
    end = lead.find(". ")
    for d in _dates.find_dates(lead if end == -1 else lead[:end + 1]):
        return d if d.kind in _dates.DAY_KINDS else None
    return None


# "talks here", "met here on Monday": the place the story is filed from (not "here in Oslo",
# which names its place, nor "here is", "from here")
_HERE = re.compile(r"(?<!from )\bhere\b(?!\s+(?:in|at|is|are|was|were)\b)", re.I)


def place_party(m: dict) -> Party | None:
    c = m.get("country")
    if not c:
        return None
    return Party(None, None, c, None, frozenset([c]), frozenset(), m["start"], m["end"], "country",
                 m.get("name"))


def location_of(item, typ) -> dict | None:
    if typ == "place":
        return {"name": item.get("name") or item.get("text"), "country": item.get("country"),
                "lat": item.get("lat"), "lon": item.get("lon")}
    if typ == "party":
        if item.mention is None or item.mention.get("via") == "demonym":
            return None   # "in the Russian port of ...": an adjective names no place
        item = item.mention
    # a capital standing for its country ("in Washington") names the city
    text, name = item.get("text") or "", item.get("name") or ""
    city = text if text.lower() != name.lower() and not text.isupper() and "." not in text else None
    return {"name": city or name, "country": item.get("code") or item.get("id"),
            "lat": None, "lon": None, "_level": "city" if city else "country"}


def particle_in(text: str, pos: int) -> bool:
    """"reining in Ruritania", "interfered in Ruritania": the "in" before `pos` belongs to the
    verb, the mention after it is no place."""
    return bool(lex("in_particle").search(text, max(0, pos - 30), pos))


def in_person_talk(text: str, hit, loc: dict | None, left: int, right: int) -> bool:
    """"spoke with her counterpart in Lima": a verb of talking that names no medium, with a
    place of its own after it and no word of a call in the clause, was talk in person."""
    if loc is None or not lex("talk_verb").match(text, hit.start):
        return False
    return not lex("call_cue").search(text, left, max(right, hit.end))


def mention_location(m: dict) -> dict:
    """The location a place or country mention names."""
    if m.get("type") == "place":
        return location_of(m, "place")
    return {"name": m.get("name") or m.get("text"), "country": m.get("code") or m.get("id"),
            "lat": None, "lon": None, "_level": "country"}


def sentence_location(text, sent, places, hit) -> dict | None:
    """"While in Brussels, ...", "during a working visit to Brussels, ...", "in Yerevan" elsewhere
    in the sentence; "left for Oslo, where she will meet ...": the place the clause opens on."""
    where = [m for m in places if sent.start <= m["end"] <= hit.start and lex("where_rel").match(text, m["end"])
             and (m.get("type") == "place" or m.get("via") != "demonym")]
    if where:
        return mention_location(max(where, key=lambda m: m["end"]))
    best = None
    for m in places:
        if m.get("type") != "place":
            continue
        before = text[max(sent.start, m["start"] - 30):m["start"]]
        if m["start"] > hit.end and lex("other_occasion").search(text, hit.end, m["start"]) \
                and lex("new_occasion").search(text, max(sent.start, hit.start - 25), hit.start):
            continue   # "a second meeting, after their first summit in Oslo": the first summit's place
        if lex("loc_prep").search(before) and not particle_in(text, m["start"]):
            if best is None or abs(m["start"] - hit.start) < abs(best["start"] - hit.start):
                best = m
    if best:
        return location_of(best, "place")
    return venue_location(sent.text)


def venue_location(sentence: str) -> dict | None:
    """"welcomed him to the White House": a venue from venues.tsv stands for its city."""
    if not any_venue().search(sentence):
        return None
    found = [(m.start(), v, m) for v in venues() for m in v.pattern.finditer(sentence)
             if lex("venue_prep").search(sentence, max(0, m.start() - 12), m.start())
             or lex("venue_side").search(sentence, max(0, m.start() - 16), m.start())]
    if not found:
        return None
    _, v, m = min(found, key=lambda f: f[0])
    return venue_record(v, m)


def venue_record(v, m) -> dict:
    """The location a venue match names: its city ("White House": Washington), or, for a venue
    that is a place of its own (its name is one of its forms: "Camp David", "the DMZ"), the
    venue as the article writes it."""
    name = v.name
    if v.pattern.fullmatch(v.name):
        name = _LEADING_THE.sub("", m.group(0))
    return {"name": name, "country": v.country, "lat": None, "lon": None}


_LEADING_THE = re.compile(r"^the\s+", re.I)


def visit_venues(events: list[Candidate]) -> None:
    """"when she visits the White House": a visit whose destination is a venue takes place in
    the venue's city."""
    for c in events:
        if c.kind != "visit" or c.location is not None or c.field != "text":
            continue
        sentence = c.evidence["text"]
        if not any_venue().search(sentence):
            continue
        found = [(m.start(), v, m) for v in venues() for m in v.pattern.finditer(sentence)
                 if lex("venue_visit").search(sentence, max(0, m.start() - 16), m.start())]
        if found:
            _, v, m = min(found, key=lambda f: f[0])
            c.location = venue_record(v, m)


def occasion_location(text, sent, places, parties) -> dict | None:
    """"on the sidelines of the Singapore Convention Signing Ceremony": the occasion's place."""
    m = lex("occasion_open").search(sent.text)
    if not m:
        return None
    start = sent.start + m.end()
    for p in places:
        if start <= p["start"] < start + 40 and p.get("type") == "place":
            return location_of(p, "place")
    for p in parties:
        if start <= p.start < start + 40 and p.kind == "country" and p.mention \
                and p.mention.get("via") != "demonym":
            return location_of(p, "party")
    return None


# substrings every "stay" phrase contains: a cheap test before the regex
_STAY_HINTS = ("while in", "visit", "course of", "part of", "sidelines", "margins", "arriv", "travel", "trip")


def update_location_context(text, sent, places, cands, ctx) -> None:
    for c in cands:
        if c.kind == "visit" and c.location:
            ctx.location = c.location
            ctx.location_status_future = c.status in ("planned", "proposed")
            return
    low = sent.text.lower()
    if not any(w in low for w in _STAY_HINTS):
        return
    m = lex("stay").search(sent.text)
    if m:
        for p in places:
            if p.get("type") == "place" and p["start"] >= sent.start + m.start():
                ctx.location = location_of(p, "place")
                ctx.location_status_future = bool(lex("future").search(sent.text))
                return


def host_location(events: list[Candidate], mentions: list[dict]) -> None:
    """"Berg will host the Chilean president for talks": a meeting its subject hosts, with no
    place of its own, takes place in the host's country (a city the article names for that
    country may refine it, see article_city)."""
    names = {}
    for m in mentions:
        if m.get("type") == "country" and m.get("name"):
            names.setdefault(m.get("code") or m.get("id"), m["name"])
    for c in events:
        if c.location is not None or c.kind not in ("meeting", "multilateral") or c.field != "text" \
                or not lex("host_verb").match(c.features.get("trigger") or ""):
            continue
        sides = c.features.get("sides") or c.parties
        host = sides[0].countries if sides else frozenset()
        if len(host) != 1 or len(c.countries) < 2:
            continue
        code = next(iter(host))
        if code in names:
            c.location = {"name": names[code], "country": code, "lat": None, "lon": None, "_level": "country"}
            c.features["host_location"] = True


def article_city(events: list[Candidate], mentions: list[dict]) -> None:
    """"the summit in Portugal" in an article that names Lisbon four times: a meeting placed
    only in a country took place in the city of that country the article names most."""
    counts: dict[str, dict[str, int]] = {}
    first: dict[str, dict] = {}
    for m in mentions:
        if m.get("type") == "place" and m.get("country"):
            name = m.get("name") or m.get("text")
            counts.setdefault(m["country"], {}).setdefault(name, 0)
            counts[m["country"]][name] += 1
            first.setdefault(name, m)
    for c in events:
        loc = c.location
        if not loc or loc.get("_level") != "country" or c.kind == "visit" or loc.get("country") not in counts \
                or c.features.get("trip_location"):
            continue   # a place taken from the trip's context stays as the trip names it
        cities = counts[loc["country"]]
        best = max(cities, key=cities.get)
        if list(cities.values()).count(cities[best]) == 1:
            c.location = location_of(first[best], "place")


# "in Lakeview, Ont.,", "at the lakeside estate in Vallmoll, Chile,": a capitalised name
# after "in"/"at" and before ", <place, country or region>" that the tagger does not know
_APPOSED = re.compile(
    r"\b(?:[Ii]n|[Aa]t)\s+(?:the\s+)?(?P<x>[A-Z][\w'’.-]*(?:[ \t]+(?:[A-Z][\w'’.-]*|de|del|la|le|sur|am|an))*)"
    r"[ \t]*,[ \t]*")
# after the anchor: the end of the phrase (not a list of further places)
_ANCHOR_END = re.compile(r"\s*(?:[.;:)\]]|,(?!\s*(?:and\b|or\b))|$)")


def learned_places(text: str, mentions: list[dict]) -> list[dict]:
    """Places the gazetteer does not know, named by the article itself: "in X, <anchor>" where
    the anchor is a tagged place or country or a region of regions.tsv makes X a place of the
    anchor's country, wherever the article names X (not inside another mention)."""
    if not text or ", " not in text:
        return []
    anchors = {m["start"]: (m["end"], m.get("country") if m.get("type") == "place" else (m.get("code") or m.get("id")))
               for m in mentions if m.get("type") in ("place", "country") and m.get("via") != "demonym"
               and (m.get("field") or "text") == "text"}
    rx, table = regions()
    taken = sorted((m["start"], m["end"]) for m in mentions if (m.get("field") or "text") == "text")
    learned: dict[str, str | None] = {}
    for m in _APPOSED.finditer(text):
        x = m.group("x").rstrip(".")
        xs = m.start("x")
        if x.split()[0].lower() in _dates.MONTHS or x.split()[0].lower() in _dates.WEEKDAYS \
                or x.endswith(("'s", "’s")) or _overlaps(taken, xs, xs + len(x)):
            continue
        start = m.end()
        if start in anchors:
            end, country = anchors[start]
        elif (r := rx.match(text, start)) is not None:
            end, country = r.end(), table[r.lastgroup].country
        else:
            continue
        after = _ANCHOR_END.match(text, end)
        if not after:
            continue
        if after.group(0).strip() == "," and _starts_anchor(text, after.end(), anchors, rx):
            continue   # "in Asia, China, Japan and ...": a list, not an apposition
        learned.setdefault(x, country)
    out = []
    for x, country in learned.items():
        for m in re.finditer(rf"(?<![\w-]){re.escape(x)}(?![\w-])", text):
            if not _overlaps(taken, m.start(), m.end()):
                out.append({"type": "place", "id": None, "name": x, "text": x, "country": country,
                            "lat": None, "lon": None, "start": m.start(), "end": m.end(),
                            "field": "text", "via": "apposition"})
    return out


def _overlaps(spans, s, e) -> bool:
    return any(a < e and s < b for a, b in spans)


def _starts_anchor(text, pos, anchors, rx) -> bool:
    pos += len(text[pos:pos + 5]) - len(text[pos:pos + 5].lstrip())
    return pos in anchors or rx.match(text, pos) is not None


def anaphoric_venues(events: list[Candidate], text: str, mentions: list[dict]) -> None:
    """"At their meeting in Oslo, ...", "the summit, due to take place in Oslo",
    "the Oslo summit": a meeting the article has already named (or names next), placed in a
    sentence of its own. The place goes to the nearest report of a meeting before it (after it
    when none comes before; a visit or a call is no summit), if that report names no place of
    its own; a country that is a side of the
    meeting, written before the noun ("the Korea summit"), names no place."""
    if not any(c.location is None and c.kind in ("meeting", "multilateral") for c in events):
        return   # every meeting has a place of its own
    phrases = []   # (position, location, country mention or None)
    spans = sorted((m["start"], m["end"]) for m in mentions)
    for m in mentions:
        typ = m.get("type")
        if typ not in ("place", "country") or m.get("via") == "demonym":
            continue
        before = text[max(0, m["start"] - 90):m["start"]]
        cut = max(before.rfind(". "), before.rfind("\n"))
        before = before[cut + 1:]
        a = lex("venue_after").search(before)
        if a and not lex("venue_gap_stop").search(before, a.start() + 1) \
                and not _overlaps(spans, m["start"] - len(before) + a.end("mods"), m["start"]):
            named = any(w[:1].isupper() for w in (a.group("mods") or "").split())
            offset = m["start"] - len(before)
            orgs = [o for o in mentions if o.get("type") == "org"
                    and offset + a.start("mods") <= o["start"] < offset + a.end("mods")]
            phrases.append((m["start"], mention_location(m), ("named", orgs) if named else None))
            continue
        if lex("venue_before").match(text, m["end"]) and lex("venue_before_det").search(before):
            phrases.append((m["start"], mention_location(m), m if typ == "country" else None))
    for v in _venue_premodifiers(text):
        phrases.append(v)
    ordered = sorted(events, key=lambda c: c.evidence["start"])
    for pos, loc, country in phrases:
        if isinstance(country, tuple):
            # "the Arctic Council summit in Tromso": a named gathering places the multilateral
            # meeting of the article nearest to it (of its organisation, when it names one),
            # no bilateral
            pool = [c for c in ordered if c.field == "text" and c.kind == "multilateral"
                    and gathering_fits(country[1], c)]
            c = min(pool, key=lambda c: abs(c.evidence["start"] - pos), default=None)
            if c is not None and c.location is None:
                c.location = loc
                c.features["anaphoric_venue"] = True
            continue
        meetings = [c for c in ordered if c.field == "text" and c.kind in ("meeting", "multilateral")]
        target = [c for c in meetings if c.evidence["start"] <= pos][-1:] or meetings[:1]
        if not target:
            continue
        c = target[0]
        if c.location is not None:
            continue
        if country is not None and (country.get("code") or country.get("id")) in c.countries:
            continue
        c.location = loc
        c.features["anaphoric_venue"] = True


def gathering_fits(orgs: list[dict], c: Candidate) -> bool:
    """A gathering named by organisations ("the NATO summit", "the G7 summit") is a meeting of
    one of them: the organisation is a side, or its members all are."""
    if not orgs:
        return True
    for o in orgs:
        code = o.get("code") or o.get("id")
        members = set(o.get("members") or ())
        if code in c.orgs or (members and members <= c.countries):
            return True
    return False


# how far before a meeting noun a venue naming it can begin
_PREMODIFIER_REACH = 60


def _venue_premodifiers(text: str) -> list:
    """"her Kremlin visit": a venue of venues.tsv before a meeting noun (looked for only before
    the meeting nouns of the text)."""
    out = []
    for n in lex("meeting_word").finditer(text):
        lo = max(0, n.start() - _PREMODIFIER_REACH)
        for m in any_venue().finditer(text, lo, n.start()):
            if not lex("venue_before").match(text, m.end()) \
                    or not lex("venue_before_det").search(text, max(0, m.start() - 30), m.start()):
                continue
            v = next((v for v in venues() if v.pattern.fullmatch(m.group(0))), None)
            if v is not None and all(p != m.start() for p, _, _ in out):
                out.append((m.start(), venue_record(v, m), None))
    return out
