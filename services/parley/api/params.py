"""Query parameters of /stories and /events: what they mean, and a 400 when they are wrong.

    country=TUR&country=USA   every one of these countries took part
    person=fidan           a participant whose name contains this (case-insensitive)
    organisation=NATO      an organisation among the sides (case-insensitive, whole name)
    kind=call&kind=visit   any of these kinds;  status=planned  any of these statuses
                           (a parameter that takes several values is repeated)
    from=2025-03-01 to=2025-03-31   the meeting's date may fall in this period (a date of
                           "March 2025" is the whole month); an unknown date matches neither
    q=border               the evidence contains this (case-insensitive)
    limit=50 (1..500)      cursor=...   from the `next` link of the previous page

Parameter names (`PARAMETERS`) are checked: a misspelt one is a 400, not a silently
unfiltered answer. The cursor is "<sort key>|<id>" (the position after the last item of a
page, newest first): any such string is a position, so a client cannot send a "bad" one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

KINDS = ("meeting", "call", "visit", "multilateral")
STATUSES = ("occurred", "planned", "proposed", "cancelled", "denied")
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
MAX_TEXT = 200  # characters of a text filter

LIST_PARAMETERS = ("country", "person", "organisation", "kind", "status", "from", "to", "q", "limit", "cursor")
_COUNTRY = re.compile(r"[A-Za-z]{3}", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
ID_PATTERNS = {"story": re.compile(r"s-[0-9a-f]{16}"), "event": re.compile(r"m-[0-9a-f]{16}"),
               "article": re.compile(r"a-[0-9a-f]{16}")}


class BadRequest(ValueError):
    """A request the API refuses with 400; the message says what to send instead."""


@dataclass(frozen=True)
class Filters:
    countries: tuple[str, ...] = ()
    person: str | None = None
    organisation: str | None = None
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None


@dataclass(frozen=True)
class Cursor:
    """The position after an item: its sort key (publication time as text) and id."""

    key: str
    id: str

    def encode(self) -> str:
        return f"{self.key}|{self.id}"

    @classmethod
    def decode(cls, raw: str) -> "Cursor":
        if "|" not in raw:
            raise BadRequest("cursor is not a position; pass the `next` link of the previous page unchanged")
        key, _, ident = raw.rpartition("|")
        return cls(key, ident)


@dataclass(frozen=True)
class ListQuery:
    filters: Filters = field(default_factory=Filters)
    limit: int = DEFAULT_LIMIT
    cursor: Cursor | None = None


def check_names(query, allowed) -> None:
    unknown = sorted(set(query.keys()) - set(allowed))
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r}; this endpoint takes {', '.join(allowed) or 'none'}")


def _single(query, name: str) -> str | None:
    values = query.getall(name, [])
    if len(values) > 1:
        raise BadRequest(f"{name} is given {len(values)} times; give it once")
    if not values:
        return None
    value = values[0]
    _no_nul(name, value)
    return value


def _no_nul(name: str, value: str) -> None:
    if "\x00" in value:
        raise BadRequest(f"{name} contains a NUL character")


def _text(query, name: str) -> str | None:
    """A text filter, matched as it is given (a substring, so spaces count)."""
    value = _single(query, name)
    if value is None:
        return None
    if not value:
        raise BadRequest(f"{name} is empty; leave it out to match everything")
    if len(value) > MAX_TEXT:
        raise BadRequest(f"{name} is over {MAX_TEXT} characters")
    return value


def _many(query, name: str) -> list[str]:
    """Every value of a repeatable parameter (`name=X&name=Y`)."""
    values = query.getall(name, [])
    for value in values:
        _no_nul(name, value)
    return values


def _choices(query, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    values = _many(query, name)
    for value in values:
        if value not in allowed:
            raise BadRequest(f"{name} {value!r} is not one of {', '.join(allowed)}")
    return tuple(dict.fromkeys(values))


def _date(query, name: str) -> date | None:
    value = _single(query, name)
    if value is None:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} {value!r} is not a date; give YYYY-MM-DD") from None


def parse_filters(query) -> Filters:
    countries = []
    for value in _many(query, "country"):
        if not _COUNTRY.fullmatch(value):
            raise BadRequest(f"country {value!r} is not an ISO 3166 alpha-3 code such as TUR or USA")
        countries.append(value.upper())
    return Filters(
        countries=tuple(dict.fromkeys(countries)),
        person=_text(query, "person"),
        organisation=_text(query, "organisation"),
        kinds=_choices(query, "kind", KINDS),
        statuses=_choices(query, "status", STATUSES),
        date_from=_date(query, "from"),
        date_to=_date(query, "to"),
        text=_text(query, "q"),
    )


def parse_list(query) -> ListQuery:
    """The filters, page size and cursor of a list request (400 on anything wrong)."""
    check_names(query, LIST_PARAMETERS)
    raw_limit = _single(query, "limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        try:
            if not re.fullmatch(r"[0-9]{1,6}", raw_limit, re.ASCII):
                raise ValueError
            limit = int(raw_limit)
        except ValueError:
            raise BadRequest(f"limit {raw_limit!r} is not a whole number") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise BadRequest(f"limit must be from 1 to {MAX_LIMIT}, not {limit}")
    raw_cursor = _single(query, "cursor")
    cursor = Cursor.decode(raw_cursor) if raw_cursor is not None else None
    return ListQuery(parse_filters(query), limit, cursor)


def check_id(kind: str, value: str) -> str:
    if not ID_PATTERNS[kind].fullmatch(value):
        example = {"story": "s-", "event": "m-", "article": "a-"}[kind] + "0123456789abcdef"
        raise BadRequest(f"{value[:40]!r} is not a {kind} id; {kind} ids look like {example}")
    return value
