"""Detector on the trigger forms, status cues and false detections of newspaper copy (see
../shared/corpus/PHENOMENA.md, sections G2, G3, S1, S2, F1-F3): one mechanism per test, on
sentences written for these tests (hand-made mentions, no gazetteer)."""
from __future__ import annotations

from support.detection_helpers import tagged

from parley.logic.detect import detect


def summary(text, **kw):
    return sorted((e["kind"], e["status"], tuple(e["countries"])) for e in detect(tagged(text, **kw)))


def one(text, **kw):
    events = detect(tagged(text, **kw))
    assert len(events) == 1, [(e["kind"], e["status"], e["countries"]) for e in events]
    return events[0]


# ------------------------------------------------------------------ G3: "called X", "called on X"

def test_called_a_counterpart_is_a_call():
    assert summary("Anna Berg called Luis Ortega on Sunday.") == [("call", "occurred", ("CHL", "NOR"))]


def test_called_a_counterpart_something_names_him_and_is_no_call():
    assert summary("Anna Berg called Luis Ortega a liar on Sunday.") == []
    assert summary("Anna Berg called Luis Ortega irresponsible.") == []


def test_called_a_possessors_thing_something_is_no_call():
    assert summary("Anna Berg called Ortega's plan reckless.") == []


def test_called_for_and_so_called_are_no_calls():
    assert ("call", "occurred", ("CHL", "NOR")) not in summary("Anna Berg called for a truce in Chile.")
    assert summary("Anna Berg mocked the so-called Chile plan.") == []


def test_called_on_a_counterpart_is_a_courtesy_call_in_person():
    e = one("Anna Berg called on Kofi Mensah at the palace on Monday.")
    assert (e["kind"], e["status"], e["countries"]) == ("meeting", "occurred", ["GHA", "NOR"])


def test_called_on_a_counterpart_to_do_something_is_an_appeal():
    assert summary("Anna Berg called on Kofi Mensah to lift the sanctions.") == []


def test_the_one_asked_to_resume_talks_is_their_side_and_the_talks_are_proposed():
    assert summary("Anna Berg called on Kofi Mensah to resume talks with Chile.") == [
        ("meeting", "proposed", ("CHL", "GHA"))]
    assert summary("Anna Berg urged Kofi Mensah to meet Luis Ortega.") == [
        ("meeting", "proposed", ("CHL", "GHA"))]


def test_paid_a_courtesy_call_on_is_a_meeting():
    e = one("The Norwegian ambassador paid a courtesy call on Kofi Mensah in Accra on Monday.")
    assert (e["kind"], e["status"], e["countries"]) == ("meeting", "occurred", ["GHA", "NOR"])
    e = one("The Norwegian ambassador paid a farewell call to Kofi Mensah in Accra on Monday.")
    assert (e["kind"], e["status"], e["countries"]) == ("meeting", "occurred", ["GHA", "NOR"])


def test_summoning_or_calling_in_an_envoy_is_a_meeting():
    assert summary("Norway summoned the Chilean ambassador on Monday.") == [
        ("meeting", "occurred", ("CHL", "NOR"))]
    assert summary("Anna Berg called in the Chilean ambassador on Monday.") == [
        ("meeting", "occurred", ("CHL", "NOR"))]


def test_a_possessive_country_before_an_envoys_title_is_the_counterpart():
    assert summary("Anna Berg summoned Chile's ambassador on Monday.") == [
        ("meeting", "occurred", ("CHL", "NOR"))]


# ------------------------------------------------------------------ G3: hosting, audiences, the passive

def test_a_meal_given_for_a_guest_is_a_meeting():
    assert summary("Kofi Mensah hosted a dinner for Anna Berg on Monday.") == [
        ("meeting", "occurred", ("GHA", "NOR"))]


def test_entertained_at_a_dinner_given_by_a_host_is_a_meeting():
    assert summary("The Norwegian envoy was entertained at a dinner given by Kofi Mensah on Monday.") == [
        ("meeting", "occurred", ("GHA", "NOR"))]


def test_received_by_a_host_is_a_meeting():
    assert summary("Anna Berg was received by Kofi Mensah on Monday.") == [
        ("meeting", "occurred", ("GHA", "NOR"))]


