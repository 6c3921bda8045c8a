"""Page furniture: classify the lines of the blocks, keep the side fields, drop the rest."""

from __future__ import annotations

from ..stamps import parse_date
from . import boilerplate
from .lines import CLOSERS, FINAL_PUNCT, ends_sentence, flow, is_wrapped, split_blocks
from .records import Line, Paragraph, Parts


def body_paragraphs(t: str, spans: list[tuple[int, int]], parts: Parts) -> list[Paragraph]:
    """Classify lines, fill the side fields, and return body paragraphs."""
    blocks = split_blocks(t, spans, parts)
    title_key = _key(parts.title) if parts.title else None
    body_blocks: list[list[Line]] = []
    in_zone = False  # after a section header: everything to the end is furniture
    teasers_follow = False  # after "Read more": headline-like lines are links to other stories
    for bi, block in enumerate(blocks):
        if in_zone:
            for line in block:
                parts.drop("related", line.raw)
            continue
        if parts.title is None and not body_blocks and _is_title_block(block, blocks[bi + 1:]):
            parts.title = block[0].text
            title_key = _key(parts.title)
            block = block[1:]  # a date or byline line under the headline is handled below
        body: list[Line] = []
        # The continuation lines of hard-wrapped prose are prose: no need to classify them.
        prose = len(block) > 2 and is_wrapped(block)
        for li, line in enumerate(block):
            if prose and body:
                body.append(line)
                continue
            if in_zone:
                parts.drop("related", line.raw)
                continue
            if len(line.text) > boilerplate.MAX_CAPTION_LINE and not teasers_follow:
                body.append(line)  # too long to be furniture of any kind
                continue
            started = bool(body_blocks or body)
            kind = _line_kind(line, title_key, started=started)
            if kind is None and teasers_follow and _is_headline(line.text):
                kind = "teaser"  # a headline under "Read more"
            elif kind is None:
                teasers_follow = False
            if kind is None:
                body.append(line)
            elif kind == "inline_header":
                parts.drop("teaser", line.raw)
                teasers_follow = True
            elif kind == "header" and started:
                in_zone = True
                parts.drop("related", line.raw)
            elif kind == "header":
                # Before the article: a list of links under a header; it ends with its block.
                for rest in block[li:]:
                    parts.drop("navigation", rest.raw)
                break
            else:
                _take(kind, line, parts)
        if body:
            body_blocks.append(body)
    _drop_trailing_headlines(body_blocks, parts)
    return [p for block in body_blocks if block for p in flow(block)]


def _drop_trailing_headlines(blocks: list[list[Line]], parts: Parts) -> None:
    """Two or more headline-like lines closing the text are links to other stories that lost
    their header ("Putin and Xi to meet next week" / "Talks resume in Lima")."""
    tail: list[tuple[int, int]] = []
    for bi in range(len(blocks) - 1, -1, -1):
        for li in range(len(blocks[bi]) - 1, -1, -1):
            # a bulleted list closing a text is more often content (agreements signed...)
            if not _is_headline(blocks[bi][li].text, bulleted=False):
                break
            tail.append((bi, li))
        else:
            continue
        break
    remaining = sum(len(b) for b in blocks) - len(tail)
    if len(tail) < 2 or remaining < 1:
        return
    for bi, li in reversed(tail):
        parts.drop("teaser", blocks[bi][li].raw)
    for bi, li in tail:
        del blocks[bi][li]


def _line_kind(line: Line, title_key: str | None, *, started: bool) -> str | None:
    text = line.text
    if not text:
        return "markup"
    kind = boilerplate.classify(text)
    if kind is not None:
        return kind
    if title_key:
        n, t = len(text), len(title_key)
        if abs(n - t) <= 8 and _key(text).rstrip(" .") == title_key.rstrip(" ."):
            return "title_repeat"
        # a truncated copy of the headline before the body ("Blinken, Cavusoglu hold")
        if not started and 10 <= n < t and not ends_sentence(text) and title_key.startswith(_key(text)):
            return "title_repeat"
    return None


def _take(kind: str, line: Line, parts: Parts) -> None:
    text = line.text
    if kind == "caption":
        parts.captions.append(text)
    elif kind == "credit":
        if parts.credit is None:
            parts.credit = text
        else:
            parts.drop("credit", line.raw)
    elif kind == "updated":
        date = parse_date(text)
        if date and parts.updated is None:
            parts.updated = date
        parts.drop("updated", line.raw)
    elif kind == "date":
        date = parse_date(text)
        if date:
            parts.dates.setdefault("date_line", date)
        if parts.date_line is None:
            parts.date_line = text
        else:
            parts.drop("date", line.raw)
    elif kind == "meta":
        date = parse_date(text)
        if date:
            parts.dates.setdefault("posted", date)
        parts.drop("meta", line.raw)
    else:  # share, teaser, footer, byline, link, navigation, rule, legend, markup, title_repeat
        parts.drop(kind, line.raw)


def _is_headline(text: str, *, bulleted: bool = True) -> bool:
    """A line that reads like a headline: short, capitalised, no final sentence punctuation
    (a list bullet in front is allowed when `bulleted`)."""
    if bulleted and text[:2] in ("- ", "* ", "• ", "· ", "▪ "):
        text = text[2:]
    return 0 < len(text) <= 160 and text[0].isupper() and not ends_sentence(text)


def _is_title_block(block: list[Line], rest: list[list[Line]]) -> bool:
    """A title: a short stand-alone first line without a final period (a question or an
    exclamation may end one), followed by article text. Lines under it in the same block
    must all be furniture (a date, a byline)."""
    after = sum(len(line.raw) for line in block[1:]) + sum(len(line.raw) for b in rest for line in b)
    if not block or not after:
        return False
    text = block[0].text
    if not text or len(text) > 250 or not (text[0].isupper() or text[0].isdigit() or text[0] in "\"'"):
        return False
    end = text.rstrip(CLOSERS)[-1:]
    if end in FINAL_PUNCT and not (end in "?!" and len(text) <= 120):
        return False
    if boilerplate.classify(text) is not None:
        return False
    if len(block) > 1 and not all(boilerplate.classify(line.text) not in (None, "header") for line in block[1:]):
        # a headline directly above the body: short, and the block is not hard-wrapped text
        if len(text) > 100 or is_wrapped(block) or not block[1].text[:1].isupper():
            return False
    return after >= len(text)


def _key(text: str) -> str:
    """Comparison key of a paragraph: case and spacing ignored (cheap: split/join run in C)."""
    return " ".join(text.casefold().split())
