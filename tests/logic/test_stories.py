"""Merging meeting events into stories (parley.logic.stories), on events written here:
several reports of one meeting, two meetings of the same leaders a month apart, a cancelled
visit and the substitute visit by someone else, an undated follow-up, a plan cancelled and
reinstated, retention, the JSON state and the events.stories schema."""
from __future__ import annotations

import json

from parley import topics
from parley.logic.stories import MergeRules, StoryBook, build_stories, partition_key, story_records
from parley.schemas import validator
from support.stories_helpers import event


def stories_of(events, rules=None):
    return build_stories(events, rules)


def feed(events, book=None):
    book = book or StoryBook()
    changes = [c for e in events for c in book.add(e)]
    return book, changes


# -- several reports of one meeting ----------------------------------------------------------


def test_three_articles_on_one_meeting_make_one_story_with_a_timeline():
    reports = [
        event("a1", published="2024-03-05", date="2024-03-04", place="Geneva", place_country="CHE", outlet="Wire A"),
        event("a2", published="2024-03-05", date="2024-03", outlet="Paper B", confidence=0.6),
        event("a3", published="2024-03-07", people=("Ana Lund", "Boris Kane", "Carl Moss"), place="Switzerland",
              place_country="CHE", city=False, outlet="Paper C"),
    ]
    [story] = stories_of(reports)
    assert story.status == "occurred"
    assert story.date == "2024-03-04"                       # the most precise date reported
    assert story.place.name == "Geneva"                     # a city before its country
    assert [p.name for p in story.people] == ["Ana Lund", "Boris Kane", "Carl Moss"]
    assert sorted(r.outlet for r in story.reports[:2]) == ["Paper B", "Wire A"]  # same day: by event id
    assert story.reports[2].outlet == "Paper C"
    assert story.confidence == round(1 - 0.1 * 0.4 * 0.1, 3)  # noisy-or over the articles
    message = story.to_message("new")
    assert [t["published_at"] for t in message["timeline"]] == ["2024-03-05", "2024-03-05", "2024-03-07"]
    assert message["article_count"] == 3 and message["report_count"] == 3


def test_two_meetings_of_the_same_leaders_a_month_apart_are_two_stories():
    first = event("b1", published="2024-03-05", date="2024-03-04", place="Geneva", place_country="CHE")
    second = event("b2", published="2024-04-06", date="2024-04-05", place="Geneva", place_country="CHE")
    again = event("b3", published="2024-04-07", date="2024-04-05")
    stories = stories_of([second, again, first])
    assert [[r.event_id for r in s.reports] for s in stories] == [[first["event_id"]],
                                                                 [second["event_id"], again["event_id"]]]


def test_a_call_and_a_meeting_of_the_same_day_are_two_stories():
    assert len(stories_of([event("c1", date="2024-03-04"), event("c2", kind="call", date="2024-03-04")])) == 2


# -- cancellations, substitutes, reinstatements ----------------------------------------------


def test_a_cancelled_visit_and_the_substitute_visit_by_someone_else_are_two_stories():
    cancelled = event("d1", kind="visit", status="cancelled", people=("Gus Park",), countries=("FRA", "USA"),
                      place="Paris", place_country="FRA", published="2024-05-01")
    instead = event("d2", kind="visit", status="occurred", people=("Ivo Dahl", "Eva Stone"), countries=("FRA", "USA"),
                    place="Paris", place_country="FRA", date="2024-05-03", published="2024-05-03")
    later = event("d3", kind="visit", status="cancelled", people=("Gus Park",), countries=("FRA", "USA"),
                  place="France", place_country="FRA", city=False, published="2024-05-04")
    stories = stories_of([instead, later, cancelled])
    assert len(stories) == 2
    by_status = {s.status: [r.event_id for r in s.reports] for s in stories}
    assert by_status == {"cancelled": [cancelled["event_id"], later["event_id"]], "occurred": [instead["event_id"]]}


def test_a_rescheduled_visit_without_a_date_is_not_the_cancelled_one():
    cancelled = event("e1", kind="visit", status="cancelled", people=("Gus Park",), countries=("JPN", "USA"),
                      place="Japan", place_country="JPN", city=False, published="2024-05-01")
    rescheduled = event("e2", kind="visit", status="planned", people=("Gus Park",), countries=("JPN", "USA"),
                        place="Japan", place_country="JPN", city=False, published="2024-05-02")
    assert len(stories_of([cancelled, rescheduled])) == 2