def test_received_in_audience_is_a_meeting():
    assert summary("Kofi Mensah received in audience the Norwegian foreign minister on Monday.") == [
        ("meeting", "occurred", ("GHA", "NOR"))]


# ------------------------------------------------------------------ G3: calls told in other words

def test_had_spoken_to_is_a_call():
    assert summary("Anna Berg had spoken to Luis Ortega on Tuesday, a spokesman said.") == [
        ("call", "occurred", ("CHL", "NOR"))]


def test_rang_him_is_a_call_with_the_speaker():
    assert summary("Kofi Mensah said Anna Berg had rung him on Tuesday.") == [
        ("call", "occurred", ("GHA", "NOR"))]


def test_an_opening_phone_conversation_takes_the_main_clause_subject_as_the_other_side():
    assert summary("In a phone conversation with Kofi Mensah on Monday, Anna Berg said trade was vital.") == [
        ("call", "occurred", ("GHA", "NOR"))]


def test_an_opening_participle_of_speaking_takes_the_main_clause_subject():
    assert summary("Speaking by telephone with Kofi Mensah on Tuesday, Anna Berg pledged support.") == [
        ("call", "occurred", ("GHA", "NOR"))]


def test_an_opening_phone_call_with_the_main_clause_telling_someone_names_both_sides():
    assert summary("In a phone call on Monday, Kofi Mensah told Anna Berg that trade was vital.") == [
        ("call", "occurred", ("GHA", "NOR"))]


def test_a_round_of_dialogue_held_by_video_is_a_call():
    assert summary("Norway and Japan held the fifth round of their officials' dialogue by video on Wednesday.") == [
        ("call", "occurred", ("JPN", "NOR"))]


def test_a_webinar_is_a_call():
    assert summary("Norway and Japan have agreed to hold a webinar on fisheries next month.") == [
        ("call", "planned", ("JPN", "NOR"))]


# ------------------------------------------------------------------ G3: other meeting forms

def test_a_visit_by_someone_to_a_country_is_their_visit():
    assert summary("A visit by Anna Berg to Chile is planned for May.") == [("visit", "planned", ("CHL", "NOR"))]


def test_consult_with_is_a_meeting():
    assert summary("Anna Berg will consult with Luis Ortega next week.") == [
        ("meeting", "planned", ("CHL", "NOR"))]


def test_sits_down_with_is_a_meeting():
    assert ("meeting", "planned", ("CHL", "NOR")) in summary("Anna Berg sits down with Luis Ortega next week.")


def test_resumed_talks_are_talks():
    assert summary("Norway and Chile resumed talks in Oslo on Monday.") == [("meeting", "occurred", ("CHL", "NOR"))]


def test_will_be_in_a_city_is_a_planned_visit():
    e = one("Anna Berg will be in Santiago on Monday.")
    assert (e["kind"], e["status"], e["countries"]) == ("visit", "planned", ["CHL", "NOR"])


# ------------------------------------------------------------------ S1: status

def test_put_off_after_a_relative_clause_is_cancelled():
    e = one("The second session of the Norway-Chile border talks, which had been scheduled for "
            "Saturday, has been put off.")
    assert (e["status"], e["countries"]) == ("cancelled", ["CHL", "NOR"])


def test_would_meet_in_a_report_is_planned():
    assert summary("Anna Berg said she would meet Luis Ortega in Oslo.") == [("meeting", "planned", ("CHL", "NOR"))]


def test_what_would_have_been_a_visit_is_no_visit():
    assert summary("Luis Ortega's trip would have been the first state visit to Norway in a decade.") == []


def test_a_delegation_sent_to_negotiate_is_a_planned_meeting():
    assert summary("Anna Berg dispatched two envoys to talk with Luis Ortega.") == [
        ("meeting", "planned", ("CHL", "NOR"))]


# ------------------------------------------------------------------ F1-F3: false detections

def test_an_introductory_clause_adds_no_side():
    assert summary("As pressure mounts on President Nowak, Norway, Chile and Ghana will meet in Accra on Monday.") == [
        ("multilateral", "planned", ("CHL", "GHA", "NOR"))]


