"""Dates of reports and stories: `YYYY-MM-DD` days and `YYYY-MM` months as day ranges."""
from __future__ import annotations

import calendar
from datetime import date, timedelta


def span(value: str | None) -> tuple[date, date] | None:
    """First and last day of a day or month value; None when absent or unreadable."""
    if not value:
        return None
    try:
        if len(value) >= 10:
            day = date.fromisoformat(value[:10])
            return day, day
        year, month = int(value[:4]), int(value[5:7])
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        return None


def day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def compatible(a: str | None, b: str | None) -> bool:
    """The same day, or a month that contains the day (or the same month)."""
    sa, sb = span(a), span(b)
    if sa is None or sb is None:
        return False
    return (sa[0] <= sb[0] and sb[1] <= sa[1]) or (sb[0] <= sa[0] and sa[1] <= sb[1])


def precision(value: str | None) -> int:
    """2 for a day, 1 for a month, 0 for none."""
    return 0 if not value else (2 if len(value) >= 10 else 1)


def plus_days(d: date, days: int) -> date:
    return d + timedelta(days=days)
