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
    r"(?:\s*\(?\d+\)?|\s+(?:on|via|to|with)\s+\S.{0,30}?|\s+@\w{1,30})?" + _TRAIL
)
TEASER = re.compile(
    rf"(?i)(?:{_alternation(_phrases('teaser_prefixes.txt'))})\s*(?:[:»>|]|[-–—]\s|\.{{3}}|…)\s*\S"
)
CAPTION = re.compile(
    rf"(?i)\(?(?:{_alternation(_phrases('caption_prefixes.txt'))})\s*(?:\([^)]{{0,60}}\))?\s*(?:[:|]|by\s)\s*\S"
)
# "... shake hands in Lima (Photo: Andes Wire)": a caption that ends with its photo credit.
CAPTION_SUFFIX = re.compile(
    rf"(?i)\((?:{_alternation(_phrases('caption_prefixes.txt'))})\s*(?::|by\s)[^()]{{1,80}}\)\s*\.?$"
)
_CAPTION_HINTS = ("hoto", "ictur", "mage", "aption", "oto", "llustration")
CREDIT = re.compile(
    rf"(?i)(?:[-–—]{{1,2}}\s*)?\(?(?:{_alternation(_phrases('credit_prefixes.txt'))})\s*(?::|\s(?=\S))\s*\S"
)
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
# "Updated 11 July 2011", "Last updated on ...", "Updated at 7:16 p.m. ET", "--This report was
# updated at 8:07 a.m."
_TIME = r"\d{1,2}[:.]\d{2}\s*(?:[ap]\.?\s?m\.?)?(?:\s*\(?[A-Z]{2,5}\)?)?"
UPDATED = re.compile(
    r"(?i)(?:[-–—]{1,2}\s*)?\(?\s*(?:this\s+(?:report|story|article|post|page)\s+(?:was|has\s+been|is)\s+)?"
    r"(?:last\s+)?(?:updated?|modified|edited)(?:\s+(?:on|at))?\s*[:\-–]?\s*"
    rf"(?P<date>{DATE_PATTERN}|{_TIME}(?:\s*,?\s*(?:on\s+)?(?:{DATE_PATTERN}))?)\s*\)?\.?"
)
# "4 March 2019", "Published: 4 March 2019", "02 June 2025 [12:03] - ANDES.PE"
DATE_ONLY = re.compile(
    rf"(?i)(?:(?:published|posted|date)(?:\s+on)?\s*:?\s*)?(?P<date>{DATE_PATTERN})"
    r"(?:\s*[\[(]\d{1,2}[:.]\d{2}(?::\d{2})?[\])])?(?:\s+[-–|]\s+[\w.&' ]{1,30})?\s*[.|]?"
)
LEGEND = re.compile(r"[\u2580-\u259f\u25a0-\u25ff\u2b1b\u2b1c]+\s*.{0,80}")
SOCIAL_WORDS = frozenset(_phrases("social_words.txt"))
OPEN_ENDINGS = frozenset(_phrases("open_endings.txt"))
_WORD = re.compile(r"[\w']+")
_FIRST_WORD = re.compile(r"[\W_]*?(\w+(?:['’]\w+)?)")

# -- shapes of photo boxes, embeds and promotions ----------------------------------------------

def _cased_alternation(phrases: list[str]) -> str:
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(set(phrases), key=len, reverse=True))


def _cased_phrases(name: str) -> list[str]:
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    return [p for p in (line.split("#", 1)[0].strip() for line in text.splitlines()) if p]


