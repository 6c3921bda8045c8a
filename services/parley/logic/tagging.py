"""Tag an `articles.clean` message with people, roles, countries, places, orgs and topics.

    from parley.logic.tagging import tag
    tagged = tag(clean)        # clean fields + "mentions"

One Aho-Corasick pass (gazetteer.scan) finds every known phrase; one regex pass finds runs
of capitalised words. Runs not explained by known phrases are person-name candidates,
resolved against the gazetteer (exact alias, then fuzzy), against people already named in
the article (surnames, typos), or accepted as new people when a role, honorific or known
given name introduces them.

Speed: what depends on the gazetteer only is kept per process in bounded dicts: for each
capitalised run its Names (name-token groups with their folded keys and the known people in
them, see Name), people of a surname, fuzzy name matches. People already named in an article
are indexed by surname and by initial. Runs are found on a byte "shape" of the text
(capital_runs), which the regex engine scans much faster than the text itself.
tests/test_tagging_golden.py guards that none of it changes the output,
tests/test_tagging_speedups.py checks the fast paths against plain versions, and
tools/bench_tagging.py measures it.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from parley.logic import gazetteer as gazetteer_mod
from parley.logic.gazetteer import Gazetteer, fold
from parley.logic.gazetteer.normalise import byte_map

# ---------------------------------------------------------------- patterns (language, not knowledge)

_UPPER = "".join(ch for ch in map(chr, range(0x250)) if ch.isupper())
_CAP = f"[{re.escape(_UPPER)}]"
_PARTICLE = r"(?:al|el|bin|ibn|bint|ben|de|da|di|del|della|dos|das|do|van|von|der|den|ter|la|le|du|y|abu)"
# A run of capitalised words joined by single spaces, with name particles ("Bashar al-Assad",
# "Jean-Yves Le Drian"); the tagger runs it as RUN_SHAPE_RE (capital_runs)
RUN_RE = re.compile(rf"{_CAP}[\w'’-]*\.?(?:[ ](?:{_PARTICLE}[ ])*(?:(?:al|el|as|ash|ad|at|ul|ud)-)?{_CAP}[\w'’-]*\.?)*")

# The same runs found faster: sre tests a character class at every character of the text
# (RUN_RE's first step), about twenty times the cost of looking for one literal character.
# So RUN_RE runs as RUN_SHAPE_RE on the text's "shape", bytes of the same length in which
# each capital is \x01 and every other character stands for the class RUN_RE puts it in:
# itself (space, ".", "-", "'", a-z, 0-9, "_"), "'" for "’", "_" for other word characters,
# \x02 for the rest. Both patterns then take the same steps (capital_runs).
_UPPER_SET = frozenset(_UPPER)
_WORD_CHAR_RE = re.compile(r"\w")
# In RUN_SHAPE_RE the word class is spelled out (one bitmap test; "\w" is a separate test)
# and the repeats are possessive: RUN_RE never gives back what they take (what may follow a
# word is neither a word character nor a capital; a particle is followed by a space, an
# "al-" prefix by "-"), so the matches are the same, found with less bookkeeping.
RUN_SHAPE_RE = re.compile(rb"\x01[\x01'\-0-9A-Z_a-z]*+\.?(?:[ ](?:" + _PARTICLE.encode()
                          + rb"[ ])*+(?:(?:al|el|as|ash|ad|at|ul|ud)-)?\x01[\x01'\-0-9A-Z_a-z]*+\.?)*+")


def _shape_code(ch: str) -> int:
    if ch in _UPPER_SET:
        return 1
    if ch in " .-'_" or "a" <= ch <= "z" or "0" <= ch <= "9":
        return ord(ch)
    if ch == "’":
        return ord("'")
    if _WORD_CHAR_RE.match(ch):
        return ord("_")
    return 2


_SHAPE_TABLE = bytes(_shape_code(chr(i)) for i in range(256))
_WIDE_SHAPE: dict[str, int] = {}     # shape codes of the characters beyond Latin-1 seen so far


def _shape(text: str) -> bytes | bytearray:
    return byte_map(text, "latin-1", _SHAPE_TABLE, _WIDE_SHAPE, _shape_code)


def capital_runs(text: str):
    """RUN_RE.finditer(text), but the matches' groups are bytes of the shape: use their spans."""
    return RUN_SHAPE_RE.finditer(_shape(text))


# "Minister of Justice and Prisons Reforms", "Secretary of State for European Affairs,"
ROLE_TAIL_RE = re.compile(r"^(?:\s+(?:of|for|to)\s+(?:the\s+)?[\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]*|and|&|of|the|for))*?)?\s*,?\s*(?:the\s+)?$")
LOCATIVE = {"in", "at", "to", "from", "near", "outside", "visit", "visited", "visiting"}
SENTENCE_END = re.compile(r"(?:^|[.!?:\"“”\n]\s*)$")
# compiled once: re.match(pattern_string, ...) pays a cache lookup on every call
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
OF_GAP_RE = re.compile(r"\s+of\s+(?:the\s+)?")           # "presidents of (the) ..."
NOT_ID_CHARS_RE = re.compile(r"[^a-z0-9]+")
BETWEEN_RE = re.compile(r"\bbetween\s+$")
BETWEEN_AND_RE = re.compile(r"\bbetween\s+\S+\s+and\s+$")

