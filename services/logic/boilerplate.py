"""Recognising page furniture line by line, from the phrase lists in services/data/cleaning.

`classify(line)` names what a rendered line is when it is not article text; the cleaner
decides what to do with each kind. Phrases live in data files so new outlets are handled by
adding lines there, not code.
"""

from __future__ import annotations

import re
from importlib import resources

from .stamps import DATE_PATTERN

_DATA = "services.data.cleaning"


def _phrases(name: str) -> list[str]:
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            out.append(line)
    # Longest first so an alternation prefers "related articles" over "related".
    return sorted(set(out), key=len, reverse=True)


def _alternation(phrases: list[str]) -> str:
    return "|".join(re.escape(p).replace(r"\ ", r"\s+").replace("'", "['’]?") for p in phrases)


_TRAIL = r"\s*[:»>|.…]*\s*"

SECTION_HEADER = re.compile(rf"(?i)(?:{_alternation(_phrases('section_headers.txt'))}){_TRAIL}")
LINE_FURNITURE = re.compile(
    rf"(?i)(?:\d+\s+)?(?:{_alternation(_phrases('line_furniture.txt'))})"
    r"(?:\s*\(?\d+\)?|\s+(?:on|via|to|with)\s+\S.{0,30}?)?" + _TRAIL
)
TEASER = re.compile(rf"(?i)(?:{_alternation(_phrases('teaser_prefixes.txt'))})\s*(?:[:»>|]|[-–—]\s)\s*\S")
CAPTION = re.compile(
    rf"(?i)\(?(?:{_alternation(_phrases('caption_prefixes.txt'))})\s*(?:\([^)]{{0,60}}\))?\s*[:|]\s*\S"
)
CREDIT = re.compile(rf"(?i)(?:{_alternation(_phrases('credit_prefixes.txt'))})\s*:\s*\S")
_META_LIST = _phrases("meta_prefixes.txt")
META = re.compile(
    rf"(?i)(?:(?:{DATE_PATTERN})[\s,|-]+)?(?:{_alternation(_META_LIST)})\s*:"
    rf"|(?i:(?:(?:{DATE_PATTERN})[\s,|-]+)?(?:posted|published)\s+(?:in|on|by)\s+\S)"
)
UPDATED = re.compile(
    rf"(?i)\(?\s*(?:last\s+)?(?:updated?|modified|edited)(?:\s+(?:on|at))?\s*[:\-–]?\s*(?P<date>{DATE_PATTERN})\s*\)?\.?"
)
DATE_ONLY = re.compile(
    rf"(?i)(?:(?:published|posted|date)(?:\s+on)?\s*:?\s*)?(?P<date>{DATE_PATTERN})\s*[.|]?"
)
RULE = re.compile(r"[\W_]*")  # no letter or digit: ---, ###, * * *
LEGEND = re.compile(r"[\u2580-\u259f\u25a0-\u25ff\u2b1b\u2b1c]+\s*.{0,80}")
SOCIAL_WORDS = frozenset(_phrases("social_words.txt"))
_WORD = re.compile(r"[\w']+")

# Lines longer than this are article text whatever they start with.
MAX_FURNITURE_LINE = 200




def classify(line: str) -> str | None:
    """The furniture kind of a rendered (clean) line, or None for article text.

    Kinds: "header" (opens a furniture zone), "rule", "legend", "share", "teaser",
    "caption", "credit", "updated", "meta", "date".
    """
    n = len(line)
    if n == 0 or RULE.fullmatch(line):
        return "rule"
    if n > MAX_FURNITURE_LINE:
        return None
    if SECTION_HEADER.fullmatch(line):
        return "header"
    if LINE_FURNITURE.fullmatch(line) or _all_social(line):
        return "share"
    if LEGEND.fullmatch(line) and not line[0].isalnum():
        return "legend"
    if CAPTION.match(line):
        return "caption"
    if CREDIT.match(line):
        return "credit"
    if UPDATED.fullmatch(line):
        return "updated"
    if DATE_ONLY.fullmatch(line):
        return "date"
    if META.match(line):
        return "meta"
    if TEASER.match(line):
        return "teaser"
    return None


def _all_social(line: str) -> bool:
    if len(line) > 80:
        return False
    words = _WORD.findall(line.lower())
    return len(words) >= 2 and all(w in SOCIAL_WORDS for w in words)
