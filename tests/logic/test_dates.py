"""Date expressions and their resolution against the publication date (sentences of our own)."""
from __future__ import annotations

import pytest

from parley.logic.dates import find_dates, parse_published, resolve

PUB = "2025-03-12"   # a Wednesday


def one(text, published=PUB, future=False):
    found = find_dates(text)
    assert len(found) == 1, [d.text for d in found]
    return found[0].text, resolve(found[0], published, future)


@pytest.mark.parametrize("text,expected", [
    ("The ministers talked on Saturday.", ("Saturday", "2025-03-08")),
    ("They spoke on Wednesday.", ("Wednesday", "2025-03-12")),
    ("The envoy arrived on Tuesday, March 11.", ("Tuesday, March 11", "2025-03-11")),
    ("The summit opened on 3 February 2024.", ("3 February 2024", "2024-02-03")),
    ("It took place on February 3, 2024 in Oslo.", ("February 3, 2024", "2024-02-03")),
    ("They last met on December 30.", ("December 30", "2024-12-30")),
    ("Talks were held on 10–11 March.", ("10–11 March", "2025-03")),
    ("The call came yesterday.", ("yesterday", "2025-03-11")),
    ("The leaders spoke today.", ("today", "2025-03-12")),
    ("They met on last Thursday.", ("last Thursday", "2025-03-06")),
    ("The deal was signed on July 4 last year.", ("July 4 last year", "2024-07-04")),
    ("Envoys have been busy this week.", ("this week", "2025-03")),
    ("The envoys toured the region late last month.", ("late last month", "2025-02")),
    ("The visit took place in early January.", ("in early January", "2025-01")),
])
def test_past_expressions(text, expected):
    assert one(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("The two will meet on Friday.", ("Friday", "2025-03-14")),
    ("The two will meet tomorrow.", ("tomorrow", "2025-03-13")),
    ("The ministers will meet at the end of the month.", ("at the end of the month", "2025-03")),
    ("The envoy will travel next week.", ("next week", "2025-03")),
    ("A summit is planned for next month.", ("next month", "2025-04")),
    ("The leaders will meet in January.", ("in January", "2026-01")),
    ("She is expected in the region in the coming days.", ("in the coming days", "2025-03")),
    ("They will meet next Monday.", ("next Monday", "2025-03-17")),
])
def test_future_expressions(text, expected):
    assert one(text, future=True) == expected


def test_relative_expression_without_publication_date_has_no_value():
    assert one("They met on Saturday.", published=None) == ("Saturday", None)
    assert one("They will meet at the end of the month.", published=None, future=True)[1] is None


def test_explicit_full_date_needs_no_publication_date():
    assert one("They met on 3 February 2024.", published=None) == ("3 February 2024", "2024-02-03")


def test_modal_may_and_verb_march_are_not_months():
    assert find_dates("Officials may meet again, and protesters march on.") == []


def test_bare_year_gives_no_date():
    assert find_dates("The treaty dates from 1994.") == []


def test_expressions_come_in_text_order_without_overlap():
    found = find_dates("Berg met Ortega on Tuesday and Mensah on Monday.")
    assert [d.text for d in found] == ["Tuesday", "Monday"]


def test_publication_timestamp_is_read_as_its_day():
    assert str(parse_published("2025-03-12T23:10:00Z")) == "2025-03-12"
    assert parse_published("not a date") is None


@pytest.mark.parametrize("text,expected", [
    ("She will tour the region from 3 Nov to 9 Nov 2026.", ("from 3 Nov to 9 Nov 2026", "2026-11")),
    ("He travels from November 3 to 9.", ("from November 3 to 9", "2025-11")),
    ("The talks run from 3 to 9 May.", ("from 3 to 9 May", "2025-05")),
])
def test_a_span_of_days_within_one_month_gives_the_month(text, expected):
    assert one(text, future=True) == expected


def test_a_span_over_two_months_fixes_no_month():
    assert one("The envoy stays from 28 March to 2 April.", future=True) == \
        ("from 28 March to 2 April", None)


def test_a_possessive_weekday_is_a_date():
    assert one("Protesters held signs during Monday's final session.") == ("Monday", "2025-03-10")
