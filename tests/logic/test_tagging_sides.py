"""A person's side (country or international organisation) read from the text around the name.

Event coders resolve people no dictionary knows from the noun phrase: a demonym or country
before the title, "of <country>" after it, an appositive, a possessive, the dateline's
country as the weakest prior. Every sentence and every name here is invented; the few
gazetteer people the tests need come from a small extra data file written below.
"""
from __future__ import annotations

import pytest

from support.tagging_helpers import gazetteer_with, person, side, tagger

# Invented people for the cases that need a gazetteer entry (same format as people*.tsv)
EXTRA_PEOPLE = [
    ("x:test-omar-sadiq", "Omar Sadiq", "", "finance minister", "PAK", "", "2008-01-01", "2009-12-31"),
    ("x:test-lina-haddad", "Lina Haddad", "", "foreign minister", "JOR", "", "2010-01-01", "2012-12-31"),
    ("x:test-lina-haddad", "Lina Haddad", "", "envoy", "", "UN", "2016-01-01", "2018-12-31"),
    ("x:test-martin-lakes", "Martin Lakes", "", "president", "MWI", "", "1990-01-01", "1994-12-31"),
    ("x:test-kim-tae-hoon", "Kim Tae Hoon", "", "president", "KOR", "", "1990-01-01", "1994-12-31"),
    ("x:test-park-jun", "Park Jun", "", "foreign minister", "KOR", "", "2001-01-01", "2003-12-31"),
    ("x:test-anibal-sousa", "Anibal Sousa", "", "president", "PRT", "", "2001-01-01", "2025-12-31"),
    ("x:test-mohamed-abdelsalam", "Mohamed Abdelsalam", "", "president", "ESH", "", "2001-01-01", "2025-12-31"),
    ("x:test-seo-min-jun", "Seo Min-jun", "", "president", "KOR", "", "2022-01-01", "2026-12-31"),
]


@pytest.fixture(scope="module")
def gz(tmp_path_factory):
    return gazetteer_with(EXTRA_PEOPLE, tmp_path_factory.mktemp("gazetteer"))


@pytest.fixture(scope="module")
def tagged(gz):
    return tagger(gz, "2025-03-01")


def people(ms):
    return [m["text"] for m in ms if m["type"] == "person" and not m.get("field")]


# ---------------------------------------------------------------- before the title

def test_demonym_before_a_title_gives_the_side_not_a_namesake_with_another_country(tagged):
    # the gazetteer's Portuguese "Anibal Sousa" is a close spelling, but the text says Brazilian
    ms = tagged("Kenyan President Juma Otieno met Brazilian Trade Minister Ana Sousa.")
    assert side(ms, "Juma Otieno") == ("KEN", None)
    m = person(ms, "Ana Sousa")
    assert (m["name"], m["country"], m["role"]) == ("Ana Sousa", "BRA", "trade minister")


def test_capitalised_words_may_stand_between_the_country_and_the_title(tagged):
    ms = tagged("Brazilian Commerce Secretary Paulo Teles met Japan's Chief Cabinet Secretary Taro Mori.")
    assert side(ms, "Paulo Teles") == ("BRA", None)
    assert side(ms, "Taro Mori") == ("JPN", None)


def test_dotted_us_and_uk_prefix_a_title(tagged):
    ms = tagged("U.S. Trade Representative Laura Kent met U.K. Envoy Tom Baird in Jakarta.")
    assert side(ms, "Laura Kent") == ("USA", None)
    assert side(ms, "Tom Baird") == ("GBR", None)
    codes = [m for m in ms if m["type"] == "country"]
    assert [m["text"] for m in codes] == ["U.S.", "U.K."]


def test_possessive_owner_a_few_words_before_an_unnamed_title(tagged):
    roles = [m for m in tagged("Tunisia's agriculture minister phoned his Maltese counterpart on Friday.")
             if m["type"] == "role"]
    assert [(m["role"], m["country"]) for m in roles] == [("minister", "TUN"), ("counterpart", "MLT")]


def test_dotted_us_before_plural_officials_owns_them(tagged):
    roles = [m for m in tagged("U.S. officials met Chinese officials.") if m["type"] == "role"]
    assert sorted(m["country"] for m in roles) == ["CHN", "USA"]


# ---------------------------------------------------------------- after the name, appositives

def test_of_country_after_the_name(tagged):
    ms = tagged("He met President Kofi Mensah of Ghana and FM Sahar Nouri of Jordan.")
    assert side(ms, "Kofi Mensah") == ("GHA", None)
    m = person(ms, "Sahar Nouri")
    assert (m["country"], m["role"]) == ("JOR", "foreign minister")