def test_meeting_the_needs_of_a_country_is_no_meeting():
    assert summary("Norway will meet the needs of Chilean farmers.") == []
    assert summary("Ghana's new plant will meet a third of Japan's power demand.") == []


def test_an_organisation_naming_the_summit_is_no_second_side_of_one_country():
    assert summary("Anna Berg said Kofi Mensah had backed her at a tense NATO summit in Lisbon.") == []


def test_a_country_and_an_organisation_joined_by_a_dash_are_the_sides_of_their_summit():
    events = detect(tagged("Kofi Mensah will take part in the Ghana-NATO summit in Lisbon on Friday."))
    assert [(e["status"], e["countries"], e["orgs"]) for e in events] == [("planned", ["GHA"], ["NATO"])]


# ------------------------------------------------------------------ G2/G3: more forms of news copy

def test_a_date_between_two_destinations_keeps_the_list_and_dates_each_stop():
    events = detect(tagged("Anna Berg will be in Santiago on Monday and in Accra on Thursday."))
    assert sorted((e["kind"], e["status"], tuple(e["countries"]), e["date"]["value"]) for e in events) == [
        ("visit", "planned", ("CHL", "NOR"), "2025-03-17"), ("visit", "planned", ("GHA", "NOR"), "2025-03-13")]


def test_ministers_from_a_country_are_its_side():
    text = "Trade ministers from Chile, Ghana and Japan each talked with Anna Berg, the Norwegian minister."
    assert {c for _, _, c in summary(text)} == {("CHL", "NOR"), ("GHA", "NOR"), ("JPN", "NOR")}


def test_negotiators_from_the_two_countries_are_their_sides():
    text = "Chile and Ghana are at odds over fishing. Diplomats from the two countries reopened talks in Accra at the weekend."
    assert summary(text) == [("meeting", "occurred", ("CHL", "GHA"))]


def test_spoke_with_someone_in_a_city_is_a_meeting_not_a_call():
    assert summary("Anna Berg spoke with Luis Ortega in Lisbon on Monday.") == [("meeting", "occurred", ("CHL", "NOR"))]
    assert summary("Anna Berg spoke with Luis Ortega on Monday.") == [("call", "occurred", ("CHL", "NOR"))]


def test_they_were_joined_by_adds_a_side_to_the_meeting_just_reported():
    text = "Anna Berg and Luis Ortega held talks in Oslo on Monday. They were joined by Japanese officials."
    assert summary(text) == [("multilateral", "occurred", ("CHL", "JPN", "NOR"))]


def test_a_named_possessor_makes_a_meeting_noun_a_trigger_and_is_its_subject():
    text = "Berg's meeting on Monday with Ortega ended in a fisheries pact."
    assert summary(text) == [("meeting", "occurred", ("CHL", "NOR"))]


def test_a_named_possessor_is_a_determiner_of_a_meeting_noun():
    assert summary("Berg's summit with Ortega ended without a deal.") == [("meeting", "occurred", ("CHL", "NOR"))]


def test_a_possessor_in_an_opening_phrase_is_the_subject():
    text = "During Berg's talks with Ortega in Oslo, the Chilean minister praised Norway."
    assert summary(text) == [("meeting", "occurred", ("CHL", "NOR"))]


def test_a_following_phrase_ends_the_counterparts():
    text = "Kofi Mensah called off his summit with Ortega following a Norwegian-Japanese naval drill."
    assert summary(text) == [("meeting", "cancelled", ("CHL", "GHA"))]


def test_a_topic_between_the_meeting_noun_and_with_keeps_the_counterpart():
    text = "Luis Ortega ruled out any more discussions on fishing quotas with Norway."
    assert summary(text) == [("meeting", "denied", ("CHL", "NOR"))]


def test_a_meeting_noun_told_as_held_needs_no_determiner():
    text = "The eighth Chile-Ghana border commission meeting was held on Nov. 6 in Accra."
    assert summary(text) == [("meeting", "occurred", ("CHL", "GHA"))]


def test_a_joint_press_conference_with_someone_is_a_meeting_of_the_speaker():
    text = "Anna Berg stressed at a joint press conference with Luis Ortega in Oslo that the quarrel was over."
    assert summary(text) == [("meeting", "occurred", ("CHL", "NOR"))]


