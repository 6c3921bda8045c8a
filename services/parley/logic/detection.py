"""Meeting detector: tagged article -> meeting events (the `events.meetings` contract).

`detect(tagged)` reads the sentences of the title and the cleaned body, finds meeting
triggers (services/data/detection/triggers.tsv), decides each trigger's status from the cues
of its clause (cues.tsv), collects the sides from the tagger's mentions in subject and object
position (resolving "he", "the two", "the co-chairs", "the Turkish foreign minister", "the
leaders of the three states" to participants named before), distributes coordinated
counterparts, places and "respectively" dates into separate meetings, resolves the date against
`published_at` (an undated report takes the one date of the sentence before it in the same
paragraph; a present-progressive one the publication day), and merges the reports of one meeting
(headline, lead, body, caption) into one event.

Speed: the trigger heads of a field are found once with str.find, dates and status cues are
matched only where their first words occur; everything else is per trigger.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import ahocorasick

from parley.logic import dates as _dates
from parley.logic.grammar import (IGNORECASE_FOLDS, Sentence, clause_span, parentheticals,
                                    quoted_spans, split_sentences)

DATA = Path(__file__).resolve().parent.parent / "data" / "detection"
SCHEMA_VERSION = 1
STATUS_ORDER = ("denied", "cancelled", "uncertain", "habitual", "proposed", "planned")
PARTY_TYPES = ("person", "role", "country", "org")


# ---------------------------------------------------------------- data files

@dataclass(frozen=True)
class Trigger:
    kind: str
    cls: str
    obj: str
    flags: frozenset
    pattern: str


_END = r"(?:(?<=\s)|(?![\w-]))"   # a trigger ends at a word end (or after its trailing space)


@dataclass(frozen=True)
class Cue:
    status: str
    scope: str
    rx: re.Pattern


def _rows(name: str):
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


@lru_cache(maxsize=1)
def triggers() -> tuple[Trigger, ...]:
    out = []
    for kind, cls, obj, flags, pattern in _rows("triggers.tsv"):
        re.compile(pattern)   # fail early on a bad pattern in the data file
        out.append(Trigger(kind, cls, obj, frozenset(f for f in flags.split(",") if f), pattern))
    return tuple(out)


@lru_cache(maxsize=1)
def cues() -> tuple[Cue, ...]:
    return tuple(Cue(status, scope, re.compile(p, re.I)) for status, scope, p in _rows("cues.tsv"))


@lru_cache(maxsize=1)
def _lexicon_raw() -> dict:
    return {cat: pattern for cat, pattern in _rows("lexicon.tsv")}


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    """Word lists of lexicon.tsv: category -> compiled regex."""
    cats: dict[str, list[str]] = {}
    for cat, pattern in _rows("lexicon.tsv"):
        if cat != "heads":
            cats.setdefault(cat, []).append(pattern)
    return {c: re.compile("|".join(f"(?:{p})" for p in ps), re.I) for c, ps in cats.items()}


@lru_cache(maxsize=1)
def _org_sides() -> dict[str, str]:
    """Bodies of an organisation that take part as the organisation itself (UNGA -> UN)."""
    return {code: side for code, side in _rows("org_sides.tsv")}


@lru_cache(maxsize=1)
def _dependent_demonyms() -> frozenset:
    return frozenset(code for row in _rows("dependent_demonyms.tsv") for code in row if code)


def _lex(cat: str) -> re.Pattern:
    return _lexicon()[cat]


# ---------------------------------------------------------------- records

@dataclass(slots=True)
class Party:
    """One side's representative as written in the text (a person, an official, a country...)."""
    name: str | None
    role: str | None
    country: str | None
    org: str | None
    countries: frozenset
    orgs: frozenset
    start: int = -1
    end: int = -1
    kind: str = "person"   # person | role | country | org | group
    label: str | None = None  # the mention's canonical name (country or place name)
    mention: dict | None = field(default=None, repr=False)
    sides: frozenset = field(init=False, repr=False)   # countries | orgs

    def record(self) -> dict:
        return {"name": self.name, "role": self.role, "country": self.country, "org": self.org}

    def __post_init__(self):
        # countries and orgs are never changed after construction
        self.sides = self.countries | self.orgs


@dataclass(slots=True)
class Candidate:
    kind: str
    status: str
    parties: list
    countries: frozenset
    orgs: frozenset
    location: dict | None
    date_text: str | None
    date_value: str | None
    evidence: dict
    field: str
    strength: int         # 2 verb trigger, 1 noun trigger, 0 weak noun
    features: dict = field(default_factory=dict)
    order: int = 0

    @property
    def key(self) -> tuple:
        return (self.countries, self.orgs)


# ---------------------------------------------------------------- mentions -> parties

_ISO3 = re.compile(r"[A-Z]{3}")


def _party_from_mention(m: dict, national: dict) -> Party | None:
    t = m.get("type")
    if t in ("person", "role"):
        org = m.get("org")
        country = m.get("country")
        if country in _dependent_demonyms() or (country and not _ISO3.fullmatch(country)):
            country = None   # a shared demonym resolved to a dependency: the country is unknown
        if org and org in national:
            # an official of a national body ("State Department official") speaks for its country
            country, org = country or national[org], None
        if org:
            org = _org_sides().get(org, org)
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
        if m.get("via") == "demonym" and code in _dependent_demonyms():
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
        code = _org_sides().get(code, code)
        return Party(None, None, None, code, frozenset(), frozenset([code]), m["start"], m["end"],
                     "org")
    return None


def _merge_adjacent(text: str, parties: list[Party]) -> list[Party]:
    """Fold "Russian Foreign Minister Sergei Lavrov" (country + role + person) into one party."""
    out: list[Party] = []
    for p in parties:
        if p.kind == "group":
            # "the U.S., Russian and French co-chairs of ...": the adjectives name the members
            while out and out[-1].kind == "country" and out[-1].mention is not None \
                    and out[-1].mention.get("via") == "demonym" \
                    and _lex("group_glue").fullmatch(text[out[-1].end:p.start]):
                out.pop()
        if out and p.kind == "org" and out[-1].kind == "country" and out[-1].mention is not None \
                and out[-1].mention.get("via") == "demonym" and text[out[-1].end:p.start].strip() == "":
            continue   # "the Turkish Ministry of Foreign Affairs": a national body of that country
        if out:
            q = out[-1]
            gap = text[q.end:p.start]
            same = (q.countries == p.countries and q.orgs == p.orgs) or not q.sides or not p.sides \
                or (q.kind == "country" and p.kind in ("person", "role") and q.countries <= p.countries) \
                or (p.kind == "country" and q.kind in ("person", "role") and p.countries <= q.countries) \
                or (q.kind == "org" and p.kind in ("person", "role") and not p.countries and not p.orgs) \
                or (q.kind == "org" and p.kind in ("person", "role") and _lex("igo_office").search(text, q.end, p.end)) \
                or (q.orgs and not q.countries and p.kind == "person" and _lex("igo_office").search(p.role or ""))
            if q.name and ((p.name and q.name != p.name) or _AND.search(gap)):
                # "Minister X and Senior Minister Y", "X and Vanuatu's minister": two parties
                same = False
            if same and len(gap) <= 45 and _glue(gap):
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
        and len(gap) <= 45 and "," not in gap and _glue(gap)


