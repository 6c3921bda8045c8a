"""People in a text: known people, later mentions of people already named, new people."""
from __future__ import annotations

import re

from rapidfuzz.distance import JaroWinkler

from parley.logic.gazetteer import Gazetteer, fold

from .choose import known_person, only_senior_holder, pick_by_regnal_name, pick_by_surname
from .context import VAGUE_CONTEXT_ROLES, name_context
from .names import HYPHENATED_GIVEN_RE, SURNAME_LINK_MIN, after_connector, new_name, run_names, surname_people
from .perspective import link_followers, note_bare_title
from .records import Article, Candidate, Found, Span, Spans
from .shapes import PARTICLES, capital_runs
from .spans import last_before



def tag_people(gz: Gazetteer, text: str, spans: Spans, art: Article) -> list[dict]:
    art.person_ends, art.ends_of = {}, {}
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
                names = run_names(gz, words, None)
        else:
            mask = bytes(mask)
            names = cache.get((words, mask))
            if names is None:
                names = run_names(gz, words, mask)
        for name in names:
            c_start, c_end = start + name.start, start + name.end
            cands.append(Candidate(
                c_start, c_end, start, name, None,
                after_connector(text[max(0, c_start - 5):c_start]),
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
    link_followers(art)
    return out


def _resolve_multi(gz, text, spans, c: Candidate, art: Article, singles: list) -> list[dict]:
    """Known people anywhere in the run (longest windows first); the rest may be a new person."""
    name, base = c.name, c.base
    if name.known and not _contradicted(gz, text, spans, c):
        out = []
        toks = name.tokens
        ctx = lambda: _ctx(gz, text, spans, c)
        for i, size, choices, fuzzy in name.known:
            person = known_person(gz, choices, fuzzy, ctx, art.date)
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
    named = _name_after_title_words(gz, text, spans, c)
    if named is not None:
        return _resolve_multi(gz, text, spans, named, art, singles)
    if _too_long(name.tokens) or c.after_connector and not given and not _titled_after(gz, text, spans, c):
        return []
    linked = _link(art, name.key_tokens)
    if linked:
        return [_later_mention(gz, text, spans, c, linked, art)]
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
    return [_new_person(gz, text, c, ctx, art)]


# "Special Envoy for the Great Lakes Dana Price": capitalised words of a title's tail
_TITLE_TAIL_RE = re.compile(r"\s+(?:of|for|to|on)\s+(?:the\s+)?")


def _name_after_title_words(gz, text, spans, c: Candidate) -> Candidate | None:
    """Right after a title and "for the", the capitalised words before a known given name end
    the title; the name starts at the given name."""
    toks = c.name.tokens
    if len(toks) < 3 or c.name.known:
        return None
    i = last_before(spans, c.start)
    if i > 0 and spans[i].kind in ("country", "org", "group") and text[spans[i].end:c.start] == " " \
            and spans[i - 1].kind == "role" and _TITLE_TAIL_RE.fullmatch(text, spans[i - 1].end, spans[i].start):
        pass            # "Special Representative for North Korea Policy Glyn Davies"
    elif i < 0 or spans[i].kind != "role" or not _TITLE_TAIL_RE.fullmatch(text, spans[i].end, c.start):
        return None
    for k in range(1, len(toks) - 1):
        if fold(toks[k][2]).split()[0] in gz.given_names:
            sub = new_name(gz, toks[k:])
            return Candidate(c.base + sub.start, c.base + sub.end, c.base, sub, None)
    return None


def _titled_after(gz, text, spans, c: Candidate) -> bool:
    """ "a letter to Jane Roe, the Secretary of Transport,": after a connector, capitalised words
    are a name when a title in apposition follows them."""
    return text.startswith(", ", c.end) and "role" in _ctx(gz, text, spans, c) and "title_at" not in c.context


def _too_long(tokens) -> bool:
    """More capitalised words than a new person's name has: four, or six joined by lower-case
    particles ("Mohammed bin Abdulaziz bin Saleh Al Khulaifi")."""
    if len(tokens) <= 4:
        return False
    particles = sum(1 for t in tokens if not t[2][:1].isupper())
    return len(tokens) - particles > (6 if particles else 4)


def _contradicted(gz, text, spans, c: Candidate) -> bool:
    """A close spelling of a known name, for a person the text gives another country
    ("Brazilian Trade Minister Ana Silva" is not Portugal's Anibal Cavaco Silva): somebody new."""
    known = c.name.known
    if len(known) != 1 or not known[0][3] or known[0][0] != 0 or known[0][1] != len(c.name.tokens):
        return False
    country = _ctx(gz, text, spans, c).get("country")
    return bool(country) and not any(_of_country(gz.people[i], country) for i, _score in known[0][2])


def _of_country(p, country: str) -> bool:
    return p.country == country or any(r[1] == country for r in p.roles)


def _later_mention(gz, text, spans, c: Candidate, found: Found, art: Article) -> dict:
    """A later mention of someone named before; a person named without a side takes the one
    this mention gives ("Pompeo ... U.S. Secretary of State Mike Pompeo")."""
    if found.country is None and found.org is None and _may_be_introduced(text, spans, c):
        ctx = _ctx(gz, text, spans, c)
        if ctx.get("country") or ctx.get("org") or ctx.get("title_country"):
            found.country, found.org = ctx.get("country") or ctx.get("title_country"), ctx.get("org")
            if found.role is None and ctx.get("role") not in (None, "counterpart"):
                found.role = ctx["role"]
    return _mention_of(art, text, c.start, c.end, found)


def _ctx(gz, text, spans, c: Candidate) -> dict:
    if c.context is None:
        c.context = name_context(gz, text, spans, c.start, c.end)
    return c.context


def _person_mention(gz, text, start, end, person, ctx, art: Article) -> dict:
    found = art.by_id.get(person.id)
    if found is None:
        held = person.role_at(art.date)
        role = ctx.get("role")
        if role == "counterpart":     # "his Japanese counterpart X": the role of the person just named
            role = art.people[-1].role if art.people else None
        if held and (not role or role in VAGUE_CONTEXT_ROLES):
            role = held[0]            # "Uzbek leader X": the office X holds at the date says more
        if held is None and role:
            # out of office at the date (or the dates are wrong): the side of the office the
            # text names, when the person held it ("Envoy X", once a UN envoy, is the UN's)
            held = _latest_as(person, role)
        country = ctx.get("country") or (held[1] if held and held[1] else None) \
            or (None if held and held[2] else person.country)
        org = ctx.get("org") or (held[2] if held and held[2] else None)
        found = _remember(gz, art, person.id, person.name, role, country, org, person.aliases)
        note_bare_title(gz, art, text, ctx, found, start)
    return _mention_of(art, text, start, end, found)


def _latest_as(person, role: str) -> tuple | None:
    rows = [r for r in person.roles if r[0] == role]
    return max(rows, key=lambda r: r[3] or "0000")[:3] if rows else None


def _remember(gz, art: Article, pid, name, role, country, org, aliases=()) -> Found:
    surnames, family, firsts = _name_keys(name, tuple(aliases), gz.family_first)
    keys = surnames | family
    found = Found(pid, name, role, country or None, org or None, keys, firsts)
    art.people.append(found)
    art.by_id[pid] = found
    for k in keys:
        art.by_key.setdefault(k, []).append(found)
    for k in surnames:      # a family name is shared by too many people for a close spelling to count
        art.by_initial.setdefault(k[:1], []).append((found, k))
    for k in family:
        art.by_family.setdefault(k, []).append(found)
    return found


_NAME_KEYS_CACHE: dict[tuple, tuple[frozenset, frozenset, frozenset]] = {}


def _name_keys(name: str, aliases: tuple, family_first: frozenset = frozenset()) -> tuple[frozenset, frozenset, frozenset]:
    """(surnames and long name tokens, family names written first, given names) of a person,
    folded; people recur across articles with many aliases each, so kept per process
    (bounded). A name written family name first ("Zhang Lei", "Kim Ji-ho") is referred to
    later by its first word; the syllables of a hyphenated given name are no surnames."""
    cache_key = (name, aliases, family_first)
    hit = _NAME_KEYS_CACHE.get(cache_key)
    if hit is not None:
        return hit
    keys, family, firsts = set(), set(), set()
    for a in [name, *aliases]:
        ftoks = fold(a).split()
        if len(ftoks) < 2:
            continue
        firsts.add(ftoks[0])
        if _family_first(a, ftoks, family_first):
            family.add(ftoks[0])
            last = a.split()[-1]
            if HYPHENATED_GIVEN_RE.fullmatch(last):
                ftoks = ftoks[:len(ftoks) - len(fold(last).split())]
                keys.update(t for t in ftoks[1:] if len(t) >= 4)
                continue
        keys.add(ftoks[-1])
        keys.update(t for t in ftoks[1:] if len(t) >= 4)
    if len(_NAME_KEYS_CACHE) >= 20_000:
        _NAME_KEYS_CACHE.clear()
    hit = _NAME_KEYS_CACHE[cache_key] = (frozenset(keys), frozenset(family), frozenset(firsts))
    return hit


def _family_first(surface: str, ftoks: list, family_first: frozenset) -> bool:
    words = surface.split()
    if not 2 <= len(words) <= 3 or len(ftoks) > 3:
        return False
    return ftoks[0] in family_first or len(words) == 2 and HYPHENATED_GIVEN_RE.fullmatch(words[1]) is not None


def _mention_of(art: Article, text, start, end, found: Found) -> dict:
    art.person_ends[end] = found
    art.ends_of.setdefault(found.id, []).append(end)
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
    if not words:   # "Al Khulaifi", "van der Berg": the surname with its particles
        return all(t in PARTICLES for t in key_tokens[:-1])
    return all(t in f.keys for t in words)


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


def _new_person(gz, text, c: Candidate, ctx, art: Article) -> dict:
    if ctx.get("role") == "counterpart":
        ctx = dict(ctx, role=art.people[-1].role if art.people else None)
    if not ctx.get("country") and not ctx.get("org") and "title_at" in ctx:
        ctx = _side_of_person_before(art, text, ctx)
    side = ctx
    if not ctx.get("country") and not ctx.get("org") and ctx.get("title_country"):
        side = dict(ctx, country=ctx["title_country"])
    name = c.name
    found = art.by_id.get(name.new_id)
    if found is None:
        found = _remember(gz, art, name.new_id, name.surface, ctx.get("role"), side.get("country"), side.get("org"))
        if "follow_at" in ctx:
            art.pending_follow.append((found, ctx["follow_at"]))
        note_bare_title(gz, art, text, ctx, found, c.start, weak=True)
    return _mention_of(art, text, c.start, c.end, found)


# a title right after a person: "Putin's spokesman X", "Syrian President A and Foreign Minister
# B", "President A, Foreign Minister B, and Attorney General C"
_AFTER_PERSON_RE = re.compile(r"(?:['’]s|,? and|,) $")
_LAST_WORD_RE = re.compile(r"\b[A-Z][\w-]+$")


def _side_of_person_before(art: Article, text: str, ctx: dict) -> dict:
    """The side of the person named right before the title: the owner of a possessive
    ("Putin's spokesman X" is Russian), or the one before in a list of officials with no
    country of their own ("Syrian President A and Foreign Minister B", "President A, Foreign
    Minister B, and Attorney General C")."""
    at = ctx["title_at"]
    m = _AFTER_PERSON_RE.search(text, max(0, at - 6), at)
    if not m:
        return ctx
    f = art.person_ends.get(m.start())
    possessive = m.group(0)[0] in "'’"
    if f is None:
        # a lone surname is tagged after the full names: it may be one named before ("Soto's")
        w = _LAST_WORD_RE.search(text, max(0, m.start() - 40), m.start())
        named = art.by_key.get(fold(w.group(0))) if w else None
        if not named:
            # or named first here ("President Vance's adviser X"): settled once it is tagged
            return dict(ctx, follow_at=m.start()) if possessive else ctx
        f = named[-1]
    if possessive:
        if not (f.country or f.org):
            return dict(ctx, follow_at=m.start())     # a side the article may give f later
        return dict(ctx, country=f.country, org=f.org)
    return dict(ctx, country=f.country) if f.country and f.role else ctx


def _resolve_single(gz, text, spans, c: Candidate, art: Article) -> dict | None:
    name = c.name
    key = name.key
    if name.never_surname:
        # "ISIS", "NATO": acronyms are not surnames; a short family name is, of someone named
        # before ("Xi Jinping ... Xi")
        named = art.by_family.get(key)
        if named:
            return _mention_of(art, text, c.start, c.end, _latest_before(art, named, c.start))
        # "Macron to meet Xi": the family name of the one senior office holder of that name
        holder = only_senior_holder(gz, key, art.date, short=True) \
            if key in gz.family_first and not name.tokens[0][2].isupper() else None
        return _person_mention(gz, text, c.start, c.end, holder, _ctx(gz, text, spans, c), art) if holder else None
    named = art.by_key.get(key)
    if named:
        return _later_mention(gz, text, spans, c, _namesake(gz, text, spans, c, art, named), art)
    if c.after_connector:
        # "Bank of England", "Minister for Finance": after "and", "of", "for"... a lone word is
        # part of a longer name, unless it is the surname of the one senior office holder of that
        # name at the date ("Erdogan and Putin", "plans for Putin to meet")
        holder = only_senior_holder(gz, key, art.date) if text[c.start - 1:c.start] == " " else None
        return _person_mention(gz, text, c.start, c.end, holder, _ctx(gz, text, spans, c), art) if holder else None
    linked = _link(art, (key,))     # the whole word: "Jean-Yves" folds to "jean yves"
    if linked:
        return _later_mention(gz, text, spans, c, linked, art)
    surname = None
    if key in gz.given_names:
        # "Prime Minister Luis Montenegro", "Senator Rita Georgia": after a title, a country's
        # name that ends the name is the surname too
        titled = bool(_ctx(gz, text, spans, c).get("role"))
        surname = _demonym_surname(text, spans, c.end, country_names=titled)
    if surname is not None:
        # "Mark German, a senior fellow": a given name, and a demonym as the surname
        toks = ((c.start - c.base, c.end - c.base, text[c.start:c.end]),
                (surname.start - c.base, surname.end - c.base, text[surname.start:surname.end]))
        whole = _resolve_multi(gz, text, spans, Candidate(c.start, surname.end, c.base, new_name(gz, toks), None), art, [])
        return whole[0] if whole else None
    cands = [gz.people[i] for i in surname_people(gz, key)]
    if not cands and not _may_be_introduced(text, spans, c):
        return None      # most capitalised words: no known surname and no title around
    ctx = _ctx(gz, text, spans, c)
    introduced = bool(ctx.get("role") or ctx.get("hon"))
    if introduced and ctx.get("adjacent", True):
        first = _by_given_name(art, key)      # "Prince Faisal bin Farhan ... Prince Faisal"
        if first is not None:
            return _later_mention(gz, text, spans, c, first, art)
    if introduced:
        royal = pick_by_regnal_name(gz, key, ctx, art.date)     # "Queen Solveig", "King Tamo"
        if royal is not None:
            return _person_mention(gz, text, c.start, c.end, royal, ctx, art)
    if cands and (len(key) >= 4 or key in gz.family_first):
        pick = pick_by_surname(cands, ctx, art.date, introduced)
        if pick is not None:
            return _person_mention(gz, text, c.start, c.end, pick, ctx, art)
    # a lone new surname needs its title right before it: "President Tokayev"; not in a
    # headline, where every word is capitalised, and not a vague title ("Official Travel")
    if art.headline or name.tokens[0][2].isupper():
        return None
    if (ctx.get("hon") or ctx.get("adjacent") and ctx.get("role") not in VAGUE_CONTEXT_ROLES) \
            and (len(key) >= 4 or key in gz.family_first):     # "President Tokayev", "PM Koh"
        return _new_person(gz, text, c, ctx, art)
    return None


def _namesake(gz, text, spans, c: Candidate, art: Article, named: list) -> Found:
    """Which of the people named with a surname a lone surname means: the latest, but an office
    holder over a namesake the text gives no office or side ("President X ... his wife, Y X ...
    Mr. X"), unless a woman's honorific says otherwise ("Mrs. X")."""
    f = _latest_before(art, named, c.start)
    if len(named) < 2:
        return f
    holders = [g for g in named if g.role and (g.country or g.org)]
    if _ctx(gz, text, spans, c).get("hon") in gz.female_honorifics:
        others = [g for g in named if not (g.role and (g.country or g.org))]
        return f if not others or any(g is f for g in others) else _latest_before(art, others, c.start)
    if len(holders) == 1 and not (f.role or f.country or f.org):
        return holders[0]
    return f


def _demonym_surname(text, spans, end: int, country_names: bool = False) -> Span | None:
    """The demonym (or, with `country_names`, the country's name) right after the word ending
    at `end` that ends a name ("Mark German,", "Prime Minister Luis Montenegro for")."""
    k = last_before(spans, end) + 1
    if k >= len(spans) or spans[k].start != end + 1 or text[end] != " " or spans[k].kind != "country" \
            or spans[k].entries[0][1][1] not in (("demonym", "name") if country_names else ("demonym",)):
        return None
    nxt = text[spans[k].end:spans[k].end + 2]
    ends = not nxt[1:2].isupper() if nxt[:1] == " " else nxt[:1] in ",.;:)'’"
    return spans[k] if ends else None


def _latest_before(art: Article, named: list, pos: int) -> Found:
    """Of several people with a surname, the one mentioned last before pos in this text (lone
    surnames are resolved after the full names), else the one named last."""
    if len(named) == 1:
        return named[0]
    best, best_end = named[-1], -1
    ends_of = art.ends_of
    for f in named:
        for end in ends_of.get(f.id, ()):
            if best_end < end <= pos:
                best, best_end = f, end
    return best


def _by_given_name(art: Article, key: str) -> Found | None:
    """The latest person named so far with that given name, for a title and a given name
    ("Prince Faisal", "Sheikh Tamim")."""
    for f in reversed(art.people):
        if key in f.firsts:
            return f
    return None


def _may_be_introduced(text, spans, c: Candidate) -> bool:
    """Cheap test before computing the context: a title or honorific just before the name,
    or an apposition after it."""
    if text.startswith(",", c.end):
        return True
    i = last_before(spans, c.start)
    for j in range(i, max(i - 4, -1), -1):      # a title a few known phrases back, same clause
        s = spans[j]
        gap = text[s.end:c.start]
        if j == i and s.kind == "hon" and gap == ". ":
            return True                             # "Mr. X", "Dr. X": the honorific's dot
        if len(gap) > 100 or "\n" in gap or ". " in gap:
            return False
        if s.kind in ("role", "hon"):
            return True
    return False