SURNAME_LINK_MIN = 0.84     # Jaro-Winkler between a lone surname and a known person's surname
FUZZY_NAME_MIN = 85         # rapidfuzz ratio between a full name and a gazetteer alias
PLACE_FREE_POPULATION = 100_000              # smaller towns need "in"/"at"/... before them
PLACE_SENTENCE_START_POPULATION = 500_000    # a sentence-initial capital word is rarely a town
COMMON_SURNAME = 8          # more gazetteer people than this share the surname: needs context
# titles too vague to pick an office holder or to introduce a lone new surname
VAGUE_CONTEXT_ROLES = {"official", "leader", "counterpart", "head", "chief", "deputy", "minister", "diplomat"}
SENIOR_ROLES = {"president", "prime minister", "foreign minister", "secretary of state", "chancellor",
                "king", "queen", "secretary general", "emir", "supreme leader", "pope", "crown prince"}


@dataclass(slots=True)
class Span:
    start: int
    end: int
    kind: str            # country | capital | role | hon | org | group | topic | place
    entries: tuple       # gazetteer entries of this kind for the span
    used: bool = False


class Spans(list):
    """Non-overlapping spans in text order, with their ends for bisection, and masks of the
    text (1 per character) under spans that are no place (`blocked`) and under places (`placed`)."""

    def __init__(self, items, blocked: bytearray, placed: bytearray):
        super().__init__(items)
        self.ends = [s.end for s in items]
        self.blocked = blocked
        self.placed = placed


@dataclass(slots=True)
class Found:
    """A person named in the article (for linking later mentions)."""
    id: str
    name: str
    role: str | None
    country: str | None
    org: str | None
    keys: frozenset = frozenset()      # folded surnames/name tokens
    firsts: frozenset = frozenset()    # folded given names (and initials)


@dataclass
class Article:
    date: str | None
    headline: bool = False      # tagging the title: Title Case makes every word look like a name
    people: list[Found] = field(default_factory=list)
    by_id: dict = field(default_factory=dict)
    # folded surname/name token -> people named so far with it, in order: later mentions by
    # surname look up here instead of scanning every person
    by_key: dict = field(default_factory=dict)
    # first letter -> (person, surname/name token) named so far, in order: a misspelt surname
    # is compared with the tokens of its initial only (_closest_surname)
    by_initial: dict = field(default_factory=dict)
    # (surname, number of people named so far) -> _link's fuzzy answer; a repeated surname
    # ("Lavrov ... Lavrov") is compared with everybody once
    link_memo: dict = field(default_factory=dict)


# ---------------------------------------------------------------- public API

def tag(clean: dict, gz: Gazetteer | None = None) -> dict:
    gz = gz or gazetteer_mod.load()
    date = _date_of(clean.get("published_at"))
    art = Article(date)
    mentions = tag_text(gz, clean.get("text") or "", art)
    title = clean.get("title")
    if title:
        art.headline = True
        mentions += [dict(m, field="title") for m in tag_text(gz, title, art)]
        art.headline = False
    for i, cap in enumerate(clean.get("captions") or []):
        mentions += [dict(m, field="captions", caption=i) for m in tag_text(gz, cap, art)]
    dateline = clean.get("dateline")
    if dateline:
        # A dateline is a place name in capitals at the start of a line ("BEIJING, November 9"):
        # tag it as the same name would read inside a sentence, then shift the offsets back.
        lead = "Reported in "
        for m in tag_text(gz, lead + _title_case_caps(dateline), art):
            start, end = m["start"] - len(lead), m["end"] - len(lead)
            if start >= 0:
                mentions.append(dict(m, text=dateline[start:end], start=start, end=end, field="dateline"))
    out = dict(clean)
    out["mentions"] = mentions
    return out


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
    spans = _select_spans(gz, text)
    countries_here = {e[1][0] for s in spans if s.kind == "country" for e in s.entries}
    people = _people(gz, text, spans, art)
    in_person = bytearray(len(text) + 1)
    for m in people:
        in_person[m["start"]:m["end"]] = b"\x01" * (m["end"] - m["start"])
    out = people
    out += _roles(gz, text, spans, art, in_person)
    countries = gz.countries
    for k, s in enumerate(spans):
        start, end = s.start, s.end
        if 1 in in_person[start:end]:     # (a slice test: bytearray.find parses its arguments slowly)
            continue
        if s.kind == "country":     # half the spans: the mention is spelled out (what _m makes)
            code, via = s.entries[0][1]
            out.append({"type": "country", "text": text[start:end], "start": start, "end": end, "id": str(code),
                        "name": countries.get(code, code), "code": code, "via": via})
        elif s.kind == "capital":
            out += _capital(gz, text, s, spans, countries_here)
        elif s.kind == "place":
            p = _place(gz, text, s, countries_here)
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
            out.append(_m("org", text, s, code, name, code=code, **extra))
        elif s.kind == "group":
            code = s.entries[0][1]
            versions = gz.groups.get(code)
            out.append(_m("org", text, s, code, versions[0].name if versions else code, code=code,
                          members=gz.group_members(code, art.date)))
        elif s.kind == "topic":
            tid = s.entries[0][1]
            out.append(_m("topic", text, s, tid, gz.topics.get(tid, tid)))
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


def _m(type_, text, s, id_, name, **attrs) -> dict:
    d = {"type": type_, "text": text[s.start:s.end], "start": s.start, "end": s.end, "id": str(id_), "name": name}
    d.update(attrs)
    return d


