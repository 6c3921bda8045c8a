"""Meeting detector: one behaviour per test, on sentences written for the tests.

Mentions come from a small hand-made lexicon (tests/support/detection_helpers.py), so these tests
exercise the detector's grammar without the gazetteer.
"""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from support.detection_helpers import tagged

from parley.logic.detect import detect
from parley.logic.detect.event import event_id

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "events.meetings.json")
                    .read_text(encoding="utf-8"))


def only(text, **kw):
    events = detect(tagged(text, **kw))
    assert len(events) == 1, [(e["kind"], e["status"], e["countries"]) for e in events]
    return events[0]


def summary(events):
    return sorted((e["kind"], e["status"], tuple(e["countries"]), tuple(e["orgs"])) for e in events)


# ------------------------------------------------------------------ kinds

def test_met_with_is_an_occurred_meeting_between_both_countries():
    e = only("Norwegian Foreign Minister Anna Berg met her Chilean counterpart Luis Ortega on Monday.")
    assert (e["kind"], e["status"], e["countries"]) == ("meeting", "occurred", ["CHL", "NOR"])
    assert {p["name"] for p in e["participants"]} == {"Anna Berg", "Luis Ortega"}


def test_discussed_during_a_working_lunch_is_a_meeting():
    e = only("Anna Berg and Luis Ortega discussed fisheries during a working lunch in Lisbon.")
    assert e["kind"] == "meeting" and e["countries"] == ["CHL", "NOR"]
    assert e["location"]["name"] == "Lisbon"


def test_hosted_and_received_make_meetings():
    assert only("Kofi Mensah hosted Anna Berg at the presidential palace.")["countries"] == ["GHA", "NOR"]
    assert only("Luis Ortega received Hana Sato in Santiago.")["countries"] == ["CHL", "JPN"]


def test_telephone_conversation_is_a_call_without_location():
    e = only("Piotr Nowak had a telephone conversation with Hana Sato on Friday.")
    assert e["kind"] == "call" and e["location"] is None
    assert e["countries"] == ["JPN", "POL"]


def test_video_call_is_a_call():
    assert only("Berg and Ortega held a video call to review the fisheries deal.")["kind"] == "call"


def test_visit_makes_the_visited_country_a_side():
    e = only("Hana Sato visited Accra last week.")
    assert (e["kind"], e["countries"], e["location"]["name"]) == ("visit", ["GHA", "JPN"], "Accra")


def test_three_sides_at_one_table_is_multilateral():
    e = only("Berg, Ortega and Mensah met in Lisbon to discuss ocean policy.")
    assert e["kind"] == "multilateral" and e["countries"] == ["CHL", "GHA", "NOR"]


def test_summit_of_leaders_is_multilateral():
    e = only("Kofi Mensah, Hana Sato and Piotr Nowak will hold a summit in Osaka.")
    assert (e["kind"], e["status"]) == ("multilateral", "planned")


# ------------------------------------------------------------------ status

@pytest.mark.parametrize("text,status", [
    ("Anna Berg will meet Luis Ortega in Oslo.", "planned"),
    ("Hana Sato is expected to visit Santiago.", "planned"),
    ("Anna Berg is trying to organise a fresh meeting of the presidents of Chile and Ghana.", "proposed"),
    ("Depending on the outcome, Hana Sato will visit Accra.", "proposed"),
    ("Kofi Mensah called for talks with Piotr Nowak.", "proposed"),
    ("The meeting between Berg and Ortega has been postponed.", "cancelled"),
    ("Hana Sato called off her visit to Accra.", "cancelled"),
    ("A telephone conversation between Nowak and Sato is not planned, an aide said.", "denied"),
    ("Anna Berg met Luis Ortega yesterday.", "occurred"),
])
def test_status_from_tense_modality_and_negation(text, status):
    assert only(text)["status"] == status


