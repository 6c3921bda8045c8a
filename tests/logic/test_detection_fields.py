"""Location and date of detected meetings on newspaper copy (PHENOMENA.md L1, L2, D1): one
mechanism per test, on sentences written for these tests (hand-made mentions, no gazetteer)."""
from __future__ import annotations

from support.detection_helpers import tagged

from parley.logic.dates import find_dates, resolve
from parley.logic.detect import detect

# tagged() publishes on Wednesday 2025-03-12


def meetings(text, **kw):
    return [e for e in detect(tagged(text, **kw)) if e["kind"] != "visit"]


def only(text, **kw):
    events = meetings(text, **kw)
    assert len(events) == 1, [(e["countries"], e["status"], e["evidence"]["text"]) for e in events]
    return events[0]


def place(e):
    return (e["location"] or {}).get("name")


def day(e):
    """The date the article's words give (not the month of publication, which dates an undated
    report of the day's news: see the month-only tests at the end)."""
    date = e["date"] or {}
    return date.get("value") if date.get("text") else None


# ------------------------------------------------------------------ D1: months inside names

def test_a_month_abbreviation_inside_a_hyphenated_name_is_no_date():
    assert [d.text for d in find_dates("They dined at the Mar-del-Oro estate.")] == []
    assert [d.text for d in find_dates("The talks opened in the Jun-Ho pavilion.")] == []
    assert [d.text for d in find_dates("Her aide Min-Jun Park left.")] == []


def test_hyphenated_months_and_mid_month_stay_dates():
    assert [d.text for d in find_dates("The talks ran in May-June.")] == ["in May", "June"]
    assert [d.text for d in find_dates("They meet in mid-Sept to talk.")] == ["in mid-Sept"]


def test_a_meeting_at_a_venue_named_after_a_month_takes_the_sentences_real_date():
    e = only("Anna Berg met Luis Ortega at the Mar-del-Oro estate on Monday.")
    assert day(e) == "2025-03-10"


# ------------------------------------------------------------------ L2: the dateline

OSLO = {"type": "place", "id": "g1", "name": "Oslo", "country": "NOR", "lat": 59.91, "lon": 10.75}


def in_caps(text):
    """The tagger knows a place written in capitals ("OSLO"); the test lexicon does not."""
    t = tagged(text)
    at = text.find("OSLO")
    if at != -1:
        t["mentions"] = sorted(t["mentions"] + [dict(OSLO, text="OSLO", start=at, end=at + 4, field="text")],
                               key=lambda m: m["start"])
    return t


def test_a_dateline_after_a_byline_paragraph_places_the_leads_meeting():
    t = in_caps("By Jon Lee\n\nOSLO — Anna Berg met Luis Ortega on Monday.\n\nThey discussed fish.")
    assert [place(e) for e in detect(t)] == ["Oslo"]


def test_a_dateline_after_a_story_paragraph_is_no_dateline():
    text = ("Anna Berg met Luis Ortega on Monday, officials said after the session.\n\n"
            "OSLO — Kofi Mensah met Hana Sato on Tuesday.")
    assert [place(e) for e in detect(in_caps(text))] == [None, None]


def test_here_in_the_story_is_the_dateline_city():
    text = ("By Jon Lee\n\nOSLO — Fishing quotas dominate the week.\n\n"
            "Kofi Mensah held talks here on Tuesday with Hana Sato.")
    assert [place(e) for e in detect(in_caps(text))] == ["Oslo"]


def test_here_without_a_dateline_places_nothing():
    assert place(only("Kofi Mensah held talks here on Tuesday with Hana Sato.")) is None


def stripped_dateline(text, dateline, place_text, place_mention):
    t = tagged(text)
    t["dateline"] = dateline
    t["mentions"].append(dict(place_mention, text=place_text, start=0, end=len(place_text), field="dateline"))
    return t


ACCRA = {"type": "place", "id": "g3", "name": "Accra", "country": "GHA", "lat": 5.56, "lon": -0.2}


def test_the_datelines_date_dates_the_leads_meeting_that_names_none():
    t = stripped_dateline("Kofi Mensah met Hana Sato to discuss cocoa prices.", "ACCRA, March 10", "ACCRA", ACCRA)
    e, = detect(t)
    assert (place(e), day(e)) == ("Accra", "2025-03-10")


def test_the_datelines_date_yields_to_the_leads_own_date():
    t = stripped_dateline("Kofi Mensah met Hana Sato on Sunday.", "ACCRA, March 10", "ACCRA", ACCRA)
    e, = detect(t)
    assert day(e) == "2025-03-09"