def test_a_joint_appearance_with_someone_is_a_meeting():
    assert summary("Anna Berg made a joint appearance with Luis Ortega in Oslo.") == [("meeting", "occurred", ("CHL", "NOR"))]


def test_an_appositive_name_after_a_national_title_is_its_holder():
    e = one("The Minister of Fisheries, Ama Owusu, travelled to Oslo last week.")
    assert e["countries"] == ["GHA", "NOR"]


def test_lined_up_meetings_are_planned():
    assert summary("Anna Berg's office has lined up two meetings with Luis Ortega.") == [
        ("meeting", "planned", ("CHL", "NOR"))]


def test_agreed_to_have_another_round_is_planned():
    assert summary("Chile and Ghana agreed to have a second round of talks in June.") == [
        ("meeting", "planned", ("CHL", "GHA"))]


def test_a_hyphenated_modifier_inside_held_talks():
    assert summary("Norway and Chile will hold expert-level talks in May.") == [
        ("meeting", "planned", ("CHL", "NOR"))]


def test_a_country_in_an_in_addition_to_her_phrase_is_no_side():
    assert summary("Apart from her Chile trip, Anna Berg will meet Kofi Mensah in Accra.") == [
        ("meeting", "planned", ("GHA", "NOR"))]


def test_the_purpose_of_a_past_trip_is_past_even_with_a_slashed_name():
    text = "Anna Berg flew to Chile in May to attend the energy/fisheries talks with Luis Ortega."
    assert {s for _, s, _ in summary(text)} == {"occurred"}


def test_an_organisation_naming_a_summit_meeting_is_no_side_even_before_a_verb_form():
    assert summary("After his NATO summit meeting with Luis Ortega, markets rallied.") == []


def test_a_hyphenated_pair_far_before_the_meeting_noun_still_names_the_sides():
    text = "Chile-Ghana joint fisheries working group meeting was held in Accra last week, officials said."
    assert summary(text) == [("meeting", "occurred", ("CHL", "GHA"))]


def test_invited_to_a_city_is_a_proposed_visit_of_the_one_invited():
    e = one("Anna Berg invited Luis Ortega to Oslo.")
    assert (e["kind"], e["status"], e["countries"]) == ("visit", "proposed", ["CHL", "NOR"])
    assert [p["name"] for p in e["participants"]] == ["Luis Ortega"]
    assert summary("Anna Berg invited Luis Ortega to attend the summit.") == []


def test_the_visitors_of_a_place_are_the_subjects_from_elsewhere():
    text = "Anna Berg and Luis Ortega agreed to exchange visits to Oslo and Santiago later this year."
    assert {(k, s, c) for k, s, c in summary(text)} == {("visit", "planned", ("CHL", "NOR"))}


def test_dine_with_is_a_meeting():
    assert summary("Anna Berg will dine with Chilean lawmakers on her first evening in Santiago.") == [
        ("meeting", "planned", ("CHL", "NOR"))]


def test_attending_a_luncheon_hosted_by_someone_is_a_meeting_with_the_host():
    assert summary("Anna Berg will attend a farewell dinner given by Kofi Mensah in Accra.") == [
        ("meeting", "planned", ("GHA", "NOR"))]


def test_the_two_countries_are_those_of_the_people_of_the_sentence():
    text = ("Hana Sato met Luis Ortega in Osaka on Monday. Kofi Mensah urged Piotr Nowak to welcome a proposal "
            "for talks between the two countries.")
    assert ("meeting", "proposed", ("GHA", "POL")) in summary(text)
    assert ("meeting", "proposed", ("CHL", "JPN")) not in summary(text)


# ------------------------------------------------------------------ S1/S2: more status

def test_the_present_tense_of_a_timetable_with_a_weekday_is_planned():
    text = "Anna Berg reached Accra on Thursday. On Friday she sits down with Ghanaian ministers."
    assert ("meeting", "planned", ("GHA", "NOR")) in summary(text)


def test_a_negated_attendance_of_a_summit_abroad_is_a_denied_trip():
    e = one("Anna Berg said she would not attend next week's summit in Accra.")
    assert (e["kind"], e["status"], e["countries"]) == ("visit", "denied", ["GHA", "NOR"])
    e = one("Anna Berg will not attend the summit in Accra.")
    assert (e["kind"], e["status"], e["countries"]) == ("visit", "denied", ["GHA", "NOR"])