def _glue(gap: str) -> bool:
    rx = _lex("np_glue")
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


# ---------------------------------------------------------------- article walk

@dataclass
class _Context:
    published: object
    recent: list = field(default_factory=list)        # parties in reading order
    last_event_parties: list = field(default_factory=list)
    last_group: Party | None = None
    location: dict | None = None                      # where the main actor currently is
    location_status_future: bool | None = None
    speaker: Party | None = None
    speech: list = field(default_factory=list)        # (text, sentence, parties) with a speech verb, unread
    national: dict = field(default_factory=dict)      # national body code -> country
    first_hit: int = 0                                # start of the sentence's first trigger
    last_candidates: list = field(default_factory=list)
    countries_seen: list = field(default_factory=list)  # country mentions in reading order
    names: dict = field(default_factory=dict)         # person id -> canonical name
    counts: dict = field(default_factory=dict)        # person name -> mentions so far
    people: dict = field(default_factory=dict)        # person name -> Party
    subjects: list = field(default_factory=list)      # subject persons of detected meetings
    prev_sentence: Sentence | None = None             # the sentence read before this one
    prev_names: frozenset = frozenset()               # the people named in it
    inferred: dict = field(default_factory=dict)      # person name -> country told by context


def detect(tagged: dict) -> list[dict]:
    published = tagged.get("published_at")
    ctx = _Context(published)
    mentions = tagged.get("mentions") or []
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
    events = _merge(candidates)
    if not events:
        return []
    _dateline_location(events, by_field.get("dateline") or [], tagged.get("text") or "")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return _unique_ids([_to_event(tagged, c, now) for c in events])


def _dateline_location(events: list[Candidate], dateline: list[dict], text: str) -> None:
    """"MOSCOW, March 3 (Reuters) - Putin met ...": a meeting of the lead paragraph that names
    no place took place where the dateline files from (mentions tagged in the dateline field)."""
    places = [m for m in dateline if m.get("type") == "place"]
    countries = [m for m in dateline if m.get("type") == "country" and m.get("via") != "demonym"]
    if places:
        loc = _location_of(places[0], "place")
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


def _unique_ids(events: list[dict]) -> list[dict]:
    """One event per id: two candidates the merge kept apart but that share every field the
    id is made of are one meeting for subscribers (the sink would upsert them into one row)."""
    kept: dict[str, dict] = {}
    for event in events:
        held = kept.get(event["event_id"])
        if held is None or event["confidence"] > held["confidence"]:
            kept[event["event_id"]] = event
    return [e for e in events if kept[e["event_id"]] is e]


def _detect_field(text: str, field_name: str, mentions: list[dict], ctx: _Context,
                  last: bool = False) -> list[Candidate]:
    """Candidates of one field. In the `last` field read, the sentences after its last trigger
    are skipped: they could only feed the reading context of later sentences."""
    ms = sorted((m for m in mentions if isinstance(m.get("start"), int) and isinstance(m.get("end"), int)
                 and 0 <= m["start"] < m["end"] <= len(text)), key=lambda m: m["start"])
    # triggers depend on the text alone: find them all first
    heads = _head_starts(text)
    hi = 0
    sentences = []
    for sent in split_sentences(text):
        sh = []
        while hi < len(heads) and heads[hi][0] < sent.end:
            if heads[hi][0] >= sent.start:
                sh.append(heads[hi])
            hi += 1
        sentences.append((sent, _find_triggers(text, sent, sh)))
    if last:
        while sentences and not sentences[-1][1]:
            sentences.pop()
    out: list[Candidate] = []
    mi = 0
    for sent, hits in sentences:
        sm = []
        while mi < len(ms) and ms[mi]["start"] < sent.end:
            if ms[mi]["start"] >= sent.start:
                sm.append(ms[mi])
            mi += 1
        out += _detect_sentence(text, sent, sm, field_name, ctx, hits)
    return out


@dataclass
class _Hit:
    trig: Trigger
    start: int
    end: int


@lru_cache(maxsize=None)
def _trigger_rx_for(head: str) -> re.Pattern:
    """All triggers that can begin with the word `head`, in one alternation (file order decides
    between matches at one position; the group name is the row): at a word start only those
    can match, so the engine does not try the other alternatives one by one."""
    # the word-start check is factored out of the alternatives: mid-word positions fail at once
    parts = [f"(?P<t{i}>(?:{t.pattern}){_END})" for i, t in enumerate(triggers())
             if _may_begin_with(t.pattern, head)]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + ")" if parts else r"(?!)", re.I)


def _may_begin_with(pattern: str, head: str) -> bool:
    prefixes = _literal_prefixes(pattern)
    return prefixes is None or any(head.startswith(p) or p.startswith(head) for p in prefixes)


@lru_cache(maxsize=1)
def _heads() -> frozenset:
    return frozenset(_lexicon_raw()["heads"].split())


_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _prefer_earlier_rows(text, sent, m, heads):
    """A trigger inside a longer match wins when its row comes first in triggers.tsv
    ("had telephone conversations": the call, not "had ... conversations")."""
    best = m
    for w in _WORD.finditer(text, m.start() + 1, m.end()):
        word = w.group(0).lower()
        if word in heads:
            m2 = _trigger_rx_for(word).match(text, w.start(), sent.end)
            if m2 and int(m2.lastgroup[1:]) < int(best.lastgroup[1:]):
                best = m2
    return best


_RUN_CHAR = re.compile(r"[\w'’-]")
_LETTER = re.compile(r"[^\W\d_]")


