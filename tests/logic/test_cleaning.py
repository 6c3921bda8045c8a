"""The cleaner keeps article bodies and splits out or drops page furniture.

Every article here is made up for the test; none is copied from the corpora.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.logic.clean import clean, raw_offset, raw_span
from parley.logic.errors import Rejected
from parley.logic.clean.textnorm import translate
from parley.schemas import validator

ENVELOPE = {
    "schema_version": 1,
    "article_id": "a-0123456789abcdef",
    "source": {"file": "x.txt", "url": None, "name": None},
    "published_at": None,
    "ingested_at": "2026-11-29T23:40:00.123456Z",
}


def raw(text=None, *, html=None, title=None, **envelope):
    return {**ENVELOPE, **envelope, "title": title, "text": text, "html": html}


BODY_1 = "The foreign ministers of Chile and Peru met in Lima on Monday to discuss fishing rights along their shared coast."
BODY_2 = "Officials from both sides said the talks had been frank and that a second round would follow in the spring."
TEASER = "Finnish president to visit Tokyo next week for talks with the prime minister"


def article(*blocks: str) -> str:
    return "\n\n".join(blocks)


def dropped_kinds(msg):
    return [d["kind"] for d in msg["dropped"]]


# -- body and furniture ---------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Related articles", "Editor's choice", "Popular", "Top stories",
                                    "Partner news", "Read next", "Most read", "You may also like"])
def test_a_furniture_header_drops_it_and_every_teaser_after_it(header):
    text = article("Chile and Peru agree to talk", BODY_1, BODY_2, header, "News", TEASER,
                   f"{TEASER}. The trip was announced on Friday by the presidential office.")
    msg = clean(raw(text))
    assert BODY_1 in msg["text"] and BODY_2 in msg["text"]
    assert header not in msg["text"]
    assert "Tokyo" not in msg["text"]
    assert "related" in dropped_kinds(msg)
    assert any("Tokyo" in d["text"] for d in msg["dropped"])


@pytest.mark.parametrize("header", ["Read more", "See also:", "Related"])
def test_an_inline_read_more_drops_its_headlines_and_the_article_goes_on(header):
    text = article(BODY_1, header, TEASER, "Peru port reopens after strike", BODY_2)
    msg = clean(raw(text))
    assert msg["text"] == BODY_1 + "\n\n" + BODY_2
    assert "teaser" in dropped_kinds(msg)


def test_a_header_before_any_body_is_navigation_not_the_end_of_the_article():
    msg = clean(raw(article("Top stories", BODY_1, BODY_2)))
    assert BODY_1 in msg["text"] and BODY_2 in msg["text"]
    assert "navigation" in dropped_kinds(msg)


def test_share_comment_and_read_more_lines_are_dropped_one_by_one():
    text = article(BODY_1, "Share on Facebook", "Facebook Twitter WhatsApp Email",
                   f"Read more: {TEASER}", "Comments (12)", BODY_2)
    msg = clean(raw(text))
    assert msg["text"] == BODY_1 + "\n\n" + BODY_2
    assert {"share", "teaser"} <= set(dropped_kinds(msg))


def test_a_sentence_starting_with_a_furniture_word_is_kept():
    sentence = "Popular support for the fishing accord has grown in both countries since the summer."
    msg = clean(raw(article(BODY_1, sentence)))
    assert sentence in msg["text"]


# -- fields split out -----------------------------------------------------------------------


def test_captions_are_split_out_of_the_body_and_kept():
    text = article(BODY_1, "Photo: The two ministers in Lima on 3 March (picture courtesy of the ministry)",
                   "photot: A typo'd caption label", "Picture: the harbour", BODY_2)
    msg = clean(raw(text))
    assert msg["captions"] == [
        "Photo: The two ministers in Lima on 3 March (picture courtesy of the ministry)",
        "photot: A typo'd caption label",
        "Picture: the harbour",
    ]
    assert "harbour" not in msg["text"]


def test_source_credit_is_its_own_field():
    msg = clean(raw(article(BODY_1, "source: example-news.org with the Peruvian foreign ministry", BODY_2)))
    assert msg["credit"] == "source: example-news.org with the Peruvian foreign ministry"
    assert "example-news.org" not in msg["text"]


def test_agency_prefix_is_taken_off_the_first_paragraph():
    msg = clean(raw(article("Chile and Peru agree to talk", "AndesWire.com - " + BODY_1, BODY_2)))
    assert msg["agency"] == "AndesWire.com"
    assert msg["text"].startswith("The foreign ministers")


def test_update_stamp_becomes_an_iso_date_and_fills_a_missing_published_at():
    msg = clean(raw(article("Chile and Peru agree to talk", "Updated 4 March 2019", BODY_1)))
    assert msg["updated"] == "2019-03-04"
    assert msg["published_at"] == "2019-03-04"
    assert "Updated" not in msg["text"]


def test_a_published_at_from_ingest_is_never_overwritten():
    msg = clean(raw(article("Updated 4 March 2019", BODY_1), published_at="2019-03-01"))
    assert msg["published_at"] == "2019-03-01"
    assert msg["updated"] == "2019-03-04"


@pytest.mark.parametrize("prefix, dateline, agency", [
    ("LIMA, March 4. /ANDINA/. ", "LIMA, March 4. /ANDINA/.", "ANDINA"),
    ("SANTIAGO, Mar 4 (Reuters) - ", "SANTIAGO, Mar 4 (Reuters)", "Reuters"),
    ("LIMA (AP) — ", "LIMA (AP)", "AP"),
    ("LIMA, Peru, 4 March 2019 — ", "LIMA, Peru, 4 March 2019", None),
])
def test_dateline_is_split_off_the_first_paragraph(prefix, dateline, agency):
    msg = clean(raw(article(prefix + BODY_1, BODY_2)))
    assert msg["dateline"] == dateline
    assert msg["agency"] == agency
    assert msg["text"].startswith("The foreign ministers")


def test_a_dateline_with_a_year_fills_published_at():
    msg = clean(raw(article("LIMA, Peru, 4 March 2019 — " + BODY_1)))
    assert msg["published_at"] == "2019-03-04"


def test_a_standalone_date_line_under_the_headline_is_the_dateline():
    msg = clean(raw(article("Chile and Peru agree to talk", "Tuesday, March 5, 2019", BODY_1)))
    assert msg["title"] == "Chile and Peru agree to talk"
    assert msg["dateline"] == "Tuesday, March 5, 2019"
    assert msg["published_at"] == "2019-03-05"
    assert msg["text"] == BODY_1


# -- title ------------------------------------------------------------------------------------


def test_title_is_the_first_short_standalone_line_without_a_final_period():
    msg = clean(raw(article("Chile and Peru agree to talk (UPDATED)", BODY_1, BODY_2)))
    assert msg["title"] == "Chile and Peru agree to talk (UPDATED)"
    assert msg["text"].startswith("The foreign ministers")


def test_a_first_line_ending_with_a_period_stays_in_the_body():
    msg = clean(raw(BODY_1 + "\n" + BODY_2))
    assert msg["title"] is None
    assert msg["text"] == BODY_1 + "\n\n" + BODY_2


def test_a_single_line_article_is_body_not_title():
    msg = clean(raw("Chile and Peru agree to hold talks in Lima"))
    assert msg["title"] is None
    assert msg["text"] == "Chile and Peru agree to hold talks in Lima"


def test_a_truncated_repeat_of_the_headline_is_dropped():
    msg = clean(raw(article("Chile, Peru hold \"frank\" talks on fishing", "Chile, Peru hold", BODY_1)))
    assert msg["text"] == BODY_1
    assert "title_repeat" in dropped_kinds(msg)


def test_the_raw_title_wins_and_its_repeat_in_the_body_is_dropped():
    msg = clean(raw(article("Chile and Peru agree to talk", BODY_1), title="Chile and Peru agree to talk"))
    assert msg["title"] == "Chile and Peru agree to talk"
    assert msg["text"] == BODY_1


# -- normalisation --------------------------------------------------------------------------


def test_unicode_spaces_quotes_and_width_are_normalised():
    text = "The minister\u00a0said \u201cwe agree\u201d and it\u2019s final\u2026  Talks\u2003resume\u200b soon."
    msg = clean(raw(text))
    assert msg["text"] == "The minister said \"we agree\" and it's final... Talks resume soon."


def test_accented_names_are_composed():
    msg = clean(raw("Talks with Mevlu\u0308t C\u0327avus\u0327og\u0306lu ended on Friday in the capital."))
    assert "Mevlüt Çavuşoğlu" in msg["text"]


def test_repeated_paragraphs_are_removed_once_seen():
    text = "\n".join([BODY_1, BODY_2, BODY_1, BODY_2])
    msg = clean(raw(text))
    assert msg["text"] == BODY_1 + "\n\n" + BODY_2
    assert dropped_kinds(msg) == ["repeat"]


def test_hard_wrapped_paragraphs_are_reflowed():
    text = ("The two leaders will meet in Lima on\nMonday to discuss fishing rights and a\n"
            "new border crossing near the coast.\n\nA second paragraph follows here.")
    msg = clean(raw(text))
    assert msg["text"] == ("The two leaders will meet in Lima on Monday to discuss fishing rights and a "
                           "new border crossing near the coast.\n\nA second paragraph follows here.")


def test_front_matter_gives_title_and_date_and_is_dropped():
    text = ('---\ntags: press\ndate: \'2019-03-04\'\ntitle: "Readout of the Minister\\u2019s Call with\\_\\\n'
            '  Peru"\nmodified_time: 2019-03-05 10:00:00-04:00\n---\n \n' + BODY_1 + "\n\n\\###\n")
    msg = clean(raw(text))
    assert msg["title"] == "Readout of the Minister's Call with Peru"
    assert msg["published_at"] == "2019-03-04"
    assert msg["text"] == BODY_1
    assert "front_matter" in dropped_kinds(msg)


def test_markdown_and_html_left_in_text_are_stripped():
    text = ('{:start="1"}\n1.&nbsp;&nbsp; The ministers met in [Lima](https://example.org/lima) on '
            "**Monday** to discuss _fishing_ rights &amp; borders.\n\n"
            "4 March 2019 Posted in [Press releases](/news)\n\n"
            '<p class="updated">Last updated on 05 Mar 2019</p>\n\n**MINISTRY OF FISHERIES**')
    msg = clean(raw(text))
    assert msg["text"] == "The ministers met in Lima on Monday to discuss fishing rights & borders."
    assert msg["updated"] == "2019-03-05"
    assert msg["published_at"] == "2019-03-04"


# -- HTML -------------------------------------------------------------------------------------


HTML = """<html><head><title>Chile and Peru agree to talk</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Chile and Peru agree to talk</h1>
<p>LIMA, March 4 (Reuters) - The foreign ministers of Chile and Peru met in Lima on Monday to
discuss fishing rights along their shared coast, officials from both governments said.</p>
<p>Officials from both sides said the talks had been frank and that a second round of talks
would follow in the spring in the Chilean capital.</p></article>
<aside><h3>Related articles</h3><ul><li>Finnish president to visit Tokyo</li></ul></aside>
</body></html>"""


def test_html_is_extracted_then_cleaned_like_text():
    msg = clean(raw(html=HTML))
    assert msg["title"] == "Chile and Peru agree to talk"
    assert msg["text"].startswith("The foreign ministers of Chile and Peru met in Lima")
    assert "second round" in msg["text"]
    assert "Tokyo" not in msg["text"] and "Home" not in msg["text"]
    assert msg["dateline"] == "LIMA, March 4 (Reuters)"


def test_html_without_a_body_is_rejected():
    with pytest.raises(Rejected) as err:
        clean(raw(html="<html><body><nav>Home</nav></body></html>"))
    assert err.value.reason == "no_body"


# -- offsets ----------------------------------------------------------------------------------


def test_offset_map_points_every_copied_character_back_to_the_raw_text():
    text = ("Chile and Peru agree to talk\n\nLIMA, March 4 (Reuters) - The\u00a0ministers met   in "
            "[Lima](https://x.org) on **Monday**.\nThey agreed to meet again in the spring in Santiago.\n\n"
            "Photo: the ministers\n\nRelated articles\n\nPeru to host summit")
    msg = clean(raw(text))
    translated = translate(text)
    for c, r, n in msg["offset_map"]:
        assert msg["text"][c:c + n] == translated[r:r + n]
    for word in ("ministers", "Lima", "Monday", "Santiago"):
        pos = msg["text"].index(word)
        start = raw_offset(msg, pos)
        assert text[start:start + len(word)] == word
        assert raw_span(msg, pos, pos + len(word)) == (start, start + len(word))


def test_offset_map_segments_are_sorted_and_cover_the_text_except_separators():
    msg = clean(raw(article(BODY_1, BODY_2, BODY_1)))
    starts = [s[0] for s in msg["offset_map"]]
    assert starts == sorted(starts)
    covered = sum(n for _, _, n in msg["offset_map"])
    assert covered == len(msg["text"]) - len("\n\n")


# -- rejections and robustness --------------------------------------------------------------


@pytest.mark.parametrize("message, reason", [
    (raw(""), "empty_text"),
    (raw("   \n\t "), "empty_text"),
    (raw(None), "empty_text"),
    (raw(12), "bad_message"),
    ("not a dict", "bad_message"),
    (raw("Related articles\n\nTop stories\n\n---"), "no_body"),
])
def test_unusable_input_is_rejected_with_a_reason(message, reason):
    with pytest.raises(Rejected) as err:
        clean(message)
    assert err.value.reason == reason
    assert "\n" not in err.value.detail


def test_text_over_the_size_limit_is_rejected():
    with pytest.raises(Rejected) as err:
        clean(raw("word " * 300), max_chars=1000)
    assert err.value.reason == "text_too_large"


def test_the_clean_message_is_valid_against_its_schema_and_keeps_the_envelope():
    check = validator("articles.clean")
    msg = clean(raw(article("Chile and Peru agree to talk", BODY_1, "Photo: x", "Related articles", TEASER)))
    assert check(msg) == []
    for key in ENVELOPE:
        if key != "published_at":
            assert msg[key] == ENVELOPE[key]


def test_a_message_without_an_envelope_gets_one():
    msg = clean({"text": BODY_1})
    assert validator("articles.clean")(msg) == []
    assert msg["article_id"].startswith("a-")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_any_string_is_cleaned_or_rejected_never_crashes(text):
    try:
        msg = clean(raw(text))
    except Rejected as err:
        assert err.reason in {"empty_text", "no_body"}
        return
    assert validator("articles.clean")(msg) == []
    for c, r, n in msg["offset_map"]:
        assert 0 <= r and r + n <= len(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([
    BODY_1, BODY_2, "Related articles", "Photo: a caption", "source: x.org", "Updated 1 May 2020",
    "---", "Share", "&amp; <b>bold</b> **x**", "LIMA, May 1 (AP) - text of the story goes here",
    "\u00a0", "", "{:start=\"2\"}", "Tuesday, May 5, 2020",
]), max_size=12))
def test_any_mix_of_furniture_and_body_gives_a_valid_message_or_a_rejection(lines):
    try:
        msg = clean(raw("\n".join(lines) + "\n"))
    except Rejected as err:
        assert err.reason in {"empty_text", "no_body"}
        return
    assert validator("articles.clean")(msg) == []
    translated = translate("\n".join(lines) + "\n")
    for c, r, n in msg["offset_map"]:
        assert msg["text"][c:c + n] == translated[r:r + n] or "&" in translated[r:r + n + 5]


# -- more furniture kinds --------------------------------------------------------------------


@pytest.mark.parametrize("line, kind", [
    ("© 2019 Andes Wire. All rights reserved.", "footer"),
    ("Copyright 2019 Andes Wire", "footer"),
    ("By Maria Quispe and John Roe, Andes Wire", "byline"),
    ("https://example.org/news/123", "link"),
    ("Tags: Chile, Peru, fishing", "meta"),
    ("Reporting by Maria Quispe; Editing by John Roe", "credit"),
])
def test_footer_byline_link_and_meta_lines_leave_the_body(line, kind):
    msg = clean(raw(article(BODY_1, line, BODY_2)))
    assert msg["text"] == BODY_1 + "\n\n" + BODY_2
    if kind == "credit":
        assert msg["credit"] == line
    else:
        assert kind in dropped_kinds(msg)


@pytest.mark.parametrize("sentence", [
    "Copyright law was on the agenda when the two ministers met in Lima on Monday.",
    "By signing the accord, Chile and Peru ended a dispute that had lasted ten years.",
    "By Monday, the two delegations had agreed on a text.",
])
def test_sentences_that_start_like_furniture_stay_in_the_body(sentence):
    msg = clean(raw(article(BODY_1, sentence)))
    assert sentence in msg["text"]


def test_a_link_list_under_a_header_before_the_article_is_navigation():
    text = article("Most read\nFinland and Japan leaders to meet in Tokyo\nNew port opens in Callao",
                   "Chile and Peru agree to talk", BODY_1)
    msg = clean(raw(text))
    assert msg["title"] == "Chile and Peru agree to talk"
    assert msg["text"] == BODY_1
    assert "Tokyo" not in msg["text"]


def test_a_title_case_dateline_needs_a_date_and_a_dash():
    msg = clean(raw("Lima, March 4 — " + BODY_1))
    assert msg["dateline"] == "Lima, March 4"
    msg = clean(raw("Monday, March 4 — " + BODY_1))
    assert msg["dateline"] is None and msg["text"].startswith("Monday, March 4")


def test_a_short_question_can_be_a_title():
    msg = clean(raw(article("Will Chile and Peru finally agree?", BODY_1)))
    assert msg["title"] == "Will Chile and Peru finally agree?"


def test_a_headline_directly_above_the_body_is_the_title():
    msg = clean(raw("Chile and Peru agree to talk\n" + BODY_1 + "\n" + BODY_2))
    assert msg["title"] == "Chile and Peru agree to talk"
    assert msg["text"] == BODY_1 + "\n\n" + BODY_2


def test_date_and_byline_lines_under_the_headline_leave_the_title_alone():
    msg = clean(raw("Chile and Peru agree to talk\nTuesday, March 5, 2019\nBy Maria Quispe\n\n" + BODY_1))
    assert msg["title"] == "Chile and Peru agree to talk"
    assert msg["dateline"] == "Tuesday, March 5, 2019"
    assert msg["text"] == BODY_1


def test_a_site_name_after_a_pipe_is_cut_from_a_given_title():
    msg = clean(raw(BODY_1, title="World | Chile and Peru agree to talk | Andes Wire"))
    assert msg["title"] == "Chile and Peru agree to talk"


def test_a_caption_ending_with_its_photo_credit_is_a_caption():
    line = "The two ministers shake hands in Lima (Photo: Andes Wire)"
    msg = clean(raw(article(BODY_1, line, BODY_2)))
    assert msg["captions"] == [line]


def test_a_long_labelled_caption_is_still_a_caption():
    line = "Photo: " + " ".join(["The ministers of Chile and Peru with their delegations"] * 5)
    msg = clean(raw(article(BODY_1, line, BODY_2)))
    assert msg["captions"] == [line]
    assert msg["text"] == BODY_1 + "\n\n" + BODY_2


def test_text_between_two_rules_is_not_taken_for_front_matter():
    text = "---\nChile and Peru agree to talk\n\n" + BODY_1 + "\n---\n\n" + BODY_2
    msg = clean(raw(text))
    assert BODY_1 in msg["text"] and BODY_2 in msg["text"]
    assert msg["title"] == "Chile and Peru agree to talk"


def test_html_figure_captions_are_kept_as_captions():
    page = HTML.replace("</p></article>", '</p><figure><img src="a.jpg"><figcaption>The ministers in Lima'
                        "</figcaption></figure></article>")
    msg = clean(raw(html=page))
    assert msg["captions"] == ["The ministers in Lima"]
    assert "The ministers in Lima" not in msg["text"]


def test_headlines_closing_the_text_without_a_header_are_dropped_as_teasers():
    text = article(BODY_1, BODY_2, "Finnish president to visit Tokyo next week", "Peru port reopens after strike")
    msg = clean(raw(text))
    assert msg["text"] == BODY_1 + "\n\n" + BODY_2
    assert "teaser" in dropped_kinds(msg)


def test_a_single_short_closing_line_is_kept():
    msg = clean(raw(article(BODY_1, "Talks resume in Lima")))
    assert msg["text"] == BODY_1 + "\n\nTalks resume in Lima"


# -- whole made-up pages -----------------------------------------------------------------------

WIRE_PAGE = """Home / World

