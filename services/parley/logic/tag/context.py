"""The context of a name: the role, country, organisation or honorific that introduces it."""
from __future__ import annotations

import re

from parley.logic.gazetteer import fold

from .records import Span
from .spans import last_before

# "Minister of Justice and Prisons Reforms", "Secretary of State for European Affairs,", "Ambassador
# of the Republic of Ghana to Norway,", "Senior Minister of State (SMS) for Law", "President of
# the Bank for Reconstruction (BFR)" (an abbreviation the text defines)
ROLE_TAIL_RE = re.compile(r"^(?:\s*\([A-Z][A-Za-z]{1,6}\))?(?:\s+(?:of|for|to)\s+(?:the\s+)?[\w'’.-]+"
                          r"(?:\s+(?:[A-Z][\w'’.-]*|and|&|of|the|for|to))*?(?:\s*\([A-Z][A-Za-z]{1,6}\))?)?"
                          r"\s*,?\s*(?:the\s+)?$")
# a title whose own words end in its complement goes on after "and": "Minister of Justice and
# Courts Administration", "Secretary for Trade and Industry"
_AND_TAIL_RE = re.compile(r"^\s+(?:and|&)\s+[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|and|&|of|the|for))*?\s*,?\s*$")
_COMPLEMENT_RE = re.compile(r"\s(?:of|for)\s", re.IGNORECASE)
# the last preposition before a country in a title's tail: only "of" makes it the holder's
# ("Ambassador of Turkey to Pakistan"); "to", "for", "in" name where the holder is sent or
# what the office deals with ("Kenyan Ambassador to Norway", "Special Envoy for Syria")
_TAIL_PREP_RE = re.compile(r"\b(?:of|for|to|in|at|on|with|from)\b")
# words between an owner and its title: "U.S. Trade Representative", "Japan's Chief Cabinet
# Secretary", "Chile's senate president", "Ghana's former president"
_OWNER_GAP_RE = re.compile(r"(?:['’]s)? (?:[A-Z][a-z]+ ){1,2}|['’]s (?:[a-z]+ ){1,2}")
_POSSESSIVE_GAP_RE = re.compile(r"['’]s (?:[a-z]+ ){0,2}")
# a demonym before a portfolio in lower case: "Italian economic development minister"; words
# that end a noun phrase or start a clause ("Russian forces attacked", "Greek officials said")
# are no portfolio
_PORTFOLIO_GAP_RE = re.compile(r" (?:(?!(?:and|or|but|with|to|by|of|for|the|a|an|as|at|in|on|from|who|that|which|was"
                               r"|is|has|had|will|would|also|then|not|said|says|told|met|meets)\b)[a-z]+(?<!s)(?<!ed)(?<!ing) ){1,2}")
# "President X of Ghana", "FM X of Jordan"; "a spokesman for South Korea's defence ministry"
_OF_AFTER_RE = re.compile(r"\s+(of|for)\s+(?:the\s+)?")
_OWNER_KINDS = ("country", "org", "group", "capital")
# titles too vague to pick an office holder or to introduce a lone new surname; before another
# title they qualify it ("Chief Cabinet Secretary", "Deputy Trade Representative")
VAGUE_CONTEXT_ROLES = {"official", "leader", "counterpart", "head", "chief", "deputy", "minister", "diplomat"}


def owner_gap(gap: str, first: bool = True) -> bool:
    """May an owner (country, organisation) stand this far before its title (first), or
    before the owner nearer to it (or before a title no name follows)?"""
    if gap in (" ", "'s ", "’s "):
        return True
    return (_OWNER_GAP_RE if first else _POSSESSIVE_GAP_RE).fullmatch(gap) is not None