def _head_starts(text: str) -> list[tuple[int, str]]:
    """(offset, head) of the words of the field (as `_WORD` cuts them) that can open a trigger
    phrase, in text order.
    The head words present in the field are looked up with str.find: far cheaper than a Python
    loop over every word. Words never cross sentence ends, so each sentence takes its slice."""
    low = text.lower()
    if len(low) != len(text):    # lower-casing changed offsets (rare letters): word by word
        heads = _heads()
        return [(w.start(), w.group(0).lower()) for w in _WORD.finditer(text) if w.group(0).lower() in heads]
    starts = []
    word = _WORD.match
    # every occurrence of a head, also inside longer words; kept where it is a whole word
    n = len(low)
    for end, head in _head_finder().iter(low):
        i = end - len(head) + 1
        # most occurrences sit inside longer words ("comet", "government"): a letter right
        # before or after says so without a regex
        if (i and low[i - 1].isalpha()) or (end + 1 < n and low[end + 1].isalpha()):
            continue
        w = word(text, i)
        if w and w.end() == end + 1 and _word_starts_at(text, 0, i):
            starts.append((i, head))
    starts.sort()
    return starts


@lru_cache(maxsize=1)
def _head_finder() -> ahocorasick.Automaton:
    finder = ahocorasick.Automaton()
    for h in _heads():
        finder.add_word(h, h)
    finder.make_automaton()
    return finder


def _word_starts_at(text: str, lo: int, p: int) -> bool:
    """Does a `_WORD` token scanned from `lo` begin at `p` (a letter)? Not when `p` continues a
    run of word characters that already holds a letter ("re-meet", "talks")."""
    j = p - 1
    while j >= lo and _RUN_CHAR.match(text, j):
        if _LETTER.match(text, j):
            return False
        j -= 1
    return True


def _find_triggers(text: str, sent: Sentence, head_starts: list[tuple[int, str]]) -> list[_Hit]:
    """Triggers of a sentence: the patterns are tried only at words that can start one, and
    only those that can start with that word."""
    if not head_starts:
        return []     # most sentences: no word that can start a trigger
    heads = _heads()
    trigs = triggers()
    hits: list[_Hit] = []
    taken = sent.start
    for start, head in head_starts:
        if start < taken:
            continue
        m = _trigger_rx_for(head).match(text, start, sent.end)
        if m is None:
            continue
        m = _prefer_earlier_rows(text, sent, m, heads)
        s, e = m.span()
        if e <= s:
            continue
        taken = e
        trig = trigs[int(m.lastgroup[1:])]
        if "det" in trig.flags and not _lex("det_before").search(text, max(sent.start, s - 45), s):
            continue
        hits.append(_Hit(trig, s, e))
    return hits


