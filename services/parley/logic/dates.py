"""Date expressions in news text, resolved against the publication date.

`find_dates(text)` returns the date expressions of a sentence (with offsets);
`resolve(expr, published, future)` turns one into an ISO day `YYYY-MM-DD`, a month
`YYYY-MM`, or None when the text and the publication date do not fix it.

Relative expressions ("on Saturday", "tomorrow", "at the end of the month") need the
publication date; `future` says which way a bare weekday or month points (planned events
look forward from the publication date, reported ones look back).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import ahocorasick

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}

_MON = r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?)"
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89][0-9]{2}|20[0-9]{2})"
_DASH = r"\s*[-–—]\s*"

_COUNT = r"(?:a|an|one|two|three|four|five|six|seven|[1-7])"
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}

# Order matters: the longest, most specific forms come first and win overlaps.
_PATTERNS: list[tuple[str, str]] = [
    # a day before Monday('s talks) / two days after March 3 / the day before Friday
    ("offset", rf"\b(?:(?P<n>{_COUNT})\s+days?|the\s+day)\s+(?P<dir>before|after)\s+(?:(?P<wd>{_WD})|(?P<mon>{_MON})\s+(?P<day>{_DAY})\b)(?:['’]s)?"),
    # Tuesday, September 21(, 2021) / Tuesday 21 September 2021
    ("wd_md", rf"\b(?P<wd>{_WD}),?\s+(?P<mon>{_MON})\s+(?P<day>{_DAY})(?:,?\s+(?P<year>{_YEAR}))?\b"),
    ("wd_dm", rf"\b(?P<wd>{_WD}),?\s+(?:\()?(?P<day>{_DAY})\s+(?P<mon>{_MON})(?:,?\s+(?P<year>{_YEAR}))?\)?"),
    # from 3 Nov to 9 Nov 2010 / from November 3 to 9 (a span: the month when it is one)
    ("dm_span", rf"\bfrom\s+(?P<day>{_DAY})\s+(?:(?P<mon1>{_MON})\s+)?(?:to|until|till|through)\s+(?P<day2>{_DAY})\s+(?P<mon>{_MON})(?:,?\s+(?P<year>{_YEAR}))?"),
    ("md_span", rf"\bfrom\s+(?P<mon1>{_MON})\s+(?P<day>{_DAY})\s+(?:to|until|till|through)\s+(?:(?P<mon>{_MON})\s+)?(?P<day2>{_DAY})\b(?:,?\s+(?P<year>{_YEAR}))?"),
    # January 6–7 (a range of days: only the month is fixed)
    ("md_range", rf"\b(?P<mon>{_MON})\s+(?P<day>{_DAY}){_DASH}(?P<day2>{_DAY})\b(?:,?\s+(?P<year>{_YEAR}))?"),
    ("dm_range", rf"\b(?P<day>{_DAY}){_DASH}(?P<day2>{_DAY})\s+(?P<mon>{_MON})(?:,?\s+(?P<year>{_YEAR}))?"),
    # September 21(, 2021) (last year)
    ("md", rf"\b(?P<mon>{_MON})\s+(?P<day>{_DAY})\b(?:,?\s+(?P<year>{_YEAR})\b)?(?P<rel>\s+(?:last|next|this)\s+year)?"),
    ("dm", rf"\b(?P<day>{_DAY})\s+(?P<mon>{_MON})(?:,?\s+(?P<year>{_YEAR})\b)?(?P<rel>\s+(?:last|next|this)\s+year)?"),
    # 2021-09-21
    ("iso", r"\b(?P<year>(?:19|20)[0-9]{2})-(?P<mon>[01][0-9])-(?P<day>[0-3][0-9])\b"),
    # (in) (early|late|mid-) September (2021)
    # (not "for June" of "set for June 12": the day after the month makes it a day)
    ("month", rf"\b(?:(?:in|by|until|during|since|for|from|of|early|late|mid|end of|the end of)[\s-]+)*(?P<mon>{_MON})(?!\.?\s+{_DAY}\b)(?:\s+(?P<year>{_YEAR}))?\b"),
    # at the end of the (this|next|last) month, late last month, next month
    ("rel_month", r"\b(?:(?:at|by|until|in|towards?)\s+)?(?:the\s+)?(?:(?:end|beginning|start|middle)\s+of\s+(?:the\s+|this\s+|next\s+|last\s+)?month|(?:early|late|mid-?)\s*(?P<rel1>last|next|this)\s+month|(?P<rel2>last|next|this)\s+month)\b"),
    # last Thursday, next Monday, this Friday
    ("rel_wd", rf"\b(?P<rel>last|next|this|past|coming)\s+(?P<wd>{_WD})\b"),
    # on Saturday / Monday night / earlier on Tuesday
    ("wd", rf"\b(?P<wd>{_WD})\b"),
    ("yest_today", r"\byesterday\s+and\s+today\b"),
    ("yesterday", r"\b(?:yesterday|last\s+night)\b"),
    ("tomorrow", r"\btomorrow\b"),
    ("today", r"\b(?:today(?:'s|’s)?|tonight|this\s+(?:morning|afternoon|evening)|earlier\s+today|later\s+today)\b"),
    ("week", r"\b(?P<rel>this|next|last|past|coming)\s+(?:week(?:end)?)\b"),
    ("days", r"\b(?:in|within|over)\s+the\s+(?P<rel>next|coming|following)\s+(?:few\s+)?days\b"),
]
def _combined() -> re.Pattern:
    """All patterns in one alternation (earlier patterns win at a position): one scan per text.
    Group names get the pattern's index as suffix so that they stay unique."""
    parts = []
    for i, (kind, p) in enumerate(_PATTERNS):
        p = re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{m.group(1)}__{i}>", p)
        parts.append(f"(?P<k{i}>{p})")
    return re.compile("|".join(parts), re.I)


