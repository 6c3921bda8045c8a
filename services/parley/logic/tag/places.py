"""Places and capitals: a place mention, and a capital standing for its government."""
from __future__ import annotations

import re

from parley.logic.gazetteer import fold

from .records import Span
from .spans import last_before, span_mention

LOCATIVE = {"in", "at", "to", "from", "near", "outside", "visit", "visited", "visiting"}
SENTENCE_END = re.compile(r"(?:^|[.!?:\"“”\n]\s*)$")
BETWEEN_RE = re.compile(r"\bbetween\s+$")
BETWEEN_AND_RE = re.compile(r"\bbetween\s+\S+\s+and\s+$")
_ABBREVIATION_RE = re.compile(r"(?:[A-Z]\.){2,}")
_LINE_START_RE = re.compile(r"(?:^|\n)[\s(\[\"“]*$")
PLACE_FREE_POPULATION = 100_000              # smaller towns need "in"/"at"/... before them
PLACE_SENTENCE_START_POPULATION = 500_000    # a sentence-initial capital word is rarely a town


def tag_capital(gz, text, s: Span, spans, countries_here) -> list[dict]:
    code = next(e[1] for e in s.entries if e[0] == "capital")
    out = []
    places = [gz.places[e[1]] for e in s.entries if e[0] == "place"]
    place = next((p for p in places if p.country == code), None) or (max(places, key=lambda p: p.population) if places else None)
    if place:
        out.append(_place_mention(text, s, place))
    if _as_government(gz, text, s, spans):
        out.append(span_mention("country", text, s, code, gz.countries.get(code, code), code=code, via="capital"))
    return out


_WORD_RE = re.compile(r"\s*([A-Za-z]+)")


def _as_government(gz, text, s: Span, spans) -> bool:
    """ "Moscow says", "Moscow and Washington push", "talks between Baku and Yerevan" """
    before = text[max(0, s.start - 12):s.start].lower()
    if BETWEEN_RE.search(before):
        return True
    pos = s.end
    # skip "and <capital>" chains
    i = last_before(spans, pos) + 1
    while i < len(spans) and spans[i].kind == "capital" and text[pos:spans[i].start] in (" and ", ", "):
        pos = spans[i].end
        i += 1
    m = _WORD_RE.match(text, pos)
    if not m:
        return False
    if m.group(1).lower() in gz.gov_verbs:
        return True
    # the second capital of "between X and Y"
    return bool(BETWEEN_AND_RE.search(text[max(0, s.start - 40):s.start].lower()))


def tag_place(gz, text, s: Span, countries_here, before: Span | None = None) -> dict | None:
    surface = text[s.start:s.end]
    if surface.isupper() and surface.isalpha() and _LINE_START_RE.search(text, max(0, s.start - 8), s.start) is None:
        return None     # "ISNA reported": an acronym; in capitals a place starts a line (a dateline)
    if before is not None and before.kind in ("place", "capital") and text[before.end:s.start] == ", ":
        return None     # "Washington, D.C.", "Springfield, Ohio": the qualifier of the place before
    places = [gz.places[e[1]] for e in s.entries]
    pref = [p for p in places if p.country in countries_here]
    place = max(pref or places, key=lambda p: (p.feature == "PPLC", p.population))
    if place.feature != "PPLC" and place.population < PLACE_FREE_POPULATION:
        prev = text[max(0, s.start - 12):s.start].split()
        if not prev or prev[-1].lower() not in LOCATIVE:
            return None
    if place.feature != "PPLC" and place.population < PLACE_SENTENCE_START_POPULATION:
        if SENTENCE_END.search(text[max(0, s.start - 3):s.start]):
            return None
    return _place_mention(text, s, place)


def _place_mention(text, s: Span, place) -> dict:
    """`name` is the form the article uses when it is a known variant ("Geneva", "Kiev");
    `geoname` is the GeoNames name, `id` the GeoNames id."""
    surface = text[s.start:s.end]
    name = place.name
    if fold(surface) != fold(place.name) and not _ABBREVIATION_RE.fullmatch(surface):
        name = surface.title() if surface.isupper() else surface    # an abbreviation ("D.C.") is no form of the name
    return span_mention("place", text, s, place.id, name, country=place.country, lat=place.lat, lon=place.lon,
              geoname=place.name)