def _detect_sentence(text: str, sent: Sentence, mentions: list[dict], field_name: str,
                     ctx: _Context, hits: list) -> list[Candidate]:
    parties = [p for p in (_party_from_mention(m, ctx.national) for m in mentions
                           if m.get("type") in PARTY_TYPES) if p]
    parties = [_inferred_side(_collective(text, p), ctx) for p in parties]
    parties = [_name_role(p, ctx) for p in parties]
    for i, p in enumerate(parties):
        if p.kind in ("role", "country") and not p.name:
            limit = parties[i + 1].start if i + 1 < len(parties) else sent.end
            parties[i] = _untagged_name(text, sent, p, limit)
    parties = _merge_adjacent(text, parties)
    places = [m for m in mentions if m.get("type") in ("place", "country")]
    out: list[Candidate] = []
    if hits:
        paren = parentheticals(text, sent)
        quotes = quoted_spans(text, sent)
        ctx.first_hit = hits[0].start
        date_exprs = _SentenceDates(sent)
        for hit in hits:
            out += _candidates_for(text, sent, hit, parties, places, date_exprs, paren, quotes,
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
    if parties and _speech_hint(sent.text):
        # who speaks is looked up only when a later "we" needs it (see _last_speaker)
        ctx.speech.append((text, sent, parties))
    if places:
        _update_location_context(text, sent, places, out, ctx)
    ctx.prev_sentence = sent
    ctx.prev_names = frozenset(p.name for p in parties if p.name)
    return out


def _collective(text: str, p: Party) -> Party:
    """"the Biden administration": the person's government takes part, not the person."""
    if p.kind == "person" and p.sides and _lex("collective_after").match(text, p.end):
        return Party(None, None, p.country, p.org, p.countries, p.orgs, p.start, p.end,
                     "country" if p.countries else "org", None, None)
    return p


def _untagged_name(text: str, sent: Sentence, p: Party, limit: int) -> Party:
    """"Angola's Minister of Justice Maria da Costa Pereira, ...", "Mongolia Vice Minister of
    Justice Ganbat Tserendorj": an unnamed title, or a country with a title, followed by a
    capitalised name the tagger did not mark names that official."""
    if p.name or not p.sides or p.kind not in ("role", "country"):
        return p
    if not _SPACE_CAPITAL.match(text, p.end):
        return p
    glue = _lex("np_glue")
    pos, end, title = p.end, min(limit, sent.end), ""
    for _ in range(4):
        m = _lex("untagged_name").match(text, pos, end)
        if not m:
            return p
        title, words = title + m.group("title"), m.group("name").split()
        last = max((i for i, w in enumerate(words) if glue.fullmatch(w.rstrip("."))), default=-1)
        # "... and Ocean Affairs Pedro Alvarez": the title goes on to its last title word
        title, words = " ".join([title] + words[:last + 1]), words[last + 1:]
        if len(words) >= 2:
            break
        pos = m.end("name")    # "Vice Minister", "Foreign Affairs": all title; read on
    else:
        return p
    if p.kind == "country" and not _lex("title_word").search(title):
        return p       # "Chile Ocean Partners": no title, no official
    role = p.role
    if role is None:
        t = _lex("title_word").findall(title.lower())
        role = t[-1] if t else None
    return Party(" ".join(words), role, p.country, p.org, p.countries, p.orgs, p.start,
                 m.end("name"), "person", None, p.mention)


_SPACE_CAPITAL = re.compile(r"\s+[A-Z]")


def _name_role(p: Party, ctx: _Context) -> Party:
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


def _protagonist(ctx: _Context, exclude: frozenset) -> Party | None:
    """The person the article is about so far (most mentioned), for subjectless reports
    ("Bilateral meetings were also held with ...")."""
    best = None
    for name, n in ctx.counts.items():
        q = ctx.people[name]
        if q.sides and not (q.sides & exclude) and (best is None or n > ctx.counts[best.name]):
            best = q
    return best


def _inside(pos: int, spans) -> tuple[int, int] | None:
    for s, e in spans:
        if s <= pos < e:
            return (s, e)
    return None


class _SentenceDates:
    """The date expressions of a sentence (absolute offsets), found on first use: most
    triggers are turned down before their date matters."""

    __slots__ = ("sent", "found")

    def __init__(self, sent: Sentence):
        self.sent, self.found = sent, None

    def __call__(self) -> list:
        if self.found is None:
            start = self.sent.start
            self.found = [(start + d.start, d) for d in _dates.find_dates(self.sent.text)]
        return self.found


def _candidates_for(text, sent, hit, parties, places, date_exprs, paren, quotes, hits,
                    field_name, ctx) -> list[Candidate]:
    trig = hit.trig
    left, right = clause_span(text, sent, hit.start, hit.end)
    # a trigger in a relative clause ("Rubin, who is visiting Armenia, ...") takes the antecedent
    in_paren = _inside(hit.start, paren)
    if in_paren and text[in_paren[0]] == ",":
        right = min(right, in_paren[1])
        left = in_paren[0] + 1   # cues of the relative clause only
        left_subject_end = in_paren[0]
        left_subject_start = max(sent.start, _last_left_boundary(text, sent, left_subject_end))
    else:
        left_subject_start, left_subject_end = left, hit.start
    other_paren = [p for p in paren if p != in_paren]

    if trig.obj == "topic" and trig.cls == "verb" and any(h.start < hit.start for h in hits) \
            and _lex("purpose").search(text, max(sent.start, hit.start - 12), hit.start):
        return []
    if trig.obj == "topic" and trig.cls == "verb" and _in_quote(sent, hit.start) \
            and _lex("discuss").search(text, hit.start, hit.end):
        return []   # "let's discuss this" in quoted speech is talk about a topic
    if "weak" in trig.flags and _in_quote(sent, hit.start):
        return []   # "Members of the G7 summit, let's ...": quoted speech about a meeting
    if "attend" in trig.flags and not _lex("attend").search(text, max(sent.start, hit.start - 60), hit.start):
        return []

    if "weak" in trig.flags and ctx.last_candidates and _lex("join").search(
            text, max(sent.start, hit.start - 40), hit.start) \
            and _lex("anaphoric").search(text, max(sent.start, hit.start - 30), hit.start):
        _join_last(text, parties, left, hit, ctx)
        return []
    subj = [p for p in parties if left_subject_start <= p.start < left_subject_end
            and not _inside(p.start, other_paren) and not _is_occasion(text, sent, p)]
    subj = _drop_non_subjects(text, subj, left_subject_start, left_subject_end)
    subj_text = text[left_subject_start:left_subject_end]
    used_coref = False
    if not any(p.sides for p in subj):
        ref = _resolve_reference(text, subj_text, ctx, parties, hit.start, sent)
        if ref:
            subj = ref
            used_coref = True

    protagonist = False
    obj, dests, loc = _object_side(text, trig, hit, right, parties, places, other_paren, sent)
    if not _sides(obj) and trig.kind != "visit":
        obj = _countries_referred(text, hit, right, parties, ctx) or obj
    implicit = None
    if not any(p.sides for p in subj) and obj and trig.kind != "visit" \
            and not ("between" in trig.flags and len(_sides(obj)) >= 2):
        # a slice, not pos=: "^" in the pattern must match at the clause start
        implicit = _lex("subjectless").search(text[max(sent.start, left_subject_start):hit.end + 40])
    if implicit and not _lex("passive").search(implicit.group(0)) and obj:
        # "During the meeting with X, the President of Y said ...": the main clause after the
        # comma names the other side; the counterparts end at that comma
        comma = text.find(",", obj[0].end, sent.end)
        if comma != -1:
            main = [p for p in obj if p.start > comma]
            obj = [p for p in obj if p.start < comma]
            if main and main[0].sides and not (main[0].sides & _sides(obj)):
                subj, implicit = main[:1], None
                used_coref = True
    if implicit:
        hero = _protagonist(ctx, _sides(obj))
        if hero and _lex("passive").search(implicit.group(0)):
            # "meetings were held with ...": the side is known, the person only guessed
            subj = [Party(None, hero.role, hero.country, hero.org, hero.countries, hero.orgs,
                          hero.start, hero.end, "role")]
            used_coref = protagonist = True
        elif hero:
            subj = [hero]      # "During the meeting with ...": the article's main actor
            used_coref = protagonist = True
    if any(p.kind == "person" and p.sides for p in subj):
        ctx.subjects.append([p for p in subj if p.kind == "person" and p.sides][-1])
    if trig.kind == "visit" and not dests:
        return []
    subj = _same_side_as_partner(subj, obj, ctx)
    reachable = _sides(subj) | _sides(obj) | frozenset().union(*(d[0].sides for d in dests if d[0]))
    if len(reachable) < 2:
        return []     # no meeting of two sides can come out of this trigger
    status = _status(text, sent, hit, left, right)
    if status in ("uncertain", "habitual"):
        return []
    future = status in ("planned", "proposed")
    # "Trump's planned visit to Warsaw", "the President's meeting with ...": the possessor
    # is the subject side (a verb form after a possessive is a noun: "Biden's meeting")
    reach = 22 if trig.kind == "visit" or trig.cls == "noun" else 3
    owner = [p for p in parties if p.sides and 0 <= hit.start - p.end <= reach
             and text[p.end:p.end + 2] in ("'s", "’s")]
    if owner:
        subj = owner[-1:]

    if "needobj" in trig.flags and not _sides(obj):
        return []
    if "between" in trig.flags and _lex("between_word").match(text, hit.end) and len(_sides(obj)) < 2:
        return []   # "a conversation between the two of them": sides named elsewhere
    noun_between = ("between" in trig.flags or _lex("of_complement").match(text, hit.end)) \
        and _sides(obj) and len(_sides(obj)) >= 2
    plural = "plural" in trig.flags or _lex("plural").search(text, hit.start, hit.end)
    # the whole-sentence "separately" scan only when there are counterparts to distribute
    distribute = len(obj) > 1 and bool(plural or _lex("separately").search(sent.text))
    respectively = bool(_lex("respectively").search(text, hit.end, sent.end))
    groups: list[list[Party]]
    if trig.kind == "visit":
        groups = []
    elif len(_sides(obj)) >= 2 and _lex("topic_of").search(text, max(sent.start, hit.start - 40), hit.start):
        # "briefed reporters on the talks between A and B": the subject reports, the
        # complement names the sides
        groups = [obj]
    elif noun_between:
        # "Rubin took part in the meeting of the US-Armenia task force": he sits on a listed side
        groups = [obj + [p for p in subj if p.name and p.sides and p.sides <= _sides(obj)]]
    elif distribute or respectively:
        groups = [subj + [o] for o in obj]
    else:
        groups = [subj + obj]

    # dates: the nearest expression in the clause, or one per counterpart with "respectively"
    date_exprs = date_exprs()
    clause_dates = [(s, d) for s, d in date_exprs if left <= s < max(right, hit.end) + 1]
    per_group_dates = None
    if respectively and len(clause_dates) >= 2:
        per_group_dates = [d for _, d in clause_dates]
    best_date = min(clause_dates, key=lambda sd: abs(sd[0] - hit.start))[1] if clause_dates else None
    if best_date is None and not date_exprs and status == "occurred":
        now = _lex("ongoing").search(text, left, max(right, hit.end))
        if now:
            # "... are also taking part in the meeting": on the day of publication
            best_date = _dates.DateExpr(now.group(0), now.start() - sent.start,
                                        now.end() - sent.start, "today", ())
        else:
            best_date = _previous_sentence_date(text, sent, subj + obj, ctx)

    location = None if trig.kind == "call" else (loc or _sentence_location(text, sent, places, hit)
                                                 or _occasion_location(text, sent, places, parties))
    evidence = {"text": sent.text, "start": sent.start, "end": sent.end}
    if field_name != "text":
        evidence["field"] = field_name
    strength = 2 if trig.cls == "verb" else (0 if "weak" in trig.flags else 1)
    feats = {"coref": used_coref, "protagonist": protagonist, "field": field_name,
             "elaboration": trig.obj == "topic" and trig.cls == "verb"
             and bool(_lex("discuss").match(text, hit.start)),
             "anaphoric": bool(_lex("anaphoric").search(text, max(sent.start, hit.start - 30), hit.start)), "quoted": bool(_inside(hit.start, quotes)),
             "strength": strength, "trigger": text[hit.start:hit.end].lower()}

    out = []
    if trig.kind == "visit":
        for i, (dest_party, dest_loc) in enumerate(dests):
            sides_parties = subj + ([dest_party] if dest_party else [])
            d = best_date
            if per_group_dates and i < len(per_group_dates):
                d = per_group_dates[i]
            hosts = [p for p in parties if p.start > hit.end and p.name and dest_party is not None
                     and p.countries and p.countries <= dest_party.countries]
            c = _make(trig.kind, status, sides_parties + hosts, dest_loc, d, future, evidence, field_name,
                      strength, feats, ctx, visitor=subj)
            if c:
                out.append(c)
        return out
    kind = trig.kind
    if kind == "meeting" and _lex("remote").match(text, hit.end, max(right, hit.end)):
        kind, location = "call", None    # "talks held via videoconference"
    for i, g in enumerate(groups):
        d = best_date
        if per_group_dates and i < len(per_group_dates):
            d = per_group_dates[i]
        c = _make(kind, status, g, location, d, future, evidence, field_name, strength,
                  feats, ctx)
        if c:
            out.append(c)
    return out


_NUMBER = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5}


