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
