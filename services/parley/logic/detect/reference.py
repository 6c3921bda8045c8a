"""References and speakers: the participants named before that "he", "the two", "we", "the
co-chairs" or "the leaders of the three states" refer to, who speaks a sentence, the article's
main actor, and the date an undated report takes from the sentence before it.
"""
from __future__ import annotations

import re

from parley.logic import dates as _dates
from parley.logic.detect.grammar import Sentence
from parley.logic.detect.records import Context, Party, sides
from parley.logic.detect.vocabulary import collectives, lex


def find_protagonist(ctx: Context, exclude: frozenset) -> Party | None:
    """The person the article is about so far (most mentioned), for subjectless reports
    ("Bilateral meetings were also held with ...")."""
    best = None
    for name, n in ctx.counts.items():
        q = ctx.people[name]
        if q.sides and not (q.sides & exclude) and (best is None or n > ctx.counts[best.name]):
            best = q
    return best


def collective_parties(text: str) -> list[Party]:
    """"The two Koreas held talks", "the inter-Korean summit": a collective name of several
    countries (collectives.tsv) is one party whose sides are all its members."""
    rx, members = collectives()
    return [Party(None, None, None, None, members[m.lastgroup], frozenset(), m.start(), m.end(),
                  "group", m.group(0)) for m in rx.finditer(text)]


def summit_leaders(events, mentions: list[dict]) -> None:
    """"Berg called off the summit with Ghana": a summit is held by the leaders of its
    sides; a side told only by its country takes that country's leader the article named
    before the report (the one it names most), when it names just one."""
    for c in events:
        if c.kind != "meeting" or not lex("summit_noun").match(c.features.get("trigger") or ""):
            continue
        for code in sorted(c.countries):
            if any(p.name and p.country == code for p in c.parties):
                continue
            counts: dict = {}
            for m in mentions:
                if m.get("type") == "person" and m.get("country") == code and m.get("name") \
                        and lex("leader_role").match(m.get("role") or "") \
                        and isinstance(m.get("start"), int) and m["start"] < c.evidence["end"]:
                    counts[(m["name"], m["role"])] = counts.get((m["name"], m["role"]), 0) + 1
            if len({name for name, _ in counts}) != 1:
                continue
            name, role = max(counts, key=counts.get)
            c.parties = [p for p in c.parties if not (p.country == code and not p.name)]
            c.parties.append(Party(name, role, code, None, frozenset([code]), frozenset(), -1, -1, "person"))


def is_collective(p: Party) -> bool:
    """Is `p` a collective name of collectives.tsv (a group with its words, no tagger mention)?"""
    return p.kind == "group" and p.mention is None and p.label is not None


def with_collectives(parties: list[Party], found: list[Party]) -> list[Party]:
    """The sentence's parties with its collective names in place of the mentions inside them
    (a tagger may read "Korea" in "inter-Korean" as one of the two)."""
    if not found:
        return parties
    kept = [p for p in parties if not any(p.start < f.end and f.start < p.end for f in found)]
    return sorted(kept + found, key=lambda p: p.start)


NUMBER = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def countries_referred(text, hit, right, parties, ctx) -> list[Party]:
    """"... a summit with the participation of the leaders of the three states": the three
    countries named last."""
    m = lex("ref_n_countries").search(text, hit.end, max(right, hit.end))
    if not m:
        return []
    n = NUMBER[m.group("n").lower()]
    people = [p for p in parties if p.kind in ("person", "role") and p.sides and p.start < m.start()]
    if len(sides(people)) == n and all(len(p.sides) == 1 for p in people):
        # "A urged B to welcome talks between the two countries": the people of the sentence
        return people
    if len(sides(ctx.last_event_parties)) == n:
        return list(ctx.last_event_parties)    # the sides of the meeting just reported
    seen: list = []
    here = [p for p in parties if p.kind == "country" and p.start < m.start()]
    named = [p for p in ctx.countries_seen + here
             if p.mention is not None and p.mention.get("via") != "demonym"]
    for p in reversed(named):
        if p.countries not in [q.countries for q in seen]:
            seen.append(p)
        if len(seen) == n:
            return list(reversed(seen))
    return []


def object_pronoun(text, sent, hit, parties, ctx, subject_sides) -> list[Party]:
    """"The Kenyan leader said the taoiseach had rung him": "him"/"her" right after a call verb
    is the speaker of the sentence, else the latest person of another side."""
    if not lex("object_pronoun").match(text, hit.end, sent.end):
        return []
    who = speaker(text, sent, [p for p in parties if p.start < hit.start])
    if who is not None and who.sides and not (who.sides & subject_sides):
        return [who]
    for p in reversed(ctx.recent):
        if p.kind == "person" and p.sides and not (p.sides & subject_sides):
            return [p]
    return []


def previous_sentence_date(text, sent, parties, ctx):
    """"Late on Sunday, X announced ... . The announcement came after X had a phone call with
    Y.": an undated report takes the one date of the sentence before it, in the same paragraph
    and about the same person."""
    prev = ctx.prev_sentence
    if prev is None or prev.end > sent.start or "\n" in text[prev.end:sent.start]:
        return None
    if not ctx.prev_names & {p.name for p in parties if p.name}:
        return None
    if lex("relative_time").search(sent.text):
        return None
    if any(lex(cat).search(sent.text) for cat in ("told_anew", "sequel_next", "sequel_prev")):
        return None   # "They met again", "The next day ...": not the day of the sentence before
    found = _dates.find_dates(prev.text)
    return found[0] if len(found) == 1 else None