def _countries_referred(text, hit, right, parties, ctx) -> list[Party]:
    """"... a summit with the participation of the leaders of the three states": the three
    countries named last."""
    m = _lex("ref_n_countries").search(text, hit.end, max(right, hit.end))
    if not m:
        return []
    n = _NUMBER[m.group("n").lower()]
    if len(_sides(ctx.last_event_parties)) == n:
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


def _same_side_as_partner(subj: list[Party], obj: list[Party], ctx: _Context) -> list[Party]:
    """"Minister X and Senior Minister Y met with Z": a named subject of unknown country sits
    on the side of the subject it is coordinated with; the article keeps that for later
    reports ("Y met with W")."""
    if not obj or not _sides(obj):
        return subj
    known = _sides([p for p in subj if p.kind in ("person", "role")]) - _sides(obj)
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


def _inferred_side(p: Party, ctx: _Context) -> Party:
    if p.kind == "person" and p.name and not p.sides and p.name in ctx.inferred:
        side = ctx.inferred[p.name]
        return Party(p.name, p.role, side, None, frozenset([side]), frozenset(), p.start, p.end,
                     "person", p.label, p.mention)
    return p


def _previous_sentence_date(text, sent, parties, ctx):
    """"Late on Sunday, X announced ... . The announcement came after X had a phone call with
    Y.": an undated report takes the one date of the sentence before it, in the same paragraph
    and about the same person."""
    prev = ctx.prev_sentence
    if prev is None or prev.end > sent.start or "\n" in text[prev.end:sent.start]:
        return None
    if not ctx.prev_names & {p.name for p in parties if p.name}:
        return None
    if _lex("relative_time").search(sent.text):
        return None
    found = _dates.find_dates(prev.text)
    return found[0] if len(found) == 1 else None


def _join_last(text, parties, left, hit, ctx) -> None:
    """"The Italian minister joined the talks": one more side for the meeting just reported."""
    joiners = [p for p in parties if left <= p.start < hit.start and p.sides]
    if not joiners:
        return
    last = ctx.last_candidates[-1]
    for p in joiners:
        if p.name or p.role:
            last.parties.append(p)
        last.countries |= p.countries
        last.orgs |= p.orgs
    if last.kind in ("meeting", "multilateral"):
        last.kind = "multilateral" if len(last.countries) + len(last.orgs) >= 3 else "meeting"
    last.features["sides"] = list(last.features.get("sides") or last.parties) + joiners
    ctx.last_event_parties = list(last.features["sides"])


def _make(kind, status, parties, location, date_expr, future, evidence, field_name, strength,
          feats, ctx, visitor=None) -> Candidate | None:
    countries = frozenset().union(*(p.countries for p in parties)) if parties else frozenset()
    orgs = frozenset().union(*(p.orgs for p in parties)) if parties else frozenset()
    if len(countries) + len(orgs) < 2:
        return None
    if visitor is not None:
        v = frozenset().union(*(p.sides for p in visitor)) if visitor else frozenset()
        if not v or v >= countries | orgs:
            return None     # a visit needs a visitor from elsewhere
    if kind in ("meeting", "multilateral"):
        kind = "multilateral" if len(countries) + len(orgs) >= 3 else "meeting"
    if location is None and kind in ("meeting", "multilateral") and ctx.location \
            and ctx.location_status_future == future:
        location = ctx.location
        feats = dict(feats, context_location=True)
    value = _dates.resolve(date_expr, ctx.published, future) if date_expr else None
    people = []
    seen = set()
    for p in parties:
        key = (p.name, p.role, p.country, p.org)
        if key in seen or not (p.name or p.role):
            continue
        seen.add(key)
        people.append(p)
    feats = dict(feats, sides=list(parties))   # every side, named or not, for later "the two"
    return Candidate(kind, status, people, countries, orgs, location,
                     date_expr.text if date_expr else None, value, evidence, field_name,
                     strength, feats)