Chile, Peru ministers discuss fishing in Lima
12:45, 04 March 2019

LIMA, March 4. /ANDINA/. The foreign ministers of Chile and Peru discussed fishing rights at talks in Lima on Monday, the Peruvian foreign ministry said.

"The ministers exchanged views on the maritime border," the ministry said in a statement.

Read also
Bolivia and Paraguay leaders to hold call next week
Ecuador minister to visit Santiago in April

Share
Facebook Twitter Telegram

Tags: Chile, Peru, fishing

Most read
Argentina and Uruguay presidents meet in Montevideo
© Andes Wire 2019
"""


def test_a_wire_page_keeps_only_the_story_and_its_fields():
    msg = clean(raw(WIRE_PAGE))
    assert msg["title"] == "Chile, Peru ministers discuss fishing in Lima"
    assert msg["dateline"] == "LIMA, March 4. /ANDINA/."
    assert msg["agency"] == "ANDINA"
    assert msg["published_at"] == "2019-03-04"
    assert msg["text"].startswith("The foreign ministers of Chile and Peru discussed")
    assert msg["text"].endswith('the ministry said in a statement.')
    for teaser in ("Bolivia", "Ecuador", "Argentina", "Facebook", "Tags", "Home"):
        assert teaser not in msg["text"]
    assert {"navigation", "teaser", "share", "meta", "related", "date"} <= set(dropped_kinds(msg))


@pytest.mark.parametrize("prefix, agency", [("AndesInfo. ", "AndesInfo"), ("andes.pe: ", "andes.pe")])
def test_agency_prefix_with_a_period_or_colon(prefix, agency):
    msg = clean(raw(prefix + BODY_1))
    assert msg["agency"] == agency
    assert msg["text"] == BODY_1
