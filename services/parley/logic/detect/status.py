"""Status cues: a trigger's status (occurred, planned, denied, ...) from the cues of its clause
(cues.tsv), each cue tried only where one of its literal beginnings occurs.
"""
from __future__ import annotations

import re
from functools import lru_cache

import ahocorasick

from parley.logic.detect.grammar import IGNORECASE_FOLDS
from parley.logic.detect.vocabulary import cues, lex, literal_prefixes

STATUS_ORDER = ("denied", "cancelled", "uncertain", "habitual", "proposed", "planned")


@lru_cache(maxsize=1)
def cue_groups() -> dict:
    """scope -> [(status, pattern, literal prefixes one of which any match must contain)]."""
    out: dict = {}
    for c in cues():
        out.setdefault(c.scope, []).append((c.status, c.rx.pattern, literal_prefixes(c.rx.pattern)))
    return out


@lru_cache(maxsize=512)
def cue_rx(scope: str, chosen: tuple) -> tuple:
    """One alternation of the chosen cues of a scope (in file order) and their statuses."""
    group = [cue_groups()[scope][i] for i in chosen]
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


@lru_cache(maxsize=8)
def _cue_prefix_index(scope: str) -> tuple:
    """(cues of the scope that always run, every literal prefix -> the cues it opens)."""
    always, by_prefix = [], {}
    for i, (_, _, pre) in enumerate(cue_groups().get(scope, ())):
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


def cue_statuses(scope: str, window: str, found: set) -> None:
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
    rx, statuses = cue_rx(scope, chosen)
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


def trigger_status(text, sent, hit, left, right) -> str:
    before = text[left:hit.start]
    after = text[hit.end:right]
    # "spoke by phone with Modi about the summit next week": what follows another meeting
    # noun qualifies that meeting, not this one
    other = lex("other_meeting").search(after)
    if other:
        after = after[:other.start()]
    found: set = set()
    cue_statuses("prefix", text[max(sent.start, hit.start - 80):hit.start], found)
    cue_statuses("before", before, found)
    cue_statuses("after", after, found)
    # the clause as written: padding with spaces would defeat the cues' lookbehinds ("of  talks")
    cue_statuses("any", before + text[hit.start:hit.end] + after, found)
    cue_statuses("trailing", text[right:sent.end], found)
    if "planned" in found and lex("past_purpose").search(text, max(sent.start, hit.start - 120), hit.start):
        # "visited Russia in October to attend the summit": the purpose of a past trip is past
        found.discard("planned")
    for st in STATUS_ORDER:
        if st in found:
            return st
    return "occurred"
