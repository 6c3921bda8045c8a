"""Sides, names and places the tagger reads from the context of a whole article or noun phrase.

The article's perspective (officials named by a bare title belong to the country whose
officials the story names that way), sides settled once the whole article is tagged
("President Quiroga's adviser X" when "Quiroga" is resolved later), lists of officials,
stacked titles, title tails, royal titles with a given name, capitals used as given names,
and what is no place (regions, words no name has, acronyms, a place's qualifier). Every
sentence and every name here is invented; the few gazetteer people the tests need come from a
small extra data file written below.
"""
from __future__ import annotations

import pytest

from support.tagging_helpers import gazetteer_with, person, side, tagger

# Invented people for the cases that need a gazetteer entry (same format as people*.tsv)
EXTRA_PEOPLE = [
    ("x:test-marta-quiroga", "Marta Quiroga", "", "president", "CHL", "", "2020-01-01", "2026-12-31"),
    ("x:test-ingo-falk", "Ingo Falk", "", "president", "AUT", "", "2020-01-01", "2026-12-31"),
    ("x:test-ingrid-iii", "Ingrid III", "", "queen", "NOR", "", "2001-01-01", ""),
]


@pytest.fixture(scope="module")
def gz(tmp_path_factory):
    return gazetteer_with(EXTRA_PEOPLE, tmp_path_factory.mktemp("gazetteer"))


@pytest.fixture(scope="module")
def tagged(gz):
    return tagger(gz, "2024-03-01")


def of_type(ms, type_):
    return [m for m in ms if m["type"] == type_ and not m.get("field")]


# ---------------------------------------------------------------- the article's perspective

def test_bare_state_title_takes_the_country_of_the_earliest_bare_title_holder(tagged):
    ms = tagged("President Marta Quiroga met Austrian President Ingo Falk on Monday. Vice President Tomas "
                "Greer joined the talks.")
    assert side(ms, "Tomas Greer") == ("CHL", None)


def test_perspective_is_the_earliest_bare_title_not_the_most_frequent(tagged):
    ms = tagged("President Marta Quiroga welcomed President Ingo Falk on Monday. President Falk toured the "
                "port, and Foreign Minister Lina Soto gave a dinner.")
    assert side(ms, "Lina Soto") == ("CHL", None)


def test_a_guest_named_by_bare_title_gives_no_perspective(tagged):
    ms = tagged("The visiting President Ingo Falk met Foreign Minister Lina Soto in the capital.")
    assert side(ms, "Lina Soto") == (None, None)


def test_the_dateline_comes_before_the_perspective(tagged):
    ms = tagged("President Marta Quiroga met Foreign Minister Lina Soto.", dateline="VIENNA, June 2")
    assert side(ms, "Lina Soto") == ("AUT", None)


def test_a_title_of_one_state_is_a_perspective_only_without_gazetteer_evidence(tagged):
    ms = tagged("Secretary of State Mark Doyle and Vice President Tomas Greer flew to Ankara.")
    assert side(ms, "Tomas Greer") == ("USA", None)
    ms = tagged("Taoiseach Sean Kelly met President Marta Quiroga. Foreign Minister Lina Soto attended.")
    assert side(ms, "Lina Soto") == ("CHL", None)


def test_royal_titles_take_neither_the_dateline_nor_the_perspective(tagged):
    ms = tagged("President Marta Quiroga hosted Queen Solveig at the palace.", dateline="WASHINGTON, June 2")
    assert side(ms, "Solveig") == (None, None)


def test_royal_title_and_given_name_find_the_reigning_monarch(tagged):
    ms = tagged("Queen Ingrid received the trade delegation at the palace.")
    assert person(ms, "Ingrid")["id"] == "x:test-ingrid-iii"
    assert side(ms, "Ingrid") == ("NOR", None)
    ms = tagged("Queen Ingrid received the trade delegation at the palace.", date="1990-03-01")
    assert person(ms, "Ingrid")["id"] != "x:test-ingrid-iii"       # not yet on the throne


# ---------------------------------------------------------------- sides settled later

def test_possessor_resolved_after_the_aide_gives_the_aide_its_side(tagged):
    # "Quiroga" alone is resolved after the full names of the sentence
    ms = tagged("Chilean President Quiroga's chief of staff Tomas Greer flew to Lima.")
    assert side(ms, "Tomas Greer") == ("CHL", None)


def test_aide_of_a_person_whose_side_the_article_settles_later(tagged):
    ms = tagged("President Marta Quiroga spoke first. Vice President Tomas Greer's chief of staff, Lea Moss, "
                "briefed reporters.")
    assert side(ms, "Lea Moss") == ("CHL", None)


