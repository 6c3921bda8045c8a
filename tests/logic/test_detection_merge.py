"""Detector merging: one event per real meeting of an article, never two meetings folded into
one (see ../shared/corpus/PHENOMENA.md, M1/M2), and collective names of several countries.
One mechanism per test, on sentences written for these tests (hand-made mentions, no
gazetteer). Published on Wednesday 2025-03-12 unless told otherwise."""
from __future__ import annotations

from support.detection_helpers import tagged

from parley.logic.detect import detect


def summary(text, **kw):
    return sorted((e["kind"], e["status"], tuple(e["countries"])) for e in detect(tagged(text, **kw)))


def events(text, **kw):
    return detect(tagged(text, **kw))


def dated(text, **kw):
    """(status, location name, date value, date text) of each event, in reading order."""
    return [(e["status"], (e["location"] or {}).get("name"), (e["date"] or {}).get("value"),
             (e["date"] or {}).get("text")) for e in events(text, **kw)]


MET = ("meeting", "occurred", ("CHL", "NOR"))


# ------------------------------------------------------------------ told again: another meeting

def test_met_again_that_evening_is_a_second_meeting_on_the_same_day():
    text = "Anna Berg met Luis Ortega in Lisbon on Monday. The two met again that evening at a dinner."
    found = events(text)
    assert [(e["kind"], e["status"], tuple(e["countries"])) for e in found] == [MET, MET]
    assert [(e["date"] or {}).get("value") for e in found] == ["2025-03-10", "2025-03-10"]
    assert found[1]["date"]["text"] == "that evening"
    # two meetings sharing kind, sides, day and place still have two ids
    assert found[0]["event_id"] != found[1]["event_id"]


def test_another_meeting_is_not_the_one_before_nor_on_its_date():
    found = dated("Anna Berg met Luis Ortega in Lisbon on Monday. Berg held another meeting with Ortega.")
    assert len(found) == 2
    assert found[0][2] == "2025-03-10" and found[1][3] != "Monday"


def test_a_report_without_a_mark_of_repetition_is_the_meeting_already_reported():
    text = "Anna Berg met Luis Ortega in Lisbon on Monday. The talks in Lisbon focused on fishing."
    assert summary(text) == [MET]


def test_the_talks_going_on_the_next_day_or_praised_elsewhere_are_the_talks_reported():
    assert summary("Anna Berg met Luis Ortega in Lisbon on Monday. The talks continued the next day.") == [MET]
    assert summary("Anna Berg met Luis Ortega in Lisbon on Monday. In Osaka, the talks between Berg "
                   "and Ortega were praised.") == [MET]


def test_met_again_since_a_quarrel_is_no_repetition_of_the_meeting_reported():
    assert summary("Anna Berg met Luis Ortega in Lisbon on Monday. The two met again since their "
                   "quarrel in a warm mood.") == [MET]
    assert summary("Anna Berg met Luis Ortega in Lisbon on Monday. The two met again for the first "
                   "time since the quarrel.") == [MET]


def test_two_rounds_of_talks_are_two_meetings_and_one_round_told_twice_is_one():
    text = ("Norway and Chile held the first round of fisheries talks. The second round of talks "
            "between Norway and Chile ended without a deal.")
    assert summary(text) == [MET, MET]
    text = ("Norway and Chile held the first round of fisheries talks. The talks between Norway "
            "and Chile ended without a deal.")
    assert summary(text) == [MET]


def test_an_ordinal_of_a_visit_does_not_count_meetings():
    text = ("Anna Berg will co-chair the second session of the Norway-Chile council in Santiago on "
            "Sunday. Berg will travel to Santiago on Sunday for the council, her third visit to Chile.")
    kinds = [e["kind"] for e in events(text)]
    assert kinds.count("visit") <= 1 and len(kinds) <= 2


# ------------------------------------------------------------------ a time told from the report before

def test_the_next_day_is_another_meeting_on_the_following_day():
    found = dated("Anna Berg met Luis Ortega in Lisbon on Monday. The next day, Berg held talks with Ortega.")
    assert [(s, v) for s, _, v, _ in found] == [("occurred", "2025-03-10"), ("occurred", "2025-03-11")]


def test_the_day_before_is_another_meeting_on_the_previous_day():
    found = dated("Anna Berg met Luis Ortega in Lisbon on Monday. The day before, Berg had talks with Ortega.")
    assert [v for _, _, v, _ in found] == ["2025-03-10", "2025-03-09"]