_AGENCIES = _cased_phrases("photo_agencies.txt")
_AGENCY = rf"(?:{_cased_alternation(_AGENCIES)})"
# the last word of every agency: a line can only end with a credit if it ends with one
_AGENCY_LAST = frozenset(a.split()[-1] for a in _AGENCIES)
_CREDIT_WORD = r"[^\W\d_][\w.'’-]*"
_CREDIT_NAME = rf"{_CREDIT_WORD}(?:[ -]{_CREDIT_WORD}){{0,3}}"
# A photo credit closing a line: "Jane Roe/AP", "John Doe/Pool Photo via AP",
# "AP Photo/Jane Roe", "Andes News via Getty Images", "Jane Roe | Bloomberg | Getty Images",
# "(Xinhua/Jane Roe)", "(Photo: Reuters)".
PHOTO_CREDIT = re.compile(
    r"(?P<credit>\(?(?:"
    rf"{_CREDIT_NAME}/(?:{_CREDIT_WORD}\s){{0,3}}{_AGENCY}"
    rf"|{_AGENCY}(?:\s(?:Photo|Images?|Pool))?/{_CREDIT_NAME}"
    rf"|[A-Z][\w.'’-]*\svia\s{_AGENCY}"
    rf"|{_CREDIT_NAME}(?:\s\|\s{_CREDIT_NAME})*\s\|\s{_AGENCY}"
    rf"|(?i:photo|photograph|photographer|picture|image|credit|video)s?\s?:\s?[^()]{{0,60}}{_AGENCY}"
    r")\)?)\s*$"
)
CAPTION_CONTROLS = re.compile(rf"(?i)(?:{_alternation(_phrases('caption_controls.txt'))})\b")
PROMO = re.compile(rf"(?i)(?:{_alternation(_phrases('promo_phrases.txt'))})")
# a line this short with a promotion phrase is the promotion; a longer one is text around it
MAX_PROMO_LINE = 160
# An embedded post's signature: "— Jane Roe (@janeroe) May 10, 2018".
EMBED_SIGNATURE = re.compile(
    rf"[-–—]{{1,2}}\s*[^()\n]{{1,60}}\(@\w{{1,30}}\)\s*(?:(?i:{DATE_PATTERN}))?\s*\.?"
)
# The attribution under a block quote: "— Sen. Vance", "-- Jane Roe, minister".
ATTRIBUTION = re.compile(r"[-–—]{1,2}\s*(?:[A-Z][\w'’-]*\.?\s+){0,4}[A-Z][\w'’-]*(?:,\s*[\w'’ -]{1,40})?")
# A byline without "By": names only, "Jane Roe and John Doe" / "Jane Roe, John Doe".
_PERSON = r"[A-Z][a-z'’-]+(?:\s+(?:[A-Z]\.|[A-Z][a-z'’-]+|[A-Z][a-z]*[A-Z][a-z'’-]+)){1,2}"
NAMES_ONLY = re.compile(rf"{_PERSON}(?:\s*(?:,|,?\s+and|&)\s+{_PERSON})*")


def photo_credit(line: str) -> re.Match | None:
    """The photo credit closing `line` (see PHOTO_CREDIT), or None."""
    last = line.rstrip(" )").rsplit(None, 1)[-1:]
    if not last:
        return None
    word = last[0].rsplit("/", 1)[-1].strip("(")
    if word not in _AGENCY_LAST and "/" not in line[-50:]:
        return None
    # A credit is a few words closing the line: try it only where one of the last words
    # begins (leftmost first, as a search would), not at every character of the line, where
    # the pattern's nested name repetitions backtrack (10x the cost on a 200-character line).
    for start in [m.start() for m in _CREDIT_START.finditer(line)][-CREDIT_WORDS:]:
        found = PHOTO_CREDIT.match(line, start)
        if found:
            return found
    return None


# most words a credit can have ("Jane Roe | Andes News | Getty Images", "Photo: ... via AP")
CREDIT_WORDS = 24
# where a credit can begin: a word start, or a capital glued after a full stop ("home.Jane Roe/AP")
_CREDIT_START = re.compile(r"(?<![^\s(])[^\s]|(?<=\.)[A-Z(]")