def test_an_attendance_that_happens_is_no_separate_trip():
    assert summary("Anna Berg attended the summit in Accra on Monday.") == []


def test_scrapping_a_visit_cancels_it():
    e = one("Officials blamed paperwork for scrapping the Chilean foreign minister's visit to Oslo.")
    assert (e["kind"], e["status"], e["countries"]) == ("visit", "cancelled", ["CHL", "NOR"])


def test_asking_for_a_session_is_proposed():
    assert summary("Ghana has asked for an emergency session with Chile and Japan.") == [
        ("multilateral", "proposed", ("CHL", "GHA", "JPN"))]


# ------------------------------------------------------------------ M2 / G4: who a clause is about

def test_a_relative_clause_is_about_the_noun_phrase_right_before_it():
    text = ("Kofi Mensah declined to receive the Norwegian envoy, who instead held talks with "
            "Chile's foreign minister, Luis Ortega.")
    assert summary(text) == [("meeting", "denied", ("GHA", "NOR")), ("meeting", "occurred", ("CHL", "NOR"))]


def test_a_relative_clause_after_a_list_is_about_the_whole_list():
    text = "Kofi Mensah welcomed Anna Berg and Luis Ortega, who arrived in Ghana on Monday."
    assert ("visit", "occurred", ("CHL", "GHA", "NOR")) in summary(text)


def test_delegates_listed_after_an_organisations_meeting_join_it():
    text = ("Kofi Mensah opened a NATO ministers' meeting in Accra on Monday. Delegates included Norway's "
            "minister Berg, his Chilean and Japanese counterparts, and Poland's minister.")
    events = detect(tagged(text))
    assert [(e["countries"], e["orgs"]) for e in events] == [(["CHL", "GHA", "JPN", "NOR", "POL"], ["NATO"])]


# ------------------------------------------------------------------ K5: an envoy "to" a host

def test_the_host_country_after_an_envoys_title_is_no_side_of_the_envoy():
    text = "The Ghanaian envoy to Norway, Dr Tomas Lind, travelled to Oslo last week."
    e = one(text)
    assert (e["kind"], e["countries"]) == ("visit", ["GHA", "NOR"])
    assert [(p["name"], p["country"]) for p in e["participants"]] == [("Tomas Lind", "GHA")]


def test_called_a_counterpart_with_an_adjective_before_the_title_is_a_call():
    assert summary("Anna Berg called outgoing Chilean foreign minister Luis Ortega to say goodbye.") == [
        ("call", "occurred", ("CHL", "NOR"))]


def test_there_would_be_in_reported_speech_names_the_speaker_himself():
    e = one("Luis Ortega stressed there would be no more talks with Norway this year.")
    assert e["status"] == "denied" and "Luis Ortega" in [p["name"] for p in e["participants"]]


# ------------------------------------------------------------------ G3: what was discussed, and how

def test_discussed_in_a_phone_call_is_a_call():
    # "discussed" says what was talked about; the call noun says how
    for text in ("Anna Berg and Luis Ortega discussed the fishing quotas in a phone call on Sunday.",
                 "Anna Berg and Luis Ortega discussed the fishing quotas in a telephone conversation on Sunday.",
                 "Anna Berg discussed the quotas with Luis Ortega by video link on Sunday."):
        assert summary(text) == [("call", "occurred", ("CHL", "NOR"))], text


def test_the_country_discussed_is_a_topic_not_a_side():
    assert summary("Anna Berg and Luis Ortega discussed Ghana in a phone call on Sunday.") \
        == [("call", "occurred", ("CHL", "NOR"))]
    assert summary("Anna Berg and Luis Ortega met in Oslo on Sunday and discussed Ghana.") \
        == [("meeting", "occurred", ("CHL", "NOR"))]


def test_a_meeting_held_for_a_round_of_talks_is_one_meeting_that_took_place():
    # the status cues read the clause as written ("round of talks" is a noun, not "on Tuesday talks")
    for text in ("Anna Berg met Luis Ortega in Oslo on Tuesday for a round of talks.",
                 "Anna Berg met Luis Ortega in Oslo on Tuesday for a new round of talks."):
        assert summary(text) == [("meeting", "occurred", ("CHL", "NOR"))], text