def _sides(parties) -> frozenset:
    return frozenset().union(*(p.sides for p in parties)) if parties else frozenset()


def _last_left_boundary(text, sent, end) -> int:
    from parley.logic.grammar import LEFT_BOUNDARY
    left = sent.start
    for m in LEFT_BOUNDARY.finditer(text, sent.start, end):
        left = m.end()
    return left


def _is_occasion(text, sent, p: Party) -> bool:
    """"on the margins of the UN General Assembly": the occasion is no side of the meeting."""
    before = text[max(sent.start, p.start - 40):p.start]
    return bool(_lex("occasion").search(before))


def _drop_non_subjects(text, subj: list[Party], start: int, end: int) -> list[Party]:
    """Mentions inside prepositional phrases of the subject window ("In Washington, ...")
    or possessives of the topic are not sides; the mentions before a subject verb are."""
    out = []
    for p in subj:
        if p.kind == "country" and (text[p.end:p.end + 1] in "-–" or text[p.start - 1:p.start] in ("-", "–")) \
                and end - p.end > 25:
            continue   # "the Armenia-Azerbaijan war": a compound modifier, not a side
        before = text[max(start, p.start - 25):p.start]
        premodifier = end - p.end <= 12 and p.kind in ("group", "org")   # "the 14th BRICS Summit"
        if (p.kind in ("country", "group", "org") or not p.name) and _lex("prep_off").search(before) \
                and not _lex("prep_on").search(before) and not premodifier:
            continue
        if p.kind == "country" and (_lex("of_before").search(before) or (
                text[p.end:p.end + 2] in ("'s", "’s") and not _lex("coord_next").match(text, p.end + 2))):
            continue   # "the invasion of Ukraine", "Russia's invasion": not a side
        out.append(p)
    return out


def _object_side(text, trig, hit, right, parties, places, other_paren, sent):
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
        if _inside(s, other_paren):
            continue
        if s < prev_end:
            continue
        gap = text[prev_end:s]
        governing = None
        for m in _FUNC.finditer(gap):
            w = m.group(0).lower()
            if w in ("with", "between", "among", "including", "honor", "honour"):
                collecting, dest_mode, governing = True, False, None
            elif w == "of" and prev_end == hit.end and not gap[:m.start()].strip() and _lex("meeting_noun_end").search(
                    text, max(hit.start, hit.end - 14), hit.end):
                collecting, governing = True, None   # "hold a meeting of the Normandy Four"
            elif w in _CONTINUE:
                continue     # "and", "," and "of" only continue a list
            elif w == "to" and collecting and _TITLE_TO.match(gap, m.end()) \
                    and _TITLE_WORDS.fullmatch(gap, 0, m.start()):
                continue     # "Legal Counsel to the Secretary of the Presidency": inside a title
            elif w == "to" and want_dest and not dests:
                dest_mode, collecting, governing = True, False, None
            elif w == "by" and _lex("passive_by").search(text, hit.start, prev_end + m.start()):
                collecting, governing = True, None   # "talks held ... by Russian and Ukrainian delegations"
            elif w == "to" and trig.obj == "party" and prev_end == hit.end and not gap[:m.start()].strip():
                collecting, governing = True, None   # "spoke to the prime minister"
            elif w in ("in", "at") and want_dest and dest_mode and not dests:
                governing = None
            else:
                collecting = dest_mode = False
                governing = w
        if governing is None and carry and _CARRY_GAP.fullmatch(gap):
            governing = carry    # "in the Russian Pacific port of Vladivostok": still "in"
        carry = None
        if governing is not None:
            if governing in ("in", "at") and (loc is None or loc.get("_level") == "country"):
                if (typ == "place" or (typ == "party" and item.kind == "country")) \
                        and text[e:e + 2] not in ("'s", "’s"):   # "in Russia's waters": no place
                    found = _location_of(item, typ)
                    loc = found or loc
                    if found is None:
                        carry = governing     # an adjective ("Russian") names no place yet
            prev_end = e
            continue
        if dest_mode:
            if typ == "place":
                dests.append((_place_party(item), _location_of(item, typ)))
            elif item.kind == "country":
                dests.append((item, _location_of(item, typ)))
            elif item.kind in ("person", "role") and text[hit.start:hit.end].lower().startswith("visit") \
                    and trig.cls == "verb":
                # "visited the Armenian president" — a person as the visited side
                dests.append((item, None))
        elif collecting and typ == "party":
            if item.kind == "country" and text[item.end:item.end + 2] in ("'s", "’s") \
                    and not _lex("coord_next").match(text, item.end + 2):
                prev_end = e
                continue   # "welcomed Ireland's voice": a possessor, not a counterpart
            if _is_occasion(text, sent, item):
                prev_end = e
                continue
            obj.append(item)
        prev_end = e
    return obj, dests, loc


_FUNC = re.compile(r"\b(with|between|among|and|of|including|or|both|to|in|at|on|about|over|for|"
                   r"during|from|by|regarding|concerning|against|amid|under|after|before|into|"
                   r"toward|towards|via|his|her|their|the|counterparts?|discuss\w*|sidelines|"
                   r"margins|hono(?:u)?r)\b|[,&]", re.I)


# between an adjective after "in" and the place it qualifies: a few words, no list or "with"
_CARRY_GAP = re.compile(r"(?:\s*(?!(?:with|between|among|including|and)\b)[\w'’-]+){0,4}\s*", re.I)
_TITLE_TO = re.compile(r"\s+(?:the\s+)?[A-Z]")
_TITLE_WORDS = re.compile(r"\s*(?:[A-Z][\w'’-]*\s*)+")
_CONTINUE = frozenset(["and", ",", "of", "&", "or", "both", "his", "her", "their", "the",
                       "counterpart", "counterparts"])


def _place_party(m: dict) -> Party | None:
    c = m.get("country")
    if not c:
        return None
    return Party(None, None, c, None, frozenset([c]), frozenset(), m["start"], m["end"], "country",
                 m.get("name"))


def _location_of(item, typ) -> dict | None:
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


def _sentence_location(text, sent, places, hit) -> dict | None:
    """"While in Brussels, ...", "during a working visit to Brussels, ...", "in Yerevan" elsewhere
    in the sentence."""
    best = None
    for m in places:
        if m.get("type") != "place":
            continue
        before = text[max(sent.start, m["start"] - 30):m["start"]]
        if _lex("loc_prep").search(before):
            if best is None or abs(m["start"] - hit.start) < abs(best["start"] - hit.start):
                best = m
    return _location_of(best, "place") if best else None