# ------------------------------------------------------------------ L1: places the gazetteer lacks

def test_a_town_written_before_its_region_is_a_place():
    e = only("Anna Berg met Luis Ortega in Lakeview, Ont., on Monday.")
    assert place(e) == "Lakeview"


def test_a_town_written_before_its_country_names_the_place_of_a_later_sentence():
    text = ("The leaders gathered in Vallmoll, Chile, for the forum. "
            "In Vallmoll, Anna Berg met Luis Ortega on Monday.")
    e = only(text)
    assert place(e) == "Vallmoll"


def test_a_month_before_a_country_is_no_place():
    e = only("In March, Chile said Anna Berg met Luis Ortega.")
    assert place(e) is None


# ------------------------------------------------------------------ M1: one meeting, several clauses

def test_what_a_meeting_was_about_is_no_second_meeting():
    text = "By Jon Lee\n\nOSLO — Anna Berg met Luis Ortega on Monday, with Berg saying they will discuss trade."
    assert [(e["status"], place(e)) for e in detect(in_caps(text))] == [("occurred", "Oslo")]


def test_the_summit_told_again_in_the_future_tense_is_the_summit_already_reported():
    text = ("Anna Berg held a summit with Luis Ortega in Oslo on Monday. "
            "Berg and Ortega will end the summit with a press conference.")
    assert [(e["status"], place(e)) for e in detect(tagged(text))] == [("occurred", "Oslo")]


# ------------------------------------------------------------------ L1: the place a clause opens on

def test_a_place_before_where_is_the_place_of_the_meeting_in_that_clause():
    text = ("Anna Berg spoke to reporters in Oslo before leaving for Santiago, "
            "where she will meet Luis Ortega on Friday.")
    assert place(only(text)) == "Santiago"


# ------------------------------------------------------------------ L1: the venue in another sentence

def test_a_later_sentence_placing_their_meeting_places_the_meeting_reported_before():
    text = ("Anna Berg met Luis Ortega on Monday to discuss fishing rights. "
            "At their meeting in Santiago, the two agreed to open talks.")
    assert place(only(text)) == "Santiago"


def test_a_place_naming_the_summit_places_the_summit():
    text = ("Kofi Mensah held a summit with Hana Sato on Monday. "
            "Analysts called the Osaka summit a success.")
    assert place(only(text)) == "Osaka"


def test_a_country_that_is_a_side_before_the_noun_names_no_place():
    text = ("Kofi Mensah held a summit with Hana Sato on Monday. "
            "Analysts called the Japan summit a success.")
    assert place(only(text)) is None


def test_a_named_event_in_another_sentence_does_not_place_the_meeting():
    text = ("Kofi Mensah held a summit with Hana Sato on Monday. "
            "He had flown home from the Cocoa Forum summit in Lisbon.")
    assert place(only(text)) is None


def test_a_place_where_someone_spoke_after_the_summit_does_not_place_it():
    text = ("Kofi Mensah held a summit with Hana Sato on Monday. "
            "After the summit, the minister told reporters in Osaka that trade had improved.")
    assert place(only(text)) is None


def test_a_seat_of_government_naming_a_visit_places_the_meeting_next_to_it():
    text = "In addition to her White House visit, Anna Berg will meet Luis Ortega on Friday."
    assert place(only(text)) == "Washington"


def test_a_meeting_placed_in_the_datelines_country_took_place_in_the_datelines_city():
    t = stripped_dateline("Kofi Mensah met Hana Sato in Ghana on Sunday.", "ACCRA, March 10", "ACCRA", ACCRA)
    e, = detect(t)
    assert place(e) == "Accra"


def test_a_meeting_placed_in_another_country_keeps_its_place():
    t = stripped_dateline("Kofi Mensah met Hana Sato in Japan on Sunday.", "ACCRA, March 10", "ACCRA", ACCRA)
    e, = detect(t)
    assert place(e) == "Japan"


# ------------------------------------------------------------------ D1: which date is the meeting's

def test_the_date_a_summit_was_set_for_dates_it_not_the_day_it_was_called_off():
    text = "Anna Berg on Tuesday called off the summit with Luis Ortega that had been set for next month."
    e = only(text)
    assert (e["status"], day(e)) == ("cancelled", "2025-04")


def test_a_cancelled_meetings_scheduled_day_lies_ahead_of_publication():
    text = "Anna Berg on Tuesday called off the summit with Luis Ortega that had been set for March 2."
    assert day(only(text, published="2025-02-20")) == "2025-03-02"