def test_uncertainty_is_not_a_meeting():
    assert detect(tagged("It was not clear if Anna Berg would meet Luis Ortega as well.")) == []


def test_habitual_statement_is_not_a_meeting():
    assert detect(tagged("Berg and Ortega regularly meet to compare notes.")) == []


# ------------------------------------------------------------------ distribution

def test_respectively_pairs_counterparts_with_dates():
    events = detect(tagged("Anna Berg greeted Ortega and Mensah in Oslo on Tuesday and Monday respectively."))
    got = sorted((e["countries"][0] if e["countries"][0] != "NOR" else e["countries"][1], e["date"]["value"])
                 for e in events)
    assert got == [("CHL", "2025-03-11"), ("GHA", "2025-03-10")]


def test_visiting_two_places_is_two_visits():
    events = detect(tagged("Hana Sato visited Oslo and Santiago this week."))
    assert sorted(e["location"]["name"] for e in events) == ["Oslo", "Santiago"]
    assert sorted(tuple(e["countries"]) for e in events) == [("CHL", "JPN"), ("JPN", "NOR")]


def test_separate_talks_with_several_counterparts_are_separate_meetings():
    events = detect(tagged("Piotr Nowak held separate talks with the Japanese and Chilean foreign ministers."))
    assert summary(events) == [("meeting", "occurred", ("CHL", "POL"), ()),
                               ("meeting", "occurred", ("JPN", "POL"), ())]


def test_plural_meetings_noun_distributes_over_counterparts():
    events = detect(tagged("Kofi Mensah also had brief meetings with Anna Berg, Hana Sato and Piotr Nowak."))
    assert sorted(tuple(e["countries"]) for e in events) == [("GHA", "JPN"), ("GHA", "NOR"), ("GHA", "POL")]


# ------------------------------------------------------------------ participants

def test_participants_named_by_role_only():
    e = only("The meeting of the presidents of Chile and Ghana will take place next month.")
    assert e["countries"] == ["CHL", "GHA"] and e["status"] == "planned"


def test_group_is_expanded_to_member_countries():
    e = only("Anna Berg will meet the Andes Contact Group in Lisbon on Friday.")
    assert e["countries"] == ["ARG", "BRA", "NOR", "PER"] and e["kind"] == "multilateral"
    assert e["orgs"] == []


def test_official_of_an_organisation_adds_the_organisation_not_a_country():
    e = only("NATO Secretary General Erik Dahl received Polish President Piotr Nowak.")
    assert e["countries"] == ["POL"] and e["orgs"] == ["NATO"]


def test_the_two_refers_to_the_previous_participants():
    events = detect(tagged("Anna Berg and Luis Ortega spoke to reporters on Saturday. "
                           "The two met in Oslo later that day."))
    assert [e["countries"] for e in events] == [["CHL", "NOR"]]
    assert events[0]["location"]["name"] == "Oslo"


def test_he_refers_to_the_latest_person():
    e = only("Kofi Mensah arrived late. He met Hana Sato behind closed doors.")
    assert e["countries"] == ["GHA", "JPN"]


def test_the_cochairs_refers_to_the_group_mentioned_before():
    text = ("Anna Berg praised the Andes Contact Group for its work. "
            "The co-chairs visited Accra late last month.")
    e = only(text)
    assert e["kind"] == "visit" and e["countries"] == ["ARG", "BRA", "GHA", "PER"]
    assert e["date"]["value"] == "2025-02"


def test_officials_of_one_country_are_not_a_meeting_of_two_sides():
    assert detect(tagged("Kofi Mensah met the Ghanaian president's advisers in Accra.")) == []


# ------------------------------------------------------------------ one event per meeting