def _select_spans(gz: Gazetteer, text: str) -> Spans:
    """Longest hits win; on one span the kind with the highest priority wins.

    The gazetteer stores each phrase's entries in priority order, so the first entry's kind
    is the winner."""
    hits = gz.scan(text)
    # longest first, then leftmost. Hits come in order of their ends, so among hits of one
    # length the index orders them by start: -length * n + index sorts them, as one int per
    # hit (ints sort several times faster than tuples)
    n = len(hits)
    taken = bytearray(len(text) + 1)
    spans = []
    places = []
    for key in sorted([(start - end) * n + k for k, (start, end, _entries) in enumerate(hits)]):
        start, end, entries = hits[key % n]
        # a span taken before is at least as long as this hit, so if they overlap it covers
        # this hit's first or last character
        if taken[start] or taken[end - 1]:
            continue
        kind = entries[0][0]
        if (kind == "role" or kind == "hon") and start > 0 \
                and (text[end:end + 1] == "-" or text[start - 1:start] == "-"):
            continue   # "Amir-Abdollahian", "Prince-Smith": part of a hyphenated name
        taken[start:end] = b"\x01" * (end - start)
        if len(entries) > 1:
            # a capital also carries its place entries (coordinates) along
            keep = ("capital", "place") if kind == "capital" else (kind,)
            entries = tuple(e for e in entries if e[0] in keep)
        span = Span(start, end, kind, entries)
        spans.append(span)
        if kind == "place":
            places.append(span)
    spans.sort(key=_by_start)
    # the masks _people needs: `taken` less the (few) places is the mask of the other spans
    placed = bytearray(len(text) + 1)
    for p in places:
        taken[p.start:p.end] = bytes(p.end - p.start)
        placed[p.start:p.end] = b"\x01" * (p.end - p.start)
    return Spans(spans, taken, placed)


_by_start = attrgetter("start")
_mention_start, _mention_end = itemgetter("start"), itemgetter("end")     # mentions in text order


# ---------------------------------------------------------------- people

@dataclass(slots=True)
class Name:
    """A group of name tokens in a capitalised run, with what the gazetteer alone says about
    it. Kept in the run cache with the run, so an article starts from the answers instead of
    folding and looking up every window again; offsets are relative to the run."""
    start: int
    end: int
    tokens: tuple           # ((start, end, surface), ...)
    key: str                # folded name: "sergei lavrov"
    key_tokens: tuple       # ("sergei", "lavrov")
    surface: str            # "Sergei Lavrov" (the name of a new person)
    new_id: str             # "x:sergei-lavrov" (the id of a new person)
    given: bool             # the first word is a known given name
    never_surname: bool     # one word that cannot be a surname ("ISIS"; see _never_a_surname)
    # several words: the known people in it, longest windows first, left to right, as
    # (token index, window size, gazetteer choices, fuzzy?) - see _window_people ...
    known: tuple = ()
    # ... and the Names of the words between them
    rest: tuple = ()


def _name(gz: Gazetteer, tokens: tuple) -> Name:
    surface = _clean_name(tokens)
    key = fold(surface)
    key_tokens = tuple(key.split())
    name = Name(tokens[0][0], tokens[-1][1], tokens, key, key_tokens, surface,
                "x:" + NOT_ID_CHARS_RE.sub("-", key).strip("-"),
                bool(key_tokens) and key_tokens[0] in gz.given_names,
                len(tokens) == 1 and _never_a_surname(tokens[0][2]))
    if len(tokens) >= 2:
        name.known, name.rest = _known_windows(gz, tokens)
    return name


def _known_windows(gz: Gazetteer, toks: tuple) -> tuple[tuple, tuple]:
    """Known people anywhere in a group of name tokens (longest windows first, left to right),
    and the Names of the groups of words left between them (none when nobody is known)."""
    n = len(toks)
    known = []
    leftovers: list[list] = [[]]
    i = 0
    while i < n:
        for size in range(min(6, n - i), 1, -1):    # "Luiz Inacio Lula da Silva"
            choices = _window_people(gz, _key(toks[i:i + size]))
            if choices:
                known.append((i, size) + choices)
                leftovers.append([])
                i += size
                break
        else:
            leftovers[-1].append(toks[i])
            i += 1
    if not known:
        return (), ()
    return tuple(known), tuple(_name(gz, tuple(group)) for group in leftovers if group)


def _window_people(gz: Gazetteer, key: str) -> tuple[tuple, bool] | None:
    """The gazetteer people a folded name may be: (indices, False) from the alias index, or
    ((index, score), ...), True) for close spellings; None for nobody. Which one of several
    the text means depends on the article (_known_person)."""
    idxs = gz.alias_index.get(key)
    if not idxs:
        toks = key.split()
        if len(toks) >= 3:    # "Sergey Viktorovich Lavrov" -> first + last, same surname
            idxs = [i for i in gz.alias_index.get(f"{toks[0]} {toks[-1]}", ())
                    if fold(gz.people[i].name).split()[-1] == toks[-1]]
    if idxs:
        return tuple(idxs), False
    scored = _fuzzy_scores(gz, key)
    return (scored, True) if scored else None


def _known_person(gz, choices: tuple, fuzzy: bool, ctx, date):
    """The person of a known name window; ctx is a callable giving the context (only needed
    to rank several)."""
    if len(choices) == 1:
        return gz.people[choices[0][0] if fuzzy else choices[0]]
    if fuzzy:
        # among close spellings the person holding office at the date wins, then the closest
        context = ctx()
        return max(((gz.people[i], score) for i, score in choices),
                   key=lambda ps: (_rank(ps[0], context, date), ps[1]))[0]
    return _best([gz.people[i] for i in choices], ctx(), date)


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    base: int               # where its run starts (the Name's offsets are relative to it)
    name: Name
    context: dict | None    # role/country/org/hon from the text around it (computed on demand)
    # "Minister of Health and Medical Services": capitalised words after a lower-case
    # connector continue a title or an institution's name, not a person's
    after_connector: bool = False
    in_place: bool = False  # the whole candidate is a known place


