"""Detector on phenomena of newspaper and wire copy (see ../shared/corpus/PHENOMENA.md), one
mechanism per test, on sentences written for these tests (hand-made mentions, no gazetteer)."""
from __future__ import annotations

from support.detection_helpers import tagged

from parley.logic.detect import detect


def summary(text, **kw):
    return sorted((e["kind"], e["status"], tuple(e["countries"])) for e in detect(tagged(text, **kw)))


# ------------------------------------------------------------------ G1: distribute coordination

def test_one_side_calling_two_others_is_two_calls():
    assert summary("Anna Berg phoned Luis Ortega and Hana Sato on Sunday.") == [
        ("call", "occurred", ("CHL", "NOR")), ("call", "occurred", ("JPN", "NOR"))]


def test_one_side_meeting_three_listed_counterparts_is_three_meetings():
    assert summary("Piotr Nowak will meet with Luis Ortega of Chile, Kofi Mensah of Ghana "
                   "and Hana Sato of Japan next week.") == [
        ("meeting", "planned", ("CHL", "POL")), ("meeting", "planned", ("GHA", "POL")),
        ("meeting", "planned", ("JPN", "POL"))]


def test_counterparts_met_together_stay_one_multilateral():
    assert summary("Piotr Nowak met Luis Ortega and Hana Sato together in Lisbon on Monday.") == [
        ("multilateral", "occurred", ("CHL", "JPN", "POL"))]


def test_a_later_count_of_the_leaders_keeps_one_table():
    text = ("Piotr Nowak met with Luis Ortega, Kofi Mensah and Hana Sato in Lisbon on Monday. "
            "The four leaders discussed trade.")
    assert summary(text) == [("multilateral", "occurred", ("CHL", "GHA", "JPN", "POL"))]


def test_a_conversation_with_two_counterparts_is_one_call():
    assert summary("Piotr Nowak had a telephone conversation with Luis Ortega and Hana Sato.") == [
        ("call", "occurred", ("CHL", "JPN", "POL"))]


def test_listed_subjects_who_each_met_one_counterpart_are_separate_meetings():
    assert summary("Anna Berg, Luis Ortega and Hana Sato each met Kofi Mensah in Accra on Monday.") == [
        ("meeting", "occurred", ("CHL", "GHA")), ("meeting", "occurred", ("GHA", "JPN")),
        ("meeting", "occurred", ("GHA", "NOR"))]


def test_listed_subjects_meeting_together_stay_one_multilateral():
    assert summary("Anna Berg, Luis Ortega and Hana Sato met in Accra on Monday.") == [
        ("multilateral", "occurred", ("CHL", "JPN", "NOR"))]


# ------------------------------------------------------------------ L1: where the meeting was

def place_of(text, **kw):
    events = [e for e in detect(tagged(text, **kw)) if e["kind"] != "visit"]
    assert len(events) == 1, events
    return (events[0]["location"] or {}).get("name")


def test_a_seat_of_government_after_a_locative_preposition_places_the_meeting_in_its_city():
    assert place_of("Kofi Mensah welcomed Anna Berg to the Elysee Palace on Monday.") == "Paris"
    assert place_of("Piotr Nowak met Hana Sato at the Kremlin on Monday.") == "Moscow"


def test_a_seat_of_government_as_the_speaker_places_nothing():
    assert place_of("The Kremlin said Piotr Nowak met Hana Sato on Monday.") is None


def test_a_meeting_placed_in_a_country_takes_the_city_the_article_names_most():
    text = ("Osaka is hosting a trade fair this week. Hotels in Osaka are full. "
            "Anna Berg met Luis Ortega in Japan on Monday.")
    assert place_of(text) == "Osaka"


# ------------------------------------------------------------------ G3: trigger forms

def test_calling_on_both_sides_to_talk_is_an_appeal_not_a_meeting():
    assert summary("Hana Sato called on Kofi Mensah and Luis Ortega to resume talks.") != [
        ("meeting", "occurred", ("CHL", "GHA", "JPN"))]


# ------------------------------------------------------------------ G2: sides named by a compound

def test_a_hyphenated_pair_before_a_meeting_noun_names_the_sides_and_the_host_is_the_venue():
    assert summary("Japan hosted the first direct Chile-Ghana negotiations in Osaka on Friday.") == [
        ("meeting", "occurred", ("CHL", "GHA"))]


def test_a_hyphenated_pair_with_modifiers_before_the_noun_still_names_the_sides():
    assert summary("Japan hosted the Norway-Chile fisheries commission in Osaka on Friday.") == [
        ("meeting", "occurred", ("CHL", "NOR"))]


# ------------------------------------------------------------------ S1 / S2: status