def test_appositive_after_the_name_with_words_before_the_title(tagged):
    ms = tagged("President Aino Virta will also meet Rafael Soto, Chile's senate president, and "
                "Kwame Boateng, president of Ghana, in Lima.")
    assert side(ms, "Rafael Soto") == ("CHL", None)
    assert side(ms, "Kwame Boateng") == ("GHA", None)


def test_appositive_before_the_name_in_both_forms(tagged):
    ms = tagged("The Ugandan ambassador, John Mugerwa, met the foreign minister of Brazil, Rui Lemos, "
                "and Ghana's president, Kwame Boateng.")
    assert side(ms, "John Mugerwa") == ("UGA", None)
    assert side(ms, "Rui Lemos") == ("BRA", None)
    assert side(ms, "Kwame Boateng") == ("GHA", None)


def test_appositive_spokesman_for_a_countrys_ministry(tagged):
    ms = tagged('"It will fail," said Moon Ji-ho, a spokesman for South Korea\'s defence ministry.')
    assert side(ms, "Moon Ji-ho") == ("KOR", None)


def test_appositive_possessive_title_is_not_the_title(tagged):
    m = person(tagged("She read a letter from Lee Ha-eun, the minister's deputy."), "Lee Ha-eun")
    assert m["role"] == "deputy"


# ---------------------------------------------------------------- counterparts and envoys

def test_counterpart_with_a_demonym_takes_that_country_and_the_role_of_the_first_person(tagged):
    ms = tagged("Finnish Foreign Minister Aino Virta spoke with her Israeli counterpart, Avi Dror.")
    m = person(ms, "Avi Dror")
    assert (m["country"], m["role"]) == ("ISR", "foreign minister")


def test_envoy_to_a_country_belongs_to_the_sending_country(tagged):
    ms = tagged("Kenyan Ambassador to Norway Grace Wanjiru met Norwegian Foreign Minister Lars Berg.")
    assert side(ms, "Grace Wanjiru") == ("KEN", None)
    assert side(ms, "Lars Berg") == ("NOR", None)


def test_envoy_to_a_country_alone_has_no_side(tagged):
    assert side(tagged("The ambassador to Egypt, Mark Tolland, said the visit was off."), "Mark Tolland") == (None, None)
    assert side(tagged("Special Envoy for Syria Mark Tolland arrived."), "Mark Tolland") == (None, None)


def test_title_in_apposition_to_an_owned_title(tagged):
    ms = tagged("Ghana's envoy in Ottawa, High Commissioner Ama Owusu, paid a courtesy call on the minister.")
    assert side(ms, "Ama Owusu") == ("GHA", None)


def test_envoy_to_an_organisation_keeps_the_country(tagged):
    assert side(tagged("U.S. Ambassador to the UN Dana Reyes spoke."), "Dana Reyes") == ("USA", None)


def test_possessive_country_owns_a_title_named_after_the_posting(tagged):
    ms = tagged("The talks were attended by Russia's then U.S. ambassador, Oleg Sorin, and others.")
    assert side(ms, "Oleg Sorin") == ("RUS", None)


# ---------------------------------------------------------------- the person named before

def test_possessive_of_a_person_gives_that_persons_side(tagged):
    ms = tagged("Chilean President Rafael Soto's spokesman Tomas Vidal said so. Soto's adviser Vera Paz agreed.")
    assert side(ms, "Tomas Vidal") == ("CHL", None)
    assert side(ms, "Vera Paz") == ("CHL", None)


def test_second_official_joined_by_and_shares_the_first_ones_country(tagged):
    ms = tagged("Syrian President Karim Haddad and Foreign Minister Samir Nassar held talks in Ankara.")
    assert side(ms, "Samir Nassar") == ("SYR", None)


# ---------------------------------------------------------------- later mentions in the article

def test_surname_carries_the_side_forward(tagged):
    ms = tagged("U.S. Trade Representative Laura Kent met Indonesian Trade Minister Budi Santoso on "
                "Tuesday. Kent later met Malaysian officials in Kuala Lumpur.")
    assert side(ms, "Kent") == ("USA", None)
    assert person(ms, "Kent")["id"] == person(ms, "Laura Kent")["id"]


def test_side_given_later_fills_the_earlier_mentions(tagged):
    ms = tagged("Paul Redding arrived on Monday. On Tuesday, Redding, the U.S. commerce secretary, "
                "met Brazilian officials.")
    assert side(ms, "Paul Redding") == ("USA", None)