CONNECTOR_RE = re.compile(r"(?:\b(?:and|of|for|to|on|at|in|&)\s+|-)$")
_CONNECTOR_CACHE: dict[str, bool] = {}


def _after_connector(before: str) -> bool:
    """CONNECTOR_RE on the 5 characters before a name; few distinct windows ("the ", " and "),
    so the answers are kept per process (bounded)."""
    hit = _CONNECTOR_CACHE.get(before)
    if hit is None:
        if len(_CONNECTOR_CACHE) >= 50_000:
            _CONNECTOR_CACHE.clear()
        hit = _CONNECTOR_CACHE[before] = bool(CONNECTOR_RE.search(before))
    return hit


def _people(gz: Gazetteer, text: str, spans: Spans, art: Article) -> list[dict]:
    # token starts inside a known non-place phrase split name runs
    blocked, placed = spans.blocked, spans.placed
    cands = []
    cache = gz.name_cache
    for run in capital_runs(text):
        start, end = run.span()
        words = text[start:end]
        # known phrases in the run split it; a phrase-free run is looked up by its words only
        mask = blocked[start:end]
        if 1 not in mask:
            names = cache.get(words)
            if names is None:
                names = _run_names(gz, words, None)
        else:
            mask = bytes(mask)
            names = cache.get((words, mask))
            if names is None:
                names = _run_names(gz, words, mask)
        for name in names:
            c_start, c_end = start + name.start, start + name.end
            cands.append(Candidate(
                c_start, c_end, start, name, None,
                _after_connector(text[max(0, c_start - 5):c_start]),
                0 not in placed[c_start:c_end]))    # wholly a place ("York City")

    out = []
    singles = []
    for c in cands:
        if len(c.name.tokens) >= 2:
            out += _resolve_multi(gz, text, spans, c, art, singles)
        else:
            singles.append(c)
    for c in singles:
        m = _resolve_single(gz, text, spans, c, art)
        if m:
            out.append(m)
    return out


_NAME_CACHE_MAX = 50_000     # about 0.5 kB an entry (run, Names): some 25 MB at most


def _run_names(gz: Gazetteer, words: str, mask: bytes | None) -> tuple:
    """The Names in a run of capitalised words. `mask` marks the run's characters inside
    known phrases (None: no phrase). Kept per process (gz.name_cache, by the words and the
    mask): the result depends on them and the gazetteer only."""
    cache = gz.name_cache
    if len(cache) >= _NAME_CACHE_MAX:
        cache.clear()
    pieces = [(0, words)] if mask is None else _unblocked_pieces(words, mask)
    names = tuple(_name(gz, tuple((a + offset, b + offset, w) for a, b, w in g))
                  for offset, piece in pieces for g in _split_run(gz, piece)
                  if len(g) > 1 or not _never_a_surname(g[0][2]))
    cache[words if mask is None else (words, mask)] = names
    return names


def _never_a_surname(word: str) -> bool:
    """A lone word _resolve_single turns down whatever the article says: too short, or an
    acronym ("ISIS", "NATO"); dropped before any per-article work."""
    key = fold(word)
    return len(key) < 3 or word.isupper() and len(key) <= 5


def _unblocked_pieces(words: str, mask: bytes) -> list[tuple[int, str]]:
    """(offset, words) of the parts of a run between words that begin inside a known phrase
    ("Russian Foreign Minister Sergei Lavrov" -> "Sergei Lavrov"). Such a word ends the name
    before it and is no name itself, so the parts split independently."""
    pieces = []
    piece_start = a = 0
    for w in words.split(" "):
        if mask[a]:
            if a > piece_start:
                pieces.append((piece_start, words[piece_start:a - 1]))
            piece_start = a + len(w) + 1
        a += len(w) + 1
    if a > piece_start:
        pieces.append((piece_start, words[piece_start:]))
    return pieces


def _split_run(gz: Gazetteer, run: str) -> list[list]:
    """Groups of name tokens [(start, end, surface)] in a run of capitalised words, offsets
    relative to the run."""
    nonname, nonperson = gz.nonname, gz.nonperson
    candidates = []
    group: list = []
    tainted = False     # the group follows a word like "Operation" in the same run
    a = 0
    for surface in run.split(" "):   # a run joins its words with single spaces
        b = a + len(surface)
        sentence_end = len(surface) > 2 and surface[-1] == "."
        if sentence_end:
            surface = surface[:-1]
        if surface in nonperson:
            # "Operation Peace Spring", "John Radcliffe Hospital": names of other things
            group, tainted = [], True
            a = b + 1
            continue
        stop = not surface[:1].isupper() and not group
        possessive = surface.endswith(("'s", "’s"))
        if possessive:     # tokens carry the name without "'s"; the mention ends before it
            surface = surface[:-2]
        tok = (a, b - sentence_end - 2 * possessive, surface)
        if not stop and (surface in nonname or possessive and fold(surface) in nonname):
            # "Theresa May": a calendar word can still end a known name
            stop = not (group and _key(group + [tok]) in gz.alias_index)
        if stop:
            if group and not tainted:
                candidates.append(group)
            group, tainted = [], False
        else:
            group.append(tok)
            if possessive or sentence_end:   # "Lavrov's counterpart", "... Nalbandian. Reuben"
                if not tainted:
                    candidates.append(group)
                group, tainted = [], False
        a = b + 1
    if group and not tainted:
        candidates.append(group)
    out = []
    for g in candidates:
        while g and not g[-1][2][:1].isupper() and "-" not in g[-1][2]:   # trailing particles ("van")
            g = g[:-1]
        if g:
            out.append(g)
    return out