def name_context(gz, text, spans: list[Span], start: int, end: int) -> dict:
    """Role/country/org/honorific introducing the name at start, or in apposition after end.

    "Russian Foreign Minister Sergei Lavrov", "Russia's foreign minister, Sergei Lavrov",
    "President of Kyrgyzstan Sadyr Japarov", "Minister of Justice and Home Affairs Mr X",
    "Sergei Lavrov, Russia's foreign minister,", "President X of Ghana".
    """
    ctx: dict = {}
    i = last_before(spans, start)
    pos = start
    while i >= 0 and spans[i].kind == "hon" and text[spans[i].end:pos].strip(" .") == "":
        ctx.setdefault("hon", spans[i].entries[0][1][0])
        pos = spans[i].start
        i -= 1
    j = i
    while j >= 0 and spans[j].kind in _OWNER_KINDS and pos - spans[j].end < 80:
        j -= 1
    role_span = spans[j] if j >= 0 and spans[j].kind == "role" else None
    if role_span is not None and not _plural(text, role_span):
        gap = text[role_span.end:pos]
        if "\n" not in gap and ". " not in gap and (gap.strip(" ,") == "" or ROLE_TAIL_RE.match(gap)
                                                    or _AND_TAIL_RE.match(gap) and _complement(text, role_span)):
            role, org = role_span.entries[0][1]
            ctx["role"] = role
            ctx["adjacent"] = gap.strip(" ,") == "" and role_span.end - role_span.start > 0 and i == j
            if ctx["adjacent"] and gz.title_country:
                _title_country(gz, text, role_span, ctx)
            if org:
                ctx["org"] = org
            role_span.used = True
            ctx["title_at"] = role_span.start
            for t in spans[j + 1:i + 1]:          # "of Kyrgyzstan", "to the United Nations"
                if _held_of(text, role_span.end, t.start):
                    _own(gz, ctx, t)
            _owners_before(gz, text, spans, j, ctx)
            if "country" not in ctx and "org" not in ctx:
                _owners_of_title_before(gz, text, spans, j, ctx)
    elif i >= 0 and spans[i].kind == "country" and text[spans[i].end:pos] == " ":
        _own(gz, ctx, spans[i])                     # "Armenian Edward Nalbandian"
    if "role" not in ctx:
        ctx.update({k: v for k, v in _apposition(gz, text, spans, end).items() if k not in ctx or k == "role"})
    if "country" not in ctx and "org" not in ctx:
        _of_after(gz, text, spans, end, ctx)        # "President X of Ghana"
    if "country" not in ctx and "org" not in ctx and "title_at" in ctx:
        _stacked_owner(gz, text, spans, j, ctx)     # "Chinese Minister of Defence General X"
    return ctx


def _title_country(gz, text, s: Span, ctx: dict) -> None:
    """ "Secretary of State X": a title only one state has (the weakest evidence of the text,
    used when nothing else gives a side)."""
    code = gz.title_country.get(fold(text[s.start:s.end]))
    if code:
        ctx["title_country"] = code


def _held_of(text: str, role_end: int, owner_start: int) -> bool:
    preps = _TAIL_PREP_RE.findall(text, role_end, owner_start)
    return not preps or preps[-1] == "of"


def _owners_before(gz, text, spans, j: int, ctx: dict) -> None:
    """Owners right before the title at spans[j]: "Russian", "Russia's", "NATO", "U.S. Trade"
    (before "Representative"); a qualifying title may stand between ("Japan's Chief Cabinet
    Secretary"). A possessive owns the title before a noun naming the posting: "Russia's U.S.
    ambassador" is Russia's."""
    pos, i = spans[j].start, j - 1
    titles = 0
    owners = []
    while i >= 0:
        s = spans[i]
        gap = text[s.end:pos]
        if s.kind == "role" and titles < 2 and s.entries[0][1][0] in VAGUE_CONTEXT_ROLES \
                and (gap == " " or _OWNER_GAP_RE.fullmatch(" " + gap.lstrip(" "))) and not _plural(text, s):
            titles += 1                             # "Chief" in "Chief Cabinet Secretary"
        elif s.kind in ("country", "org", "group") and (owner_gap(gap, first=not owners) or not owners and titles == 0
                                                         and _demonym(s) and _PORTFOLIO_GAP_RE.fullmatch(gap)):
            owners.append((s, gap[:1] in ("'", "’")))   # "Russian", "Russia's", "NATO"
        else:
            break
        pos, i = s.start, i - 1
    if len(owners) > 1 and not owners[0][1]:
        owners.sort(key=lambda o: not (o[1] and o[0].kind == "country"))   # stable: the nearest otherwise
    for s, _possessive in owners:
        _own(gz, ctx, s)


