"""Dates written in page furniture: update stamps, datelines, "Posted" lines, front matter.

Only absolute dates are resolved here (with a year, or month + day + a known year);
relative expressions ("on Tuesday") belong to the detector.
"""

from __future__ import annotations

import datetime as _dt
import re

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = (
    r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
)
# The date expressions a stamp can hold, as one pattern (used inside other patterns).
DATE_PATTERN = (
    r"(?:\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,5})?\s*[,|-]?\s*)?"  # time first: "10:45, 12 March 2021"
    rf"(?:{_WEEKDAY},?\s+)?"
    r"(?:"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"  # 11 July 2011
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # July 11, 2011
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}\.\d{1,2}\.\d{4}"  # 11.07.2011
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}"  # 9 November (no year)
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?"  # November 9 (no year)
    r")"
    r"(?:\s*[,|]?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*\(?[A-Z]{2,5}\)?)?)?"  # time
)
DATE_RE = re.compile(DATE_PATTERN, re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH}),?\s+(\d{{4}})", re.I)
_MONTH_DAY_YEAR = re.compile(rf"({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.I)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_date(text: str | None) -> str | None:
    """The first absolute date (with a year) in `text`, as `YYYY-MM-DD`, or None."""
    if not text:
        return None
    candidates = []
    for pattern, order in (
        (_ISO, "ymd"), (_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy"), (_DOTTED, "dmy"),
    ):
        match = pattern.search(text)
        if match:
            candidates.append((match.start(), match, order))
    for _, match, order in sorted(candidates, key=lambda c: c[0]):
        value = _to_iso(match, order)
        if value:
            return value
    return None


def _to_iso(match: re.Match, order: str) -> str | None:
    a, b, c = match.groups()
    try:
        if order == "ymd":
            year, month, day = int(a), int(b), int(c)
        elif order == "dmy":
            day, year = int(a), int(c)
            month = int(b) if b.isdigit() else MONTHS[b.lower().rstrip(".")]
        else:
            month, day, year = MONTHS[a.lower().rstrip(".")], int(b), int(c)
        return _dt.date(year, month, day).isoformat()
    except (ValueError, KeyError):
        return None