def _occasion_location(text, sent, places, parties) -> dict | None:
    """"on the sidelines of the Singapore Convention Signing Ceremony": the occasion's place."""
    m = _lex("occasion_open").search(sent.text)
    if not m:
        return None
    start = sent.start + m.end()
    for p in places:
        if start <= p["start"] < start + 40 and p.get("type") == "place":
            return _location_of(p, "place")
    for p in parties:
        if start <= p.start < start + 40 and p.kind == "country" and p.mention \
                and p.mention.get("via") != "demonym":
            return _location_of(p, "party")
    return None


# substrings every "stay" phrase contains: a cheap test before the regex
_STAY_HINTS = ("while in", "visit", "course of", "part of", "sidelines", "margins", "arriv", "travel", "trip")


def _update_location_context(text, sent, places, cands, ctx) -> None:
    for c in cands:
        if c.kind == "visit" and c.location:
            ctx.location = c.location
            ctx.location_status_future = c.status in ("planned", "proposed")
            return
    low = sent.text.lower()
    if not any(w in low for w in _STAY_HINTS):
        return
    m = _lex("stay").search(sent.text)
    if m:
        for p in places:
            if p.get("type") == "place" and p["start"] >= sent.start + m.start():
                ctx.location = _location_of(p, "place")
                ctx.location_status_future = bool(_lex("future").search(sent.text))
                return


def _resolve_reference(text: str, subj_text: str, ctx: _Context, parties, hit_start,
                       sent) -> list[Party]:
    """"he", "the two", "they", "the co-chairs", "the President": recent participants."""
    s = subj_text.strip().lower()
    if not s:
        return []
    tail = s[-90:]
    # the reference word nearest the verb decides: "the official said that he will meet"
    best, best_pos = None, -1
    for cat in ("ref_group", "ref_pair", "ref_plural", "ref_single", "ref_speaker", "ref_countries"):
        for m in _lex(cat).finditer(tail):
            rest = tail[m.end():]
            limit = 12 if cat == "ref_speaker" else 5
            if _PREP_BEFORE.search(tail, 0, m.start()):
                continue   # "a level below the Secretary": not the subject
            if len(rest.split()) <= limit and m.start() >= best_pos:
                best, best_pos = cat, m.start()
    if best == "ref_speaker":
        who = _speaker(text, sent, parties) or _last_speaker(ctx)
        if who is None:
            return []
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
        if ctx.last_event_parties and len(_sides(ctx.last_event_parties)) >= 2:
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
        if ctx.subjects:
            return [ctx.subjects[-1]]
        if here:
            return [here[-1]]
        for p in reversed(ctx.recent):
            if p.kind == "person" and p.sides:
                return [p]
    return []


_SPEECH_HINTS = ("said", "says", "told", "add", "not", "stress", "stat", "expla", "accord")


def _speech_hint(sentence: str) -> bool:
    """A cheap test before looking for a speaker: a speech verb's stem in the sentence."""
    low = sentence.lower()
    return any(h in low for h in _SPEECH_HINTS)


def _speaker(text, sent, parties) -> Party | None:
    """The person or official a speech verb attributes the sentence to ("X said", "said X")."""
    for m in _lex("speech").finditer(text, sent.start, sent.end):
        for p in parties:
            if p.kind not in ("person", "role") or not p.sides or _in_quote(sent, p.start):
                continue
            if 0 <= m.start() - p.end <= 3 or 0 <= p.start - m.end() <= 12:
                return p
    return None


def _last_speaker(ctx: _Context) -> Party | None:
    """The speaker of the latest earlier sentence that names one."""
    while ctx.speech:
        text, sent, parties = ctx.speech.pop()
        who = _speaker(text, sent, parties)
        if who:
            ctx.speaker = who
            ctx.speech.clear()
            break
    return ctx.speaker


_PREP_BEFORE = re.compile(r"\b(?:below|above|with|to|of|for|by|from|than|about|under|at|on|in)\s+$", re.I)


def _in_quote(sent: Sentence, pos: int) -> bool:
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


@lru_cache(maxsize=1)
def _cue_groups() -> dict:
    """scope -> [(status, pattern, literal prefixes one of which any match must contain)]."""
    out: dict = {}
    for c in cues():
        out.setdefault(c.scope, []).append((c.status, c.rx.pattern, _literal_prefixes(c.rx.pattern)))
    return out


@lru_cache(maxsize=512)
def _cue_rx(scope: str, chosen: tuple) -> tuple:
    """One alternation of the chosen cues of a scope (in file order) and their statuses."""
    group = [_cue_groups()[scope][i] for i in chosen]
    alts = "|".join(f"(?P<c{i}>{pattern})" for i, (_, pattern, _) in enumerate(group))
    # every cue starting with \b: testing it once before the alternation rejects mid-word
    # positions at once
    guard = all(_starts_at_boundary(pattern) for _, pattern, _ in group)
    return re.compile(rf"\b(?:{alts})" if guard else alts, re.I), [st for st, _, _ in group]


def _starts_at_boundary(pattern: str) -> bool:
    """Does every top-level alternative of `pattern` begin with \b?"""
    import re._constants as sc
    import re._parser as sp
    data = list(sp.parse(pattern, re.I))
    if len(data) == 1 and data[0][0] is sc.BRANCH:
        return all(sub.data and sub.data[0] == (sc.AT, sc.AT_BOUNDARY) for sub in data[0][1][1])
    return bool(data) and data[0] == (sc.AT, sc.AT_BOUNDARY)


def _literal_prefixes(pattern: str, n: int = 5) -> frozenset | None:
    """Lower-case literal beginnings (up to `n` characters) of every match of `pattern`, or None
    when some match can begin with no fixed text: a window that holds none of them cannot
    match, so the cue is skipped without running the regex."""
    import re._constants as sc
    import re._parser as sp
    out: set = set()

    def walk(items, cur):
        for i, (op, av) in enumerate(items):
            if len(cur) >= n:
                break
            if op is sc.LITERAL:
                cur += chr(av).lower()
            elif op is sc.AT:
                continue        # \b, ^, $: no text
            elif op is sc.SUBPATTERN:
                return walk(list(av[-1].data) + items[i + 1:], cur)
            elif op is sc.BRANCH:
                for sub in av[1]:
                    walk(list(sub.data) + items[i + 1:], cur)
                return
            elif op is sc.IN and all(o is sc.LITERAL for o, _ in av):
                for _, ch in av:
                    walk(items[i + 1:], cur + chr(ch).lower())
                return
            else:
                break           # a repeat, a class, any character: the fixed text ends here
        out.add(cur)

    walk(list(sp.parse(pattern, re.I).data), "")
    return None if "" in out else frozenset(out)