def test_planned_cancelled_planned_again_then_held_by_publication_time():
    plan = event("f1", status="planned", date="2024-06-12", place="Singapore", place_country="SGP", city=False,
                 published="2024-05-10")
    cancel = event("f2", status="cancelled", date="2024-06-12", published="2024-05-24")
    replan = event("f3", status="planned", date="2024-06-12", place="Singapore", place_country="SGP", city=False,
                   published="2024-05-27")
    held = event("f4", status="occurred", date="2024-06", place="Singapore", place_country="SGP", city=False,
                 published="2024-06-13")
    statuses = []
    book = StoryBook()
    for e in (plan, cancel, replan, held):
        [change] = book.add(e)
        statuses.append((change.change, change.story.status))
    assert statuses == [("new", "planned"), ("status_changed", "cancelled"), ("status_changed", "planned"),
                        ("status_changed", "occurred")]
    # arriving in another order, the status still follows the publication times
    book, _ = feed([held, replan, plan, cancel])
    [story] = book.stories()
    assert story.status == "occurred"
    book, _ = feed([replan, plan, cancel])
    assert book.stories()[0].status == "planned"
    book, _ = feed([replan, plan])
    [changes] = [book.add(cancel)]
    assert [c.change for c in changes] == ["report_added"] and book.stories()[0].status == "planned"


def test_a_plan_and_its_cancellation_in_one_article_are_one_story_two_reports_of_one_status_two():
    plan = event("g1", status="planned", date="2024-06-12", n=0, published="2024-06-01")
    told = event("g1", status="cancelled", date="2024-05", n=1, published="2024-06-01")  # "called off last month"
    assert len(stories_of([plan, told])) == 1
    one = event("g2", date="2024-06-12", n=0)
    other = event("g2", date="2024-06", n=1)
    assert len(stories_of([one, other])) == 2


# -- undated reports -------------------------------------------------------------------------


def test_an_undated_follow_up_naming_the_leaders_joins_the_meeting():
    meeting = event("h1", date="2024-03-04", place="Geneva", place_country="CHE", published="2024-03-05")
    follow = event("h2", published="2024-03-20")                       # "their meeting", no date
    [story] = stories_of([follow, meeting])
    assert len(story.reports) == 2 and story.date == "2024-03-04"


def test_an_undated_report_of_a_meeting_published_before_it_took_place_does_not_join():
    meeting = event("i1", date="2024-03-20", published="2024-03-21")
    early = event("i2", published="2024-03-10")                        # said "met", before the 20th
    assert len(stories_of([meeting, early])) == 2


def test_an_undated_report_between_two_meetings_of_the_same_leaders_joins_neither():
    first = event("j1", date="2024-03-04", published="2024-03-05")
    second = event("j2", date="2024-03-25", published="2024-03-26")
    vague = event("j3", published="2024-03-28")
    stories = stories_of([first, second, vague])
    assert sorted(len(s.reports) for s in stories) == [1, 1, 1]


def test_an_open_offer_is_not_tied_to_a_planned_meeting_by_the_names_alone():
    plan = event("k1", status="planned", date="2024-07-01", published="2024-06-01")
    offer = event("k2", status="proposed", published="2024-06-02")     # "ready to meet at any time"
    assert len(stories_of([plan, offer])) == 2


def test_an_undated_offer_told_as_still_in_prospect_joins_the_called_off_summit():
    plan = event("k3", status="planned", date="2024-07-01", published="2024-06-01")
    cancel = event("k4", status="cancelled", date="2024-07-01", published="2024-06-10")
    still = event("k5", status="proposed", published="2024-06-12",
                  evidence="Lund said Sunday that Kane still wants to meet her.")
    held = event("k6", status="occurred", date="2024-07-01", published="2024-07-02")
    [story] = stories_of([plan, cancel, still, held])
    assert [r.status for r in story.reports] == ["planned", "cancelled", "proposed", "occurred"]
    assert story.status == "occurred"
    # published after the day the summit was set for, it is no longer that summit's
    late = event("k7", status="proposed", published="2024-07-05",
                 evidence="Lund said that Kane still wants to meet her.")
    assert len(stories_of([plan, cancel, late])) == 2


def test_an_undated_plan_without_words_of_continuity_stays_apart_from_the_called_off_one():
    cancel = event("k8", status="cancelled", date="2024-07-01", published="2024-06-10")
    for evidence in ("Lund wants to meet Kane some day.", "Lund plans to reschedule her talks with Kane."):
        offer = event("k9", status="proposed", published="2024-06-12", evidence=evidence)
        assert len(stories_of([cancel, offer])) == 2, evidence
    # nor does a called-off meeting without a date take in a plan, whatever its words
    undated = event("k10", status="cancelled", published="2024-06-10")
    still = event("k11", status="planned", published="2024-06-12", evidence="Lund still plans to visit Kane.")
    assert len(stories_of([undated, still])) == 2


def test_named_people_in_conflict_keep_reports_apart():
    a = event("l1", people=("Ana Lund", "Boris Kane"), date="2024-03-04")
    b = event("l2", people=("Carl Moss", "Dana Roe"), date="2024-03-04")
    assert len(stories_of([a, b])) == 2


# -- sessions of international bodies ----------------------------------------------------------