def test_headline_lead_and_repeated_paragraph_give_one_event():
    title = "Berg and Ortega meet in Lisbon"
    body = ("Norwegian Foreign Minister Anna Berg met Chilean Foreign Minister Luis Ortega in Lisbon on Monday.\n\n"
            "The two discussed fisheries.\n\n"
            "Norwegian Foreign Minister Anna Berg met Chilean Foreign Minister Luis Ortega in Lisbon on Monday.")
    events = detect(tagged(body, title=title))
    assert len(events) == 1
    assert events[0]["date"]["value"] == "2025-03-10"
    assert "field" not in events[0]["evidence"]


def test_location_and_occasion():
    e = only("Nowak and Sato met in Osaka on the margins of the UN General Assembly on Tuesday.")
    assert e["location"]["name"] == "Osaka" and e["orgs"] == [] and e["countries"] == ["JPN", "POL"]
    assert e["location"]["country"] == "JPN" and e["location"]["lat"] == pytest.approx(34.69)


def test_teaser_sentence_of_another_story_without_sides_gives_nothing():
    assert detect(tagged("Read more: summit season begins.")) == []


# ------------------------------------------------------------------ dates

@pytest.mark.parametrize("text,value", [
    ("Anna Berg met Luis Ortega on Saturday.", "2025-03-08"),
    ("Anna Berg met Luis Ortega on Tuesday, March 11.", "2025-03-11"),
    ("Anna Berg will meet Luis Ortega at the end of the month.", "2025-03"),
    ("Anna Berg will meet Luis Ortega on Friday.", "2025-03-14"),
    ("Anna Berg will meet Luis Ortega tomorrow.", "2025-03-13"),
    ("Anna Berg met Luis Ortega on 3 February 2024.", "2024-02-03"),
])
def test_dates_resolved_against_publication(text, value):
    assert only(text)["date"]["value"] == value


def test_weekday_without_publication_date_has_no_value():
    e = only("Anna Berg met Luis Ortega on Saturday.", published=None)
    assert e["date"] == {"text": "Saturday", "value": None}


# ------------------------------------------------------------------ contract

def test_events_validate_against_the_schema():
    text = ("Anna Berg met Luis Ortega in Lisbon on Monday. Hana Sato will visit Accra next week. "
            "NATO Secretary General Erik Dahl received Piotr Nowak.")
    events = detect(tagged(text, title="Berg and Ortega meet"))
    assert len(events) == 3
    for e in events:
        jsonschema.validate(e, SCHEMA)


def test_evidence_offsets_point_into_the_text():
    text = "Markets were calm. Anna Berg met Luis Ortega in Lisbon on Monday."
    e = only(text)
    assert text[e["evidence"]["start"]:e["evidence"]["end"]] == e["evidence"]["text"]
    assert e["evidence"]["text"].startswith("Anna Berg met")


def test_event_id_is_stable_across_runs_and_differs_between_meetings():
    text = "Anna Berg met Luis Ortega on Monday. Hana Sato met Piotr Nowak on Tuesday."
    a = detect(tagged(text))
    b = detect(tagged(text))
    assert [e["event_id"] for e in a] == [e["event_id"] for e in b]
    assert len({e["event_id"] for e in a}) == 2
    assert event_id("a-1", "call", ["USA", "RUS"], [], None, None) == \
        event_id("a-1", "call", ["RUS", "USA"], [], None, None)


def test_confidence_is_a_probability():
    for e in detect(tagged("Anna Berg met Luis Ortega. He said they may meet again.")):
        assert 0.0 <= e["confidence"] <= 1.0


# ------------------------------------------------------------------ more reference and structure

def test_the_two_countries_refers_to_the_countries_named_before():
    e = only("Chile and Ghana had quarrelled over fishing rights, but the leaders of the two countries "
             "spoke by telephone on Friday.")
    assert (e["kind"], e["countries"]) == ("call", ["CHL", "GHA"])


def test_a_minister_joining_the_talks_adds_a_side_to_that_meeting():
    text = ("Anna Berg and Luis Ortega met in Lisbon on Monday. "
            "The Japanese foreign minister, Hana Sato, joined the talks as an observer.")
    e = only(text)
    assert e["countries"] == ["CHL", "JPN", "NOR"] and e["kind"] == "multilateral"