def test_a_month_followed_by_a_day_is_that_day():
    assert [d.text for d in find_dates("The talks were set for June 12.")] == ["June 12"]
    assert [d.text for d in find_dates("They meet by Jan. 4, 2026.")] == ["Jan. 4, 2026"]
    assert [d.text for d in find_dates("They meet in June 2026.")] == ["in June 2026"]


def test_each_counterpart_takes_the_date_written_after_it():
    text = "Piotr Nowak said he spoke to Anna Berg yesterday and Hana Sato on Monday."
    events = sorted(detect(tagged(text)), key=lambda e: e["countries"])
    assert [(e["countries"], day(e)) for e in events] == [
        (["JPN", "POL"], "2025-03-10"), (["NOR", "POL"], "2025-03-11")]


def test_counterparts_sharing_one_date_all_take_it():
    text = "Piotr Nowak spoke to Anna Berg and Hana Sato on Monday."
    assert {day(e) for e in detect(tagged(text))} == {"2025-03-10"}


def test_a_meeting_that_took_place_takes_no_later_month_from_the_meeting_before_it():
    text = "Anna Berg met Luis Ortega in April.\n\nBerg also met Kofi Mensah."
    events = {tuple(e["countries"]): day(e) for e in detect(tagged(text, published="2025-03-28"))}
    assert events[("GHA", "NOR")] is None


def test_a_meeting_of_the_same_trip_takes_the_month_of_the_meeting_before_it():
    text = "Anna Berg met Luis Ortega on March 20.\n\nBerg also met Kofi Mensah."
    events = {tuple(e["countries"]): day(e) for e in detect(tagged(text, published="2025-03-28"))}
    assert events[("GHA", "NOR")] == "2025-03"


# ------------------------------------------------------------------ D1: the date in another sentence

def test_a_meeting_named_by_its_sides_with_a_date_dates_their_meeting():
    text = ("Anna Berg met Kofi Mensah in Accra.\n\nLuis Ortega met Hana Sato in Osaka.\n\n"
            "The Berg-Mensah talks Friday were tense.")
    t = tagged(text)
    at = text.index("The Berg-Mensah")
    t["mentions"] = [m for m in t["mentions"] if m["start"] < at]   # the tagger leaves "Berg-Mensah" untagged
    events = {tuple(e["countries"]): day(e) for e in detect(t)}
    assert events == {("GHA", "NOR"): "2025-03-07", ("CHL", "JPN"): None}


def test_a_visit_named_by_its_visitor_with_a_date_dates_the_visit():
    text = ("Kofi Mensah's visit to Japan opens a new chapter.\n\nAnna Berg met Luis Ortega in Santiago.\n\n"
            "Trade dominated during Kofi Mensah's visit on Monday, officials said.")
    events = {(e["kind"], tuple(e["countries"])): day(e) for e in detect(tagged(text))}
    assert events == {("visit", ("GHA", "JPN")): "2025-03-10", ("meeting", ("CHL", "NOR")): None}


def test_a_weekday_possessive_dates_the_meeting_reported_before():
    text = ("Anna Berg held talks with Luis Ortega in Santiago.\n\n"
            "Observers said Tuesday's talks ended without a deal.")
    assert day(only(text)) == "2025-03-11"


def test_a_date_in_another_sentence_does_not_replace_the_meetings_own():
    text = ("Anna Berg held talks with Luis Ortega in Santiago on Monday.\n\n"
            "Observers said Tuesday's talks ended without a deal.")
    assert day(only(text)) == "2025-03-10"


# ------------------------------------------------------------------ L1: venues

def test_a_venue_that_is_a_place_of_its_own_is_named_as_the_article_writes_it():
    assert place(only("Anna Berg met Luis Ortega in the DMZ on Monday.")) == "DMZ"
    assert place(only("Anna Berg met Luis Ortega at the demilitarized zone on Monday.")) == "demilitarized zone"


def test_a_seat_of_government_is_still_named_by_its_city():
    assert place(only("Anna Berg met Luis Ortega at the White House on Monday.")) == "Washington"


def test_a_venue_on_whose_side_a_meeting_took_place_is_its_place():
    text = ("Anna Berg met Luis Ortega on Monday on the northern side of the truce village "
            "inside the DMZ.")
    assert place(only(text)) == "Panmunjom"


def test_a_visit_to_a_seat_of_government_takes_place_in_its_city():
    text = "Anna Berg visits the Kantei on Friday."
    t = tagged(text)
    at = text.index("Kantei")   # the tagger knows the seat of government as a national body
    t["mentions"].append({"type": "org", "id": "KANTEI", "name": "Kantei", "code": "KANTEI", "country": "JPN",
                          "text": "Kantei", "start": at, "end": at + 6, "field": "text"})
    e, = detect(t)
    assert (e["kind"], e["countries"], place(e)) == ("visit", ["JPN", "NOR"], "Tokyo")