_ALL = _combined()
# per pattern: (group name in _ALL, the pattern's own group name)
_GROUPS = [[(n, n.rsplit("__", 1)[0]) for n in _ALL.groupindex if n.endswith(f"__{i}")]
           for i in range(len(_PATTERNS))]


# expression kinds that name one day
DAY_KINDS = frozenset(["wd", "rel_wd", "today", "yesterday", "tomorrow", "md", "dm", "wd_md", "wd_dm", "iso"])


@dataclass(frozen=True)
class DateExpr:
    text: str
    start: int
    end: int
    kind: str
    groups: tuple  # (name, value) pairs from the match


_DATE_WORDS = frozenset(list(MONTHS) + list(WEEKDAYS) + [
    "today", "today's", "today’s", "tonight", "tomorrow", "yesterday", "week", "weekend", "month",
    "days", "morning", "afternoon", "evening", "night"])


_WORD_RUN = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")


def _date_word_finder() -> ahocorasick.Automaton:
    finder = ahocorasick.Automaton()
    for w in _DATE_WORDS:
        finder.add_word(w, w)
    finder.make_automaton()
    return finder


_DATE_WORD_FINDER = _date_word_finder()
# the words a date expression can begin with (prefixes of the first word of every pattern)
_FIRST_WORDS = tuple(sorted(set(list(MONTHS) + list(WEEKDAYS) + list(NUMBERS) + """
    in by until during since for from of early late mid end the at toward beginning start middle
    last next this past coming yesterday tomorrow today tonight earlier later within over""".split())))


# every expression holds a digit or one of _DATE_WORDS at most this many characters after its
# start ("towards the beginning of next month")
_REACH = 60