def test_subjectless_meeting_report_takes_the_article_protagonist():
    text = ("Kofi Mensah opened a trade fair on Monday. Kofi Mensah praised the exhibitors. "
            "During the meeting with Anna Berg, the two leaders discussed trade.")
    e = only(text)
    assert e["countries"] == ["GHA", "NOR"]
    assert {p["name"] for p in e["participants"]} == {"Kofi Mensah", "Anna Berg"}


def test_possessor_of_a_visit_is_the_visitor():
    e = only("Ortega praised the plans for Hana Sato's planned visit to Santiago next week.")
    assert (e["kind"], e["countries"], e["status"]) == ("visit", ["CHL", "JPN"], "planned")


def test_compound_of_countries_describing_a_war_is_not_a_meeting():
    assert detect(tagged("In the wake of the Chile-Ghana dispute, Berg praised a conversation "
                         "between the two of them.")) == []


def test_a_possessive_country_is_not_a_counterpart():
    assert detect(tagged("Anna Berg welcomed Ghana's voice on the council.")) == []


@pytest.mark.parametrize("message", [
    {},
    {"text": None, "title": None},
    {"text": "", "mentions": [{"type": "person"}]},
    {"text": "Berg met Ortega.", "mentions": [{"type": "person", "start": 0, "end": 99}]},
    {"text": "Berg met Ortega on Saturday.", "published_at": "not a date",
     "mentions": [{"type": "country", "start": 0, "end": 4, "code": None}]},
])
def test_malformed_tagged_messages_give_no_events_instead_of_errors(message):
    assert detect(message) == []


def test_caption_repeating_a_meeting_adds_no_event():
    t = tagged("Anna Berg met Luis Ortega in Lisbon on Monday.")
    t["captions"] = ["Anna Berg and Luis Ortega at their meeting in Lisbon"]
    assert len(detect(t)) == 1


# ------------------------------------------------------------------ people on each side

def test_two_named_people_joined_by_and_stay_two_participants():
    e = only("Anna Berg and Deputy Minister Tomas Lind met Kofi Mensah in Accra on Monday.")
    names = [p["name"] for p in e["participants"]]
    assert "Anna Berg" in names and "Tomas Lind" in names and "Kofi Mensah" in names


def test_title_right_before_a_name_decides_the_officials_country():
    e = only("Ghana's Minister of Fisheries Ama Owusu met Anna Berg in Oslo on Monday.")
    assert e["countries"] == ["GHA", "NOR"]
    owusu = [p for p in e["participants"] if p["name"] == "Ama Owusu"]
    assert owusu and owusu[0]["country"] == "GHA"


def test_untagged_name_after_a_title_names_the_official():
    e = only("Ghana's Minister of Fisheries Kwame Adjei Boateng met Anna Berg in Oslo on Monday.")
    assert e["countries"] == ["GHA", "NOR"]
    assert "Kwame Adjei Boateng" in [p["name"] for p in e["participants"]]


def test_more_title_words_after_a_title_are_no_name():
    e = only("Ghana's Minister of Fisheries and Ocean Affairs met Anna Berg in Oslo on Monday.")
    assert [p["name"] for p in e["participants"] if p["country"] == "GHA"] in ([], [None])


def test_possessor_of_a_meeting_noun_is_its_subject_not_the_speaker():
    e = only("Anna Berg commented on Kofi Mensah's meeting with Hana Sato in Osaka.")
    assert e["countries"] == ["GHA", "JPN"]
    assert "Anna Berg" not in [p["name"] for p in e["participants"]]


