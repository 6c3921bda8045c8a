"""A dateline and/or agency prefix taken off the first paragraph."""

from __future__ import annotations

import re

from ..stamps import DATE_PATTERN, parse_date
from .lines import CLOSERS, FINAL_PUNCT
from .records import Paragraph, Parts
from .textnorm import apply_edits

# "BEIJING, November 9. /TASS/." / "MOSCOW, Nov 9 (Reuters) -" / "BAKU, Azerbaijan, Oct. 5."
_DATELINE_DATED = re.compile(
    r"(?P<place>[A-Z][A-Z'.\-]+(?:\s+[A-Z][A-Z'.\-]+){0,3}(?:\s*,\s*[A-Z][A-Za-z'.\-]+(?:\s+[A-Z][A-Za-z'.\-]+){0,2})?)"
    rf"\s*[,.]\s*(?P<date>(?i:{DATE_PATTERN}))\s*[.,]?\s*"
    r"(?:(?P<agency>/[^/\n]{2,25}/|\([^()\n]{2,25}\)|[A-Z][A-Z-]{2,20}\.(?=\s)|[A-Z]\w*[A-Z]\w*\.(?=\s))\s*\.?\s*)?"
    r"(?:[-–—]{1,2}\s*|:\s*)?(?=\S)"
)
# "WASHINGTON (AP) — " / "LONDON — " / "KYIV, Ukraine - "
_DATELINE_PLACE = re.compile(
    r"(?P<place>[A-Z][A-Z'.\-]{2,}(?:\s+[A-Z][A-Z'.\-]+){0,3}(?:\s*,\s*[A-Z][A-Za-z'.\-]+(?:\s+[A-Z][A-Za-z'.\-]+){0,2})?)"
    r"\s*(?:(?P<agency>\([^()\n]{2,25}\)|/[^/\n]{2,25}/)\s*)?[-–—]{1,2}\s+(?=\S)"
)
# "Kyiv, 15 March (Ukrinform) - " : a title-case place needs the agency to be a dateline.
_DATELINE_AGENCY = re.compile(
    r"(?P<place>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?)\s*,\s*"
    rf"(?:(?P<date>(?i:{DATE_PATTERN}))\s*[.,]?\s*)?"
    r"(?P<agency>\([^()\n]{2,25}\)|/[^/\n]{2,25}/)\s*\.?\s*(?:[-–—]{1,2}\s*|:\s*)?(?=\S)"
)
# "Yerevan, March 3 — " : a title-case place and a date need the dash.
_DATELINE_TITLECASE = re.compile(
    r"(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|(?:To|Yester)day\b|On\b|In\b|By\b)"
    r"(?P<place>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?)\s*,\s*"
    rf"(?P<date>(?i:{DATE_PATTERN}))\s*[.,]?\s*[-–—]{{1,2}}\s*(?=\S)"
)
# "PanARMENIAN.Net - " / "ArmInfo - " / "(Reuters) - " / "ArmInfo. " / "news.am: "
_AGENCY_PREFIX = re.compile(
    r"(?P<agency>[A-Za-z][\w-]*(?:\.[A-Za-z]{2,6})+|[A-Z][a-z]*[A-Z][\w]*(?:\.[A-Za-z]{2,6})*"
    r"|\([A-Z][^()\n]{1,25}\))\s*[-–—]{1,2}\s+(?=\S)"
    r"|(?P<agency2>[a-z][\w-]*(?:\.[a-z]{2,6})+|[A-Z][a-z]+[A-Z]\w*(?:\.[A-Za-z]{2,6})*)[.:]\s+(?=[A-Z\"'])"
)