def is_names_only(line: str) -> bool:
    """A line of person names and nothing else (a byline without "By")."""
    return len(line) <= 80 and NAMES_ONLY.fullmatch(line) is not None


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
_CAPTION_CONTROL_FIRST = _first_words("caption_controls.txt")
# "Recommend news to friend", "Send this article to a friend", "Email to a friend"
TO_A_FRIEND = re.compile(
    r"(?i)(?:recommend|send|e-?mail|share|forward)(?:\s+(?:this|the|our))?(?:\s+(?:news|article|story|page|link|post))?"
    r"\s+to\s+(?:a\s+)?friends?\s*[.:]?"
)
_TO_A_FRIEND_FIRST = frozenset({"recommend", "send", "e", "email", "share", "forward"})
# A row of page tools: "LISTEN TO ARTICLE 4:34 SHARE THIS ARTICLE Share Tweet Post Email".
SHARE_BAR = re.compile(
    rf"(?i)(?:(?:{_alternation(_phrases('line_furniture.txt') + sorted(SOCIAL_WORDS))}|\d{{1,2}}:\d{{2}}(?::\d{{2}})?|\(\d+\))"
    r"(?:\s*[|•·/,]\s*|\s+|$))+"
)
_UPDATED_FIRST = frozenset({"last", "updated", "update", "modified", "edited", "this"})
_DATE_FIRST = frozenset(
    {"published", "posted", "date"} | {m[:3] for m in ("january february march april may june july"
     " august september october november december monday tuesday wednesday thursday friday"
     " saturday sunday").split()}
)


def classify(line: str) -> str | None:
    """The furniture kind of a rendered (clean) line, or None for article text.

    Kinds: "header" (opens a furniture zone to the end), "inline_header" (links to other
    stories inside the article: the headline-like lines after it go too), "rule", "legend", "share", "teaser",
    "caption", "credit", "footer", "byline", "link", "navigation", "updated", "meta", "date",
    "photo_credit" (a bare credit or the buttons of a photo box), "embed" (an embedded post's
    signature or a block quote's attribution).
    """
    n = len(line)
    if n == 0:
        return "rule"
    if n > MAX_FURNITURE_LINE:
        # only a caption (labelled, or closed by its photo credit) or a promotion of the site
        # can make a long line of furniture
        if n <= MAX_CAPTION_LINE and line[:12].lower().lstrip("(").startswith(_CAPTION_STARTS) and CAPTION.match(line):
            return "caption"
        if n <= MAX_CAPTION_LINE and photo_credit(line):
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
    if line[0] in "-–—" and (EMBED_SIGNATURE.fullmatch(line) or (n <= 60 and ATTRIBUTION.fullmatch(line))):
        return "embed"
    if first in _CAPTION_CONTROL_FIRST and CAPTION_CONTROLS.match(line):
        return "photo_credit"
    credit = photo_credit(line)
    if credit:
        before = line[:credit.start()].strip()
        # a bare credit ("Jane Roe/AP") or a caption that ends with its credit
        return "caption" if len(before.split()) >= 4 else "photo_credit"
    if first in _HEADER_FIRST and SECTION_HEADER.fullmatch(line):
        return "header"
    if first in _INLINE_FIRST and INLINE_HEADER.fullmatch(line):
        return "inline_header"
    if first in _TO_A_FRIEND_FIRST and n <= 60 and TO_A_FRIEND.fullmatch(line):
        return "share"
    if (first in _FURNITURE_FIRST or digit) and (
        LINE_FURNITURE.fullmatch(line) or _all_social(line) or (n <= 160 and SHARE_BAR.fullmatch(line))
    ):
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
    if n <= MAX_PROMO_LINE and PROMO.search(line):
        return "footer"
    return None


def _all_social(line: str) -> bool:
    if len(line) > 80:
        return False
    words = _WORD.findall(line.lower())
    return len(words) >= 2 and all(w in SOCIAL_WORDS for w in words)