def test_a_named_gathering_in_another_sentence_places_the_multilateral_meeting():
    text = ("Reporters waited as the leaders left for this week's Pacific Fisheries summit in Osaka.\n\n"
            "Anna Berg, Luis Ortega and Hana Sato met on Monday.")
    e = only(text)
    assert (e["kind"], place(e)) == ("multilateral", "Osaka")


# ------------------------------------------------------------------ L1: talk in person

def test_talking_with_a_counterpart_in_a_city_is_a_meeting_there():
    e, = detect(tagged("Anna Berg spoke with Luis Ortega in Santiago on Monday."))
    assert (e["kind"], place(e)) == ("meeting", "Santiago")


def test_talking_by_phone_from_a_city_stays_a_call():
    e, = detect(tagged("Anna Berg spoke with Luis Ortega in Santiago by phone on Monday."))
    assert (e["kind"], place(e)) == ("call", None)


def test_talking_with_a_counterpart_without_a_place_stays_a_call():
    e, = detect(tagged("Anna Berg spoke with Luis Ortega on Monday."))
    assert e["kind"] == "call"


def test_in_as_the_particle_of_a_verb_names_no_place():
    text = "Anna Berg held talks with Luis Ortega on reining in Japan's whaling fleet."
    assert place(only(text)) is None
    text = "Anna Berg held talks with Luis Ortega on reining in Ghana."
    assert place(only(text)) is None


def test_a_meeting_told_as_the_occasion_of_a_statement_takes_the_day_of_the_speakers_statement():
    text = ("Piotr Nowak insisted Friday that the fishing deal was fair.\n\n"
            "\"We will not be played,\" Nowak said during a meeting with Anna Berg in Oslo.")
    assert day(only(text)) == "2025-03-07"


def test_a_meeting_still_ahead_is_not_dated_by_the_day_it_was_announced():
    # the day belongs to "said" / "statement released" / "told reporters", not to the meeting
    for text in ("Anna Berg said Sunday she will meet Luis Ortega.",
                 "Anna Berg said Sunday that she still wants to meet Luis Ortega.",
                 "In a statement released Sunday, Berg \"expressed her fixed will\" to hold the summit"
                 " with Luis Ortega, the agency said.",
                 "Anna Berg told reporters on Tuesday she plans to meet Luis Ortega.",
                 "On Monday, Anna Berg said she hopes to meet Luis Ortega."):
        e = only(text)
        assert e["status"] in ("planned", "proposed") and day(e) is None, (text, e["date"])


def test_a_meeting_ahead_keeps_a_date_of_its_own_beside_the_announcements():
    assert day(only("Anna Berg said Sunday that she will meet Luis Ortega on Friday.")) == "2025-03-14"
    assert day(only("Anna Berg will meet Luis Ortega on Sunday, officials said.")) == "2025-03-16"


def test_a_statement_by_someone_else_dates_no_meeting():
    text = ("Anna Berg insisted Friday that the fishing deal was fair.\n\n"
            "\"We will not be played,\" Piotr Nowak said during a meeting with Hana Sato in Osaka.")
    assert day(only(text)) is None


def test_a_meeting_in_the_dateline_city_later_in_the_story_takes_the_leads_day():
    text = ("By Jon Lee\n\nOSLO — Anna Berg defended the quota deal on Monday.\n\n"
            "She met Luis Ortega in Oslo to discuss it, officials said.")
    e = only_t(in_caps(text))
    assert (place(e), day(e)) == ("Oslo", "2025-03-10")


def test_a_meeting_elsewhere_later_in_the_story_takes_no_day_from_the_lead():
    text = ("By Jon Lee\n\nOSLO — Anna Berg defended the quota deal on Monday.\n\n"
            "She met Luis Ortega in Santiago to discuss it, officials said.")
    e = only_t(in_caps(text))
    assert (place(e), day(e)) == ("Santiago", None)


def only_t(t):
    events = [e for e in detect(t) if e["kind"] != "visit"]
    assert len(events) == 1, events
    return events[0]


def test_a_date_after_the_meetings_with_complement_belongs_to_the_meeting():
    from parley.logic.detect.vocabulary import lex
    from parley.logic.detect.when import phrase_date
    text = "Critics panned her first summit with the Chilean leader Monday in Santiago."
    expr, _ = phrase_date(text, lex("meeting_phrase").search(text))
    assert expr.text == "Monday"
    text = "Critics panned her first summit with leaders who met Monday."
    expr, _ = phrase_date(text, lex("meeting_phrase").search(text))
    assert expr is None