# ", " or ", the " between a noun phrase and a title in apposition to it
_APPOS_BEFORE_RE = re.compile(r",\s+(?:the\s+)?")
_POSTED_RE = re.compile(r"\s+(?:in|to|at)\s+(?:the\s+)?")


def _owners_of_title_before(gz, text, spans, j: int, ctx: dict) -> None:
    """A title in apposition to an owned title: "Ghana's envoy in Ottawa, High Commissioner X"."""
    i = j - 1
    if i < 0 or not _APPOS_BEFORE_RE.fullmatch(text, spans[i].end, spans[j].start):
        return
    if spans[i].kind in ("capital", "place", "country") and i > 0 \
            and _POSTED_RE.fullmatch(text, spans[i - 1].end, spans[i].start):
        i -= 1                                      # "envoy in Ottawa", "ambassador to Norway"
    if spans[i].kind == "role" and not _plural(text, spans[i]):
        owned: dict = {}
        _owners_before(gz, text, spans, i, owned)
        if owned.get("country"):
            ctx["country"] = owned["country"]


def _complement(text: str, s: Span) -> bool:
    return _COMPLEMENT_RE.search(text, s.start, s.end) is not None


# between two titles of one person: the first title's tail and a joint ("Chinese Minister of
# National Defense General X", "Representative of Russia at the Court - Deputy Minister X",
# "Rear Admiral and Undersecretary X", "Legal Counsel to the Secretary of the Presidency X")
_STACK_GAP_RE = re.compile(r"(?:\s+(?:of|for|in|at|on)\s+(?:the\s+)?[A-Z][\w'’.-]*"
                           r"(?:\s+(?:[A-Z][\w'’.-]*|and|&|of|the|for|in|on|at))*?)?"
                           r"(?:\s+(?:-|–|—|and|to the)\s+|\s+)")


def _stacked_owner(gz, text, spans, j: int, ctx: dict) -> None:
    """A title stacked on an earlier title of the same person takes the earlier title's
    owner: before it ("Chinese Minister of National Defense General X") or "of" after it
    ("Representative of the Russian Federation in the Court - Deputy Minister of Justice X")."""
    k = j
    chain = []
    for _ in range(3):
        i = k - 1
        while i >= 0 and spans[i].kind == "role" and spans[i].entries[0][1][0] in VAGUE_CONTEXT_ROLES \
                and text[spans[i].end:spans[k].start] == " ":
            k, i = i, i - 1                         # "Deputy" in "Deputy Minister of Justice"
        while i >= 0 and spans[i].kind != "role" and spans[k].start - spans[i].end < 100:
            i -= 1                                  # the owners and places of the earlier title's tail
        if i < 0 or spans[i].kind != "role" or _plural(text, spans[i]):
            return
        gap = text[spans[i].end:spans[k].start]
        if "\n" in gap or ". " in gap or not _STACK_GAP_RE.fullmatch(gap):
            return
        owned: dict = {}
        _owners_before(gz, text, spans, i, owned)
        if not owned:
            for t in spans[i + 1:k]:
                if t.kind in _OWNER_KINDS and _held_of(text, spans[i].end, t.start):
                    _own(gz, owned, t)
                    break
        chain.append(spans[i])
        if owned.get("country") or owned.get("org"):
            for key in ("country", "org"):
                if owned.get(key):
                    ctx.setdefault(key, owned[key])
            for t in chain:
                t.used = True       # the person's own titles, no unnamed official
            return
        k = i


def _demonym(s: Span) -> bool:
    return s.kind == "country" and s.entries[0][1][1] == "demonym"


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


def _span_at(spans, pos: int) -> Span | None:
    k = last_before(spans, pos) + 1
    return spans[k] if k < len(spans) and spans[k].start == pos else None


def _of_after(gz, text, spans, end: int, ctx: dict) -> None:
    """ "of Ghana" owns; "for" only a body ("for NATO", "for South Korea's defence ministry"),
    not a place the office deals with ("envoy for Syria")."""
    m = _OF_AFTER_RE.match(text, end) if text.startswith((" of ", " for "), end) else None
    if m:
        s = _span_at(spans, m.end())
        if s is None or s.kind not in _OWNER_KINDS:
            return
        if m.group(1) == "for" and s.kind in ("country", "capital") and not text.startswith(("'s ", "’s "), s.end):
            return
        _own(gz, ctx, s)