def find_dates(text: str) -> list[DateExpr]:
    """Date expressions in `text`, non-overlapping, in order of appearance."""
    if _DIGIT.search(text) is None and next(_DATE_WORD_FINDER.iter(text.lower()), None) is None:
        return []      # no digit and no date word, not even inside another word: no date
    words = [(w.start(), w.group(0)) for w in _WORD_RUN.finditer(text)]
    strong = [s for s, w in words if w[0].isdigit() or w.lower() in _DATE_WORDS]
    if not strong:
        return []
    found: list[DateExpr] = []
    taken = 0
    k = 0
    for start, word in words:
        # a pattern starts at a word start, with one of a few words, shortly before a digit or
        # a date word: try the combined pattern only there (the matches of a finditer over
        # every position, at a fraction of the cost)
        if start < taken:
            continue
        while k < len(strong) and strong[k] < start:
            k += 1
        if k == len(strong):
            break
        if strong[k] - start > _REACH or not (word[0].isdigit() or word.lower().startswith(_FIRST_WORDS)):
            continue
        m = _ALL.match(text, start)
        if m is None:
            continue
        s, e = m.span()
        taken = e
        i = int(m.lastgroup[1:])
        kind = _PATTERNS[i][0]
        g = {short: m.group(name) for name, short in _GROUPS[i]}
        mon = g.get("mon")
        if mon and not mon.isdigit() and not mon[0].isupper():
            continue  # "march", "may": verbs, not months
        if mon and not mon.isdigit() and _in_compound(text, m, i, s):
            continue  # "the Mar-del-Oro estate", "the Jun-Ho pavilion": part of a hyphenated name
        if mon and mon.lower().rstrip(".") == "may" and kind == "month" and not g.get("year"):
            # "may" is mostly the modal verb; only "May" after "in"/"of"... is a month
            if not re.search(r"\b(?:in|of|since|until|by|early|late|mid)[\s-]+May\b", m.group(0)):
                continue
        if kind == "wd" and not m.group(0)[0].isupper():
            continue
        found.append(DateExpr(m.group(0), s, e, kind,
                              tuple((k, v) for k, v in g.items() if v is not None)))
    found.sort(key=lambda d: d.start)
    return found


_COMPOUND_NEXT = re.compile(r"-(?P<word>[^\W\d_]+)")
_COMPOUND_PREV = re.compile(r"(?P<word>[^\W\d_]+)\.?$")


def _in_compound(text: str, m: re.Match, i: int, start: int) -> bool:
    """A month word joined by a hyphen to a word that is no month ("Mar-del-Oro", "Ho-Jun") is
    part of a name; "May-June" and "mid-March" stay dates."""
    name = next(n for n, short in _GROUPS[i] if short == "mon")
    ms, me = m.span(name)
    if text[me - 1:me] == ".":
        me -= 1
    nxt = _COMPOUND_NEXT.match(text, me)
    if nxt and nxt.group("word").lower() not in MONTHS:
        return True
    if ms - 1 >= start or ms < 2 or text[ms - 1] != "-":
        return False    # no hyphen before the month, or one inside the match ("mid-March")
    prev = _COMPOUND_PREV.search(text, 0, ms - 1)
    return bool(prev) and prev.group("word").lower() not in MONTHS


# Publication dates outside this range are unusable (a year-1 or year-9999 date overflows
# date arithmetic); such an article is handled as one with no publication date. Ingest
# refuses them before they get here (parley.ingest.readers), other producers may not.
PUBLISHED_MIN = date(1900, 1, 1)
PUBLISHED_MAX = date(9000, 12, 31)


def parse_published(value) -> date | None:
    """The publication date, or None when absent, unreadable or out of range (never raises)."""
    if not value:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value)[:10])
        except ValueError:
            try:
                value = datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
            except ValueError:
                return None
    return value if PUBLISHED_MIN <= value <= PUBLISHED_MAX else None


def _month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _shift_month(d: date, delta: int) -> tuple[int, int]:
    n = d.year * 12 + (d.month - 1) + delta
    return n // 12, n % 12 + 1


def _closest_year(pub: date, mon: int, day: int | None, future: bool | None) -> int:
    """The year that puts (mon, day) nearest the publication date, in the event's direction."""
    best, best_key = pub.year, None
    for y in (pub.year - 1, pub.year, pub.year + 1):
        try:
            d = date(y, mon, day or 15)
        except ValueError:
            continue
        delta = (d - pub).days
        slack = 3 if day else 20  # a month named in the same month points to it either way
        wrong_way = (future is True and delta < -slack) or (future is False and delta > slack)
        key = (wrong_way, abs(delta))
        if best_key is None or key < best_key:
            best, best_key = y, key
    return best