def _clean_name(tokens) -> str:
    return " ".join([t[2] for t in tokens])


def _key(tokens) -> str:
    return fold(_clean_name(tokens))


def _resolve_multi(gz, text, spans, c: Candidate, art: Article, singles: list) -> list[dict]:
    """Known people anywhere in the run (longest windows first); the rest may be a new person."""
    name, base = c.name, c.base
    if name.known:
        out = []
        toks = name.tokens
        ctx = lambda: _ctx(gz, text, spans, c)
        for i, size, choices, fuzzy in name.known:
            person = _known_person(gz, choices, fuzzy, ctx, art.date)
            out.append(_person_mention(gz, text, base + toks[i][0], base + toks[i + size - 1][1], person,
                                       _ctx(gz, text, spans, c) if i == 0 else {}, art))
        for rest in name.rest:
            r_start, r_end = base + rest.start, base + rest.end
            if len(rest.tokens) == 1:
                singles.append(Candidate(r_start, r_end, base, rest, {}, True))
            else:
                out += _resolve_multi(gz, text, spans, Candidate(r_start, r_end, base, rest, None, True),
                                      art, singles)
        return out
    # nothing known: a later mention of someone named, or a new person when introduced
    # (role/honorific) or shaped like a name (known given name)
    given = name.given
    if len(name.tokens) > 4 or c.after_connector and not given:
        return []
    linked = _link(art, name.key_tokens)
    if linked:
        return [_mention_of(text, c.start, c.end, linked)]
    if not given and not _may_be_introduced(text, spans, c):
        return []
    ctx = _ctx(gz, text, spans, c)
    introduced = ctx.get("hon") or ctx.get("role")
    if c.in_place and not introduced:
        return []
    titled = ctx.get("hon") or ctx.get("adjacent") and ctx.get("role") not in VAGUE_CONTEXT_ROLES
    if art.headline and not (titled or introduced and given):
        return []
    if not (introduced or given):
        return []
    return [_new_person(text, c, ctx, art)]


def _ctx(gz, text, spans, c: Candidate) -> dict:
    if c.context is None:
        c.context = _context(gz, text, spans, c.start, c.end)
    return c.context


_FUZZY_CACHE_MAX = 50_000


def _fuzzy_scores(gz, key: str) -> tuple:
    """(person index, score) of gazetteer people whose name is a close spelling of key;
    independent of article and date, so kept per process."""
    cache = gz.fuzzy_cache
    hit = cache.get(key)
    if hit is not None:
        return hit
    toks = key.split()
    scored = []
    if len(toks) >= 2 and len(toks[-1]) >= 4:
        surnames = [toks[-1]] + [s for s in gz.similar_surnames(toks[-1])
                                 if JaroWinkler.similarity(s, toks[-1]) >= SURNAME_LINK_MIN]
        for i in dict.fromkeys(i for s in surnames for i in gz.surname_index.get(s, ())):
            score = 0.0
            for a in gz.people[i].aliases:
                fs = fold(a).split()
                if len(fs) < 2 or fs[-1] not in surnames or JaroWinkler.similarity(fs[0], toks[0]) < 0.8:
                    continue
                # "Dimitri Medvedev" ~ "Dmitry Anatolyevich Medvedev", "Joseph R. Biden" ~ "Joe Biden":
                # middle names and initials aside, compare first + last
                score = max(score, fuzz.ratio(key, " ".join(fs)), fuzz.ratio(f"{toks[0]} {toks[-1]}", f"{fs[0]} {fs[-1]}"))
            if score >= FUZZY_NAME_MIN:
                scored.append((i, score))
    if len(cache) >= _FUZZY_CACHE_MAX:
        cache.clear()
    cache[key] = result = tuple(scored)
    return result


def _rank(p, ctx, date) -> tuple:
    role = p.role_at(date)
    return (
        ctx.get("country") is not None and p.country == ctx.get("country"),
        role is not None,
        role is not None and role[0] in SENIOR_ROLES,
        p.id.startswith("Q"),
        len(p.roles),
    )


def _best(people, ctx, date):
    return max(people, key=lambda p: _rank(p, ctx, date))


def _person_mention(gz, text, start, end, person, ctx, art: Article) -> dict:
    found = art.by_id.get(person.id)
    if found is None:
        held = person.role_at(art.date)
        role = ctx.get("role")
        if role == "counterpart":     # "his Japanese counterpart X": the role of the person just named
            role = art.people[-1].role if art.people else None
        if held and (not role or role in VAGUE_CONTEXT_ROLES):
            role = held[0]            # "Uzbek leader X": the office X holds at the date says more
        country = ctx.get("country") or (held[1] if held and held[1] else None) or person.country
        org = ctx.get("org") or (held[2] if held and held[2] else None)
        found = _remember(art, person.id, person.name, role, country, org, person.aliases)
    return _mention_of(text, start, end, found)