def test_a_session_of_a_body_merges_reports_naming_different_members():
    one = event("m1", kind="multilateral", orgs=("UN",), people=("Ana Lund",), date="2024-09-24",
                place="New York", place_country="USA", published="2024-09-23", status="planned")
    two = event("m2", kind="multilateral", orgs=("UN",), people=("Eva Stone",), date="2024-09",
                place="New York City", place_country="USA", published="2024-09-26")
    assert partition_key(one) == partition_key(two) == "o:UN"
    [story] = stories_of([one, two])
    assert story.countries == ("ARM", "FRA") and story.status == "occurred"


def test_the_partition_key_is_the_country_set_and_the_organisations():
    assert partition_key(event("n1", countries=("USA", "FRA"))) == "c:FRA+USA"
    assert partition_key(event("n2", countries=("USA",), orgs=("NATO",))) == "c:USA|o:NATO"
    assert partition_key(event("n3", kind="multilateral", countries=("USA", "FRA"), orgs=("NATO",))) == "o:NATO"


# -- retention and state -----------------------------------------------------------------------


def test_a_story_is_closed_after_the_retention_window_and_a_late_report_starts_another():
    rules = MergeRules(retention_days=60, lateness_days=7)
    book = StoryBook(rules)
    book.add(event("o1", date="2024-03-04", published="2024-03-05"))
    assert book.add(event("o2", date="2024-03-04", published="2024-04-20"))[0].change == "report_added"
    later = event("o3", people=("Carl Moss", "Dana Roe"), date="2024-07-01", published="2024-07-02")
    changes = book.add(later)
    assert [c.change for c in changes] == ["new", "closed"]
    assert [r.event_id[:2] for r in changes[1].story.reports] == ["m-", "m-"]
    assert len(book.stories()) == 1
    # a report of the closed meeting, after its window: a story of its own
    late = event("o4", date="2024-03-04", published="2024-07-03")
    assert book.add(late)[0].change == "new"


def test_the_state_is_json_and_a_restored_book_goes_on_as_the_first():
    events = [event("p1", status="planned", date="2024-06-12", published="2024-05-10"),
              event("p2", status="cancelled", date="2024-06-12", published="2024-05-24"),
              event("p3", kind="call", date="2024-05-20", published="2024-05-21"),
              event("p4", status="occurred", date="2024-06-12", published="2024-06-13")]
    book, _ = feed(events[:2])
    state = json.loads(json.dumps(book.to_dict()))
    restored = StoryBook.from_dict(state)
    assert [c.to_message() for c in restored.add(events[2])] == [c.to_message() for c in book.add(events[2])]
    assert [c.to_message() for c in restored.add(events[3])] == [c.to_message() for c in book.add(events[3])]
    assert restored.to_dict() == book.to_dict()


def test_a_redelivered_event_changes_nothing():
    book = StoryBook()
    e = event("q1", date="2024-03-04")
    assert [c.change for c in book.add(e)] == ["new"]
    assert book.add(dict(e)) == []


def test_an_earlier_report_arriving_late_takes_over_the_id_and_retires_the_old_one():
    later = event("r1", date="2024-03-04", published="2024-03-06")
    earlier = event("r2", date="2024-03-04", published="2024-03-05")
    book, _ = feed([later])
    old_id = book.stories()[0].story_id
    changes = book.add(earlier)
    assert [c.change for c in changes] == ["new", "merged"]
    assert changes[1].story_id == old_id and changes[1].merged_into == changes[0].story_id
    assert stories_of([earlier, later])[0].story_id == changes[0].story_id


# -- messages ----------------------------------------------------------------------------------


def test_every_change_message_is_valid_against_the_events_stories_schema():
    assert topics.STORIES == "events.stories" and topics.STORIES in topics.ALL
    check = validator(topics.STORIES)
    events = [event("s1", status="planned", date="2024-06-12", published="2024-05-10", place="Paris",
                    place_country="FRA"),
              event("s2", status="cancelled", date="2024-06-12", published="2024-05-24"),
              event("s3", status="occurred", date="2024-06", published="2024-06-13", people=("Ana Lund",)),
              event("s0", status="planned", date="2024-06-12", published="2024-05-01"),
              event("s4", kind="multilateral", orgs=("UN",), people=("Eva Stone",), date="2024-09-24"),
              event("s5", people=("Carl Moss", "Dana Roe"), date="2024-12-01", published="2024-12-02")]
    book, changes = feed(events)
    kinds = {c.change for c in changes}
    assert {"new", "status_changed", "merged", "closed"} <= kinds
    for change in changes:
        message = change.to_message()
        assert check(message) == [], (change.change, check(message))
    for record in story_records(events):
        record.pop("reports")
        assert check({**record, "change": "new", "changed": [], "merged_into": None}) == []


def test_batch_records_hold_every_report_as_the_full_event():
    events = [event("t1", date="2024-03-04"), event("t2", date="2024-03")]
    [record] = story_records(list(reversed(events)))
    assert record["reports"] == events and record["status"] == "occurred"
    assert record["story_id"].startswith("s-")