@pytest.mark.parametrize("text, full, short, country", [
    ("Japanese Prime Minister Sato Kenji arrived in Rome. Sato will hold talks with Italian Prime "
     "Minister Marco Bruni on Monday.", "Sato Kenji", "Sato", "JPN"),
    ("Chinese Premier Zhang Lei arrived in Paris on Sunday. On Monday, Zhang will meet French "
     "President Claire Martin.", "Zhang Lei", "Zhang", "CHN"),
    ("South Korean President Kim Ji-ho arrived in Paris on Sunday. On Monday, Kim will meet "
     "French President Claire Martin.", "Kim Ji-ho", "Kim", "KOR"),
    ("Chinese Vice President Xu Minghua arrived. Xu later met the French president.", "Xu Minghua", "Xu", "CHN"),
])
def test_family_name_first_short_form_is_the_same_person(tagged, text, full, short, country):
    ms = tagged(text)
    assert person(ms, short)["id"] == person(ms, full)["id"]
    assert side(ms, short) == (country, None)


def test_family_name_alone_of_a_known_office_holder(tagged):
    m = person(tagged("During the talks, Seo said the summit would go ahead."), "Seo")
    assert (m["id"], m["country"]) == ("x:test-seo-min-jun", "KOR")


def test_title_and_family_name_of_a_diplomat_named_before_is_not_a_namesake(tagged):
    ms = tagged("Chinese diplomat Wong Lei arrived on Monday. Mr Wong met Thai Foreign Minister Chai Suwan.")
    assert person(ms, "Wong")["id"] == person(ms, "Wong Lei")["id"]
    assert side(ms, "Wong") == ("CHN", None)


def test_syllable_of_a_hyphenated_given_name_is_no_surname(tagged):
    ms = tagged("Kim Jin-ho, a South Korean diplomat, spoke. Ho Van Nam said nothing. Later Ho left.")
    kim = person(ms, "Kim Jin-ho")["id"]
    assert [m["text"] for m in ms if m["type"] == "person" and m["id"] == kim] == ["Kim Jin-ho"]
    assert person(ms, "Ho")["id"] == person(ms, "Ho Van Nam")["id"]


def test_title_and_given_name_refer_to_the_person_named_before(tagged):
    ms = tagged("Saudi Foreign Minister Prince Nayef bin Khalid met his hosts. Later, Prince Nayef left.")
    assert person(ms, "Nayef")["id"] == person(ms, "Nayef bin Khalid")["id"]


# ---------------------------------------------------------------- dateline

def test_dateline_country_for_an_unqualified_national_title(tagged):
    ms = tagged("Commerce Secretary Paul Redding met Brazilian Trade Minister Ana Lemos today. "
                "Secretary of Commerce Jane Moor met Mexico's economy minister.", dateline="WASHINGTON, June 2")
    assert side(ms, "Paul Redding") == ("USA", None)
    assert side(ms, "Jane Moor") == ("USA", None)
    assert side(ms, "Ana Lemos") == ("BRA", None)       # never against a demonym


def test_no_dateline_no_prior_and_no_prior_for_titles_that_are_no_state_office(tagged):
    assert side(tagged("Commerce Secretary Paul Redding met the press."), "Paul Redding") == (None, None)
    ms = tagged("Spokesman Paul Redding met the press.", dateline="WASHINGTON, June 2")
    assert side(ms, "Paul Redding") == (None, None)


def test_dateline_decides_for_a_title_with_a_word_no_country_list_knows(tagged):
    ms = tagged("Korean President Park Ho-jin met senior Kyrgyz officials.", dateline="SEOUL, June 2")
    m = person(ms, "Park Ho-jin")
    assert (m["name"], m["country"]) == ("Park Ho-jin", "KOR")
    assert [r["country"] for r in ms if r["type"] == "role"] == ["KGZ"]


# ---------------------------------------------------------------- gazetteer people out of office

def test_known_person_out_of_office_keeps_a_side_consistent_with_the_title(tagged):
    ms = tagged("Foreign Minister Omar Sadiq spoke by phone with Turkish Foreign Minister Ali Demir.")
    m = person(ms, "Omar Sadiq")
    assert (m["id"], m["country"], m["role"]) == ("x:test-omar-sadiq", "PAK", "foreign minister")
    # a former UN envoy called envoy after the term is the UN's, not the country of an older office
    m = person(tagged("Envoy Lina Haddad arrived in Amman."), "Lina Haddad")
    assert (m["id"], m["country"], m["org"]) == ("x:test-lina-haddad", None, "UN")
    m = person(tagged("Lina Haddad arrived in Amman."), "Lina Haddad")
    assert m["country"] == "JOR"


# ---------------------------------------------------------------- names and abbreviations

def test_abbreviated_titles_introduce_people_with_that_role(tagged):
    ms = tagged("She saw PM Koh and DPM Lim. He met FM Sahar Nouri of Jordan.")
    assert person(ms, "Koh")["role"] == "prime minister"
    assert person(ms, "Lim")["role"] == "deputy prime minister"
    assert person(ms, "Sahar Nouri")["role"] == "foreign minister"
    assert [m for m in tagged("The talks ended at 5 pm on Friday.") if m["type"] == "role"] == []