def test_earlier_the_same_day_is_another_meeting_on_that_day():
    text = ("Anna Berg met Luis Ortega in Lisbon on Monday. Earlier the same day, Berg received "
            "the Chilean foreign minister.")
    found = dated(text)
    assert [v for _, _, v, _ in found] == ["2025-03-10", "2025-03-10"]
    assert found[1][3] == "Earlier the same day"


def test_a_day_after_something_else_is_no_time_told_from_a_meeting():
    text = ("Anna Berg met Luis Ortega in Lisbon on Monday. Berg, a day after she resigned, said "
            "the talks had gone well.")
    assert summary(text) == [MET]


def test_held_talks_after_a_weekday_took_place():
    assert dated("On Tuesday, Berg held talks with Ortega in Osaka.") == [
        ("occurred", "Osaka", "2025-03-11", "Tuesday")]


# ------------------------------------------------------------------ where: places far apart

def test_meetings_in_two_cities_far_apart_are_two_meetings():
    found = dated("Anna Berg met Luis Ortega in Lisbon. Berg and Ortega also met in Osaka.")
    assert [loc for _, loc, _, _ in found] == ["Lisbon", "Osaka"]


def test_visits_exchanged_to_two_capitals_are_two_visits_each_with_its_visitor_and_host():
    found = events("Anna Berg and Luis Ortega agreed to exchange visits to Oslo and Santiago later this year.")
    assert sorted(((e["location"] or {}).get("name"), tuple(p["name"] for p in e["participants"]))
                  for e in found) == [("Oslo", ("Luis Ortega", "Anna Berg")),
                                      ("Santiago", ("Anna Berg", "Luis Ortega"))]


def test_a_few_quoted_words_before_the_trigger_do_not_hide_its_subject():
    text = 'Berg and Ortega will "with pleasure" visit Santiago and Oslo, respectively.'
    assert sorted((e["kind"], e["status"], (e["location"] or {}).get("name")) for e in events(text)) == [
        ("visit", "planned", "Oslo"), ("visit", "planned", "Santiago")]


def test_a_quoted_name_before_the_trigger_does_not_hide_its_subject():
    text = 'Anna Berg will attend the "Nordic Circle" dinner hosted by Luis Ortega in Santiago on Friday.'
    assert summary(text) == [("meeting", "planned", ("CHL", "NOR"))]


def test_a_visit_to_a_country_named_inside_a_name_takes_the_town_of_the_clause():
    text = "Anna Berg visited the headquarters of the Chile Fisheries Board in Santiago on Monday."
    assert dated(text) == [("occurred", "Santiago", "2025-03-10", "Monday")]


def test_a_visit_ahead_lends_no_place_to_a_meeting_that_took_place():
    assert dated("Anna Berg will visit Santiago in May. Berg met Ortega on Monday.")[1] == (
        "occurred", None, "2025-03-10", "Monday")
    assert dated("Anna Berg arrived in Santiago on Monday. Berg met Ortega on Tuesday.")[1] == (
        "occurred", "Santiago", "2025-03-11", "Tuesday")


# ------------------------------------------------------------------ who: officials' talks beside the principals'

def test_working_level_talks_are_not_the_principals_meeting_they_prepare():
    text = ("Anna Berg will meet Luis Ortega in the spring. Norwegian and Chilean officials will hold "
            "working-level talks to prepare the meeting.")
    found = events(text)
    assert [(e["status"], tuple(e["countries"])) for e in found] == [("planned", ("CHL", "NOR"))] * 2
    assert [p["name"] for p in found[0]["participants"]] == ["Anna Berg", "Luis Ortega"]


def test_the_working_level_talks_told_again_are_the_same_talks():
    text = ("Norwegian and Chilean officials held working-level talks in Oslo on Monday. The talks "
            "ended without a deal.")
    assert summary(text) == [MET]


# ------------------------------------------------------------------ M1: put off and set again

def test_a_meeting_put_off_and_set_again_is_one_meeting_on_its_new_date():
    text = "Anna Berg and Luis Ortega postponed their meeting in Oslo. They will now meet next week."
    assert dated(text) == [("planned", "Oslo", "2025-03", "next week")]


def test_a_meeting_put_off_and_its_first_date_told_again_is_one_meeting():
    text = ("Anna Berg's meeting with Luis Ortega, first set for Tuesday, was postponed. Berg will now "
            "meet Ortega on March 20.")
    assert dated(text) == [("planned", None, "2025-03-20", "March 20")]