def test_the_two_are_the_people_named_last_not_an_unnamed_official():
    events = detect(tagged("Anna Berg and Luis Ortega are old friends, the Ghanaian president "
                           "told reporters. The two met in Lisbon on Monday."))
    assert summary(events) == [("meeting", "occurred", ("CHL", "NOR"), ())]
    assert {p["name"] for p in events[0]["participants"]} == {"Anna Berg", "Luis Ortega"}


def test_a_national_title_refers_to_the_official_named_before():
    events = detect(tagged("Luis Ortega arrived in Oslo on Monday. On Tuesday the Chilean foreign "
                           "minister met Anna Berg."))
    meeting = [e for e in events if e["kind"] == "meeting"]
    assert meeting and "Luis Ortega" in [p["name"] for p in meeting[0]["participants"]]


def test_a_leaders_administration_is_the_country_not_the_person():
    e = only("The Mensah administration held talks with Japan on Monday.")
    assert e["countries"] == ["GHA", "JPN"]
    assert "Kofi Mensah" not in [p["name"] for p in e["participants"]]


def test_a_briefing_on_talks_between_two_countries_leaves_the_speaker_out():
    e = only("Luis Ortega briefed reporters on the talks between Chile and Japan.")
    assert e["countries"] == ["CHL", "JPN"]
    assert "Luis Ortega" not in [p["name"] for p in e["participants"]]


# ------------------------------------------------------------------ kind, place and date

def test_talks_held_via_videoconference_are_a_call():
    e = only("Chile and Japan held talks via videoconference on Monday.")
    assert e["kind"] == "call" and e["location"] is None


def test_a_possessive_country_after_in_is_no_location():
    e = only("Anna Berg met Luis Ortega about the fishing dispute in Chile's waters.")
    assert e["location"] is None


def test_undated_report_takes_the_date_of_the_sentence_before_about_the_same_person():
    e = only("Late on Sunday, Anna Berg announced a new fisheries deal. The announcement came "
             "after Anna Berg had a phone call with Luis Ortega.")
    assert e["kind"] == "call" and e["date"]["value"] == "2025-03-09"


def test_date_of_the_sentence_before_does_not_cross_a_paragraph():
    e = only("Late on Sunday, Anna Berg announced a new fisheries deal.\n\nThe announcement came "
             "after Anna Berg had a phone call with Luis Ortega.")
    assert e["date"] is None


def test_date_of_the_sentence_before_does_not_carry_over_a_relative_time():
    e = only("Late on Sunday, Anna Berg announced a new fisheries deal. This comes a week after "
             "Anna Berg had a phone call with Luis Ortega.")
    assert e["date"] is None


def test_meeting_told_in_the_present_progressive_is_dated_on_publication_day():
    e = only("Kofi Mensah is meeting Hana Sato in Accra.")
    assert e["status"] == "occurred" and e["date"]["value"] == "2025-03-12"


def test_a_coordinated_subject_of_unknown_country_keeps_its_partners_side_later():
    events = detect(tagged("Anna Berg and Tomas Lind met Kofi Mensah in Accra on Monday. "
                           "On Tuesday Tomas Lind met Hana Sato in Osaka."))
    assert ("meeting", "occurred", ("JPN", "NOR"), ()) in summary(events)


def test_a_name_before_and_a_country_is_no_official_of_that_country():
    events = detect(tagged("Anna Berg held bilateral meetings with Kofi Mensah, Tomas Lind and "
                           "Japan Prime Minister Hana Sato in Oslo."))
    lind = [p for e in events for p in e["participants"] if p["name"] == "Tomas Lind"]
    assert all(p["country"] is None for p in lind)


def test_a_title_with_to_inside_a_list_keeps_the_list_going():
    events = detect(tagged("Anna Berg held bilateral meetings with Kofi Mensah, Chile Counsel to "
                           "the President Tomas Lind and Japan Prime Minister Hana Sato in Oslo."))
    assert ("meeting", "occurred", ("JPN", "NOR"), ()) in summary(events)


