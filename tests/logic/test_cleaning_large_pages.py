"""Large, realistic news pages: the article comes out whole, none of the page's weight does,
and no date search runs through dateparser (tools/bench_large_pages.py gives the timings;
nothing here is timed).

The pages are invented (parley.bench.pages) around made-up paragraphs, or around an article
of tests/corpus/dev.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from parley.bench.pages import build_page, dev_article
from parley.logic.clean import clean
from parley.logic.clean.extract import _extract_html

ROOT = Path(__file__).resolve().parents[2]
ENVELOPE = {
    "schema_version": 1,
    "article_id": "a-0123456789abcdef",
    "source": {"file": None, "url": None, "name": None},
    "published_at": None,
    "ingested_at": "2026-11-29T23:40:00.123456Z",
    "title": None,
    "text": None,
}
TITLE = "Chile and Peru agree to resume fishing talks"
PARAGRAPHS = [
    "The foreign ministers of Chile and Peru met in Lima on Monday to discuss fishing rights along their shared coast.",
    "Officials from both sides said the talks had been frank and that a second round would follow in the spring.",
    "The two governments have argued over the maritime border since a court ruling redrew it a decade ago.",
    "Fishing crews in the northern ports have asked both capitals for rules that let them work the same waters.",
]
# Text that must never reach the article: it sits in the weight of a page.
SCRIPT_WORDS = "Ambassadors convened secretly in Quito according to the hydration state"
STYLE_WORDS = "Ministers assembled in Bogota as the stylesheet says"


def raw(page: str) -> dict:
    return {**ENVELOPE, "html": page}


def plain_extraction(page: str) -> str:
    """trafilatura's extraction with its defaults (the extensive date search included)."""
    import trafilatura

    doc = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    return doc.text.replace("\n", "\n\n")


def weighted_page(size: int, **kwargs) -> str:
    page = build_page(TITLE, PARAGRAPHS, target_bytes=size, seed=3, **kwargs)
    # Words in a script and a style inside the article body, with text after each one.
    return page.replace(
        f"{PARAGRAPHS[1]}</p>",
        f"{PARAGRAPHS[1]}<script>window.x = {{note: '{SCRIPT_WORDS}', html: '<p>{SCRIPT_WORDS}</p>'}};</script>"
        f"<style>.note::after {{ content: '{STYLE_WORDS}'; }}</style> They will meet again in May.</p>",
    ).replace("</head>", f"<script>var banner = '{SCRIPT_WORDS}';</script><style>/* {STYLE_WORDS} */</style></head>")


def test_a_page_is_built_to_about_its_size_the_same_way_every_time():
    for size in (100_000, 500_000):
        page = build_page(TITLE, PARAGRAPHS, target_bytes=size, seed=1)
        assert 0.9 * size <= len(page.encode()) <= 1.1 * size
        assert page == build_page(TITLE, PARAGRAPHS, target_bytes=size, seed=1)
    page = build_page(TITLE, PARAGRAPHS, target_bytes=500_000, seed=1)
    for weight in ("<script", "<style", "<svg", "<!--", "<nav", "data-link-name", "<noscript", "<template"):
        assert weight in page


@pytest.mark.parametrize("size", [60_000, 900_000])
def test_a_large_page_gives_the_whole_article_and_nothing_of_its_scripts_and_styles(size):
    msg = clean(raw(weighted_page(size)))
    for paragraph in PARAGRAPHS:
        assert paragraph in msg["text"]
    assert "They will meet again in May." in msg["text"]  # text after an inline script is kept
    for words in (SCRIPT_WORDS, STYLE_WORDS, "Quito", "Bogota", "window.", "{", "Advertisement", "cookies"):
        assert words not in msg["text"]
    assert msg["title"] == TITLE
    assert msg["captions"] == ["Delegations arrive for the talks in the capital. Photograph: Staff photographer"]


@pytest.mark.parametrize("name", ["A01.txt", "A07.txt", "D04.txt"])
@pytest.mark.parametrize("published", ["2026-11-30T08:15:00Z", None])
def test_the_extracted_text_of_a_real_article_in_a_large_page_is_the_plain_extraction(name, published):
    title, paragraphs = dev_article(ROOT / "tests" / "corpus" / "dev" / name)
    page = build_page(title, paragraphs, target_bytes=500_000, seed=len(name), published=published)
    text, found_title, _date, _captions = _extract_html(page)
    assert text == plain_extraction(page)
    assert found_title == title


def test_the_date_a_page_states_is_still_its_published_date():
    msg = clean(raw(build_page(TITLE, PARAGRAPHS, target_bytes=300_000, seed=2, published="2026-11-30T08:15:00Z")))
    assert msg["published_at"] == "2026-11-30"


def test_a_page_without_a_machine_readable_date_sends_nothing_to_dateparser(monkeypatch):
    # Its teasers' "20h ago" made htmldate's extensive search call dateparser for each
    # (seconds on a large page, dateparser's languages loaded on the first call).
    import htmldate.extractors

    sent: list[str] = []
    monkeypatch.setattr(htmldate.extractors, "_external_date", lambda string: sent.append(string))
    page = build_page(TITLE, PARAGRAPHS, target_bytes=300_000, seed=4, published=None)
    assert "h ago" in page and "article:published_time" not in page
    msg = clean(raw(page))
    assert PARAGRAPHS[0] in msg["text"]
    assert sent == []