@lru_cache(maxsize=8)
def _cue_prefix_index(scope: str) -> tuple:
    """(cues of the scope that always run, every literal prefix -> the cues it opens)."""
    always, by_prefix = [], {}
    for i, (_, _, pre) in enumerate(_cue_groups().get(scope, ())):
        if pre is None:
            always.append(i)
        else:
            for x in pre:
                by_prefix.setdefault(x, []).append(i)
    # all prefixes in one automaton: one pass over a window instead of one `in` per prefix
    finder = ahocorasick.Automaton()
    for x, idx in by_prefix.items():
        finder.add_word(x, (tuple(idx), len(x)))
    if by_prefix:
        finder.make_automaton()
    return frozenset(always), finder if by_prefix else None


def _cue_statuses(scope: str, window: str, found: set) -> None:
    always, finder = _cue_prefix_index(scope)
    chosen_set = set(always)
    starts = set()
    low = window.lower()
    if finder is not None:
        for end, (idx, size) in finder.iter(low):
            chosen_set.update(idx)
            starts.add(end - size + 1)
    if not chosen_set:
        return
    chosen = tuple(sorted(chosen_set))
    rx, statuses = _cue_rx(scope, chosen)
    if not always and len(low) == len(window) and not IGNORECASE_FOLDS.search(window):
        # every match of a chosen cue begins with one of its literal prefixes: trying the
        # alternation only where a prefix begins finds the same matches as a scan of every
        # position (and at each position the same first alternative)
        for s in starts:
            m = rx.match(window, s)
            if m:
                found.add(statuses[int(m.lastgroup[1:])])
        return
    pos = 0
    # overlapping cues of different statuses ("is not planned" / "planned") must all count
    while True:
        m = rx.search(window, pos)
        if not m:
            return
        found.add(statuses[int(m.lastgroup[1:])])
        pos = m.start() + 1


def _status(text, sent, hit, left, right) -> str:
    before = text[left:hit.start]
    after = text[hit.end:right]
    found: set = set()
    _cue_statuses("prefix", text[max(sent.start, hit.start - 80):hit.start], found)
    _cue_statuses("before", before, found)
    _cue_statuses("after", after, found)
    _cue_statuses("any", before + " " + text[hit.start:hit.end] + " " + after, found)
    _cue_statuses("trailing", text[right:sent.end], found)
    for st in STATUS_ORDER:
        if st in found:
            return st
    return "occurred"


# ---------------------------------------------------------------- merging

_KIND_RANK = {"visit": 3, "call": 2, "multilateral": 2, "meeting": 1}


def _compatible(a: Candidate, b: Candidate) -> bool:
    if a.key != b.key and a.evidence["start"] == b.evidence["start"] and a.field == b.field \
            and b.countries <= a.countries and b.orgs <= a.orgs \
            and _status_class(a.status) == _status_class(b.status):
        return True   # one sentence, two triggers, the smaller side set is part of the larger
    if a.key != b.key:
        if b.features.get("anaphoric") and b.countries <= a.countries and b.orgs <= a.orgs \
                and _status_class(a.status) == _status_class(b.status) and a.order < b.order:
            return True   # "... took part in the summit" after the summit was reported
        return False
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


def _merge(cands: list[Candidate]) -> list[Candidate]:
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
            out.append(c)
    out.sort(key=lambda c: c.order)
    _inherit_context(out)
    _refine_locations(out)
    return out


def _inherit_context(events: list[Candidate]) -> None:
    """A meeting reported without its own date or place, after another of the same trip
    ("... will meet in Sochi on 26 November. Putin is also expected to have bilateral meetings
    with ..."), happens in that place and month."""
    for i, c in enumerate(events):
        names = {p.name for p in c.parties if p.name}
        need_date = c.date_value is None and c.date_text is None
        need_loc = c.location is None and c.kind != "call" and not c.features.get("no_context")
        for prev in reversed(events[:i]):
            if not (need_date or need_loc):
                break
            same_trip = prev.kind == "visit" and prev.countries >= c.countries
            if (_status_class(prev.status) != _status_class(c.status) and not same_trip) \
                    or not (prev.countries & c.countries):
                continue
            if not (names & {p.name for p in prev.parties if p.name}) and not c.features.get("protagonist"):
                continue
            if need_date and prev.date_value:
                c.date_text, c.date_value = prev.date_text, prev.date_value[:7]
                c.features["inherited_date"] = True
                need_date = False
            if need_loc and prev.location and prev.kind != "call":
                loc = prev.location
                if prev.kind == "visit" or loc.get("country") in c.countries or prev.kind == c.kind:
                    c.location = loc
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
    if "visit" in kinds and len(kinds) > 1:
        other = e if e.kind != "visit" else c
        return other.kind if other.strength >= 2 else "visit"
    if c.strength > e.strength or (c.strength == e.strength and _KIND_RANK[c.kind] > _KIND_RANK[e.kind]):
        return c.kind
    return e.kind


def _absorb(e: Candidate, c: Candidate) -> None:
    e.features["reports"] = e.features.get("reports", 1) + 1
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


# ---------------------------------------------------------------- output

def _confidence(c: Candidate) -> float:
    from parley.logic.confidence import confidence
    return confidence(c)


def event_id(article_id: str, kind: str, countries, orgs, date_value, location_name, date_text=None) -> str:
    # Without a resolvable date ("on Wednesday" in an undated article) the date's words still
    # tell two meetings of the same sides apart.
    when = date_value or " ".join((date_text or "").lower().split())
    key = "|".join([article_id or "", kind, ",".join(sorted(countries)), ",".join(sorted(orgs)),
                    when, location_name or ""])
    return "m-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _to_event(tagged: dict, c: Candidate, detected_at: str) -> dict:
    countries = sorted(c.countries)
    orgs = sorted(c.orgs)
    loc = {k: v for k, v in c.location.items() if not k.startswith("_")} if c.location else None
    date = {"text": c.date_text, "value": c.date_value} if c.date_text else None
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
        "participants": [p.record() for p in c.parties],
        "countries": countries,
        "orgs": orgs,
        "location": loc,
        "date": date,
        "evidence": c.evidence,
        "confidence": round(_confidence(c), 3),
        "detected_at": detected_at,
    }