# ", the ", ", a senior ", ", Ghana's former "
_APPOS_RE = re.compile(r"^,\s+(?:(?:the|a|an)\s+)?(?:(?:former|senior|top|veteran|acting|interim|outgoing|incoming"
                       r"|longtime|new|then|current)\s+)?$")
# between an owner and the title in apposition: "Chile's senate president", "the Brazilian
# Trade Representative"
_APPOS_GAP_RE = re.compile(r"(?:['’]s)?(?:\s+[a-z]+){0,2}\s*|(?:['’]s)?(?:\s+[A-Z][a-z]+){1,2}\s*")


# a title's tail (capitalised words of a portfolio, "of Justice and Courts Administration")
# and the two first words after it
_NEXT_NAME_RE = re.compile(r"((?:\s+(?:of|for|and|&)\s+(?:the\s+)?[A-Z][\w.-]*(?:\s+(?:[A-Z][\w.-]*|and|&|of|the|for))*?)?)"
                           r"\s+([A-Z][a-z][\w.-]*)\s+([A-Z][\w.-]*)")
_CAPITALISED_RE = re.compile(r"[A-Z][\w.-]*")


def _titles_next_name(gz, text, spans, end: int) -> bool:
    """Is the title ending at `end` followed by a name it introduces, as in a list of
    officials ("A, Samoa Minister of Justice and Courts Administration Dr B C, ...")? The
    words of its tail are words no name has (nonname), the name's two first words (after an
    honorific) are not."""
    m = _NEXT_NAME_RE.match(text, end)
    if m is None:
        return False
    nonname = gz.nonname
    if any(fold(w) not in nonname for w in _CAPITALISED_RE.findall(m.group(1))):
        return False
    hon = _span_at(spans, m.start(2))
    if hon is not None and hon.kind == "hon":
        m = _NEXT_NAME_RE.match(text, hon.end)
        if m is None or m.group(1):
            return False
    return fold(m.group(2)) not in nonname and fold(m.group(3)) not in nonname


def _apposition(gz, text, spans, end) -> dict:
    """ "Edward Nalbandian, Armenia's foreign minister,", "Kofi Mensah, president of Ghana," """
    if not text.startswith(",", end):
        return {}
    i = last_before(spans, end) + 1
    ctx: dict = {}
    pos = end
    while i < len(spans) and spans[i].start - pos < 30:
        s = spans[i]
        gap = text[pos:s.start]
        if pos == end:
            if not _APPOS_RE.match(gap):
                return {}
        elif not (gap.strip() in ("", "'s", "’s") or s.kind == "role" and _APPOS_GAP_RE.fullmatch(gap)):
            break
        if s.kind == "country":
            ctx.setdefault("country", s.entries[0][1][0])
        elif s.kind in ("org", "group"):
            national = gz.orgs.get(s.entries[0][1], (None, None))[1]
            if national and national != "*":
                ctx.setdefault("country", national)
            elif not national:
                ctx.setdefault("org", s.entries[0][1])
        elif s.kind == "role":
            if text.startswith(("'s", "’s"), s.end):
                pos, i = s.end, i + 1               # "the minister's deputy": owner of the next title
                continue
            if s.entries[0][1][0] in VAGUE_CONTEXT_ROLES and i + 1 < len(spans) and spans[i + 1].kind == "role" \
                    and spans[i + 1].start == s.end + 1 and text[s.end] == " ":
                pos, i = s.end, i + 1               # "deputy director of ...": the title is the next one
                continue
            if _titles_next_name(gz, text, spans, s.end):
                return {}       # "A, Samoa Minister of Justice B": B's title, not A's
            role, org = s.entries[0][1]
            ctx["role"] = role
            if org:
                ctx.setdefault("org", org)
            s.used = True
            _title_country(gz, text, s, ctx)
            if "country" not in ctx and "org" not in ctx:
                _of_after(gz, text, spans, s.end, ctx)      # ", president of Ghana,"
            return ctx
        else:
            break
        pos = s.end
        i += 1
    return {}
