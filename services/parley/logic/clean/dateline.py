"""A dateline and/or agency prefix taken off the first paragraph."""

from __future__ import annotations

import re

from ..stamps import DATE_PATTERN, parse_date
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


def strip_dateline(paragraphs: list[Paragraph], parts: Parts) -> list[Paragraph]:
    """Take a dateline and/or agency prefix off the start of the first paragraph."""
    if not paragraphs:
        return paragraphs
    first = paragraphs[0]
    text, segs = first.text, first.segs
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