def test_a_relative_clause_saying_it_was_called_off_cancels_the_trip():
    e = only("Anna Berg had planned a trip to Santiago, which was later called off.")
    assert (e["kind"], e["status"]) == ("visit", "cancelled")


def test_the_leaders_of_the_three_states_are_the_three_countries_named_last():
    events = detect(tagged("Ghana marks thirty years of relations with Chile and Japan. Kofi Mensah "
                           "proposed to hold a summit in Accra with the leaders of the three states."))
    assert ("multilateral", "proposed", ("CHL", "GHA", "JPN"), ()) in summary(events)


def test_a_meeting_where_the_traveller_goes_is_located_there_not_where_he_was():
    events = detect(tagged("Anna Berg will travel to Lisbon on Monday. Anna Berg will then travel "
                           "to Osaka, where she will hold talks with Kofi Mensah on Friday."))
    ghana = [e for e in events if "GHA" in e["countries"]]
    assert ghana and all(e["location"]["name"] == "Osaka" for e in ghana)


def test_a_place_qualified_by_a_demonym_after_in_is_the_location():
    e = only("Anna Berg met Luis Ortega in the Chilean port city of Santiago on Monday.")
    assert e["location"]["name"] == "Santiago"


def _with_dateline(t, surface):
    """The tagger's mention of a dateline place ("OSLO, March 3 (Agency) -")."""
    t["dateline"] = f"{surface.upper()}, March 11"
    t["mentions"].append({"type": "place", "field": "dateline", "text": surface.upper(), "start": 0,
                          "end": len(surface), "id": "g1", "name": surface, "country": "NOR",
                          "lat": 59.91, "lon": 10.75})
    return t


def test_a_lead_meeting_without_a_place_happened_where_the_dateline_files_from():
    t = _with_dateline(tagged("Anna Berg met Luis Ortega on Tuesday to discuss fisheries."), "Oslo")
    events = detect(t)
    assert len(events) == 1 and events[0]["location"]["name"] == "Oslo"


def test_the_dateline_place_does_not_override_a_stated_place_or_reach_later_paragraphs():
    t = _with_dateline(tagged("Anna Berg met Luis Ortega in Lisbon on Tuesday.\n\n"
                              "Kofi Mensah met Hana Sato on Monday."), "Oslo")
    places = {tuple(e["countries"]): (e["location"] or {}).get("name") for e in detect(t)}
    assert places == {("CHL", "NOR"): "Lisbon", ("GHA", "JPN"): None}


def test_a_title_before_a_known_person_does_not_change_the_persons_country():
    e = only("Ghana's Minister of Fisheries Anna Berg met Luis Ortega in Santiago on Monday.")
    berg = [p for p in e["participants"] if p["name"] == "Anna Berg"]
    assert berg and berg[0]["country"] == "NOR"


def test_and_then_as_part_of_a_hyphenated_adjective_does_not_end_the_clause():
    e = only("Reporters obtained a transcript of a call between Anna Berg and then-newly elected "
             "minister Luis Ortega in late February.")
    assert (e["kind"], e["countries"], e["date"]["value"]) == ("call", ["CHL", "NOR"], "2025-02")


def test_untagged_name_after_a_country_and_its_long_title_names_the_official():
    e = only("Anna Berg met Chile Vice Minister of Trade and Ocean Affairs Pedro Alvarez Soto "
             "in Oslo on Monday.")
    soto = [p for p in e["participants"] if p["name"] == "Pedro Alvarez Soto"]
    assert e["countries"] == ["CHL", "NOR"] and soto and soto[0]["country"] == "CHL"


def test_capitalised_words_after_a_country_without_a_title_are_no_name():
    e = only("Anna Berg met Luis Ortega at the Chile Ocean Partners Forum Grand Hall in Oslo.")
    assert {p["name"] for p in e["participants"]} == {"Anna Berg", "Luis Ortega"}
