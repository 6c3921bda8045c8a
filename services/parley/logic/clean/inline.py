"""Furniture run into the paragraphs themselves, and paragraphs run into each other.

Pages flattened into one line, and outlets that put links inside sentences, leave
furniture where no line break marks it. Every rule here is a shape (a repeated name before
"MORE", a pipe list of links, a post's "— Name (@handle) date" signature) or a phrase from
the lists of services/parley/data/cleaning:

- a run-in header of a furniture zone ("... (Editor: Jane Roe) Add your comment Please enable
  JavaScript ... Related reading Headline ...") ends the article there;
- a related-story link glued to a name, "President Jane Roe Jane Q. RoeTalks collapse
  in Lima Peru votes MORE said", is cut back to "President Jane Roe said";
- an embedded post's signature and its short links, "pic.twitter.com/..." and
  "https://t.co/...", are removed;
- a run-in promotion, "Get our app: Store: https://... | Play: https://..." or "Follow us
  on Facebook | Twitter", is removed;
- paragraphs glued without a space, "since spring.President Lopes will ...", get the
  space back, so that the sentences split.
"""

from __future__ import annotations

import re

from ..stamps import DATE_PATTERN
from . import boilerplate
from .records import Paragraph, Parts
from .textnorm import apply_edits, squeeze

_RUNIN_HEADER = re.compile(
    rf"(?:^|(?<=[.!?)\]\"'…])\s*)(?i:{boilerplate._alternation(boilerplate._phrases('runin_headers.txt'))})"
    r"(?=\s+[A-Z0-9\"'(]|\s*[:.]?\s*$)"
)
# "Jane Roe Jane Q. RoeHeadline of another story Another headline MORE": the repeated
# surname, then up to 400 characters of linked headlines closed by "MORE".
_NAME_TOKEN = r"(?:[A-Z][\w'’.-]*|\([A-Z][\w'’.-]*\))"
_LINKED_NAME = re.compile(
    rf"\b(?P<sur>[A-Z][\w'’-]+)(?P<link>\s+(?:{_NAME_TOKEN}\s+){{1,4}}(?P=sur).{{3,400}}?\sMORE)"
    r"(?=[\s,.;:)]|$)"
)
_EMBED_SIGNATURE = re.compile(
    rf"\s*[-–—]{{1,2}}\s*[^()\n—–]{{1,60}}?\(@\w{{1,30}}\)\s*(?:(?i:{DATE_PATTERN}))?\.?"
)
_EMBED_LINK = re.compile(r"\s*(?<!\S)(?:https?://t\.co/|pic\.twitter\.com/)\S+")
_SOCIAL = boilerplate._alternation(sorted(boilerplate.SOCIAL_WORDS))
_LINK_ITEM = r"(?:[A-Z][\w'’]*(?:\s+[\w'’]+){0,3}\s*:\s*)?https?://\S+"
_PROMO_RUN = re.compile(
    r"(?:^|(?<=[.!?\"”)])\s+)"
    rf"(?:[A-Z][^.!?|\n]{{0,80}}?:\s*)?{_LINK_ITEM}(?:\s*\|\s*{_LINK_ITEM})+"
    rf"|(?:^|(?<=[.!?\"”)])\s+)[A-Z][^.!?|\n]{{0,60}}?\son\s+(?i:{_SOCIAL})(?:\s*\|\s*(?i:{_SOCIAL}))+(?=\s*$|\s+[A-Z])"
)
# "spring.President", "Friday.The": a period glued to the capitalised word of the next
# sentence (two lower-case letters before it, so "U.S.", "p.m." and initials never match).
_GLUED = re.compile(r"(?<=[a-z]{2})[.!?][\"”’')]?(?=[A-Z][a-z]*)")
_WORD_AFTER = re.compile(r"[A-Z][a-z]*")
_OPENERS = frozenset(p.capitalize() for p in boilerplate._phrases("sentence_openers.txt"))


def inline_furniture(paragraphs: list[Paragraph], parts: Parts) -> list[Paragraph]:
    out: list[Paragraph] = []
    for i, p in enumerate(paragraphs):
        cut = _RUNIN_HEADER.search(p.text)
        text, segs = p.text, p.segs
        if cut is not None:
            parts.drop("related", "\n".join([text[cut.start():].strip(), *(q.text for q in paragraphs[i + 1:])]))
            text, segs = apply_edits(text, segs, [(cut.start(), len(text), "")])
        text, segs = _edit(text, segs, parts)
        if text:
            out.append(Paragraph(text, segs))
        if cut is not None:
            break
    return out


def _edit(text: str, segs, parts: Parts):
    edits: list[tuple[int, int, str]] = []
    for m in _linked_names(text):
        edits.append((m.start("link"), m.end("link"), ""))
        parts.drop("teaser", m.group("link").strip())
    for pattern, kind in ((_EMBED_SIGNATURE, "embed"), (_EMBED_LINK, "embed"), (_PROMO_RUN, "footer")):
        if pattern is _EMBED_SIGNATURE and "(@" not in text:
            continue
        if pattern is _EMBED_LINK and "t.co/" not in text and "pic.twitter" not in text:
            continue
        if pattern is _PROMO_RUN and "http" not in text and "|" not in text:
            continue
        for m in pattern.finditer(text):
            edits.append((m.start(), m.end(), ""))
            parts.drop(kind, m.group().strip())
    for m in _GLUED.finditer(text):
        if _glued_sentence(text, m):
            edits.append((m.end() - 1, m.end(), text[m.end() - 1] + " "))
    if not edits:
        return text, segs
    text, segs = apply_edits(text, segs, _disjoint(edits))
    return squeeze(text, segs)


def _linked_names(text: str) -> list[re.Match]:
    """The matches of _LINKED_NAME, each moved to the last word of the name that can open
    it: in "Sen. Jane Roe Jane Q. RoeHeadline ... MORE" both "Jane" and "Roe" are followed
    by a repetition of themselves, and the link is the full name after "Roe"."""
    if "MORE" not in text:
        return []
    found = []
    pos = 0
    while (m := _LINKED_NAME.search(text, pos)) is not None:
        while True:
            space = text.find(" ", m.start())
            later = _LINKED_NAME.match(text, space + 1) if 0 <= space < m.start("link") + 1 else None
            if later is None or later.start("link") >= m.end("link"):
                break
            m = later
        found.append(m)
        pos = m.end()
    return found


def _glued_sentence(text: str, m: re.Match) -> bool:
    token_start = text.rfind(" ", 0, m.start()) + 1
    token = text[token_start:m.start()]
    if "/" in token or "@" in token or "." in token or token.startswith("www"):
        return False  # a link, an address, a domain ("news.example.Com")
    word = _WORD_AFTER.match(text, m.end()).group()
    return len(word) > 3 or word in _OPENERS


def _disjoint(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Sorted edits without overlaps (the first of two overlapping ones wins)."""
    out: list[tuple[int, int, str]] = []
    for a, b, rep in sorted(edits, key=lambda e: (e[0], -e[1])):
        if out and a < out[-1][1]:
            continue
        out.append((a, b, rep))
    return out