def _remember(art: Article, pid, name, role, country, org, aliases=()) -> Found:
    keys, firsts = _name_keys(name, tuple(aliases))
    found = Found(pid, name, role, country or None, org or None, keys, firsts)
    art.people.append(found)
    art.by_id[pid] = found
    for k in keys:
        art.by_key.setdefault(k, []).append(found)
        art.by_initial.setdefault(k[:1], []).append((found, k))
    return found


_NAME_KEYS_CACHE: dict[tuple, tuple[frozenset, frozenset]] = {}


def _name_keys(name: str, aliases: tuple) -> tuple[frozenset, frozenset]:
    """(surnames and long name tokens, given names) of a person, folded; people recur across
    articles with many aliases each, so kept per process (bounded)."""
    cache_key = (name, aliases)
    hit = _NAME_KEYS_CACHE.get(cache_key)
    if hit is not None:
        return hit
    keys, firsts = set(), set()
    for a in [name, *aliases]:
        ftoks = fold(a).split()
        if len(ftoks) >= 2:
            keys.add(ftoks[-1])
            keys.update(t for t in ftoks[1:] if len(t) >= 4)
            firsts.add(ftoks[0])
    if len(_NAME_KEYS_CACHE) >= 20_000:
        _NAME_KEYS_CACHE.clear()
    hit = _NAME_KEYS_CACHE[cache_key] = (frozenset(keys), frozenset(firsts))
    return hit


def _mention_of(text, start, end, found: Found) -> dict:
    return {"type": "person", "text": text[start:end], "start": start, "end": end, "id": found.id,
            "name": found.name, "role": found.role, "country": found.country, "org": found.org}


def _link(art: Article, key_tokens: list[str]) -> Found | None:
    """A later mention by surname (or a typo of it) of someone already named."""
    if not key_tokens:
        return None
    last = key_tokens[-1]
    first = key_tokens[0] if len(key_tokens) > 1 else None
    for f in reversed(art.by_key.get(last, ())):     # the latest person of that name
        if first is None or _same_first(first, f.firsts) or _surnames_of(key_tokens, f):
            return f
    if first is not None:
        return None   # "Hunter Biden" after "Joe Biden" is somebody else
    if len(last) < 4:
        return None
    memo_key = (last, len(art.people))    # people are only ever added
    if memo_key in art.link_memo:
        return art.link_memo[memo_key]
    art.link_memo[memo_key] = best = _closest_surname(art, last)
    return best


def _surnames_of(key_tokens, f: Found) -> bool:
    """"López Obrador" after "Andrés Manuel López Obrador": a later mention by the person's
    compound surname (or middle and last names), not a namesake with another given name. Every
    word of it but particles ("de", "la") is one of the person's name tokens after the first."""
    words = [t for t in key_tokens[:-1] if len(t) >= 4]
    return bool(words) and all(t in f.keys for t in words)


def _closest_surname(art: Article, last: str) -> Found | None:
    """The person named so far whose surname is the closest spelling of `last` (the later
    one on a tie)."""
    best, best_score = None, SURNAME_LINK_MIN
    for f, k in art.by_initial.get(last[:1], ()):
        s = JaroWinkler.similarity(last, k)
        if s >= best_score:
            best, best_score = f, s
    return best


def _same_first(first: str, firsts: set) -> bool:
    return any(first == g or (len(first) == 1 and g.startswith(first)) or (len(g) == 1 and first.startswith(g))
               or JaroWinkler.similarity(first, g) >= 0.85 for g in firsts)


def _new_person(text, c: Candidate, ctx, art: Article) -> dict:
    if ctx.get("role") == "counterpart":
        ctx = dict(ctx, role=art.people[-1].role if art.people else None)
    name = c.name
    found = art.by_id.get(name.new_id) or _remember(art, name.new_id, name.surface, ctx.get("role"),
                                                    ctx.get("country"), ctx.get("org"))
    return _mention_of(text, c.start, c.end, found)


def _resolve_single(gz, text, spans, c: Candidate, art: Article) -> dict | None:
    name = c.name
    if name.never_surname:
        return None      # "ISIS", "NATO": acronyms are not surnames
    key = name.key
    named = art.by_key.get(key)
    if named:
        return _mention_of(text, c.start, c.end, named[-1])
    if c.after_connector:
        return None
    linked = _link(art, (key,))     # the whole word: "Jean-Yves" folds to "jean yves"
    if linked:
        return _mention_of(text, c.start, c.end, linked)
    cands = [gz.people[i] for i in _surname_people(gz, key)]
    if not cands and not _may_be_introduced(text, spans, c):
        return None      # most capitalised words: no known surname and no title around
    ctx = _ctx(gz, text, spans, c)
    introduced = bool(ctx.get("role") or ctx.get("hon"))
    if cands and len(key) >= 4:
        pick = _pick_by_surname(cands, ctx, art.date, introduced)
        if pick is not None:
            return _person_mention(gz, text, c.start, c.end, pick, ctx, art)
    # a lone new surname needs its title right before it: "President Tokayev"; not in a
    # headline, where every word is capitalised, and not a vague title ("Official Travel")
    if art.headline or name.tokens[0][2].isupper():
        return None
    if (ctx.get("hon") or ctx.get("adjacent") and ctx.get("role") not in VAGUE_CONTEXT_ROLES) \
            and len(key) >= 4:
        return _new_person(text, c, ctx, art)
    return None


_SURNAME_CACHE_MAX = 50_000


