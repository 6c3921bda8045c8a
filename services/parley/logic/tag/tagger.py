"""tag() for one article and tag_text() for one text: the sub-steps in order."""
from __future__ import annotations

import re
from operator import itemgetter

from parley.logic import gazetteer as gazetteer_mod
from parley.logic.gazetteer import Gazetteer

from .officials import tag_roles
from .people import tag_people
from .perspective import follow_sides, implicit_home
from .places import tag_capital, tag_place
from .records import Article, Spans
from .spans import OF_GAP_RE, select_spans, span_mention

# compiled once: re.match(pattern_string, ...) pays a cache lookup on every call
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


# ---------------------------------------------------------------- public API

def tag(clean: dict, gz: Gazetteer | None = None) -> dict:
    gz = gz or gazetteer_mod.load()
    date = _date_of(clean.get("published_at"))
    art = Article(date)
    dateline = clean.get("dateline")
    at_dateline = _tag_dateline(gz, dateline, Article(date)) if dateline else []
    art.home = _home_country(at_dateline)
    art.body = True
    mentions = tag_text(gz, clean.get("text") or "", art)
    art.body = False
    title = clean.get("title")
    if title:
        art.headline = True
        mentions += [dict(m, field="title") for m in tag_text(gz, title, art)]
        art.headline = False
    for i, cap in enumerate(clean.get("captions") or []):
        mentions += [dict(m, field="captions", caption=i) for m in tag_text(gz, cap, art)]
    mentions += at_dateline
    _settle_sides(gz, art, mentions)
    out = dict(clean)
    out["mentions"] = mentions
    return out


def _tag_dateline(gz: Gazetteer, dateline: str, art: Article) -> list[dict]:
    """A dateline is a place name in capitals at the start of a line ("BEIJING, November 9"):
    tag it as the same name would read inside a sentence, then shift the offsets back."""
    lead = "Reported in "
    out = []
    for m in tag_text(gz, lead + _title_case_caps(dateline), art):
        start, end = m["start"] - len(lead), m["end"] - len(lead)
        if start >= 0:
            out.append(dict(m, text=dateline[start:end], start=start, end=end, field="dateline"))
    return out


def _home_country(at_dateline: list[dict]) -> str | None:
    """The country the story is filed from: its dateline's place (or country)."""
    for m in at_dateline:
        if m["type"] == "place":
            return m.get("country")
        if m["type"] == "country":
            return m.get("code")
    return None


def _settle_sides(gz: Gazetteer, art: Article, mentions: list[dict]) -> None:
    """What the whole article says about each person, on every mention of them: a side given
    by a later mention ("Kent ... Kent, the U.S. trade representative"), the side of the
    person whose aide someone is ("Vance's chief of staff"), and, as the weakest evidence,
    the dateline's country (or else the article's perspective, see perspective.py) for the
    holder of a state office named without any ("Commerce Secretary Paul Redding" in a
    WASHINGTON story)."""
    follow_sides(art)
    home = art.home or implicit_home(art)
    if home:
        national = gz.national_roles
        for f in art.people:
            if f.country is None and f.org is None and f.role in national:
                f.country = home
        follow_sides(art)
    by_id = art.by_id
    for m in mentions:
        if m["type"] == "person" and m["country"] is None and m["org"] is None:
            f = by_id.get(m["id"])
            if f is not None and (f.country or f.org):
                m["country"], m["org"] = f.country, f.org
                if m["role"] is None:
                    m["role"] = f.role


def _title_case_caps(text: str) -> str:
    """"BEIJING" -> "Beijing", same length (offsets stay valid); mixed-case words unchanged."""
    return re.sub(r"\b[A-Z][A-Z'\-]+\b", lambda m: m.group(0).capitalize(), text)


def _date_of(value) -> str | None:
    if isinstance(value, str) and DATE_RE.match(value):
        return value[:10]
    return None


# ---------------------------------------------------------------- one text

def tag_text(gz: Gazetteer, text: str, art: Article) -> list[dict]:
    if not text:
        return []
    spans = select_spans(gz, text)
    countries_here = {e[1][0] for s in spans if s.kind == "country" for e in s.entries}
    people = tag_people(gz, text, spans, art)
    in_person = bytearray(len(text) + 1)
    for m in people:
        in_person[m["start"]:m["end"]] = b"\x01" * (m["end"] - m["start"])
    out = people
    out += tag_roles(gz, text, spans, art, in_person)
    countries = gz.countries
    for k, s in enumerate(spans):
        start, end = s.start, s.end
        if 1 in in_person[start:end]:     # (a slice test: bytearray.find parses its arguments slowly)
            continue
        if s.kind == "country":     # half the spans: the mention is spelled out (what span_mention makes)
            code, via = s.entries[0][1]
            out.append({"type": "country", "text": text[start:end], "start": start, "end": end, "id": str(code),
                        "name": countries.get(code, code), "code": code, "via": via})
        elif s.kind == "capital":
            out += tag_capital(gz, text, s, spans, countries_here)
        elif s.kind == "place":
            p = tag_place(gz, text, s, countries_here, spans[k - 1] if k else None)
            if p:
                out.append(p)
        elif s.kind == "org":
            code = s.entries[0][1]
            name, country = gz.orgs.get(code, (code, None))
            if country == "*":
                # a national body of the country named with it, or of nobody we can tell
                country = _country_next_to(text, spans, k)
                if not country:
                    continue
            extra = {"country": country} if country else {}
            out.append(span_mention("org", text, s, code, name, code=code, **extra))
        elif s.kind == "group":
            code = s.entries[0][1]
            versions = gz.groups.get(code)
            out.append(span_mention("org", text, s, code, versions[0].name if versions else code, code=code,
                          members=gz.group_members(code, art.date)))
        elif s.kind == "topic":
            tid = s.entries[0][1]
            out.append(span_mention("topic", text, s, tid, gz.topics.get(tid, tid)))
    # by (start, end): two stable sorts on ints are cheaper than one on tuples
    out.sort(key=_mention_end)
    out.sort(key=_mention_start)
    return out


def _country_next_to(text, spans: Spans, k: int) -> str | None:
    """ "the Russian Foreign Ministry", "Russia's Foreign Ministry", "Foreign Ministry of Armenia" """
    if k > 0 and spans[k - 1].kind == "country" and text[spans[k - 1].end:spans[k].start] in (" ", "'s ", "’s "):
        return spans[k - 1].entries[0][1][0]
    if k + 1 < len(spans) and spans[k + 1].kind == "country" \
            and OF_GAP_RE.fullmatch(text[spans[k].end:spans[k + 1].start]):
        return spans[k + 1].entries[0][1][0]
    return None


_mention_start, _mention_end = itemgetter("start"), itemgetter("end")     # mentions in text order
