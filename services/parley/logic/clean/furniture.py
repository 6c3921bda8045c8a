"""Page furniture: classify the lines of the blocks, keep the side fields, drop the rest."""

from __future__ import annotations

from ..stamps import parse_date
from . import boilerplate
from .lines import CLOSERS, FINAL_PUNCT, ends_sentence, flow, indented_starts, is_wrapped, split_blocks
from .records import Line, Paragraph, Parts


def body_paragraphs(t: str, spans: list[tuple[int, int]], parts: Parts) -> list[Paragraph]:
    """Classify lines, fill the side fields, and return body paragraphs."""
    blocks = split_blocks(t, spans, parts)
    title_key = _key(parts.title) if parts.title else None
    body_blocks: list[list[Line]] = []
    in_zone = False  # after a section header: everything to the end is furniture
    teasers_follow = False  # after "Read more": headline-like lines are links to other stories
    # The article has begun once a line of prose is kept; short lines before it (menus,
    # language links, bylines, decks) do not begin it.
    started = False
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
        # So are the flush-left lines under an indented paragraph opening of old wire copy.
        opens = indented_starts(block)
        for li, line in enumerate(block):
            if (prose or (opens is not None and li not in opens)) and body:
                body.append(line)
                started = True
                continue
            if in_zone:
                parts.drop("related", line.raw)
                continue
            if len(line.text) > boilerplate.MAX_CAPTION_LINE and not teasers_follow:
                body.append(line)  # too long to be furniture of any kind
                started = True
                continue
            kind = _line_kind(line, title_key, started=started)
            if kind is None and teasers_follow and _is_headline(line.text):
                kind = "teaser"  # a headline under "Read more"
            elif kind is None:
                teasers_follow = False
            if kind is None and not started and boilerplate.is_names_only(line.text):
                kind = "byline"  # names alone above the article: a byline without "By"
            if kind is None:
                body.append(line)
                started = started or _is_prose(line.text)
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
            elif kind == "date" and started and _dated_list_follows(blocks, bi, li):
                # "2 June 2025 [12:03]" / headline / "2 June 2025 [11:41]" / headline ...
                # after the article: a list of other stories by time
                in_zone = True
                parts.drop("related", line.raw)
            elif kind == "title_repeat" and not started:
                # The page repeats its headline where the article begins: the short lines
                # above it are the page's menus.
                for kept in [*(x for b in body_blocks for x in b), *body]:
                    parts.drop("navigation", kept.raw)
                body_blocks.clear()
                body.clear()
                parts.drop(kind, line.raw)
            else:
                _take(kind, line, parts)
        if body:
            body_blocks.append(body)
    _drop_trailing_headlines(body_blocks, parts)
    return [p for block in body_blocks if block for p in flow(block)]


def _is_quotation(text: str) -> bool:
    """One quotation and nothing else: '"We agree"', "'We agree'" (but not the two quoted
    terms of "'Pacific' versus 'Atlantic'")."""
    q = text[:1]
    if q not in ("\"", "'") or len(text) < 3 or text[-1] != q:
        return False
    inner = text[1:-1]
    return q not in inner if q == "\"" else ("' " not in inner and " '" not in inner)


def _dated_list_follows(blocks: list[list[Line]], bi: int, li: int) -> bool:
    """Is the date line at (bi, li) the first of a list of (date, headline) pairs?"""
    ahead = [line for line in blocks[bi][li + 1:]]
    for block in blocks[bi + 1:]:
        if len(ahead) >= 2:
            break
        ahead.extend(block)
    return (len(ahead) >= 2 and _is_headline(ahead[0].text)
            and boilerplate.classify(ahead[1].text) in ("date", "updated"))


def _is_prose(text: str) -> bool:
    """A line of running text: long, or a sentence of several words."""
    return len(text) >= 150 or (ends_sentence(text) and text.count(" ") >= 5)


def drop_subheads(paragraphs: list[Paragraph], parts: Parts) -> list[Paragraph]:
    """Headline-like paragraphs between paragraphs of prose are crossheads or links to other
    stories ("Samosas and nachos", "How to Win a Trade War: Jane Roe", "TALKS IN LIMA
    COLLAPSE"): not sentences of the article."""
    prose = [_is_prose(p.text) for p in paragraphs]
    if sum(prose) < 2:
        return paragraphs
    first, last = prose.index(True), len(prose) - 1 - prose[::-1].index(True)
    out: list[Paragraph] = []
    listing = False  # inside the items of a list opened by a line ending with ":"
    for i, p in enumerate(paragraphs):
        listing = bool(out) and (out[-1].text.endswith(":") or (listing and not prose[i - 1]))
        if first < i < last and not prose[i] and not listing and _is_subhead(p.text, paragraphs[i + 1].text):
            parts.drop("subhead", p.text)
        else:
            out.append(p)
    return out


def _is_subhead(text: str, following: str) -> bool:
    if text[:2] in ("- ", "* ", "• ", "· ", "▪ ") or text[:1].isdigit():
        return False  # an item of a list
    if following.lstrip("\"'(“‘[…. ")[:1].islower():
        return False  # the sentence goes on in the next paragraph
    letters = [c for c in text if c.isalpha()]
    if len(text) <= 200 and text.count(" ") >= 2 and len(letters) >= 10 and all(c.isupper() for c in letters):
        return True  # a line in capitals, whatever its final punctuation
    if _is_quotation(text):
        return False  # quoted words (a post, a pull quote) are the article's, punctuated or not
    bare = text.lstrip("\"'“‘")
    if not bare or not _is_headline(bare, bulleted=False):
        return False
    last = bare.rstrip(CLOSERS + " ").rsplit(None, 1)[-1].lower()
    return last not in boilerplate.OPEN_ENDINGS


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