def _surname_people(gz, key: str) -> tuple:
    """Indices of gazetteer people with surname `key`, or with a close spelling of it
    ("Zelensky" for Zelenskyy); depends on the gazetteer only, so kept per process."""
    cache = gz.surname_cache
    hit = cache.get(key)
    if hit is not None:
        return hit
    idxs = tuple(gz.surname_index.get(key, ()))
    if not idxs and len(key) >= 5:
        idxs = tuple(i for s in gz.similar_surnames(key) if JaroWinkler.similarity(s, key) >= 0.9
                     for i in gz.surname_index.get(s, ()))
    if len(cache) >= _SURNAME_CACHE_MAX:
        cache.clear()
    cache[key] = idxs
    return idxs


def _may_be_introduced(text, spans, c: Candidate) -> bool:
    """Cheap test before computing the context: a title or honorific just before the name,
    or an apposition after it."""
    if text.startswith(",", c.end):
        return True
    i = _last_before(spans, c.start)
    for j in range(i, max(i - 4, -1), -1):      # a title a few known phrases back, same clause
        s = spans[j]
        gap = text[s.end:c.start]
        if len(gap) > 100 or "\n" in gap or ". " in gap:
            return False
        if s.kind in ("role", "hon"):
            return True
    return False


def _pick_by_surname(cands, ctx, date, introduced):
    """The one office holder a bare surname means at the date ("President Aliyev", "Lavrov")."""
    if len({p.id for p in cands}) > COMMON_SURNAME and not (ctx.get("country") or ctx.get("role")):
        return None   # "Mr Smith": too many holders of the name to guess without a country or title
    held = [(p, p.role_at(date)) for p in cands]
    active = [(p, r) for p, r in held if r]
    if ctx.get("country"):
        # "Syrian President Bashar": a holder from another country is someone else
        active = [(p, r) for p, r in active if p.country == ctx["country"]]
        cands = [p for p in cands if p.country == ctx["country"]]
    if ctx.get("role") and ctx["role"] not in VAGUE_CONTEXT_ROLES:
        # the title in the text must fit the office held: "spokesman Smith" is no minister Smith
        active = [(p, r) for p, r in active if r[0] == ctx["role"]]
    senior = [(p, r) for p, r in active if r[0] in SENIOR_ROLES]
    if len(active) == 1 and (introduced or senior):
        return active[0][0]
    if not active and introduced and len({p.id for p in cands}) == 1:
        return cands[0]      # "Imam Khomeini": the only person of that name, out of office at the date
    if senior:
        # several seniors: Wikidata-backed records are the better-maintained ones
        ranked = sorted(senior, key=lambda pr: (pr[0].id.startswith("Q"), pr[1][0] in ("president", "prime minister")), reverse=True)
        if len(ranked) == 1 or ranked[0][0].id.startswith("Q") and not ranked[1][0].id.startswith("Q"):
            return ranked[0][0]
    return None


# ---------------------------------------------------------------- context of a name

def _context(gz, text, spans: list[Span], start: int, end: int) -> dict:
    """Role/country/org/honorific introducing the name at start, or in apposition after end.

    "Russian Foreign Minister Sergei Lavrov", "Russia's foreign minister, Sergei Lavrov",
    "President of Kyrgyzstan Sadyr Japarov", "Minister of Justice and Home Affairs Mr X",
    "Sergei Lavrov, Russia's foreign minister,".
    """
    ctx: dict = {}
    i = _last_before(spans, start)
    pos = start
    while i >= 0 and spans[i].kind == "hon" and text[spans[i].end:pos].strip(" .") == "":
        ctx.setdefault("hon", spans[i].entries[0][1][0])
        pos = spans[i].start
        i -= 1
    j = i
    while j >= 0 and spans[j].kind in ("country", "org", "group", "capital") and pos - spans[j].end < 80:
        j -= 1
    role_span = spans[j] if j >= 0 and spans[j].kind == "role" else None
    if role_span is not None and not _plural(text, role_span):
        gap = text[role_span.end:pos]
        if "\n" not in gap and ". " not in gap and (gap.strip(" ,") == "" or ROLE_TAIL_RE.match(gap)):
            role, org = role_span.entries[0][1]
            ctx["role"] = role
            ctx["adjacent"] = gap.strip(" ,") == "" and role_span.end - role_span.start > 0 and i == j
            if org:
                ctx["org"] = org
            role_span.used = True
            for t in spans[j + 1:i + 1]:          # "of Kyrgyzstan", "to the United Nations"
                _own(gz, ctx, t)
            pos, i = role_span.start, j - 1
            while i >= 0 and spans[i].kind in ("country", "org", "group") and text[spans[i].end:pos] in (" ", "'s ", "’s "):
                _own(gz, ctx, spans[i])             # "Russian", "Russia's", "NATO"
                pos, i = spans[i].start, i - 1
    elif i >= 0 and spans[i].kind == "country" and text[spans[i].end:pos] == " ":
        _own(gz, ctx, spans[i])                     # "Armenian Edward Nalbandian"
    if "role" not in ctx:
        ctx.update({k: v for k, v in _apposition(text, spans, end).items() if k not in ctx or k == "role"})
    return ctx


def _own(gz, ctx: dict, s: Span) -> None:
    if s.kind == "country":
        ctx.setdefault("country", s.entries[0][1][0])
    elif s.kind == "capital":
        ctx.setdefault("country", s.entries[0][1])
    elif s.kind in ("org", "group"):
        code = s.entries[0][1]
        national = gz.orgs.get(code, (None, None))[1]
        if national == "*":
            return        # "the Russian Foreign Ministry": the country word says whose
        if national:
            ctx.setdefault("country", national)   # "State Department spokesman X"
        else:
            ctx.setdefault("org", code)


