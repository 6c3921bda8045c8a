"""Newspaper pages and wire copy: the shapes the cleaner recognises on outlets it has never seen.

Every line here is made up for the test (names, outlets, handles, links); none is copied
from the corpora. The last test reads the news corpus in place, if it is there.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from parley.eval import score as ev
from parley.logic.clean import clean
from parley.logic.clean.boilerplate import classify
from parley.logic.clean.textnorm import repair_mojibake, translate
from parley.eval.corpus import load_corpus
from parley.logic.detect.grammar import split_sentences

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT.parent / "shared" / "corpus" / "news"

P1 = "The foreign ministers of Chile and Peru met in Lima on Monday to discuss fishing rights along their coast."
P2 = "Officials from both sides said the talks had been frank and that a second round would follow in the spring."
P3 = "The Peruvian minister is expected to travel to Santiago in June for a meeting of the joint fisheries commission."


def raw(text=None, **fields):
    return {"schema_version": 1, "article_id": "a-0123456789abcdef",
            "source": {"file": "x.txt", "url": None, "name": None}, "published_at": None,
            "ingested_at": "2026-11-29T23:40:00.123456Z", "title": None, "text": text, "html": None, **fields}


def page(*blocks: str) -> str:
    return "\n\n".join(blocks)


def kinds(msg):
    return [d["kind"] for d in msg["dropped"]]


def assert_offsets_exact(text, msg):
    translated = translate(text)
    for c, r, n in msg["offset_map"]:
        assert msg["text"][c:c + n] == translated[r:r + n]


# -- C1.4 mojibake ---------------------------------------------------------------------------


@pytest.mark.parametrize("broken, fixed", [
    ("The envoy hadÂ phoned hisÂ Greek counterpart on Friday.", "The envoy had phoned his Greek counterpart on Friday."),
    ("The envoy had\u00c2\u00a0phoned on Friday.", "The envoy had phoned on Friday."),
    ("The minister said itâ€™s â€œa good dealâ€\x9d for both.", "The minister said it's \"a good deal\" for both."),
    ("He called it â€œa good dealâ€ before leaving.", "He called it \"a good deal\" before leaving."),
    ("Talks in SÃ£o TomÃ© â€“ the capital â€” ended.", "Talks in São Tomé – the capital — ended."),
    ("Minister ErdoÄŸan met ZoÃ« Vance.", "Minister Erdoğan met Zoë Vance."),
    ("The word \u00d0\u009c\u00d0\u00b8\u00d1\u0080 means peace.", "The word Мир means peace."),
])
def test_mojibake_is_repaired_before_anything_else(broken, fixed):
    msg = clean(raw(broken))
    assert msg["text"] == fixed
    assert_offsets_exact(broken, msg)


@pytest.mark.parametrize("text", [
    "Talks in São Paulo and Ñuñoa ended.", "The sign read «CAFÉ» in capitals.", "Ã and Â are letters too.",
])
def test_real_accented_text_is_not_taken_for_mojibake(text):
    assert repair_mojibake(text) == text


def test_mojibake_repair_keeps_the_length():
    text = "itâ€™s SÃ£o hadÂ phoned"
    assert len(repair_mojibake(text)) == len(text)


# -- C1.1 old wire copy: indented paragraphs, hard-wrapped lines ------------------------------

WIRE = (
    "    QUITO, May 3 - Ecuador's foreign minister Ana Mora held talks\n"
    "with Colombian Foreign Minister Pablo\n"
    "Rivas on trade, a ministry\n"
    "Spokesman said.\n"
    "    The two ministers also discussed the border, the ministry\n"
    "said in a statement.\n"
)


def test_an_indented_wire_paragraph_is_one_paragraph_whatever_its_line_starts():
    msg = clean(raw(WIRE))
    assert msg["dateline"] == "QUITO, May 3"
    first, second = msg["text"].split("\n\n")
    assert first == ("Ecuador's foreign minister Ana Mora held talks with Colombian Foreign Minister Pablo "
                     "Rivas on trade, a ministry Spokesman said.")
    assert second == "The two ministers also discussed the border, the ministry said in a statement."
    assert len(split_sentences(first)) == 1


def test_a_list_with_hanging_indents_is_not_taken_for_wire_paragraphs():
    text = "- First point of the accord that\n  goes on here.\n- Second point.\n"
    msg = clean(raw(text))
    assert msg["text"] == "First point of the accord that goes on here.\n\nSecond point."


# -- C1.2 paragraphs glued without a space ----------------------------------------------------


def test_sentences_glued_at_a_period_are_split():
    text = "Ties have warmed since the winter.President Ana Mora will visit Bogota on Friday.The two leaders will sign a pact."
    msg = clean(raw(text))
    assert msg["text"] == ("Ties have warmed since the winter. President Ana Mora will visit Bogota on Friday. "
                           "The two leaders will sign a pact.")
    assert [s.text for s in split_sentences(msg["text"])][1] == "President Ana Mora will visit Bogota on Friday."
    assert_offsets_exact(text, msg)


@pytest.mark.parametrize("sentence", [
    "The U.S.Navy and the talks at 5 p.m.Monday were mentioned in the report of the day.",
    "Growth reached 3.5 percent, the ministry said on its website example.Com today.",
    "The statement was posted on news.example.org/World and on Andes.Pe later that night.",
])
def test_abbreviations_decimals_and_domains_are_not_split(sentence):
    assert clean(raw(sentence))["text"] == sentence


# -- C1.3 agency header run into the lead ------------------------------------------------------


def test_a_wire_headline_and_byline_run_into_the_dateline_are_taken_off():
    text = "(UPDATE) Mora heads to Bogota By Lee Ji-won QUITO, Jan. 4 (Andeswire) -- President Ana Mora left for Colombia on Sunday."
    msg = clean(raw(text))
    assert msg["text"] == "President Ana Mora left for Colombia on Sunday."
    assert msg["dateline"] == "QUITO, Jan. 4 (Andeswire)"
    assert msg["agency"] == "Andeswire"
    assert msg["title"] == "Mora heads to Bogota"
    assert {"kind": "byline", "text": "By Lee Ji-won"} in msg["dropped"]


def test_a_page_flattened_into_one_line_keeps_the_story_between_dateline_and_comments():
    text = ("Chile, Peru hold fishing talks - Andes Daily Online Monday, Mar 4, 2019 Search Home World Sports "
            "Business Photo Video English >> Chile, Peru hold fishing talks ( Andina ) 16:05, March 04, 2019 "
            "LIMA, March 4 (Andina) -- " + P1 + " " + P2 + " (Web editor: Ana Roe) Add your comment Please enable "
            "JavaScript to view the comments. Related reading Bolivia, Paraguay hold border talks Ecuador "
            "minister meets Chilean envoy Most Read 1 Finnish president to visit Tokyo")
    msg = clean(raw(text))
    assert msg["text"] == P1 + " " + P2 + " (Web editor: Ana Roe)"
    assert msg["title"] == "Chile, Peru hold fishing talks"
    assert msg["dateline"] == "LIMA, March 4 (Andina)"
    assert msg["published_at"] == "2019-03-04"
    assert "related" in kinds(msg)


def test_a_dateline_quoted_inside_a_sentence_is_not_a_run_in_dateline():
    text = P1 + " The agency filed as LIMA (Andina) — and nothing more."
    assert clean(raw(text))["text"] == text


# -- run-in furniture zones ---------------------------------------------------------------------


@pytest.mark.parametrize("runin", ["Add your comment", "Related reading", "You may also like", "Most read"])
def test_a_run_in_zone_header_ends_the_article_there(runin):
    text = page(P1 + " " + P2 + " " + runin + " Bolivia and Paraguay leaders to hold call", "Ecuador minister to visit Lima")
    msg = clean(raw(text))
    assert msg["text"] == P1 + " " + P2
    assert "Ecuador" not in msg["text"]


@pytest.mark.parametrize("sentence", [
    "Most read newspapers in Lima led with the talks on Tuesday, and the ministry welcomed the coverage.",
    "\"We recommend Chile and Peru sign the accord,\" the envoy said after the talks in Lima on Monday.",
])
def test_a_sentence_that_starts_like_a_zone_header_stays(sentence):
    assert clean(raw(page(P1, sentence, P2)))["text"] == page(P1, sentence, P2)


# -- related-story links glued into a sentence ----------------------------------------------------


@pytest.mark.parametrize("linked, plain", [
    ("President Ana Mora Ana Lucia MoraPeru port strike ends Bolivia votes on gas MORE on Tuesday said she would meet the Peruvian president.",
     "President Ana Mora on Tuesday said she would meet the Peruvian president."),
    ("Sen. Jon Vance Jonathan Lee Vance Trade pact stalls in Senate Lima talks resume MORE (R-Ohio) said the talks in Lima had failed.",
     "Sen. Jon Vance (R-Ohio) said the talks in Lima had failed."),
    ("Minister Paul Roe Paul (Pablo) Andres Roe2026 budget fight looms MORE met the Chilean envoy in Lima on Monday.",
     "Minister Paul Roe met the Chilean envoy in Lima on Monday."),
])
def test_related_headlines_linked_from_a_name_are_cut_out(linked, plain):
    msg = clean(raw(page(P1, linked, P2)))
    assert msg["text"] == page(P1, plain, P2)
    assert "teaser" in kinds(msg)


def test_a_repeated_name_without_a_more_link_is_left_alone():
    text = "President Ana Mora met Ana Mora, a namesake from Cuenca, at the palace; MORE than a hundred guests came."
    assert clean(raw(page(P1, text)))["text"] == page(P1, text)


# -- embedded posts ---------------------------------------------------------------------------------


def test_an_embedded_post_keeps_its_words_and_loses_signature_and_links():
    post = '"Great talks with my friend the president of Peru today!" https://t.co/AbC123xyz — Ana Mora (@anamora_ec) March 4, 2019'
    msg = clean(raw(page(P1, post, P2)))
    assert msg["text"] == page(P1, '"Great talks with my friend the president of Peru today!"', P2)
    assert "embed" in kinds(msg)


def test_a_signature_on_its_own_line_and_a_photo_link_are_dropped():
    text = page(P1, "The ministers shook hands in Lima... pic.twitter.com/Xy12AbCd9", "— Ana Roe (@anaroe) March 4, 2019", P2)
    msg = clean(raw(text))
    assert "pic.twitter" not in msg["text"] and "@anaroe" not in msg["text"]
    assert "The ministers shook hands in Lima..." in msg["text"]


def test_a_block_quote_attribution_is_dropped():
    msg = clean(raw(page(P1, '"The talks were a waste of time."', "— Sen. Vance", P2)))
    assert "Vance" not in msg["text"]
    assert "embed" in kinds(msg)


# -- run-in promotions --------------------------------------------------------------------------------


def test_a_run_in_app_promotion_with_links_is_removed_from_the_paragraph():
    text = (P1 + " Get the Andes Daily app on your phone: App Store: https://ex.am/1aB | Google Play: https://ex.am/2cD "
            + P2 + " Follow Andes Daily on Facebook | Twitter | Telegram")
    msg = clean(raw(text))
    assert msg["text"] == P1 + " " + P2


# -- photo boxes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "Enlarge this image toggle caption Ana Roe/AP Ana Roe/AP",
    "toggle caption Ana Roe/AP",
    "Ana Roe/Reuters",
    "Ana Roe | Bloomberg | Getty Images",
    "Pablo Rivas Photographer: Andes News via Getty Images",
])
def test_bare_photo_credits_are_dropped(line):
    msg = clean(raw(page(P1, line, P2)))
    assert msg["text"] == page(P1, P2)
    assert "photo_credit" in kinds(msg)


@pytest.mark.parametrize("caption", [
    "The two ministers shake hands in Lima, Peru, on Monday, March 4, 2019. AP Photo/Ana Roe",
    "The ministers pose before a dinner in Lima. Pablo Rivas/Pool Photo via AP",
    "A minister during a hearing in Lima in 2006. Source: Andina via Getty Images",
    "Ministers of Chile and Peru at the port of Callao on March 4, 2019. Ana Roe | Bloomberg | Getty Images",
])
def test_a_caption_closed_by_its_photo_credit_goes_to_captions(caption):
    msg = clean(raw(page(P1, caption, P2)))
    assert msg["text"] == page(P1, P2)
    assert msg["captions"] == [caption]


@pytest.mark.parametrize("sentence", [
    "The president told Reuters on Monday that the talks in Lima had gone well for both sides.",
    "Chile and Peru met in Lima, the ministry said via AP",
    "He said the two countries had signed the accord in 2019/2020",
])
def test_sentences_naming_an_agency_are_not_photo_credits(sentence):
    assert classify(sentence) is None


# -- stamps, share bars, credits, teasers, promotions --------------------------------------------------


@pytest.mark.parametrize("line, kind", [
    ("Updated at 7:16 p.m. ET", "updated"),
    ("Updated at 11:05 a.m.", "updated"),
    ("--This report was updated at 8:07 a.m.", "updated"),
    ("This story has been updated at 09:30 on March 4, 2019", "updated"),
    ("LISTEN TO ARTICLE 4:34 SHARE THIS ARTICLE Share Tweet Post Email", "share"),
    ("Share | Tweet | Email | Print", "share"),
    ("Follow @AndesDaily", "share"),
    ("Send this article to a friend", "share"),
    ("Recommend news to friend", "share"),
    ("— With assistance by Ana Roe and Pablo Rivas", "credit"),
    ("Go deeper: Peru moves to reopen the port", "teaser"),
    ("More On This... Is Chile planning a new port?", "teaser"),
    ("Get the Andes stories you care about delivered to your inbox. By signing up, you agree to our Terms", "footer"),
    ("Connect with us. Get the latest news and updates.", "footer"),
    ("This story will be updated", "footer"),
    ("Will be updated", "footer"),
    ("— Ana Roe (@anaroe) March 4, 2019", "embed"),
    ("2 June 2025 [12:03] - ANDES.PE", "date"),
])
def test_furniture_shapes_of_news_pages(line, kind):
    assert classify(line) == kind


@pytest.mark.parametrize("sentence", [
    "By signing the accord, Chile and Peru ended a dispute that had lasted ten years.",
    "Follow-up talks are expected in Santiago next month, the ministry said.",
    "This report was discussed at length by the ministers in Lima on Monday.",
    "Updated maps of the maritime border were handed to both delegations.",
])
def test_sentences_that_look_like_those_shapes_are_article_text(sentence):
    assert classify(sentence) is None


# -- crossheads, teasers in capitals, bylines ----------------------------------------------------------


def test_crossheads_and_headline_teasers_between_paragraphs_are_dropped():
    text = page(P1, "Fish and chips", P2, "HOW LIMA WON THE FISHING WAR, MINISTERS SAY", P3,
                "How to Win a Trade War: Ana Roe", P1.replace("Monday", "Tuesday"))
    msg = clean(raw(text))
    assert msg["text"] == page(P1, P2, P3, P1.replace("Monday", "Tuesday"))
    assert kinds(msg).count("subhead") == 1  # consecutive drops of one kind share a record
    assert "HOW LIMA" in msg["dropped"][0]["text"]


@pytest.mark.parametrize("line, following", [
    ("The ministry spokesman speaking on the record said that", '"the talks went well," he added.'),
    ("Asked about the port the minister said", '"we will reopen it soon."'),
    ("The accord covers three areas", "fishing quotas, port fees and patrols, the ministry said."),
])
def test_a_line_that_opens_the_next_paragraph_is_not_a_crosshead(line, following):
    text = page(P1, line, following, P2)
    assert clean(raw(text))["text"] == text


def test_items_of_a_list_after_a_colon_are_kept():
    text = page(P1, "The two ministers signed these documents:", "Agreement on fishing quotas",
                "Memorandum on port fees", P2)
    assert clean(raw(text))["text"] == text


def test_a_byline_of_names_only_under_the_headline_is_dropped():
    text = page("Chile and Peru agree to talk", "Ana Roe and Pablo Rivas", "LIMA — " + P1, P2)
    msg = clean(raw(text))
    assert msg["title"] == "Chile and Peru agree to talk"
    assert msg["text"] == page(P1, P2)
    assert "byline" in kinds(msg)


# -- pages: menus above the headline, lists of other stories below the story ----------------------------


def test_menus_above_a_repeat_of_the_headline_are_navigation():
    text = page("News in Spanish", "Latest News", "Business", "Culture & Travel", "Photo Galleries",
                "ANDES.PE / Politics", "Chile and Peru agree to talk", P1, P2)
    msg = clean(raw(text, title="Chile and Peru agree to talk"))
    assert msg["text"] == page(P1, P2)
    assert "navigation" in kinds(msg)


def test_a_list_of_dated_headlines_after_the_story_is_dropped():
    text = page("Chile and Peru agree to talk", "4 March 2019 [12:03] - ANDES.PE", P1, P2,
                "Recommend to a friend",
                "4 March 2019 [12:03]\nChile and Peru agree to talk",
                "4 March 2019 [11:41]\nBolivia and Paraguay leaders to hold call",
                "3 March 2019 [18:10]\nEcuador minister to visit Santiago")
    msg = clean(raw(text))
    assert msg["text"] == page(P1, P2)
    assert msg["published_at"] == "2019-03-04"
    assert "related" in kinds(msg)


# -- JSON front matter ---------------------------------------------------------------------------------------


def test_json_front_matter_gives_title_date_and_its_prose_lead():
    lead = "The foreign ministers of Chile and Peru agreed on Monday to meet again in Santiago in June, the ministry said."
    meta = {"title": "Chile, Peru to meet again", "slug": "chile-peru-to-meet-again", "layout": "detail.html",
            "date": "2019-03-04", "draft": False, "thumb": "/img/x.jpg", "intro": lead}
    text = "---json\n" + json.dumps(meta, indent=4, ensure_ascii=False) + "\n---\n" + page(P1, P2)
    msg = clean(raw(text))
    assert msg["title"] == "Chile, Peru to meet again"
    assert msg["published_at"] == "2019-03-04"
    assert msg["text"] == page(lead, P1, P2)
    assert "layout" not in msg["text"]
    assert_offsets_exact(text, msg)


def test_a_front_matter_lead_that_the_body_repeats_is_not_doubled():
    meta = {"title": "Chile, Peru to meet", "description": P1}
    text = "---json\n" + json.dumps(meta) + "\n---\n" + page(P1, P2)
    assert clean(raw(text))["text"] == page(P1, P2)


# -- the news corpus, read in place ------------------------------------------------------------------------


@pytest.mark.skipif(not (NEWS / "gold.jsonl").exists(), reason="the shared news corpus is not here")
def test_news_corpus_keeps_every_must_keep_and_drops_most_must_drop():
    lost, leaked, total = [], [], 0
    for doc in load_corpus(NEWS):
        score = ev.DocScore(doc=doc.name)
        ev.score_cleaning(doc.gold or {}, clean(doc.raw), score)
        lost += [(doc.name, p) for p in score.keep_missing]
        leaked += [(doc.name, p) for p in score.drop_leaked]
        total += len((doc.gold or {}).get("must_drop") or [])
    assert lost == []
    assert len(leaked) <= 0.05 * total, leaked


def test_a_quotation_standing_alone_is_kept_but_two_quoted_terms_are_a_crosshead():
    quote = '"A new chapter for our peoples"'
    text = page(P1, quote, P2, "'Pacific' versus 'Atlantic'", P3)
    msg = clean(raw(text))
    assert msg["text"] == page(P1, quote, P2, P3)
