"""Location: where a meeting took place, from a place after "in"/"at", elsewhere in the
sentence, in the occasion ("on the sidelines of ..."), in the dateline, or where the article
last put its main actor.
"""
from __future__ import annotations

from parley.logic.detect.records import Candidate, Party
from parley.logic.detect.vocabulary import any_venue, lex, venues


def dateline_location(events: list[Candidate], dateline: list[dict], text: str) -> None:
    """"MOSCOW, March 3 (Reuters) - Putin met ...": a meeting of the lead paragraph that names
    no place took place where the dateline files from (mentions tagged in the dateline field)."""
    places = [m for m in dateline if m.get("type") == "place"]
    countries = [m for m in dateline if m.get("type") == "country" and m.get("via") != "demonym"]
    if places:
        loc = location_of(places[0], "place")
    elif countries:
        m = countries[0]
        loc = {"name": m.get("name") or m.get("text"), "country": m.get("code") or m.get("id"),
               "lat": None, "lon": None, "_level": "country"}
    else:
        return
    lead_end = text.find("\n\n")
    lead_end = len(text) if lead_end == -1 else lead_end
    for c in events:
        if c.location is None and c.kind in ("meeting", "multilateral") and c.status == "occurred" \
                and c.field == "text" and c.evidence["start"] < lead_end:
            c.location = loc
            c.features["dateline_location"] = True


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


def sentence_location(text, sent, places, hit) -> dict | None:
    """"While in Brussels, ...", "during a working visit to Brussels, ...", "in Yerevan" elsewhere
    in the sentence."""
    best = None
    for m in places:
        if m.get("type") != "place":
            continue
        before = text[max(sent.start, m["start"] - 30):m["start"]]
        if lex("loc_prep").search(before):
            if best is None or abs(m["start"] - hit.start) < abs(best["start"] - hit.start):
                best = m
    if best:
        return location_of(best, "place")
    return venue_location(sent.text)


def venue_location(sentence: str) -> dict | None:
    """"welcomed him to the White House": a venue from venues.tsv stands for its city."""
    if not any_venue().search(sentence):
        return None
    found = [(m.start(), v) for v in venues() for m in v.pattern.finditer(sentence)
             if lex("venue_prep").search(sentence, max(0, m.start() - 12), m.start())]
    if not found:
        return None
    v = min(found, key=lambda f: f[0])[1]
    return {"name": v.name, "country": v.country, "lat": None, "lon": None}


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


def article_city(events: list[Candidate], mentions: list[dict]) -> None:
    """"the summit in Finland" in an article that names Helsinki four times: a meeting placed
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