def test_talks_delayed_and_set_for_later_are_one_meeting():
    text = ("Norway and Chile have delayed their fisheries meeting. The talks, first set for Tuesday, "
            "will now take place next week.")
    found = summary(text)
    assert len(found) == 1 and found[0][1] in ("cancelled", "planned")


def test_a_hope_to_meet_after_a_meeting_put_off_is_another_report():
    text = "Anna Berg and Luis Ortega postponed their meeting in Oslo. Berg hopes to meet Ortega in the autumn."
    assert summary(text) == [("meeting", "cancelled", ("CHL", "NOR")), ("meeting", "proposed", ("CHL", "NOR"))]


# ------------------------------------------------------------------ M2: one meeting told after another

def test_a_meeting_told_as_the_first_one_before_another_took_place_on_its_own_date():
    text = "Monday's talks between Berg and Ortega follow their first encounter in January."
    assert dated(text) == [("planned", None, "2025-03-17", "Monday"), ("occurred", None, "2025-01", "in January")]
    text = "Monday's talks between Berg and Ortega in Santiago follow their first encounter, in Oslo last autumn."
    assert [(s, loc) for s, loc, _, _ in dated(text)] == [("planned", "Santiago"), ("occurred", "Oslo")]


def test_a_first_meeting_ahead_stays_ahead():
    assert dated("Berg and Ortega will hold their first meeting in Oslo on Monday.") == [
        ("planned", "Oslo", "2025-03-17", "Monday")]


# ------------------------------------------------------------------ collective names of several countries

def test_the_two_koreas_are_both_sides():
    assert summary("The two Koreas held talks at the border on Tuesday.") == [
        ("meeting", "occurred", ("KOR", "PRK"))]
    assert summary("Both Koreas will meet again in April.") == [("meeting", "planned", ("KOR", "PRK"))]


def test_an_inter_korean_summit_is_a_meeting_of_the_two_koreas_only():
    assert summary("Anna Berg praised the inter-Korean summit.") == [("meeting", "occurred", ("KOR", "PRK"))]
    assert summary("Chile praised the cross-Strait talks held on Monday.") == [
        ("meeting", "occurred", ("CHN", "TWN"))]


def test_a_collective_among_the_counterparts_adds_all_its_members():
    e = events("Anna Berg said she hoped for a three-way meeting with both Koreas.")
    assert [(x["kind"], x["status"], x["countries"]) for x in e] == [
        ("multilateral", "proposed", ["KOR", "NOR", "PRK"])]
    assert [p["name"] for p in e[0]["participants"]] == ["Anna Berg"]


def test_a_word_that_only_looks_like_a_collective_is_none():
    assert summary("Anna Berg met Korean pop stars in Oslo on Monday.") == []


# ------------------------------------------------------------------ who wished the meeting

def test_the_pronoun_before_a_wish_is_the_subject_of_the_meeting_wished():
    e = events("Kofi Mensah flew home. Hana Sato said she hoped to be able to arrange a three-way meeting "
               "with Ghana and Chile.")
    assert [(x["kind"], x["status"], x["countries"]) for x in e] == [
        ("multilateral", "proposed", ["CHL", "GHA", "JPN"])]
    assert [p["name"] for p in e[0]["participants"]] == ["Hana Sato"]


def test_a_wish_named_by_a_noun_is_a_proposed_meeting():
    assert summary("Anna Berg spoke of her eagerness for talks with Luis Ortega.") == [
        ("meeting", "proposed", ("CHL", "NOR"))]


def test_the_owner_of_a_meeting_named_with_a_modifier_is_its_subject():
    text = "Kofi Mensah is expected to brief Anna Berg ahead of Berg's own meeting with Luis Ortega."
    assert summary(text) == [("meeting", "planned", ("CHL", "NOR"))]


# ------------------------------------------------------------------ a summit is held by leaders

def test_a_summit_with_a_country_is_held_with_its_leader_named_before():
    e = events("Kofi Mensah warned Japan on Monday. Anna Berg cancelled the summit with Ghana.")
    assert [p["name"] for p in e[0]["participants"]] == ["Anna Berg", "Kofi Mensah"]


def test_a_meeting_with_a_country_is_not_given_its_leader():
    e = events("Kofi Mensah warned Japan on Monday. Anna Berg cancelled the meeting with Ghana.")
    assert [p["name"] for p in e[0]["participants"]] == ["Anna Berg"]


def test_a_summit_with_a_country_whose_leader_is_not_named_before_gets_none():
    e = events("Anna Berg cancelled the summit with Ghana. Kofi Mensah regretted it.")
    assert [p["name"] for p in e[0]["participants"]] == ["Anna Berg"]