def test_lower_case_particles_stay_inside_names(tagged):
    ms = tagged("Senegalese President Amadou da Sousa met Malian leader Oumar ag Moussa and "
                "Dr Hafeez ur Rehman.")
    assert side(ms, "Amadou da Sousa") == ("SEN", None)
    assert side(ms, "Oumar ag Moussa") == ("MLI", None)
    assert "Hafeez ur Rehman" in people(ms)


# ---------------------------------------------------------------- no wrong gazetteer match

def test_words_of_a_title_are_no_person(tagged):
    for text in ("Special Envoy for the Great Lakes Region Dana Price will travel to Uganda.",
                 "Special Envoy for the Great Lakes Dana Price will travel to Uganda."):
        ms = tagged(text, date="1992-06-01")
        assert people(ms) == ["Dana Price"]
        assert person(ms, "Dana Price")["role"] == "envoy"


def test_words_of_a_title_after_its_country_are_no_name(tagged):
    ms = tagged("Kerry said U.S. Special Representative for North Korea Policy Glyn Davies is ready.")
    assert [p for p in people(ms) if "Davies" in p] == ["Glyn Davies"]
    assert side(ms, "Glyn Davies") == ("USA", None)
    ms = tagged("The U.S. Special Envoy for Sudan Darfur Dana Price will travel to Khartoum.")
    assert people(ms) == ["Dana Price"]


def test_shared_family_name_and_one_syllable_are_no_match(tagged):
    ms = tagged("The minister read a letter from Kim Soo-hoon and met Park Jun-ho and Kim Ha Hoon.",
                date="1992-06-01")
    assert person(ms, "Kim Soo-hoon")["id"] == "x:kim-soo-hoon"
    assert person(ms, "Park Jun-ho")["id"] == "x:park-jun-ho"
    assert person(ms, "Kim Ha Hoon")["id"] == "x:kim-ha-hoon"


def test_family_name_that_is_also_a_common_word_stays_in_the_name(tagged):
    ms = tagged("Chinese Vice Premier He Xiaolin met the U.S. delegation. Vice Premier Liu He will travel "
                "to Washington.")
    assert side(ms, "He Xiaolin") == ("CHN", None)
    assert person(ms, "Liu He")["role"] == "deputy prime minister"    # "Vice Premier" (roles.tsv)


def test_close_spelling_of_part_of_a_longer_name_is_no_match(tagged):
    ms = tagged("It was attended by Dr. Mohammed Abdelsalam bin Saleh Al Harbi, the minister.")
    assert not [m for m in ms if m["type"] == "person" and m["id"] == "x:test-mohamed-abdelsalam"]


def test_title_of_one_state_alone_gives_that_state_after_everything_the_text_says(tagged):
    ms = tagged("Secretary of State Jane Moor met Taoiseach Niall Dunphy and Vatican Secretary of State "
                "Paolo Renzi.", dateline="HELSINKI, June 2")
    assert side(ms, "Jane Moor") == ("USA", None)       # before the dateline's country
    assert side(ms, "Niall Dunphy") == ("IRL", None)
    assert side(ms, "Paolo Renzi") == ("VAT", None)     # the text's own country first
    ms = tagged("The Secretary of State for Foreign Affairs Jane Moor spoke.")
    assert side(ms, "Jane Moor") == (None, None)        # a British office with its tail


def test_lone_surname_is_the_namesake_mentioned_last_before_it(tagged):
    ms = tagged("Zambian President Robert Mwale spoke first. Mwale then left. Later his wife Grace Mwale "
                "arrived. Mwale and Chinese Premier Li Qiang met; the photo is by Li Tao. Li said so.")
    mwale = [m["name"] for m in ms if m["type"] == "person" and m["text"] == "Mwale"]
    # a lone surname means the office holder over a namesake the text gives no office or side
    # (test_tagging_context.py); a woman's honorific ("Mrs. Mwale") would mean Grace
    assert mwale == ["Robert Mwale", "Robert Mwale"]
    assert person(ms, "Li")["name"] == "Li Tao"
    ms = tagged("Chinese Premier Li Qiang arrived (photo: Li Tao). Premier Li Qiang spoke. Li said so.")
    assert person(ms, "Li")["name"] == "Li Qiang"


def test_long_name_with_particles_and_its_surname_with_the_article(tagged):
    ms = tagged("The Qatari Minister of State Dr. Mohammed bin Abdulaziz bin Saleh Al Harbi opened the "
                "forum. Later, Dr. Al Harbi spoke.")
    full = person(ms, "Mohammed bin Abdulaziz bin Saleh Al Harbi")
    assert full["country"] == "QAT"
    assert person(ms, "Al Harbi")["id"] == full["id"]
