"""The same events in any order give the same stories and ids (hypothesis permutations),
also when the state is saved as JSON and restored in the middle, and when events arrive
twice; the batch path gives what the StoryBook gives."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from parley.logic.stories import MergeRules, StoryBook, build_stories
from support.stories_helpers import event, fingerprint

MIN = ("Carl Moss", "Dana Roe")
SGP = {"place": "Singapore", "place_country": "SGP", "city": False}
POOL = [
    # a summit planned, called off, reinstated and held, with an undated early report
    event("u1", status="planned", published="2024-04-28"),
    event("u2", status="planned", date="2024-06-12", published="2024-05-12", **SGP),
    event("u3", status="cancelled", date="2024-06-12", published="2024-05-24", **SGP),
    event("u4", status="planned", date="2024-06-12", published="2024-05-27", n=0, **SGP),
    event("u4", status="cancelled", date="2024-05", published="2024-05-27", n=1),
    event("u5", status="planned", published="2024-06-08", **SGP),
    event("u6", status="occurred", date="2024-06", published="2024-06-13", **SGP),
    # the same sides, other people: two meetings of the same ministers a month apart, a call
    event("v1", date="2024-05-02", place="Geneva", place_country="CHE", published="2024-05-03", people=MIN),
    event("v2", date="2024-05-02", published="2024-05-04", outlet="Other", people=MIN),
    event("v3", kind="call", date="2024-05-20", published="2024-05-21", people=MIN),
    event("v4", date="2024-06-02", place="Vienna", place_country="AUT", published="2024-06-02", people=MIN),
    event("v5", published="2024-06-05", people=MIN),  # undated, after two meetings: joins neither
    # a cancelled trip, the substitute trip and the rescheduled one
    event("w1", kind="visit", status="cancelled", people=("Gus Park",), countries=("FRA", "USA"), place="Paris",
          place_country="FRA", published="2024-05-01"),
    event("w2", kind="visit", people=("Ivo Dahl", "Eva Stone"), countries=("FRA", "USA"), place="Paris",
          place_country="FRA", date="2024-05-03", published="2024-05-03"),
    event("w3", kind="visit", status="planned", people=("Gus Park",), countries=("FRA", "USA"), place="France",
          place_country="FRA", city=False, published="2024-05-06"),
    event("w4", kind="visit", status="cancelled", people=("Gus Park",), countries=("FRA", "USA"), place="Paris",
          place_country="FRA", published="2024-05-08"),
    # a session of a body, members named differently
    event("x1", kind="multilateral", orgs=("UN",), people=("Ana Lund",), status="planned", date="2024-06-24",
          published="2024-06-23"),
    event("x2", kind="multilateral", orgs=("UN",), people=("Eva Stone",), date="2024-06", place="New York",
          place_country="USA", published="2024-06-26"),
    event("x3", kind="multilateral", orgs=("UN",), people=("Hana Ito",), place="New York City",
          place_country="USA", published="2024-06-28"),
]
NO_CLOSING = MergeRules(lateness_days=100_000)


def final(events, rules=None):
    book = StoryBook(rules)
    for e in events:
        book.add(e)
    return book


@settings(max_examples=150, deadline=None)
@given(st.permutations(POOL))
def test_any_order_gives_the_same_stories_and_ids(order):
    assert fingerprint(final(order).stories()) == fingerprint(final(POOL).stories())


@settings(max_examples=60, deadline=None)
@given(st.permutations(POOL), st.integers(min_value=0, max_value=len(POOL)))
def test_saving_and_restoring_the_state_midway_changes_nothing(order, cut):
    book = final(order[:cut])
    restored = StoryBook.from_dict(json.loads(json.dumps(book.to_dict())))
    for e in order[cut:]:
        restored.add(e)
    assert fingerprint(restored.stories()) == fingerprint(final(POOL).stories())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=40))
def test_redelivered_events_change_nothing(stream):
    once = list({e["event_id"]: e for e in stream}.values())
    assert fingerprint(final(stream).stories()) == fingerprint(final(once).stories())


@settings(max_examples=40, deadline=None)
@given(st.permutations(POOL))
def test_the_batch_path_gives_the_stories_of_the_book(order):
    assert fingerprint(build_stories(order)) == fingerprint(final(POOL).stories())


def test_the_pool_makes_the_stories_it_was_written_for():
    stories = final(POOL).stories()
    files = sorted(tuple(sorted({r.file[:2] for r in s.reports})) + (s.status, len(s.reports)) for s in stories)
    assert ("u1", "u2", "u3", "u4", "u5", "u6", "occurred", 7) in files
    assert ("v1", "v2", "occurred", 2) in files and ("v4", "occurred", 1) in files and ("v5", "occurred", 1) in files
    assert ("w1", "w4", "cancelled", 2) in files and ("w2", "occurred", 1) in files and ("w3", "planned", 1) in files
    assert ("x1", "x2", "x3", "occurred", 3) in files


@settings(max_examples=40, deadline=None)
@given(st.permutations(POOL))
def test_with_closing_any_order_within_the_lateness_gives_the_same_stories(order):
    """Closing only drops stories no report within `lateness_days` could still join: with
    the default rules and a pool spanning two months, nothing closes early."""
    book = final(order, MergeRules())
    assert fingerprint(book.stories()) == fingerprint(final(POOL, NO_CLOSING).stories())