def test_officials_listed_after_a_qualified_official_share_the_side(tagged):
    ms = tagged("The envoy met Chilean President Rosa Vidal, Foreign Minister Lina Soto, and Attorney General "
                "Pablo Ruiz.")
    assert side(ms, "Lina Soto") == ("CHL", None)
    assert side(ms, "Pablo Ruiz") == ("CHL", None)


def test_lone_surname_means_the_office_holder_over_a_namesake_without_office(tagged):
    text = ("Chilean President Tomas Greer arrived with his wife, Elena Greer. Greer met the mayor on Monday, "
            "and Mrs. Greer visited a school.")
    by_start = {m["start"]: m for m in tagged(text) if m["type"] == "person"}
    assert by_start[text.index("Greer met")]["name"] == "Tomas Greer"
    assert by_start[text.index("Greer met")]["country"] == "CHL"
    assert by_start[text.index("Mrs. Greer") + 5]["name"] == "Elena Greer"      # a woman's honorific


def test_after_a_preposition_a_title_in_apposition_introduces_a_name(tagged):
    ms = tagged("The minister sent the request to Brisca Loumandy, the Secretary of Transport, on Monday.")
    assert person(ms, "Brisca Loumandy")["role"] == "secretary"


def test_a_demonym_after_a_given_name_is_a_surname(tagged):
    ms = tagged("\"We will see,\" said Mark German, a senior fellow at the institute.")
    assert [m["text"] for m in of_type(ms, "person")] == ["Mark German"]
    assert not of_type(ms, "country")


def test_after_a_title_a_country_name_ending_a_name_is_its_surname(tagged):
    ms = tagged("Portuguese Prime Minister Luis Montenegro will host a summit next month.")
    assert [m["text"] for m in of_type(ms, "person")] == ["Luis Montenegro"]
    assert [m["text"] for m in of_type(ms, "country")] == ["Portuguese"]
    ms = tagged("The envoy met Senator Rita Georgia of Chile.")
    assert [m["text"] for m in of_type(ms, "person")] == ["Rita Georgia"]
    # without a title, a given name before a country is no name ("Luis flew to Chile")
    ms = tagged("The minister thanked Maria Chile for her work.")
    assert [m["text"] for m in of_type(ms, "country")] == ["Chile"]


def test_honorific_with_its_dot_introduces_a_name(tagged):
    ms = tagged("The dinner was attended by Mr. Kelechi Obiora and Dr. Ozan Tekbas.")
    assert {m["text"] for m in of_type(ms, "person")} == {"Kelechi Obiora", "Ozan Tekbas"}


# ---------------------------------------------------------------- the noun phrase

def test_portfolio_words_between_demonym_and_title(tagged):
    ms = tagged("Italian economic development minister Paolo Verdi sent a letter.")
    assert side(ms, "Paolo Verdi") == ("ITA", None)
    ms = tagged("Russian troops shot Commander Ivan Petrov near the border.")
    assert side(ms, "Ivan Petrov") == (None, None)


def test_stacked_titles_take_the_first_titles_owner(tagged):
    ms = tagged("He called Chinese Minister of National Defense General Zhou Wen on Tuesday.")
    assert side(ms, "Zhou Wen") == ("CHN", None)
    ms = tagged("She will meet the Representative of Kazakhstan at the Eurasian Court - Deputy Minister of "
                "Justice Aibek Osmonov.")
    assert side(ms, "Aibek Osmonov") == ("KAZ", None)
    ms = tagged("The guests included Peruvian Navy Rear Admiral and Undersecretary for Logistics Hugo Salas.")
    assert side(ms, "Hugo Salas") == ("PER", None)


def test_stacked_title_is_the_persons_own_not_an_unnamed_official(tagged):
    ms = tagged("Talks were held with Uruguay Legal Counsel to the Secretary of the Presidency Dr Rosa Pintos.")
    assert side(ms, "Rosa Pintos") == ("URY", None)
    assert not of_type(ms, "role")


def test_title_tail_to_a_host_country_then_the_name(tagged):
    ms = tagged("The Ambassador of the Republic of Ghana to Norway, Dr Kwame Boateng, visited the port.")
    assert side(ms, "Kwame Boateng") == ("GHA", None)
    assert person(ms, "Kwame Boateng")["role"] == "ambassador"


def test_a_qualifier_in_an_appositive_title_leaves_the_title_to_the_next_word(tagged):
    ms = tagged("Nora Keita, deputy director of the Malian Energy Forum, said prices would rise.")
    assert side(ms, "Nora Keita") == ("MLI", None)
    assert person(ms, "Nora Keita")["role"] == "director"
    assert not of_type(ms, "role")