def resolve(expr: DateExpr, published, future: bool | None = None) -> str | None:
    """The date (YYYY-MM-DD) or month (YYYY-MM) an expression names, or None; never raises."""
    try:
        return _resolve(expr, published, future)
    except (OverflowError, ValueError, TypeError, KeyError):
        # e.g. "December 31, 9999" plus a day: a date nobody can use is no date
        return None


def _resolve(expr: DateExpr, published, future: bool | None = None) -> str | None:
    pub = parse_published(published)
    g = dict(expr.groups)
    kind = expr.kind
    if kind == "offset":
        # "a day before Monday('s talks)": the day named, then the shift
        n = (g.get("n") or "one").lower()
        shift = int(n) if n.isdigit() else NUMBERS[n]
        base_kind = "wd" if g.get("wd") else "md"
        base = _resolve(DateExpr(expr.text, expr.start, expr.end, base_kind,
                                tuple((k, v) for k, v in expr.groups if k in ("wd", "mon", "day"))), published, future)
        if base is None or len(base) != 10:
            return None
        sign = -1 if g["dir"].lower() == "before" else 1
        return (date.fromisoformat(base) + timedelta(days=sign * shift)).isoformat()
    year = int(g["year"]) if g.get("year") else None
    mon = MONTHS.get(g["mon"].lower().rstrip(".")) if g.get("mon") and not g["mon"].isdigit() else (
        int(g["mon"]) if g.get("mon") else None)
    day = int(re.sub(r"\D", "", g["day"])) if g.get("day") else None

    if kind in ("md", "dm", "wd_md", "wd_dm", "iso"):
        if year is None and g.get("rel") and pub:
            rel = g["rel"].split()[0].lower()
            year = pub.year + {"last": -1, "next": 1, "this": 0}[rel]
        if year is None:
            if pub is None:
                return None
            year = _closest_year(pub, mon, day, future)
        try:
            return date(year, mon, day).isoformat()
        except (ValueError, TypeError):
            return None
    if kind in ("dm_span", "md_span"):
        first = MONTHS.get(g["mon1"].lower().rstrip(".")) if g.get("mon1") else None
        if mon is None:
            mon = first
        if first is not None and first != mon:
            return None   # a span over two months fixes no month
        kind = "month"
    if kind in ("md_range", "dm_range", "month"):
        if year is None:
            if pub is None:
                return None
            year = _closest_year(pub, mon, None, future)
        return _month(year, mon)
    if pub is None:
        return None
    if kind == "today":
        return pub.isoformat()
    if kind == "yesterday":
        return (pub - timedelta(days=1)).isoformat()
    if kind == "tomorrow":
        return (pub + timedelta(days=1)).isoformat()
    if kind == "yest_today":
        return _month(pub.year, pub.month)
    if kind == "rel_month":
        rel = (g.get("rel1") or g.get("rel2") or "this").lower()
        return _month(*_shift_month(pub, {"last": -1, "next": 1, "this": 0}[rel]))
    if kind == "week":
        rel = g["rel"].lower()
        shift = {"this": 0, "next": 7, "coming": 7, "last": -7, "past": -7}[rel]
        d = pub + timedelta(days=shift)
        return _month(d.year, d.month)
    if kind == "days":
        d = pub + timedelta(days=3)
        return _month(pub.year, pub.month) if d.month == pub.month else None
    if kind in ("wd", "rel_wd"):
        wd = WEEKDAYS[g["wd"].lower()]
        rel = (g.get("rel") or "").lower()
        if rel == "last":
            # the weekday of the previous calendar week
            monday = pub - timedelta(days=pub.weekday() + 7)
            return (monday + timedelta(days=wd)).isoformat()
        if rel in ("next", "coming"):
            monday = pub - timedelta(days=pub.weekday()) + timedelta(days=7)
            return (monday + timedelta(days=wd)).isoformat()
        if rel == "past":
            future = False
        if future:
            return (pub + timedelta(days=(wd - pub.weekday()) % 7)).isoformat()
        return (pub - timedelta(days=(pub.weekday() - wd) % 7)).isoformat()
    return None