def resolve_reference(text: str, subj_text: str, ctx: Context, parties, hit_start,
                      sent) -> list[Party]:
    """"he", "the two", "they", "the co-chairs", "the President": recent participants."""
    s = subj_text.strip().lower()
    if not s:
        return []
    tail = s[-90:]
    # the reference word nearest the verb decides: "the official said that he will meet"
    best, best_pos, best_m = None, -1, None
    for cat in ("ref_group", "ref_pair", "ref_plural", "ref_single", "ref_speaker", "ref_countries"):
        for m in lex(cat).finditer(tail):
            rest = tail[m.end():]
            limit = 12 if cat == "ref_speaker" else 5
            if lex("wish_to").match(rest):
                limit = 9   # "she wants to arrange a joint meeting with ...": the wish's subject
            if _PREP_BEFORE.search(tail, 0, m.start()) and not (
                    cat == "ref_countries" and lex("people_from").search(tail, 0, m.start())):
                continue   # "a level below the Secretary": not the subject ("negotiators of the two countries" are)
            if len(rest.split()) <= limit and m.start() >= best_pos:
                best, best_pos, best_m = cat, m.start(), m
    if best == "ref_speaker":
        who = speaker(text, sent, parties) or _last_speaker(ctx)
        if who is None:
            return []
        if lex("there_be").match(best_m.group(0)):
            return [who]   # "X said there would be no further talks": X himself
        # "we" speaks for an institution: keep its side, not the spokesman's name
        return [Party(None, who.role, who.country, who.org, who.countries, who.orgs,
                      who.start, who.end, "role")]
    if best == "ref_countries":
        seen: list = []
        here = [p for p in parties if p.kind == "country" and p.start < hit_start]
        for p in reversed(ctx.countries_seen + here):
            if p.countries not in [q.countries for q in seen]:
                seen.append(p)
            if len(seen) == 2:
                return list(reversed(seen))
        return []
    if best == "ref_group" and ctx.last_group:
        return [ctx.last_group]
    if best == "ref_pair":
        if ctx.last_event_parties and len(sides(ctx.last_event_parties)) >= 2:
            return list(ctx.last_event_parties)
        # "the two" are the two people named last; unnamed officials only when too few are
        return _last_distinct([p for p in ctx.recent if p.name], 2) or _last_distinct(ctx.recent, 2)
    if best == "ref_plural":
        if ctx.last_event_parties:
            return list(ctx.last_event_parties)
        return []
    if best == "ref_single":
        # the latest person before the pronoun, in this sentence first; else the latest subject
        here = [p for p in parties if p.start < hit_start and p.kind in ("person", "role") and p.sides]
        if here and here[0].start - sent.start < 40 and here[0].start < ctx.first_hit \
                and not _PREP_BEFORE.search(text, sent.start, here[0].start):
            return [here[0]]      # the sentence's own subject: "Kerry ... as he greeted"
        titled = _title_holder(tail, ctx)
        if titled:
            return [titled]
        if ctx.subjects:
            return [ctx.subjects[-1]]
        if here:
            return [here[-1]]
        for p in reversed(ctx.recent):
            if p.kind == "person" and p.sides:
                return [p]
    return []


def _title_holder(tail: str, ctx: Context) -> Party | None:
    """"The president also met ...": in news copy an unqualified title is the article's main
    holder of that title (the most mentioned so far), not whoever held the last clause."""
    m = lex("ref_title").search(tail)
    if not m:
        return None
    word = m.group(1).lower().split()[-1]
    holders = [q for q in ctx.people.values() if q.sides and q.role and word in q.role.lower()]
    if not holders:
        return None
    return max(holders, key=lambda q: ctx.counts.get(q.name, 0))


_SPEECH_HINTS = ("said", "says", "told", "add", "not", "stress", "stat", "expla", "accord")


def speech_hint(sentence: str) -> bool:
    """A cheap test before looking for a speaker: a speech verb's stem in the sentence."""
    low = sentence.lower()
    return any(h in low for h in _SPEECH_HINTS)


def speaker(text, sent, parties) -> Party | None:
    """The person or official a speech verb attributes the sentence to ("X said", "said X")."""
    for m in lex("speech").finditer(text, sent.start, sent.end):
        for p in parties:
            if p.kind not in ("person", "role") or not p.sides or in_quote(sent, p.start):
                continue
            if 0 <= m.start() - p.end <= 3 or 0 <= p.start - m.end() <= 12:
                return p
    return None


def _last_speaker(ctx: Context) -> Party | None:
    """The speaker of the latest earlier sentence that names one."""
    while ctx.speech:
        text, sent, parties = ctx.speech.pop()
        who = speaker(text, sent, parties)
        if who:
            ctx.speaker = who
            ctx.speech.clear()
            break
    return ctx.speaker


_PREP_BEFORE = re.compile(r"\b(?:below|above|with|to|of|for|by|from|than|about|under|at|on|in)\s+$", re.I)


def in_quote(sent: Sentence, pos: int) -> bool:
    """Is `pos` inside quotation marks of the sentence (an odd number of quotes before it)?"""
    before = sent.text[:max(0, pos - sent.start)]
    after = sent.text[max(0, pos - sent.start):]
    n_before = before.count('"') + before.count("“") + before.count("”")
    n_after = after.count('"') + after.count("“") + after.count("”")
    # odd before: opened here; none before and odd after: opened in an earlier sentence
    return n_before % 2 == 1 or (n_before == 0 and n_after % 2 == 1)


def _last_distinct(recent, n) -> list[Party]:
    out, seen = [], set()
    for p in reversed(recent):
        if p.sides and p.sides not in seen:
            out.append(p)
            seen.add(p.sides)
            if len(out) == n:
                break
    return list(reversed(out)) if len(out) == n else []