def status_of(text, **kw):
    events = detect(tagged(text, **kw))
    assert len(events) == 1, [(e["kind"], e["status"], e["countries"]) for e in events]
    return events[0]


def test_a_denied_report_of_a_meeting_is_denied():
    e = status_of("Chile denied reports that Luis Ortega had met Anna Berg in Oslo. "
                  "\"No such meeting took place,\" a spokesman said.")
    assert (e["status"], e["countries"]) == ("denied", ["CHL", "NOR"])


def test_a_call_about_next_weeks_summit_is_a_call_that_occurred():
    events = detect(tagged("Piotr Nowak spoke by phone on Monday with Hana Sato about the summit next week."))
    assert [(e["status"], e["date"]["value"]) for e in events if e["kind"] == "call"] == [
        ("occurred", "2025-03-10")]


def test_a_meeting_planned_for_a_weekday_and_cancelled_is_dated_ahead():
    # published on Wednesday 2025-03-12: "Thursday" is the next day
    e = status_of("A planned meeting between Anna Berg and Luis Ortega on Thursday has been cancelled.")
    assert e["status"] == "cancelled" and e["date"]["value"] == "2025-03-13"


def test_had_intended_to_meet_but_withdrew_is_cancelled():
    e = status_of("Anna Berg had intended to hold a private meeting with Luis Ortega, but Ortega withdrew.")
    assert (e["status"], e["countries"]) == ("cancelled", ["CHL", "NOR"])


def test_will_not_travel_is_a_denied_visit_not_dropped():
    e = status_of("Anna Berg will not travel to Chile for the talks.")
    assert e["kind"] == "visit" and e["status"] in ("denied", "cancelled") and e["countries"] == ["CHL", "NOR"]


def test_no_further_discussions_with_a_country_is_denied():
    e = status_of("Luis Ortega said there would be no further discussions with Norway.")
    assert (e["status"], e["countries"]) == ("denied", ["CHL", "NOR"])


def test_the_purpose_of_a_past_trip_is_past():
    events = detect(tagged("Hana Sato travelled to Chile in January to meet Luis Ortega."))
    assert {e["status"] for e in events} == {"occurred"}


def test_a_deal_negotiated_with_two_partners_is_one_table():
    assert summary("Piotr Nowak discussed a trade deal with Luis Ortega and Hana Sato on Monday.") == [
        ("multilateral", "occurred", ("CHL", "JPN", "POL"))]


# ------------------------------------------------------------------ G2: who "the president" is

def test_an_unqualified_title_is_the_articles_main_holder_of_it_not_the_last_subject():
    text = ("Piotr Nowak arrived in Accra on Sunday. Piotr Nowak said Nowak would stay two days. "
            "Kofi Mensah met Piotr Nowak on Monday. The president also met Hana Sato on Tuesday.")
    assert ("meeting", "occurred", ("JPN", "POL")) in summary(text)
    assert ("meeting", "occurred", ("GHA", "JPN")) not in summary(text)


def test_a_verb_after_a_title_is_a_new_meeting_not_a_reference_to_the_last_one():
    text = ("Piotr Nowak, Kofi Mensah and Hana Sato met in Accra on Monday. "
            "The president also met Hana Sato on Monday evening.")
    kinds = summary(text)
    assert ("multilateral", "occurred", ("GHA", "JPN", "POL")) in kinds
    assert any(k == "meeting" and len(c) == 2 and "JPN" in c for k, _, c in kinds), kinds


# ------------------------------------------------------------------ P2: names as the article writes them

def test_a_participant_is_named_as_the_article_writes_the_name_not_by_a_gazetteer_alias():
    article = tagged("Anna Berg met Luis Ortega in Lisbon on Monday. Ortega said the talks went well.")
    for m in article["mentions"]:
        if m.get("name") == "Luis Ortega":
            m["name"] = "Luis Ortego"      # the gazetteer's transliteration of the same person
    (event,) = detect(article)
    assert {p["name"] for p in event["participants"]} == {"Anna Berg", "Luis Ortega"}


# ------------------------------------------------------------------ T1 / G2: expected arrivals, listed neighbours

def test_an_expected_arrival_for_a_summit_with_the_host_is_a_planned_visit():
    assert summary("Anna Berg is expected in Santiago in May for a summit with her Chilean host, "
                   "Luis Ortega.") == [("visit", "planned", ("CHL", "NOR"))]


def test_neighbours_listed_between_dashes_are_sides_of_the_talks():
    assert summary("Talks between Norway and two neighbours — Chile and Japan — are set for Lisbon "
                   "next week.") == [("multilateral", "planned", ("CHL", "JPN", "NOR"))]
