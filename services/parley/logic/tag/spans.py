"""Known phrases of a text as non-overlapping spans (select_spans), and helpers on them."""
from __future__ import annotations

import re
from bisect import bisect_right
from operator import attrgetter

from parley.logic.gazetteer import Gazetteer, fold

from .records import Span, Spans

OF_GAP_RE = re.compile(r"\s+of\s+(?:the\s+)?")           # "presidents of (the) ..."


def span_mention(type_, text, s, id_, name, **attrs) -> dict:
    d = {"type": type_, "text": text[s.start:s.end], "start": s.start, "end": s.end, "id": str(id_), "name": name}
    d.update(attrs)
    return d


def select_spans(gz: Gazetteer, text: str) -> Spans:
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
        if text[end:end + 1] == "." and entries[0][3][-1:] == ".":
            # "U.S." folds to "u s": the phrase's final dot is part of it, not a full stop
            # ("U.S. Trade Representative X" is one noun phrase)
            end += 1
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
    # the masks tag_people needs: `taken` less the (few) places is the mask of the other spans
    placed = bytearray(len(text) + 1)
    for p in places:
        taken[p.start:p.end] = bytes(p.end - p.start)
        placed[p.start:p.end] = b"\x01" * (p.end - p.start)
    _capitals_as_given_names(gz, text, spans, taken)
    return Spans(spans, taken, placed)


_NEXT_WORD_RE = re.compile(r" ([A-Z][a-z][\w'’-]*)")


def _capitals_as_given_names(gz: Gazetteer, text: str, spans: list, taken: bytearray) -> None:
    """A capital's name right after a title and before another capitalised word is a given
    name ("Spokeswoman Victoria Lindqvist", "President Santiago Rios"): it does not split the
    name (the span stays, and tag_text drops it inside the person)."""
    for k in range(1, len(spans)):
        s = spans[k]
        if s.kind != "capital" or spans[k - 1].kind not in ("role", "hon") or text[spans[k - 1].end:s.start] != " ":
            continue
        m = _NEXT_WORD_RE.match(text, s.end)
        if m is None or (k + 1 < len(spans) and spans[k + 1].start == m.start(1)) or fold(m.group(1)) in gz.nonname:
            continue
        taken[s.start:s.end] = bytes(s.end - s.start)


def last_before(spans: Spans, pos: int) -> int:
    """Index of the last span ending at or before pos (-1 if none)."""
    return bisect_right(spans.ends, pos) - 1


_by_start = attrgetter("start")