def _plural(text: str, s: Span) -> bool:
    """ "officials", "leaders": a plural role does not introduce one named person."""
    role = s.entries[0][1][0]
    return text[s.end - 1:s.end].lower() == "s" and not role.endswith("s")


def _last_before(spans: Spans, pos: int) -> int:
    """Index of the last span ending at or before pos (-1 if none)."""
    return bisect_right(spans.ends, pos) - 1


_APPOS_RE = re.compile(r"^,\s+(?:the\s+|a\s+|an\s+)?$")


def _apposition(text, spans, end) -> dict:
    """ "Edward Nalbandian, Armenia's foreign minister," """
    if not text.startswith(",", end):
        return {}
    i = _last_before(spans, end) + 1
    ctx = {}
    pos = end
    while i < len(spans) and spans[i].start - pos < 20:
        s = spans[i]
        gap = text[pos:s.start]
        if pos == end:
            if not _APPOS_RE.match(gap):
                return {}
        elif gap.strip() not in ("", "'s", "’s"):
            break
        if s.kind == "country":
            ctx.setdefault("country", s.entries[0][1][0])
        elif s.kind in ("org", "group"):
            ctx.setdefault("org", s.entries[0][1])
        elif s.kind == "role":
            ctx["role"] = s.entries[0][1][0]
            s.used = True
            return ctx
        else:
            break
        pos = s.end
        i += 1
    return {}


# ---------------------------------------------------------------- unnamed officials

_TO_NAME_RE = re.compile(r"[\s,]*")


def _roles(gz, text, spans: list[Span], art: Article, in_person: bytearray) -> list[dict]:
    out = []
    for i, s in enumerate(spans):
        if s.kind != "role" or s.used:
            continue
        if in_person[_TO_NAME_RE.match(text, s.end).end()]:
            continue   # "President Biden": the title belongs to the person named next
        role, org = s.entries[0][1]
        countries, orgs = _role_owners(text, spans, i)
        if org:
            orgs = orgs or [org]
        for code in countries:
            out.append(_role_mention(text, s, role, code, None, art))
        for code in orgs if not countries else []:
            out.append(_role_mention(text, s, role, None, code, art))
    return out


def _role_owners(text, spans, i) -> tuple[list[str], list[str]]:
    countries, orgs = [], []
    # left: "Azerbaijani and Armenian foreign ministers", "Russia's president", "NATO Secretary General"
    j, pos = i - 1, spans[i].start
    while j >= 0:
        s = spans[j]
        gap = text[s.end:pos]
        # the owner right before the title is adjacent; earlier owners may be listed
        joins = (" ", "'s ", "’s ") if pos == spans[i].start else (" ", "'s ", "’s ", " and ", ", ", " & ")
        if gap not in joins or s.kind not in ("country", "org", "group"):
            break
        if s.kind == "country":
            countries.insert(0, s.entries[0][1][0])
        else:
            orgs.insert(0, s.entries[0][1])
        pos, j = s.start, j - 1
    # right: "the presidents of Armenia and Azerbaijan"
    j, pos = i + 1, spans[i].end
    first = True
    while j < len(spans):
        s = spans[j]
        gap = text[pos:s.start]
        ok = OF_GAP_RE.fullmatch(gap) if first else gap in (" and ", ", ", ", and ", " and the ", ", the ")
        if not ok or s.kind not in ("country", "org", "group"):
            break
        if s.kind == "country":
            countries.append(s.entries[0][1][0])
        else:
            orgs.append(s.entries[0][1])
        pos, j, first = s.end, j + 1, False
    return list(dict.fromkeys(countries)), list(dict.fromkeys(orgs))


def _role_mention(text, s, role, country, org, art: Article) -> dict:
    m = {"type": "role", "text": text[s.start:s.end], "start": s.start, "end": s.end,
         "id": f"role:{role}:{country or org}", "name": None, "role": role, "country": country, "org": org}
    for f in art.people:
        if f.role == role and ((country and f.country == country) or (org and f.org == org)):
            m["ref"] = f.id
            break
    return m


# ---------------------------------------------------------------- places and capitals

def _capital(gz, text, s: Span, spans, countries_here) -> list[dict]:
    code = next(e[1] for e in s.entries if e[0] == "capital")
    out = []
    places = [gz.places[e[1]] for e in s.entries if e[0] == "place"]
    place = next((p for p in places if p.country == code), None) or (max(places, key=lambda p: p.population) if places else None)
    if place:
        out.append(_place_mention(text, s, place))
    if _as_government(gz, text, s, spans):
        out.append(_m("country", text, s, code, gz.countries.get(code, code), code=code, via="capital"))
    return out


_WORD_RE = re.compile(r"\s*([A-Za-z]+)")


def _as_government(gz, text, s: Span, spans) -> bool:
    """ "Moscow says", "Moscow and Washington push", "talks between Baku and Yerevan" """
    before = text[max(0, s.start - 12):s.start].lower()
    if BETWEEN_RE.search(before):
        return True
    pos = s.end
    # skip "and <capital>" chains
    i = _last_before(spans, pos) + 1
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


def _place(gz, text, s: Span, countries_here) -> dict | None:
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
    if fold(surface) != fold(place.name):
        name = surface.title() if surface.isupper() else surface
    return _m("place", text, s, place.id, name, country=place.country, lat=place.lat, lon=place.lon,
              geoname=place.name)
