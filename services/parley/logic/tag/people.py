"""People in a text: known people, later mentions of people already named, new people."""
from __future__ import annotations

from rapidfuzz.distance import JaroWinkler

from parley.logic.gazetteer import Gazetteer, fold

from .context import name_context
from .names import SURNAME_LINK_MIN, after_connector, run_names, surname_people
from .records import Article, Candidate, Found, Spans
from .shapes import capital_runs
from .spans import last_before

COMMON_SURNAME = 8          # more gazetteer people than this share the surname: needs context
# titles too vague to pick an office holder or to introduce a lone new surname
VAGUE_CONTEXT_ROLES = {"official", "leader", "counterpart", "head", "chief", "deputy", "minister", "diplomat"}
SENIOR_ROLES = {"president", "prime minister", "foreign minister", "secretary of state", "chancellor",
                "king", "queen", "secretary general", "emir", "supreme leader", "pope", "crown prince"}


def tag_people(gz: Gazetteer, text: str, spans: Spans, art: Article) -> list[dict]:
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
    return out


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
        c.context = name_context(gz, text, spans, c.start, c.end)
    return c.context


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
    cands = [gz.people[i] for i in surname_people(gz, key)]
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


def _may_be_introduced(text, spans, c: Candidate) -> bool:
    """Cheap test before computing the context: a title or honorific just before the name,
    or an apposition after it."""
    if text.startswith(",", c.end):
        return True
    i = last_before(spans, c.start)
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