# A dateline run into what precedes it, a headline and byline of wire copy or the menus of
# a page flattened into one line: "(UPDATE) Talks end By Jane Roe LIMA, Jan. 4 (Newswire) --
# The ...". Inside a paragraph only the strong forms count: a place in capitals, then a date
# and/or an agency in brackets, then a dash.
_RUNIN_DATELINE = re.compile(
    r"(?<=\s)(?P<place>[A-Z][A-Z'.\-]{2,}(?:\s+[A-Z][A-Z'.\-]+){0,3}(?:\s*,\s*[A-Z][A-Za-z'.\-]+(?:\s+[A-Z][A-Za-z'.\-]+){0,2})?)"
    rf"(?:\s*,\s*(?P<date>(?i:{DATE_PATTERN}))\s*[.,]?\s*(?:(?P<agency>\([^()\n]{{2,25}}\)|/[^/\n]{{2,25}}/)\s*)?"
    r"|\s*(?P<agency2>\([^()\n]{2,25}\))\s*)"
    r"[-–—]{1,2}\s+(?=[A-Z0-9\"'])"
)
MAX_RUNIN_PREFIX = 1000
# "... By Jane Roe" closing the text before a run-in dateline
_TRAILING_BYLINE = re.compile(r"\s*\bBy\s+[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|and|de|da|van|von|al|bin)){0,5}\s*$")
# "(UPDATE)", "(URGENT)", "(LEAD)": a wire's tag in front of a headline
_WIRE_TAG = re.compile(r"^\s*\([A-Z0-9][A-Z0-9 ,'-]{1,30}\)\s*")


def strip_dateline(paragraphs: list[Paragraph], parts: Parts) -> list[Paragraph]:
    """Take a dateline and/or agency prefix off the start of the first paragraph."""
    if not paragraphs:
        return paragraphs
    first = paragraphs[0]
    text, segs = first.text, first.segs
    runin = _runin_dateline(text)
    if runin is not None:
        prefix = text[:runin]
        byline = _TRAILING_BYLINE.search(prefix)
        if byline:
            parts.drop("byline", byline.group().strip())
            prefix = prefix[:byline.start()]
        headline = _WIRE_TAG.sub("", prefix).strip()
        if len(headline) > 150:
            headline = _repeated_headline(headline)
        if parts.title is None and headline and len(headline) <= 150 and headline[0].isupper() \
                and not headline.rstrip(CLOSERS)[-1:] in FINAL_PUNCT:
            parts.title = headline
        if prefix.strip():
            parts.drop("header", prefix.strip())
            date = parse_date(prefix)  # a page's date stamp next to its headline
            if date:
                parts.dates.setdefault("date_line", date)
        text, segs = apply_edits(text, segs, [(0, runin, "")])
    for pattern in (_DATELINE_DATED, _DATELINE_AGENCY, _DATELINE_PLACE, _DATELINE_TITLECASE):
        m = pattern.match(text)
        if m and len(text) - m.end() >= 20:
            prefix = text[: m.end()].strip().rstrip("-–—:").strip()
            parts.dateline = prefix
            agency = m.groupdict().get("agency")
            if agency and parts.agency is None:
                parts.agency = agency.strip("/() .")
            date = parse_date(prefix)
            if date:
                parts.dates.setdefault("dateline", date)
            text, segs = apply_edits(text, segs, [(0, m.end(), "")])
            break
    m = _AGENCY_PREFIX.match(text)
    if m and len(text) - m.end() >= 20:
        agency = (m.group("agency") or m.group("agency2")).strip("() ")
        if parts.agency is None:
            parts.agency = agency
        text, segs = apply_edits(text, segs, [(0, m.end(), "")])
    if text is first.text:
        return paragraphs
    return [Paragraph(text, segs), *paragraphs[1:]]


def _runin_dateline(text: str) -> int | None:
    """Where a dateline run into a headline, a byline or page menus starts, or None."""
    m = _RUNIN_DATELINE.search(text, 1, MAX_RUNIN_PREFIX)
    if m is None or not (m.group("date") or m.group("agency2")) or len(text) - m.end() < 20:
        return None
    return m.start()


MIN_HEADLINE_WORDS = 4


def _repeated_headline(prefix: str) -> str:
    """The headline in the menus of a flattened page: the longest run of words (at least
    four, the first capitalised) that the page writes twice (its <title> and its <h1>)."""
    words = prefix.split()
    best: list[str] = []
    seen: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - MIN_HEADLINE_WORDS + 1):
        key = tuple(words[i:i + MIN_HEADLINE_WORDS])
        j = seen.setdefault(key, i)
        if j == i or i - j < MIN_HEADLINE_WORDS:
            continue
        n = MIN_HEADLINE_WORDS
        while i + n < len(words) and j + n < i and words[j + n] == words[i + n]:
            n += 1
        if n > len(best) and words[j][:1].isupper():
            best = words[j:j + n]
    return " ".join(best)
