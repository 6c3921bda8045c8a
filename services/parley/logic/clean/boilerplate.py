"""Recognising page furniture line by line, from the phrase lists in services/parley/data/cleaning.

`classify(line)` names what a rendered line is when it is not article text; the cleaner
decides what to do with each kind. Phrases live in data files so new outlets are handled by
adding lines there, not code.
"""

from __future__ import annotations

import re
from importlib import resources

from ..stamps import DATE_PATTERN

_DATA = "parley.data.cleaning"


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
INLINE_HEADER = re.compile(rf"(?i)(?:{_alternation(_phrases('inline_headers.txt'))}){_TRAIL}")
LINE_FURNITURE = re.compile(
    rf"(?i)(?:\d+\s+)?(?:{_alternation(_phrases('line_furniture.txt'))})"
    r"(?:\s*\(?\d+\)?|\s+(?:on|via|to|with)\s+\S.{0,30}?)?" + _TRAIL
)
TEASER = re.compile(rf"(?i)(?:{_alternation(_phrases('teaser_prefixes.txt'))})\s*(?:[:»>|]|[-–—]\s)\s*\S")
CAPTION = re.compile(
    rf"(?i)\(?(?:{_alternation(_phrases('caption_prefixes.txt'))})\s*(?:\([^)]{{0,60}}\))?\s*(?:[:|]|by\s)\s*\S"
)
# "... shake hands in Lima (Photo: Andes Wire)": a caption that ends with its photo credit.
CAPTION_SUFFIX = re.compile(
    rf"(?i)\((?:{_alternation(_phrases('caption_prefixes.txt'))})\s*(?::|by\s)[^()]{{1,80}}\)\s*\.?$"
)
_CAPTION_HINTS = ("hoto", "ictur", "mage", "aption", "oto", "llustration")
CREDIT = re.compile(rf"(?i)\(?(?:{_alternation(_phrases('credit_prefixes.txt'))})\s*(?::|\s(?=\S))\s*\S")
FOOTER = re.compile(rf"(?i)(?:{_alternation(_phrases('footer_prefixes.txt'))})")
_NAME = r"[A-Z][\w.'’-]*"
_NAME_GLUE = r"(?:and|&|de|da|van|von|der|al|el|bin|ibn|la|le|du|di)"
BYLINE = re.compile(
    rf"(?i:{_alternation(_phrases('byline_prefixes.txt'))})\s+{_NAME}(?:\s+(?:{_NAME}|{_NAME_GLUE}),?)*"
    rf"(?:\s*[,|/–—-]\s*{_NAME}(?:\s+{_NAME})*)?\s*"
)
# "Copyright law was discussed..." is a sentence; "Copyright 2020 X" is a footer.
_COPYRIGHT_WORDS = frozenset({"copyright", "c"})
_COPYRIGHT_MARK = re.compile(r"(?i)©|\(c\)|\b(?:19|20)\d\d\b|rights\s+reserved")
# "Home / News / Politics", "World > Europe > Armenia": short parts between separators.
BREADCRUMB = re.compile(r"[\w'’.,-]+(?:\s+[\w'’.,-]+){0,3}(?:\s*[/>»›|]\s*[\w'’.,-]+(?:\s+[\w'’.,-]+){0,3}){2,}\s*[/>»›|]?")
_SEPARATOR = re.compile(r"[/>»›|]")
# "Home / World": a trail that starts at the home page needs only one separator.
HOME_CRUMB = re.compile(r"[\w'’.,-]+(?:\s*[/>»›|]\s*[\w'’.,-]+(?:\s+[\w'’.,-]+){0,3})+\s*[/>»›|]?")
_HOME_WORDS = frozenset({"home", "main", "homepage", "start"})
LINK = re.compile(r"(?:https?://|www\.)\S+")
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
LEGEND = re.compile(r"[\u2580-\u259f\u25a0-\u25ff\u2b1b\u2b1c]+\s*.{0,80}")
SOCIAL_WORDS = frozenset(_phrases("social_words.txt"))
_WORD = re.compile(r"[\w']+")
_FIRST_WORD = re.compile(r"[\W_]*?(\w+(?:['’]\w+)?)")

# Lines longer than this are article text whatever they start with (captions excepted).
MAX_FURNITURE_LINE = 200
MAX_CAPTION_LINE = 500


