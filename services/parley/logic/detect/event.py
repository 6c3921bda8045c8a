"""The article walk and its output: `detect(tagged)` reads the title and the body sentence by
sentence (keeping the reading context later references need), merges the candidates and
writes them as events of the `events.meetings` contract.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from parley.logic.detect.clause import SentenceDates, candidates_for
from parley.logic.detect.confidence import confidence
from parley.logic.detect.grammar import Sentence, parentheticals, quoted_spans, split_sentences
from parley.logic.detect.location import (anaphoric_venues, article_city, dateline_location, find_dateline,
                                          host_location, learned_places, update_location_context,
                                          visit_venues)
from parley.logic.detect.merge import merge
from parley.logic.detect.parties import (PARTY_TYPES, collective, inferred_side, merge_adjacent,
                                         name_role, party_from_mention, untagged_name)
from parley.logic.detect.records import Candidate, Context
from parley.logic.detect.reference import collective_parties, speech_hint, summit_leaders, with_collectives
from parley.logic.detect.triggers import find_triggers, head_starts
from parley.logic.detect.when import anaphoric_dates, publication_month, speech_dates

SCHEMA_VERSION = 1


def detect(tagged: dict) -> list[dict]:
    published = tagged.get("published_at")
    ctx = Context(published)
    mentions = tagged.get("mentions") or []
    mentions = mentions + learned_places(tagged.get("text") or "", mentions)
    ctx.national = {m.get("code") or m.get("id"): m["country"] for m in mentions
                    if m.get("type") == "org" and m.get("country") and not m.get("members")}
    ctx.names = {m.get("id"): m.get("name") for m in mentions if m.get("type") == "person" and m.get("id")}
    by_field: dict[str, list[dict]] = {"title": [], "text": []}
    for m in mentions:
        by_field.setdefault(m.get("field") or "text", []).append(m)
    candidates: list[Candidate] = []
    title = tagged.get("title") or ""
    if title:
        candidates += _detect_field(title, "title", by_field["title"], ctx)
        ctx.last_event_parties = []
        ctx.prev_sentence, ctx.prev_names = None, frozenset()   # no date carries over fields
    candidates += _detect_field(tagged.get("text") or "", "text", by_field["text"], ctx, last=True)
    for i, c in enumerate(candidates):
        c.order = i
    events = merge(candidates, published)
    if not events:
        return []
    dateline = find_dateline(tagged, by_field.get("dateline") or [], by_field["text"])
    dateline_location(events, dateline, tagged.get("text") or "", published)
    text_mentions = [m for m in by_field["text"] if isinstance(m.get("start"), int)]
    anaphoric_venues(events, tagged.get("text") or "", text_mentions)
    visit_venues(events)
    anaphoric_dates(events, tagged.get("text") or "", text_mentions, published)
    speech_dates(events, tagged.get("text") or "", text_mentions, published)
    host_location(events, by_field["text"])
    article_city(events, by_field["text"] + by_field.get("captions", []))
    publication_month(events, published)
    summit_leaders(events, by_field["text"])
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    written = written_names(mentions)
    return _unique_ids([_to_event(tagged, c, now, written) for c in events], events)


def written_names(mentions: list[dict]) -> dict[str, str]:
    """Gazetteer name -> the fullest form the article writes it in ("Elmar Mammadyarov" for a
    gazetteer's "Elmar Mammedyarov"): subscribers see the article's spelling, not an alias."""
    out: dict[str, str] = {}
    for m in mentions:
        name, text = m.get("name"), m.get("text") or ""
        if m.get("type") == "person" and name and " " in text.strip() \
                and len(text) > len(out.get(name, "")):
            out[name] = text.strip()
    return out


def _unique_ids(events: list[dict], cands: list[Candidate]) -> list[dict]:
    """One event per id: two candidates the merge kept apart but that share every field the
    id is made of are one meeting for subscribers (the sink would upsert them into one row).
    A meeting told apart from an earlier one ("they met again that evening"), or one of
    another status reported with a trigger of its own (talks held in the morning, a meeting
    with the president set for the afternoon), is another meeting: it keeps an id of its own,
    ranked after the ones it shares every field with."""
    kept: dict[str, dict] = {}
    ranks: dict[str, int] = {}
    for event, c in zip(events, cands):
        base = event["event_id"]
        held = kept.get(base)
        if held is not None and (c.features.get("apart") or (
                held["status"] != event["status"] and not c.features.get("elaboration"))):
            ranks[base] = ranks.get(base, 1) + 1
            event["event_id"] = _ranked(base, ranks[base])
        held = kept.get(event["event_id"])
        if held is None or event["confidence"] > held["confidence"]:
            kept[event["event_id"]] = event
    return [e for e in events if kept[e["event_id"]] is e]


def _ranked(event_id: str, rank: int) -> str:
    """The id of the `rank`-th meeting that shares every field of `event_id`'s."""
    return "m-" + hashlib.sha256(f"{event_id}|{rank}".encode("utf-8")).hexdigest()[:16]


def _detect_field(text: str, field_name: str, mentions: list[dict], ctx: Context,
                  last: bool = False) -> list[Candidate]:
    """Candidates of one field. In the `last` field read, the sentences after its last trigger
    are skipped: they could only feed the reading context of later sentences."""
    ms = sorted((m for m in mentions if isinstance(m.get("start"), int) and isinstance(m.get("end"), int)
                 and 0 <= m["start"] < m["end"] <= len(text)), key=lambda m: m["start"])
    # triggers depend on the text alone: find them all first
    heads = head_starts(text)
    hi = 0
    sentences = []
    for sent in split_sentences(text):
        sh = []
        while hi < len(heads) and heads[hi][0] < sent.end:
            if heads[hi][0] >= sent.start:
                sh.append(heads[hi])
            hi += 1
        sentences.append((sent, find_triggers(text, sent, sh)))
    if last:
        while sentences and not sentences[-1][1]:
            sentences.pop()
    out: list[Candidate] = []
    mi = 0
    named = collective_parties(text)
    for sent, hits in sentences:
        sm = []
        while mi < len(ms) and ms[mi]["start"] < sent.end:
            if ms[mi]["start"] >= sent.start:
                sm.append(ms[mi])
            mi += 1
        here = [p for p in named if sent.start <= p.start < sent.end]
        out += _detect_sentence(text, sent, sm, field_name, ctx, hits, here)
    return out


def _detect_sentence(text: str, sent: Sentence, mentions: list[dict], field_name: str,
                     ctx: Context, hits: list, named: list | None = None) -> list[Candidate]:
    parties = [p for p in (party_from_mention(m, ctx.national) for m in mentions
                           if m.get("type") in PARTY_TYPES) if p]
    parties = with_collectives(parties, named or [])
    parties = [inferred_side(collective(text, p), ctx) for p in parties]
    parties = [name_role(p, ctx) for p in parties]
    for i, p in enumerate(parties):
        if p.kind in ("role", "country") and not p.name:
            limit = parties[i + 1].start if i + 1 < len(parties) else sent.end
            parties[i] = untagged_name(text, sent, p, limit)
    parties = merge_adjacent(text, parties)
    places = [m for m in mentions if m.get("type") in ("place", "country")]
    out: list[Candidate] = []
    if hits:
        paren = parentheticals(text, sent)
        quotes = quoted_spans(text, sent)
        ctx.first_hit = hits[0].start
        date_exprs = SentenceDates(sent)
        for hit in hits:
            out += candidates_for(text, sent, hit, parties, places, date_exprs, paren, quotes,
                                  hits, field_name, ctx)
    # reading order memory for later pronouns
    for p in parties:
        if p.kind in ("person", "role"):
            ctx.recent.append(p)
        if p.kind == "person" and p.name and p.sides:
            ctx.counts[p.name] = ctx.counts.get(p.name, 0) + 1
            ctx.people[p.name] = p
        if p.kind == "group":
            ctx.last_group = p
        if p.kind == "country":
            ctx.countries_seen.append(p)
    if out:
        ctx.last_event_parties = out[-1].features.get("sides") or out[-1].parties
        ctx.last_candidates = [c for c in out if c.field == field_name]
    if parties and speech_hint(sent.text):
        # who speaks is looked up only when a later "we" needs it (see reference._last_speaker)
        ctx.speech.append((text, sent, parties))
    if places:
        update_location_context(text, sent, places, out, ctx)
    ctx.prev_sentence = sent
    ctx.prev_names = frozenset(p.name for p in parties if p.name)
    return out


def event_id(article_id: str, kind: str, countries, orgs, date_value, location_name, date_text=None) -> str:
    # Without a resolvable date ("on Wednesday" in an undated article) the date's words still
    # tell two meetings of the same sides apart.
    when = date_value or " ".join((date_text or "").lower().split())
    key = "|".join([article_id or "", kind, ",".join(sorted(countries)), ",".join(sorted(orgs)),
                    when, location_name or ""])
    return "m-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _to_event(tagged: dict, c: Candidate, detected_at: str, written: dict[str, str]) -> dict:
    countries = sorted(c.countries)
    orgs = sorted(c.orgs)
    loc = {k: v for k, v in c.location.items() if not k.startswith("_")} if c.location else None
    date = {"text": c.date_text, "value": c.date_value} if c.date_text is not None else None
    return {
        "schema_version": SCHEMA_VERSION,
        "event_id": event_id(tagged.get("article_id") or "", c.kind, countries, orgs,
                             c.date_value, loc["name"] if loc else None, c.date_text),
        "article_id": tagged.get("article_id"),
        "source": tagged.get("source") or {"file": None, "url": None, "name": None},
        "published_at": tagged.get("published_at"),
        "ingested_at": tagged.get("ingested_at"),
        "kind": c.kind,
        "status": c.status,
        "participants": [dict(p.record(), name=written.get(p.name, p.name)) for p in c.parties],
        "countries": countries,
        "orgs": orgs,
        "location": loc,
        "date": date,
        "evidence": c.evidence,
        "confidence": round(confidence(c), 3),
        "detected_at": detected_at,
    }
