import hashlib
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.ids import article_id, canonical_url, is_article_id, normalise_text


def test_article_id_is_a_prefix_and_16_hex_of_sha256_of_the_canonical_url():
    expected = "a-" + hashlib.sha256(b"https://news.example.org/world/talks").hexdigest()[:16]
    assert article_id("https://news.example.org/world/talks", None) == expected


def test_article_id_without_url_hashes_the_normalised_text():
    expected = "a-" + hashlib.sha256(b"two ministers met on friday.").hexdigest()[:16]
    assert article_id(None, "  Two ministers\n\n met on FRIDAY. ") == expected


def test_article_id_prefers_the_url_over_the_text():
    url = "https://news.example.org/a"
    assert article_id(url, "one body") == article_id(url, "another body")


def test_blank_url_falls_back_to_text():
    assert article_id("   ", "Some words") == article_id(None, "some words")


def test_article_id_needs_a_url_or_text():
    with pytest.raises(ValueError):
        article_id(None, None)
    with pytest.raises(ValueError):
        article_id("", " \n\t ")


@pytest.mark.parametrize(
    "variant",
    [
        "https://News.Example.ORG/world/talks",
        "HTTPS://news.example.org/world/talks",
        "https://news.example.org:443/world/talks",
        "https://news.example.org/world/talks/",
        "https://news.example.org/world/talks#comments",
        "https://news.example.org/world/talks?utm_source=feed&utm_medium=rss",
        "https://news.example.org/world/talks?fbclid=abc123",
        "https://news.example.org/world/talks?gclid=xyz&UTM_Campaign=spring",
        "  https://news.example.org/world/talks  ",
    ],
)
def test_shares_of_the_same_page_get_the_same_id(variant):
    assert article_id(variant, None) == article_id("https://news.example.org/world/talks", None)


def test_canonical_url_sorts_remaining_query_parameters_and_keeps_their_values():
    assert (
        canonical_url("https://ex.org/p?b=2&utm_term=x&a=1&a=0")
        == "https://ex.org/p?a=0&a=1&b=2"
    )


def test_canonical_url_keeps_non_default_ports_and_path_case():
    assert canonical_url("http://Ex.org:8080/Path/To/") == "http://ex.org:8080/Path/To"


def test_canonical_url_drops_default_http_port_and_gives_an_empty_path_a_slash():
    assert canonical_url("http://ex.org:80") == "http://ex.org/"
    assert canonical_url("https://ex.org") == "https://ex.org/"


def test_different_pages_get_different_ids():
    assert article_id("https://ex.org/a", None) != article_id("https://ex.org/b", None)
    assert article_id("https://ex.org/p?id=1", None) != article_id("https://ex.org/p?id=2", None)
    assert article_id("http://ex.org/a", None) != article_id("https://ex.org/a", None)


def test_canonical_url_survives_a_malformed_port():
    assert canonical_url("https://Ex.org:99999/a") == "https://ex.org:99999/a"


def test_normalise_text_applies_nfkc_collapses_whitespace_and_lowercases():
    # NFKC folds the ligature and the full-width letters; the no-break space is whitespace.
    assert normalise_text("\ufb01NAL\u00a0 Ｔalks\t\n") == "final talks"


def test_is_article_id():
    assert is_article_id(article_id("https://ex.org/a", None))
    assert not is_article_id("a-XYZ")
    assert not is_article_id(None)


@given(
    st.lists(st.text(alphabet=string.ascii_letters + string.digits, min_size=1), min_size=1),
    st.sampled_from([" ", "\n", "\t  ", "\u00a0", " \r\n "]),
)
def test_text_ids_ignore_spacing_and_case(words, separator):
    spaced = f"  {separator.join(words).upper()}\n"
    assert article_id(None, spaced) == article_id(None, " ".join(words).lower())


@given(st.text())
def test_canonical_url_never_raises_and_is_idempotent(url):
    once = canonical_url(url)
    assert canonical_url(once) == once


def test_canonical_url_survives_unbalanced_ipv6_brackets():
    assert canonical_url(" http://[::1 ") == "http://[::1"
    assert article_id("http://[::1", None) == article_id("http://[::1", None)


url_pieces = st.sampled_from(
    list("ab/?#&=:@ %.[]0\x1b\x85\t") + ["utm_", "http://", "A", "%2", "[::1]", ":80", "https:"]
)


@given(st.lists(url_pieces).map("".join))
def test_canonical_url_is_idempotent_on_url_like_junk(url):
    once = canonical_url(url)
    assert canonical_url(once) == once
