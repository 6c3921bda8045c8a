"""The context of a name: the role, country, organisation or honorific that introduces it."""
from __future__ import annotations

import re

from .records import Span
from .spans import last_before

# "Minister of Justice and Prisons Reforms", "Secretary of State for European Affairs,"
ROLE_TAIL_RE = re.compile(r"^(?:\s+(?:of|for|to)\s+(?:the\s+)?[\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]*|and|&|of|the|for))*?)?\s*,?\s*(?:the\s+)?$")


def name_context(gz, text, spans: list[Span], start: int, end: int) -> dict:
    """Role/country/org/honorific introducing the name at start, or in apposition after end.

    "Russian Foreign Minister Sergei Lavrov", "Russia's foreign minister, Sergei Lavrov",
    "President of Kyrgyzstan Sadyr Japarov", "Minister of Justice and Home Affairs Mr X",
    "Sergei Lavrov, Russia's foreign minister,".
    """
    ctx: dict = {}
    i = last_before(spans, start)
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


_APPOS_RE = re.compile(r"^,\s+(?:the\s+|a\s+|an\s+)?$")


def _apposition(text, spans, end) -> dict:
    """ "Edward Nalbandian, Armenia's foreign minister," """
    if not text.startswith(",", end):
        return {}
    i = last_before(spans, end) + 1
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
