"""A publication date out of range (year 1, year 9999) is no date: the logic never raises."""
from __future__ import annotations

import copy
from datetime import date

import pytest

from parley.logic.dates import find_dates, parse_published, resolve
from parley.logic.pipeline import process
from parley.warmup import _SAMPLE

FAR_DATES = ["0001-01-02T00:00:00Z", "0001-01-01", "1899-12-31", "9999-12-31", "9999-12-31T23:59:59Z"]
TEXTS = [
    "PARIS. The French foreign minister met his German counterpart in Paris yesterday.",
    "PARIS. The French foreign minister met his German counterpart in Paris last Thursday; "
    "they will meet again on December 30.",
    "PARIS. The French foreign minister met his German counterpart in Paris on Monday and will "
    "visit Berlin next week.",
]


@pytest.mark.parametrize("published", FAR_DATES)
def test_out_of_range_publication_date_is_unknown(published):
    assert parse_published(published) is None


def test_in_range_publication_dates_still_parse():
    assert parse_published("1900-01-01") == date(1900, 1, 1)
    assert parse_published("2025-03-12T10:00:00Z") == date(2025, 3, 12)


@pytest.mark.parametrize("published", FAR_DATES)
@pytest.mark.parametrize("text", TEXTS)
def test_detection_does_not_raise_on_a_far_publication_date(published, text):
    raw = dict(copy.deepcopy(_SAMPLE), published_at=published, text=text)
    result = process(raw)  # raised OverflowError before
    for event in result.events:
        assert (event.get("date") or {}).get("value") is None


@pytest.mark.parametrize("text", ["They met on December 31, 9999, a day before the talks.",
                                  "They met a day before January 1, 0001.",
                                  "They met a day after December 31, 9999."])
def test_resolving_an_expression_at_the_calendar_edge_never_raises(text):
    for expr in find_dates(text):
        resolve(expr, "2025-03-12", False)
        resolve(expr, date(1900, 1, 1), True)