def _first_words(*names: str) -> frozenset[str]:
    return frozenset(re.split(r"[^\w']+", p)[0].replace("'s", "").rstrip("'") for n in names for p in _phrases(n))


# First-word dispatch: a line's first word decides which patterns can possibly match, so a
# typical body line costs one small regex and a few set lookups.
_HEADER_FIRST = _first_words("section_headers.txt")
_INLINE_FIRST = _first_words("inline_headers.txt")
_FURNITURE_FIRST = _first_words("line_furniture.txt") | SOCIAL_WORDS
_CAPTION_FIRST = _first_words("caption_prefixes.txt")
_CREDIT_FIRST = _first_words("credit_prefixes.txt")
_CAPTION_STARTS = tuple(sorted(_CAPTION_FIRST))
_FOOTER_FIRST = _first_words("footer_prefixes.txt") | {"c"}
_BYLINE_FIRST = _first_words("byline_prefixes.txt")
_META_FIRST = _first_words("meta_prefixes.txt")
_TEASER_FIRST = _first_words("teaser_prefixes.txt")
_UPDATED_FIRST = frozenset({"last", "updated", "update", "modified", "edited"})
_DATE_FIRST = frozenset(
    {"published", "posted", "date"} | {m[:3] for m in ("january february march april may june july"
     " august september october november december monday tuesday wednesday thursday friday"
     " saturday sunday").split()}
)


def classify(line: str) -> str | None:
    """The furniture kind of a rendered (clean) line, or None for article text.

    Kinds: "header" (opens a furniture zone to the end), "inline_header" (links to other
    stories inside the article: the headline-like lines after it go too), "rule", "legend", "share", "teaser",
    "caption", "credit", "footer", "byline", "link", "navigation", "updated", "meta", "date".
    """
    n = len(line)
    if n == 0:
        return "rule"
    if n > MAX_FURNITURE_LINE:
        # only a caption label can start a long line of furniture
        if n <= MAX_CAPTION_LINE and line[:12].lower().lstrip("(").startswith(_CAPTION_STARTS) and CAPTION.match(line):
            return "caption"
        return None
    m = _FIRST_WORD.match(line)
    if m is None:  # no letter or digit at all: ---, ###, * * *, or a symbol legend
        return "rule"
    if line[0] == "©":
        return "footer"
    if m.start(1) > 0 and not line[0].isalnum() and LEGEND.fullmatch(line):
        return "legend"
    first = m.group(1).lower().replace("'s", "").replace("’s", "")
    digit = first.isdigit()
    if first in _HEADER_FIRST and SECTION_HEADER.fullmatch(line):
        return "header"
    if first in _INLINE_FIRST and INLINE_HEADER.fullmatch(line):
        return "inline_header"
    if (first in _FURNITURE_FIRST or digit) and (LINE_FURNITURE.fullmatch(line) or _all_social(line)):
        return "share"
    if first in _CAPTION_FIRST and CAPTION.match(line):
        return "caption"
    if n <= 300 and line[-1] in ").)" and any(h in line for h in _CAPTION_HINTS) and CAPTION_SUFFIX.search(line):
        return "caption"
    if first in _CREDIT_FIRST and CREDIT.match(line):
        return "credit"
    if first in _FOOTER_FIRST and n <= 160 and FOOTER.match(line) and (
        first not in _COPYRIGHT_WORDS or _COPYRIGHT_MARK.search(line)
    ):
        return "footer"
    if first in _BYLINE_FIRST and n <= 100 and BYLINE.fullmatch(line):
        return "byline"
    if first in ("http", "https", "www") and LINK.fullmatch(line):
        return "link"
    if n <= 100 and _SEPARATOR.search(line) and (
        BREADCRUMB.fullmatch(line) or (first in _HOME_WORDS and HOME_CRUMB.fullmatch(line))
    ):
        return "navigation"
    dated = digit or first in _DATE_FIRST or first[:3] in _DATE_FIRST
    if first in _UPDATED_FIRST and UPDATED.fullmatch(line):
        return "updated"
    if dated and DATE_ONLY.fullmatch(line):
        return "date"
    if (dated or first in _META_FIRST) and META.match(line):
        return "meta"
    if first in _TEASER_FIRST and TEASER.match(line):
        return "teaser"
    return None


def _all_social(line: str) -> bool:
    if len(line) > 80:
        return False
    words = _WORD.findall(line.lower())
    return len(words) >= 2 and all(w in SOCIAL_WORDS for w in words)