def test_title_with_an_abbreviation_the_text_defines(tagged):
    ms = tagged("Senior Minister of State (SMS) for Law and Health Lim Wee Kiat will visit Russia.")
    assert person(ms, "Lim Wee Kiat")["role"] == "minister of state"
    ms = tagged("He met the President of the European Bank for Reconstruction and Development (EBRD) Nora Keita.")
    assert side(ms, "Nora Keita") == (None, "EBRD")


def test_in_a_list_of_officials_a_title_introduces_the_next_name(tagged):
    ms = tagged("Meetings were held with Fiji Minister of Justice and Courts Administration Inoke "
                "Kubuabola, Tonga Minister of Health Dr Amelia Tuipulotu and others.")
    assert side(ms, "Inoke Kubuabola") == ("FJI", None)
    assert person(ms, "Inoke Kubuabola")["role"] == "justice minister"
    assert side(ms, "Amelia Tuipulotu") == ("TON", None)
    ms = tagged("Talks were held with Inoke Kubuabola, Tonga Minister of Health Dr Amelia Tuipulotu, and others.")
    assert side(ms, "Amelia Tuipulotu") == ("TON", None)
    assert not [m for m in ms if m["type"] == "person" and "Kubuabola" in m["text"] and m["country"] == "TON"]


def test_capital_as_a_given_name_after_a_title(tagged):
    ms = tagged("Spokeswoman Victoria Lindqvist said the talks would resume.")
    assert person(ms, "Victoria Lindqvist")["role"] == "spokesperson"
    assert not of_type(ms, "place")


# ---------------------------------------------------------------- what is no place

def test_regions_and_words_no_name_has_are_no_places(tagged):
    ms = tagged("Diplomats in Asia expect talks in March; a vote of the Union followed in Europe.")
    assert not of_type(ms, "place")


def test_an_acronym_in_capitals_is_no_place_but_a_dateline_line_is(tagged):
    ms = tagged("According to the agency ISNA, the talks ended.")
    assert not of_type(ms, "place")
    ms = tagged("KARACHI: The minister arrived.")
    assert [m["name"] for m in of_type(ms, "place")] == ["Karachi"]


def test_a_places_qualifier_and_an_abbreviation(tagged):
    ms = tagged("The envoy landed in Washington, D.C. on Monday.")
    assert [m["text"] for m in of_type(ms, "place")] == ["Washington"]
    ms = tagged("He hopes to invite her to D.C. this fall.")
    assert [m["name"] for m in of_type(ms, "place")] == ["Washington"]


# ---------------------------------------------------------------- lexicon (data files)

def test_bodies_groups_and_titles_from_the_data_files(tagged):
    ms = tagged("The Taliban met a USAID team; the two Koreas sent observers.")
    orgs = {m["text"]: m for m in of_type(ms, "org")}
    assert orgs["Taliban"]["country"] == "AFG"
    assert orgs["USAID"]["country"] == "USA"
    assert sorted(orgs["two Koreas"]["members"]) == ["KOR", "PRK"]
    ms = tagged("USTR Jane Moor met Vice Premier Li Wen and Sen. Tom Hale.")
    assert side(ms, "Jane Moor") == ("USA", None)
    assert person(ms, "Li Wen")["role"] == "deputy prime minister"
    assert person(ms, "Tom Hale")["role"] == "senator"


def test_a_lone_surname_means_its_only_bearer_in_office_once_senior():
    # invented records: the gazetteer's current office of a former prime minister may be a
    # generic "minister" (an open-ended government membership)
    from parley.logic.gazetteer.model import Person
    from parley.logic.tag.choose import pick_by_surname

    veteran = Person("x:1", "Aron Velk", "NOR", roles=[("prime minister", "NOR", "", "1996-01-01", "1999-01-01"),
                                                        ("minister", "NOR", "", "2009-04-01", "")])
    clerk = Person("x:2", "Ida Velk", "NOR", roles=[("minister", "NOR", "", "2009-04-01", "")])
    retired = Person("x:3", "Oda Velk", "NOR", roles=[("prime minister", "NOR", "", "1996-01-01", "1999-01-01")])
    assert pick_by_surname([veteran], {}, "2025-03-12", False) is veteran
    assert pick_by_surname([clerk], {}, "2025-03-12", False) is None          # never senior: needs a title
    assert pick_by_surname([retired], {}, "2025-03-12", False) is None        # out of office at the date
    assert pick_by_surname([veteran, clerk], {}, "2025-03-12", False) is None  # two bearers: needs context
