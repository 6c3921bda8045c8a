"""Segmentation: raw lines, blocks of lines between blank lines, paragraphs re-flowed from them."""

from __future__ import annotations

import re

from .records import Line, Paragraph, Parts
from .textnorm import apply_edits, markup_chars, shift

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
CLOSERS = "'\")]"
FINAL_PUNCT = frozenset(".!?;:…")
_BR_END = re.compile(r"(?i)<br\s*/?>\s*$")  # a line ending in <br>: a hard line break
_HAS_WORD = re.compile(r"[^\W_]")  # a letter or digit
_LIST_MARKER = re.compile(r"(?:\d{1,2}[.)]|[a-h][.)]|[-•·▪◦●‣∙])\s+(?=\S)")
_BOLD_LINE = re.compile(r"\s*(?:<br\s*/?>\s*)*(\*\*|__)[^*_\n]{1,120}\1\s*(?:<br\s*/?>)?\s*")


def split_lines(t: str) -> list[tuple[int, int]]:
    if "\r" not in t:
        spans = []
        pos = 0
        for line in t.split("\n"):
            end = pos + len(line)
            spans.append((pos, end))
            pos = end + 1
        return spans
    spans = []
    pos = 0
    for m in _LINE_BREAK.finditer(t):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(t)))
    return spans


def split_blocks(t: str, spans: list[tuple[int, int]], parts: Parts) -> list[list[Line]]:
    """Lines grouped into blocks separated by blank lines."""
    blocks: list[list[Line]] = []
    current: list[Line] = []
    hints = markup_chars(t)
    bold = "*" in hints or "_" in hints
    html_breaks = "<" in hints
    for a, b in spans:
        raw_line = t[a:b]
        stripped = raw_line.strip()
        if not stripped or not _HAS_WORD.search(stripped):
            # a blank line, or a rule (---, ***, ###): both separate blocks
            if stripped:
                parts.drop("rule", stripped)
            if current:
                blocks.append(current)
                current = []
            continue
        hard_break = raw_line.endswith("  ") or (html_breaks and _BR_END.search(raw_line) is not None)
        line = Line(t, a, b, hints, stripped, hard_break, len(raw_line) - len(raw_line.lstrip()))
        if bold and _BOLD_LINE.fullmatch(raw_line):
            line.blank_out()  # a bold-only line: a heading or a signature
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def flow(lines: list[Line]) -> list[Paragraph]:
    """Join the lines of one block into paragraphs.

    A hard-wrapped block (lines of similar width, most ending mid-sentence) is one paragraph
    (split only at markdown hard breaks); otherwise each line is its own paragraph unless
    the next one continues it in lower case.
    """
    if len(lines) == 1:
        return [_strip_list_marker(Paragraph(lines[0].text, list(lines[0].segs)))]
    if not lines:
        return []
    starts = indented_starts(lines)
    if starts is not None:
        return [p for a, b in zip(starts, [*starts[1:], len(lines)]) for p in _joined(lines[a:b])]
    wrapped = is_wrapped(lines)
    out: list[Paragraph] = []
    text, segs = lines[0].text, list(lines[0].segs)
    for prev, line in zip(lines, lines[1:]):
        joins = (wrapped and not prev.hard_break) or (line.text[:1].islower() and not ends_sentence(prev.text))
        if joins:
            segs = segs + shift(line.segs, len(text) + 1)
            text = text + " " + line.text
        else:
            out.append(Paragraph(text, segs))
            text, segs = line.text, list(line.segs)
    out.append(Paragraph(text, segs))
    return [_strip_list_marker(p) for p in out]


def indented_starts(lines: list[Line]) -> list[int] | None:
    """Old wire copy marks a paragraph by indenting its first line, and wraps the rest flush
    left ("    LISBON, May 3 - ... held talks" / "with ... a ministry" / "Spokesman said."):
    the indexes of the lines that open a paragraph, or None when the block is not written
    so (its first line is not indented deeper than the others)."""
    if len(lines) < 2:
        return None
    base = min(line.indent for line in lines)
    if lines[0].indent < base + 2 or all(line.indent >= base + 2 for line in lines):
        return None
    return [i for i, line in enumerate(lines) if line.indent >= base + 2]


def _joined(lines: list[Line]) -> list[Paragraph]:
    """One paragraph of all `lines` (a list marker in front is taken off)."""
    text, segs = lines[0].text, list(lines[0].segs)
    for line in lines[1:]:
        if not line.text:
            continue
        if text:
            segs = segs + shift(line.segs, len(text) + 1)
            text = text + " " + line.text
        else:
            text, segs = line.text, list(line.segs)
    return [_strip_list_marker(Paragraph(text, segs))]


def is_wrapped(lines: list[Line]) -> bool:
    """Hard-wrapped: the lines but the last have a similar width and mostly end mid-sentence."""
    if len(lines) < 2:
        return False
    heads = [len(line.text) for line in lines[:-1]]
    widest = max(heads)
    if widest > 110:
        return False
    if len(heads) == 1:
        similar = heads[0] >= 50
    else:
        similar = widest - min(heads) <= 0.4 * widest
    open_ends = sum(1 for line in lines[:-1] if not ends_sentence(line.text))
    return similar and open_ends * 2 >= len(heads)


def _strip_list_marker(p: Paragraph) -> Paragraph:
    m = _LIST_MARKER.match(p.text)
    if not m:
        return p
    text, segs = apply_edits(p.text, p.segs, [(0, m.end(), "")])
    return Paragraph(text, segs)


def ends_sentence(text: str) -> bool:
    last = text.rstrip(CLOSERS)[-1:]
    return last != "" and last in FINAL_PUNCT