def test_a_delegation_from_a_country_is_a_counterpart():
    assert summary("Kofi Mensah received a delegation from Chile on Monday.") == [("meeting", "occurred", ("CHL", "GHA"))]
    assert summary("Kofi Mensah met a team from Chile on Monday.") == [("meeting", "occurred", ("CHL", "GHA"))]
    # what comes from a country without people is no side
    assert summary("Kofi Mensah received a letter from Chile on Monday.") == []
    assert summary("Kofi Mensah returned from Chile on Monday.") == []


def test_a_summit_that_is_the_occasion_of_a_refused_meeting_adds_no_planned_one():
    for text in ("Anna Berg will not meet Luis Ortega during the NATO summit.",
                 "Anna Berg will not meet Luis Ortega on the sidelines of the NATO summit."):
        assert summary(text) == [("meeting", "denied", ("CHL", "NOR"))], text
    assert summary("Anna Berg met Luis Ortega during the NATO summit.") == [("meeting", "occurred", ("CHL", "NOR"))]


def test_a_purpose_for_talks_is_the_meeting_held_not_a_timetable():
    assert summary("Anna Berg and Luis Ortega met in Oslo on Friday for the first direct talks in three years.") \
        == [("meeting", "occurred", ("CHL", "NOR"))]
    assert summary("On Friday Anna Berg talks with Luis Ortega in Oslo.") == [("meeting", "planned", ("CHL", "NOR"))]


def test_what_follows_a_later_meeting_noun_is_that_meetings():
    # the counterpart and the date after "ahead of the summit" belong to the summit
    assert summary("Anna Berg met Luis Ortega in Oslo, ahead of the summit with Hana Sato next week.") \
        == [("meeting", "occurred", ("CHL", "NOR")), ("multilateral", "planned", ("CHL", "JPN", "NOR"))]
    [e] = detect(tagged("Anna Berg will meet Luis Ortega in Oslo after the NATO summit on Friday."))
    assert e["status"] == "planned" and e["date"] is None


def test_plans_for_someone_to_meet_make_that_someone_the_subject():
    assert summary("There are no plans for Anna Berg to meet Luis Ortega.") == [("meeting", "denied", ("CHL", "NOR"))]
    assert summary("There are plans for Anna Berg to meet Luis Ortega next week.") \
        == [("meeting", "planned", ("CHL", "NOR"))]


def test_a_meeting_put_on_hold_is_cancelled():
    assert summary("The talks between Anna Berg and Luis Ortega have been put on hold.") \
        == [("meeting", "cancelled", ("CHL", "NOR"))]


def test_exchanged_views_with_a_counterpart_is_a_conversation():
    assert summary("Anna Berg exchanged views with Luis Ortega in Oslo on Monday.") \
        == [("meeting", "occurred", ("CHL", "NOR"))]
    assert summary("Anna Berg exchanged views by phone with Luis Ortega on Monday.") \
        == [("call", "occurred", ("CHL", "NOR"))]
    assert summary("Norway and Chile exchanged prisoners on Monday.") == []


def test_subjects_then_to_before_the_verb_are_the_wire_form_of_a_plan():
    assert summary("Anna Berg to meet Luis Ortega in Oslo.") == [("meeting", "planned", ("CHL", "NOR"))]
    assert summary("Norway and Chile to hold talks in Oslo next week.") == [("meeting", "planned", ("CHL", "NOR"))]
    # "flew to Oslo to meet": a verb before "to", the purpose of a trip that took place
    assert summary("Anna Berg flew to Oslo to meet Luis Ortega.") == [("meeting", "occurred", ("CHL", "NOR"))]


def test_a_meeting_that_could_take_place_is_proposed_with_its_date():
    [e] = detect(tagged("Officials said a meeting between Anna Berg and Luis Ortega could take place as early "
                        "as next week."))
    assert (e["status"], e["date"]["text"]) == ("proposed", "next week")
    [e] = detect(tagged("Anna Berg will meet Luis Ortega as soon as next week."))
    assert (e["status"], e["date"]["text"]) == ("planned", "next week")
