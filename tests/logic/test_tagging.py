"""Tagging of people, roles, countries, places, organisations, groups and topics.

Sentences are written for these tests; they run on the shipped gazetteer only.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from parley.logic.tag import tag

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "articles.tagged.json").read_text("utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)


def clean_msg(text: str, date: str | None = "2012-10-18", title: str | None = None, captions=()) -> dict:
    return {"schema_version": 1, "article_id": "a-0000000000000000",
            "source": {"file": None, "url": None, "name": None}, "published_at": date,
            "ingested_at": "2026-01-01T00:00:00.000000Z", "title": title, "text": text,
            "captions": list(captions), "credit": None, "agency": None, "dateline": None,
            "updated": None, "dropped": [], "offset_map": []}


def mentions(text: str, date: str | None = "2012-10-18", **kw) -> list[dict]:
    return tag(clean_msg(text, date, **kw))["mentions"]


def of_type(ms, type_):
    return [m for m in ms if m["type"] == type_]


def person(ms, surface):
    found = [m for m in ms if m["type"] == "person" and m["text"] == surface]
    assert found, f"no person mention {surface!r} in {[(m['type'], m['text']) for m in ms]}"
    return found[0]


# ---------------------------------------------------------------- people

def test_transliterated_spellings_of_one_person_get_one_canonical_name_and_id():
    ms = mentions("Sergei Lavrov arrived late. Later Sergey Lavrov spoke to reporters.")
    a, b = person(ms, "Sergei Lavrov"), person(ms, "Sergey Lavrov")
    assert a["id"] == b["id"]
    assert a["name"] in ("Sergey Lavrov", "Sergei Lavrov")
    assert a["country"] == "RUS"


def test_misspelled_first_name_is_resolved_by_fuzzy_matching():
    ms = mentions("Reporters waited for Hilary Clinton outside the hotel.", date="2011-05-02")
    m = person(ms, "Hilary Clinton")
    assert m["name"] == "Hillary Clinton"
    assert m["country"] == "USA"


def test_first_name_variant_maps_to_the_canonical_person():
    m = person(mentions("A statement by Dimitri Medvedev was read out.", date="2010-03-01"), "Dimitri Medvedev")
    assert m["name"] == "Dmitry Medvedev"


def test_surname_alone_of_an_office_holder_resolves_through_the_gazetteer():
    ms = mentions("The Turkish foreign minister Cavusoglu flew home on Friday.", date="2021-09-22")
    m = person(ms, "Cavusoglu")
    assert m["name"] == "Mevlüt Çavuşoğlu"
    assert m["country"] == "TUR"


def test_a_lone_senior_surname_after_and_or_for_is_the_office_holder():
    # the gazetteer's only Putin is president at the date; a connector does not hide him
    ms = mentions("Erdogan and Putin spoke on Friday about plans for Putin to meet Zelensky.", date="2025-03-12")
    assert {m["name"] for m in of_type(ms, "person")} == {"Recep Tayyip Erdogan", "Vladimir Putin",
                                                           "Volodymyr Zelenskyy"}
    # a word of a longer name after a connector stays no person
    ms = mentions("He signed the Declaration on the Conduct of Parties in Ghazni.", date="2020-11-13")
    assert not of_type(ms, "person")


def test_a_lone_family_name_of_the_one_senior_holder_is_that_person():
    ms = mentions("Macron to meet Xi in Beijing next week", date="2025-03-12")
    assert {m["name"] for m in of_type(ms, "person")} == {"Emmanuel Macron", "Xi Jinping"}
    # capitals are a numeral, not the family name
    assert [m["name"] for m in of_type(mentions("Pope Pius XI died in 1939.", date="2025-03-12"), "person")] \
        != ["Xi Jinping"]


def test_later_surname_mention_links_to_the_full_name():
    ms = mentions("Sergey Lavrov opened the session. After lunch Lavrov left for the airport.")
    assert person(ms, "Lavrov")["id"] == person(ms, "Sergey Lavrov")["id"]


def test_misspelled_later_surname_links_to_the_earlier_person():
    text = ("Visiting envoy Walter Rubin, a career diplomat, arrived on Monday. "
            "Reuben said the visit had gone well.")
    ms = mentions(text)
    assert person(ms, "Reuben")["id"] == person(ms, "Walter Rubin")["id"]
    assert person(ms, "Reuben")["name"] == "Walter Rubin"


def test_later_mention_by_compound_surname_links_to_the_full_name():
    text = ("Mexican Interior Minister Rosa María Gutiérrez Salgado opened the forum. "
            "Later that day, Gutiérrez Salgado met the delegations.")
    ms = mentions(text)
    full, later = person(ms, "Rosa María Gutiérrez Salgado"), person(ms, "Gutiérrez Salgado")
    assert later["id"] == full["id"]
    assert later["country"] == "MEX"


def test_sentence_adverb_before_a_later_mention_is_not_part_of_the_name():
    text = ("Chilean Foreign Minister Aurelio Montalva Reyes arrived on Monday. "
            "Subsequently Montalva Reyes held talks with his hosts.")
    ms = mentions(text)
    assert person(ms, "Montalva Reyes")["id"] == person(ms, "Aurelio Montalva Reyes")["id"]
    assert not [m for m in ms if m["text"].startswith("Subsequently")]


def test_relative_with_same_surname_is_not_linked_to_the_first_person():
    ms = mentions("Sergey Lavrov spoke first. His brother Boris Lavrov was not present.")
    assert person(ms, "Boris Lavrov")["id"] != person(ms, "Sergey Lavrov")["id"]


def test_unknown_person_introduced_by_country_and_role_gets_both():
    ms = mentions("On Tuesday Armenian Foreign Minister Vardan Zakaryants received the delegation.")
    m = person(ms, "Vardan Zakaryants")
    assert (m["name"], m["role"], m["country"]) == ("Vardan Zakaryants", "foreign minister", "ARM")


def test_role_of_country_before_the_name_is_read():
    m = person(mentions("He phoned the President of Kyrgyzstan Talant Oskonbaev yesterday."), "Talant Oskonbaev")
    assert (m["role"], m["country"]) == ("president", "KGZ")


def test_role_in_apposition_after_the_name_is_read():
    m = person(mentions("Talks were led by Ilona Varga, Hungary's foreign minister, in the capital."), "Ilona Varga")
    assert (m["role"], m["country"]) == ("foreign minister", "HUN")


def test_official_of_an_international_organisation_carries_the_org():
    m = person(mentions("NATO Secretary General Pieter Oosterling warned of risks."), "Pieter Oosterling")
    assert m["org"] == "NATO"
    assert m["role"] == "secretary general"


def test_role_comes_from_the_gazetteer_at_the_article_date():
    during = person(mentions("Hillary Clinton answered questions.", date="2011-06-01"), "Hillary Clinton")
    after = person(mentions("Hillary Clinton answered questions.", date="2016-06-01"), "Hillary Clinton")
    assert during["role"] == "secretary of state"
    assert after["role"] != "secretary of state"


def test_capitalised_phrases_that_are_not_names_are_not_people():
    ms = mentions("The Royal Air Force and the Medical Services Agency met. Yesterday Representatives voted.")
    assert of_type(ms, "person") == []


# ---------------------------------------------------------------- unnamed officials

def test_unnamed_officials_give_one_role_mention_per_country():
    ms = of_type(mentions("The presidents of Armenia and Azerbaijan will meet."), "role")
    assert sorted(m["country"] for m in ms) == ["ARM", "AZE"]
    assert all(m["role"] == "president" and m["name"] is None for m in ms)


def test_role_with_demonym_is_attributed_to_the_country():
    ms = of_type(mentions("Reporters asked the Armenian minister about the border."), "role")
    assert [(m["role"], m["country"]) for m in ms] == [("minister", "ARM")]


def test_role_mention_refers_to_the_named_holder_in_the_article():
    ms = mentions("Armenian Foreign Minister Vardan Zakaryants arrived. The Armenian foreign minister said little.")
    roles = of_type(ms, "role")
    assert roles and roles[0]["ref"] == person(ms, "Vardan Zakaryants")["id"]


# ---------------------------------------------------------------- countries, places, orgs, topics

def test_countries_from_names_and_demonyms_with_iso3_codes():
    ms = of_type(mentions("Azerbaijani troops stayed near Georgia and the Russian border."), "country")
    got = {(m["code"], m["via"]) for m in ms}
    assert got == {("AZE", "demonym"), ("GEO", "name"), ("RUS", "demonym")}


def test_capital_standing_for_a_government_is_a_country():
    ms = of_type(mentions("Moscow and Washington push for new talks."), "country")
    assert {(m["code"], m["via"]) for m in ms} == {("RUS", "capital"), ("USA", "capital")}


def test_capital_as_a_location_is_a_place_not_a_country():
    ms = mentions("The delegation stayed in Moscow for two days.")
    assert of_type(ms, "country") == []
    assert of_type(mentions("Moscow is a big city and Moscow will host the fair."), "country") == []
    place = of_type(ms, "place")[0]
    assert (place["name"], place["country"]) == ("Moscow", "RUS")


def test_city_is_a_place_with_country_and_coordinates():
    place = of_type(mentions("The ministers met in Vladivostok on Saturday."), "place")[0]
    assert place["country"] == "RUS"
    assert place["lat"] == pytest.approx(43.1, abs=0.2) and place["lon"] == pytest.approx(131.9, abs=0.2)
    assert place["id"].isdigit()


def test_small_town_named_like_a_surname_is_not_a_place_without_locative_context():
    ms = mentions("Clinton said nothing.", date="2020-01-01")
    assert of_type(ms, "place") == []


def test_organisations_are_tagged_with_codes():
    ms = of_type(mentions("Both NATO and the OSCE sent observers, as did the European Union."), "org")
    assert [m["code"] for m in ms] == ["NATO", "OSCE", "EU"]


def test_lower_case_word_is_not_an_acronym_org():
    assert of_type(mentions("Let us go and see who is on the list."), "org") == []
    assert of_type(mentions("Let us go and see who is on the list."), "country") == []


def test_informal_group_expands_to_its_members():
    m = of_type(mentions("The OSCE Minsk Group co-chairs visited the region."), "org")[0]
    assert m["members"] == ["FRA", "RUS", "USA"]


def test_group_membership_depends_on_the_article_date():
    early = of_type(mentions("The BRICS summit opened.", date="2015-07-08"), "org")[0]
    late = of_type(mentions("The BRICS summit opened.", date="2024-10-22"), "org")[0]
    assert "IRN" not in early["members"] and "IRN" in late["members"]


def test_topics_are_tagged():
    ms = of_type(mentions("Talks on the Nagorno-Karabakh conflict resumed."), "topic")
    assert ms and ms[0]["id"] == "nagorno_karabakh"


# ---------------------------------------------------------------- message shape

def test_output_keeps_every_input_field_and_validates_against_the_schema():
    msg = clean_msg("Russian Foreign Minister Sergei Lavrov met Hilary Clinton in Vladivostok. "
                    "Moscow says NATO and the Minsk Group co-chairs agree.",
                    title="Lavrov meets Clinton", captions=["Lavrov and Clinton in Vladivostok"])
    out = tag(msg)
    assert {k: out[k] for k in msg} == msg
    errors = sorted(e.message for e in VALIDATOR.iter_errors(out))
    assert errors == []
    assert {m.get("field") for m in out["mentions"]} == {None, "title", "captions"}


def test_offsets_point_at_the_mention_text_in_each_field():
    msg = clean_msg("Sergey Lavrov met the Armenian minister in Yerevan.", title="Lavrov in Yerevan",
                    captions=["Photo: Lavrov in Yerevan"])
    out = tag(msg)
    for m in out["mentions"]:
        source = {"title": msg["title"], "captions": msg["captions"][m.get("caption", 0)]}.get(m.get("field"), msg["text"])
        assert source[m["start"]:m["end"]] == m["text"]


def test_title_surname_links_to_the_person_named_in_the_body():
    out = tag(clean_msg("Sergey Lavrov spoke in Geneva.", title="Lavrov speaks"))
    title = [m for m in out["mentions"] if m.get("field") == "title" and m["type"] == "person"]
    assert title and title[0]["name"] in ("Sergey Lavrov", "Sergei Lavrov")


def test_empty_and_undated_articles_are_tagged_without_error():
    assert tag(clean_msg("", date=None))["mentions"] == []
    out = tag(clean_msg("Sergey Lavrov spoke.", date=None))
    assert VALIDATOR.is_valid(out)
    assert person(out["mentions"], "Sergey Lavrov")["role"] == "foreign minister"


def test_non_latin_text_does_not_break_offsets():
    out = tag(clean_msg("Путин — «Sergey Lavrov» в Москве. Erdoğan met Çavuşoğlu’s aide.", date="2021-09-22"))
    for m in out["mentions"]:
        assert out["text"][m["start"]:m["end"]] == m["text"]


def test_surname_spelled_differently_resolves_to_the_office_holder():
    m = person(mentions("Putin said he had no plans to meet Zelensky soon.", date="2022-05-01"), "Zelensky")
    assert m["name"] == "Volodymyr Zelenskyy" and m["country"] == "UKR"


def test_counterpart_takes_the_role_of_the_person_just_named():
    ms = mentions("Italian Foreign Minister Marco Vettorelli met his Greek counterpart Eleni Doukaki.")
    m = person(ms, "Eleni Doukaki")
    assert (m["role"], m["country"]) == ("foreign minister", "GRC")


def test_title_that_contradicts_every_known_holder_makes_a_new_person():
    ms = mentions("Mr. Smith, a spokesman for the ministry, said the talks went well.", date="2023-05-14")
    m = person(ms, "Smith")
    assert m["name"] == "Smith" and m["role"] == "spokesperson"


def test_names_of_operations_buildings_and_storms_are_not_people():
    ms = mentions("Doctors at Maria Kowalczyk Hospital treated soldiers of Operation Martin Spring "
                  "before Hurricane Helena Brandt arrived.")
    assert of_type(ms, "person") == []


def test_headline_words_are_not_taken_for_new_people():
    out = tag(clean_msg("Officials met on Monday.", title="Senior Official Travel Plans Announced For Visit"))
    assert [m for m in out["mentions"] if m["type"] == "person"] == []


def test_acronym_is_not_linked_to_a_similar_surname():
    ms = mentions("Villagers near Ain Issa fled. ISIS fighters escaped.", date="2019-10-15")
    assert not [m for m in ms if m["type"] == "person" and m["text"] == "ISIS"]


def test_listed_demonyms_before_a_plural_title_each_own_it():
    ms = of_type(mentions("Azerbaijani and Armenian foreign ministers will meet in Paris."), "role")
    assert sorted(m["country"] for m in ms) == ["ARM", "AZE"]


def test_group_named_before_a_comma_does_not_own_the_next_title():
    ms = mentions("In addition to the G7, President Biden will attend the Quad meeting.", date="2023-05-19")
    assert not [m for m in of_type(ms, "role") if m.get("org") == "G7"]
    assert person(ms, "Biden")["name"] == "Joe Biden"


from hypothesis import given, settings, strategies as st  # noqa: E402

_WORDS = ["Sergey", "Lavrov", "Armenian", "Foreign", "Minister", "met", "the", "in", "Moscow", "says",
          "NATO", "U.S.", "Mr.", "'s", "and", ",", ".", "\n\n", "Çavuşoğlu", "Путин", "al-Assad", "President",
          "of", "Azerbaijan", "co-chairs", "Minsk", "Group", "Hospital", "Operation", "Reuben", "Rubin", "—"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=40), st.sampled_from([None, "2012-10-18", "2023-05-14T10:00:00Z"]))
def test_any_word_sequence_tags_without_error_and_offsets_hold(words, date):
    text = " ".join(words)
    out = tag(clean_msg(text, date=date))
    assert VALIDATOR.is_valid(out)
    for m in out["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]


def test_exonym_of_a_city_keeps_the_article_spelling_and_the_geonames_record():
    place = of_type(mentions("The envoys gathered in Geneva on Monday."), "place")[0]
    assert (place["name"], place["country"], place["geoname"]) == ("Geneva", "CHE", "Genève")


def test_role_word_inside_a_hyphenated_name_is_part_of_the_name():
    ms = mentions("They met their Iranian counterpart, Reza Amir-Tabrizi, in Doha.")
    assert person(ms, "Reza Amir-Tabrizi")["country"] == "IRN"


def test_national_body_takes_the_country_named_with_it():
    ms = of_type(mentions("The Russian Foreign Ministry and the Ministry of Foreign Affairs of Armenia agreed."), "org")
    assert [(m["code"], m["country"]) for m in ms] == [("MFA", "RUS"), ("MFA", "ARM")]


def test_national_body_of_no_named_country_is_left_out():
    assert of_type(mentions("The Foreign Ministry declined to comment."), "org") == []


def test_official_of_a_national_body_belongs_to_its_country_not_to_an_organisation():
    ms = mentions("A senior official of the Russian Foreign Ministry, Pavel Tulinov, said so.")
    m = person(ms, "Pavel Tulinov")
    assert (m["country"], m["org"]) == ("RUS", None)


def test_a_capitalised_dateline_is_tagged_as_the_place_it_files_from():
    from parley.logic.tag import tag

    message = {
        "schema_version": 1, "article_id": "a-00000000000000ab",
        "source": {"file": None, "url": None, "name": None},
        "published_at": "2019-06-05", "ingested_at": "2019-06-05T00:00:00.000000Z",
        "title": None, "text": "The talks ended without a statement.", "captions": [], "credit": None,
        "agency": None, "dateline": "OSLO, June 4 (AP)", "updated": None, "dropped": [], "offset_map": [],
    }
    places = [m for m in tag(message)["mentions"] if m.get("field") == "dateline"]
    assert [(m["type"], m["name"], m["country"], m["text"], m["start"], m["end"]) for m in places] == \
        [("place", "Oslo", "NOR", "OSLO", 0, 4)]