def test_a_meeting_that_took_place_is_not_dated_after_the_articles_month():
    text = ("Anna Berg met Luis Ortega in Santiago, officials said.\n\n"
            "Reporters asked about the summit with Chile next month.")
    assert day(only(text)) is None


def test_a_gathering_named_by_an_organisation_dates_only_that_organisations_meeting():
    text = ("Anna Berg, Luis Ortega and Hana Sato will meet in Lisbon.\n\n"
            "Berg will then attend the NATO summit on March 20.")
    events = {tuple(e["countries"]): day(e) for e in detect(tagged(text)) if e["kind"] == "multilateral"}
    assert events[("CHL", "JPN", "NOR")] is None


def test_a_place_after_an_earlier_occasion_is_not_the_place_of_a_new_one():
    text = ("Anna Berg said she wants a second meeting with Luis Ortega, even as she endures criticism "
            "of her first summit with the Chilean foreign minister in Santiago.")
    events = {e["status"]: place(e) for e in detect(tagged(text))}
    assert events == {"proposed": None, "occurred": "Santiago"}


# ------------------------------------------------------------------ D1: month-only dates

def test_a_meeting_reported_as_news_without_a_date_took_place_in_the_month_of_publication():
    e = only("Anna Berg met Luis Ortega in Santiago to discuss fishing rights.")
    assert e["date"] == {"text": "", "value": "2025-03"}


def test_a_meeting_told_as_background_takes_no_publication_month():
    assert only("Anna Berg had met Luis Ortega in Santiago to discuss fishing rights.")["date"] is None
    assert only("Anna Berg met Luis Ortega in Santiago in 2019.")["date"] is None
    assert only("Anna Berg recently met Luis Ortega in Santiago.")["date"] is None


def test_a_planned_meeting_without_a_date_takes_no_publication_month():
    assert only("Anna Berg will meet Luis Ortega in Santiago.")["date"] is None


def test_a_meeting_reported_on_the_first_days_of_a_month_takes_no_publication_month():
    assert only("Anna Berg met Luis Ortega in Santiago.", published="2025-03-02")["date"] is None


# ------------------------------------------------------------------ L1: country-level places

def test_a_city_named_in_a_photo_caption_places_a_meeting_placed_in_its_country():
    t = tagged("Anna Berg met Hana Sato in Japan on Monday.")
    t["captions"] = ["Berg and Sato shake hands in Osaka."]
    t["mentions"].append({"type": "place", "id": "g5", "name": "Osaka", "country": "JPN", "lat": 34.69,
                          "lon": 135.5, "text": "Osaka", "start": 28, "end": 33, "field": "captions", "caption": 0})
    e, = detect(t)
    assert place(e) == "Osaka"


# ------------------------------------------------------------------ D1: a day counted from another

def test_a_day_before_a_named_day_is_counted_back_from_it():
    found = find_dates("She arrived two days after March 3.")
    assert [(d.text, resolve(d, "2025-03-12", False)) for d in found] == [("two days after March 3", "2025-03-05")]


def test_a_meeting_a_day_before_another_days_talks_took_place_the_day_before():
    text = "Anna Berg met Kofi Mensah in Accra a day before Monday's negotiations in Santiago."
    assert day(only(text, published="2025-03-11")) == "2025-03-09"


def test_a_meeting_its_subject_hosts_takes_place_in_the_hosts_country():
    text = "Trade with Japan is growing. Hana Sato will host the Chilean foreign minister for talks on quotas."
    e = only(text)
    assert (e["countries"], place(e)) == (["CHL", "JPN"], "Japan")


def test_a_hosted_meeting_takes_the_city_the_article_names_in_the_hosts_country():
    text = ("Osaka in Japan is decked with flags.\n\n"
            "Hana Sato will host the Chilean foreign minister for talks on quotas.")
    assert place(only(text)) == "Osaka"


def test_a_summit_placed_in_a_sentence_about_a_visit_places_the_meeting_not_the_visit():
    text = ("After Anna Berg called off her trip to Chile, the two sides agreed to hold their summit in Osaka.\n\n"
            "Berg will meet Luis Ortega on Friday.")
    events = {e["kind"]: place(e) for e in detect(tagged(text))}
    assert events["meeting"] == "Osaka"


def test_a_planned_meeting_takes_no_place_from_a_trip_called_off():
    text = "Anna Berg called off her trip to Chile.\n\nBerg will meet Luis Ortega on Friday."
    events = {e["kind"]: place(e) for e in detect(tagged(text))}
    assert events["meeting"] is None
