"""Arbitrary text and JSON thrown at the pure stages: only `Rejected` may escape.

services/parley/logic/errors.py: a stage raises `Rejected` for input it refuses; any other exception
is a bug (the shell would dead-letter the article as bug_<class>, losing its meetings). The
stages also owe their successors valid messages: what they return must pass the next topic's
JSON Schema, or the next stage dead-letters it.

Hypothesis runs derandomized (a fixed seed per test) so a run is repeatable.
"""
from __future__ import annotations

import json
import string

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from support import workload
from parley.codec import decode
from parley.logic.clean import clean
from parley.logic.detect import detect
from parley.logic.errors import Rejected
from parley.logic.pipeline import process
from parley.logic.tag import tag
from parley.schemas import validator

PROPERTY = settings(derandomize=True, database=None, deadline=None, max_examples=150,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

valid_clean = validator("articles.clean")
valid_tagged = validator("articles.tagged")
valid_event = validator("events.meetings")

# Words of my own that reach deeper paths of the tagger and detector than random letters:
# titles, roles, capitalised names, meeting verbs, dates, places, quotes and brackets.
WORDS = [
    "President", "Prime", "Minister", "Foreign", "Secretary", "King", "the", "of", "and", "met", "meets",
    "will", "meet", "visited", "visit", "talks", "held", "call", "phone", "spoke", "with", "in", "on",
    "summit", "leaders", "delegation", "cancelled", "denied", "planned", "next", "week", "Monday",
    "March", "12", "2026", "2026-03-12", "yesterday", "France", "French", "Germany", "Berlin", "Paris",
    "China", "Beijing", "Russia", "Moscow", "United", "States", "Nations", "NATO", "EU", "Kenya", "Nairobi",
    "Mr.", "Ms.", "Dr.", "Macron", "Scholz", "Xi", "Jinping", "Anna", "Okafor", "Ivanova", "al-Rashid",
    "he", "she", "they", "the two", "both", "sides", "respectively", "said", "(Reuters)", "—", "-", ",",
    ".", ";", ":", "'s", '"', "“", "”", "(", ")", "\n", "\n\n", "  ", "\t", "Photo:", "Share", "Related",
]
sentences = st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join)
noise = st.text(max_size=200)  # any Unicode except surrogates
texts = st.one_of(sentences, noise, st.lists(st.one_of(sentences, noise), max_size=4).map("".join))
dates = st.one_of(st.none(), st.sampled_from(["2026-03-12", "1999-12-31", "2026-03-12T10:00:00Z"]))


def raw_message(text=None, title=None, html=None, published_at=None) -> dict:
    return {
        "schema_version": 1, "article_id": "a-0123456789abcdef",
        "source": {"file": None, "url": None, "name": None}, "published_at": published_at,
        "ingested_at": "2026-03-12T10:00:00.000000Z", "title": title, "text": text, "html": html,
    }


def must_only_reject(call, *args, **kwargs):
    """Call a stage; return its result, or None if it refused with Rejected (anything else fails)."""
    try:
        return call(*args, **kwargs)
    except Rejected as exc:
        assert exc.reason and "\n" not in exc.detail
        return None


# ---------------------------------------------------------------- codec.decode


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=15,
)


@PROPERTY
@given(value=st.one_of(st.binary(max_size=500), json_values.map(lambda v: json.dumps(v).encode()),
                       json_values.map(lambda v: json.dumps(v).encode()[:-1])))
@example(value=b"")
@example(value=b"\xff\xfe")
@example(value=b"[" * 10_000)
def test_decode_returns_an_object_or_rejects(value):
    for schema in (None, "articles.raw", "articles.clean", "articles.tagged", "events.meetings"):
        decoded = must_only_reject(decode, value, schema=schema)
        assert decoded is None or isinstance(decoded, dict)


# ---------------------------------------------------------------- clean


@PROPERTY
@given(text=texts, title=st.one_of(st.none(), texts), published_at=dates)
def test_clean_of_any_text_rejects_or_returns_a_valid_clean_message(text, title, published_at):
    cleaned = must_only_reject(clean, raw_message(text=text, title=title, published_at=published_at))
    if cleaned is not None:
        assert valid_clean(cleaned) == []


@PROPERTY
@given(html=st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<br>", "<script>", "</script>", "<!--",
                              "-->", "<h1>", "</h1>", "&amp;", "&#0;", "&#x110000;", "<![CDATA[", "]]>",
                              "<table><tr><td>", "</td></tr></table>", "<a href='javascript:x'>", "</a>"])
             | sentences, max_size=40).map("".join)))
@example(html="<p>" * 3000)
def test_clean_of_any_html_rejects_or_returns_a_valid_clean_message(html):
    cleaned = must_only_reject(clean, raw_message(html=html))
    if cleaned is not None:
        assert valid_clean(cleaned) == []


@PROPERTY
@given(raw=st.dictionaries(st.sampled_from(["text", "html", "title", "published_at", "source", "article_id"]),
                           json_values, max_size=6))
def test_clean_of_any_json_object_only_rejects(raw):
    must_only_reject(clean, raw)


# ---------------------------------------------------------------- tag and detect


def clean_message(text: str, title, captions: list[str], published_at) -> dict:
    """A schema-valid articles.clean message built directly (not by the cleaner)."""
    return {
        "schema_version": 1, "article_id": "a-0123456789abcdef",
        "source": {"file": None, "url": None, "name": None}, "published_at": published_at,
        "ingested_at": "2026-03-12T10:00:00.000000Z", "title": title, "text": text, "captions": captions,
        "credit": None, "agency": None, "dateline": None, "updated": None, "dropped": [], "offset_map": [],
    }


clean_messages = st.builds(
    clean_message,
    text=texts.filter(bool),
    title=st.one_of(st.none(), texts),
    captions=st.lists(texts.filter(bool), max_size=2),
    published_at=dates,
)


@PROPERTY
@given(message=clean_messages)
def test_tag_of_any_clean_message_returns_valid_mentions(message):
    assume(valid_clean(message) == [])
    tagged = must_only_reject(tag, message)
    if tagged is None:
        return
    assert valid_tagged(tagged) == []
    fields = {"text": tagged["text"], "title": tagged["title"] or ""}
    for m in tagged["mentions"]:
        source = tagged["captions"][m["caption"]] if m.get("field") == "captions" else fields[m.get("field", "text")]
        assert 0 <= m["start"] <= m["end"] <= len(source), m
        assert source[m["start"]:m["end"]] == m["text"], m


@PROPERTY
@given(message=clean_messages)
def test_detect_of_any_tagged_message_returns_valid_events(message):
    assume(valid_clean(message) == [])
    tagged = must_only_reject(tag, message)
    assume(tagged is not None)
    events = must_only_reject(detect, tagged)
    for event in events or []:
        assert valid_event(event) == [], event


MENTION_TYPES = ["person", "role", "country", "place", "org", "topic"]


@st.composite
def tagged_with_arbitrary_mentions(draw):
    """A schema-valid tagged message whose mentions were not made by the tagger."""
    message = draw(clean_messages)
    text = message["text"]
    mentions = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(MENTION_TYPES))
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text) + 3))  # may overrun: the schema allows it
        mention = {"type": kind, "text": text[start:end] or "x", "start": start, "end": end,
                   "id": draw(st.text(string.ascii_lowercase + ":-", min_size=1, max_size=12)),
                   "name": draw(st.text(max_size=12))}
        iso3 = st.one_of(st.none(), st.sampled_from(["FRA", "DEU", "CHN", "USA", "KEN", "ZZZ"]))
        if kind in ("person", "role"):
            mention.update(role=draw(st.one_of(st.none(), st.sampled_from(["president", "foreign minister"]))),
                           country=draw(iso3), org=draw(st.one_of(st.none(), st.sampled_from(["UN", "EU"]))))
            if kind == "role":
                mention["name"] = None
                mention["role"] = mention["role"] or "minister"
        elif kind == "country":
            code = draw(st.sampled_from(["FRA", "DEU", "CHN", "USA", "KEN"]))
            mention.update(code=code, id=code, via=draw(st.sampled_from(["name", "demonym", "capital"])))
        elif kind == "place":
            mention.update(country=draw(iso3), lat=draw(st.floats(-90, 90)), lon=draw(st.floats(-180, 180)))
        elif kind == "org":
            mention.update(code=draw(st.sampled_from(["UN", "EU", "NATO", "X"])))
        mentions.append(mention)
    return {**message, "mentions": mentions}


@PROPERTY
@given(tagged=tagged_with_arbitrary_mentions())
def test_detect_of_any_schema_valid_tagged_message_only_rejects(tagged):
    assume(valid_tagged(tagged) == [])
    events = must_only_reject(detect, tagged)
    for event in events or []:
        assert valid_event(event) == [], event


# ---------------------------------------------------------------- the whole pipeline


@PROPERTY
@given(text=texts, title=st.one_of(st.none(), texts), published_at=dates)
def test_process_of_any_text_only_rejects(text, title, published_at):
    result = must_only_reject(process, raw_message(text=text, title=title, published_at=published_at))
    if result is not None:
        assert valid_tagged(result.tagged) == []
        assert all(valid_event(e) == [] for e in result.events)


def test_every_corpus_article_becomes_messages_the_services_accept():
    # A message the next stage finds invalid is dead-lettered whole: its meetings are lost.
    assert workload.unsound_bases() == {}


def test_every_corpus_article_gives_the_same_events_in_every_process():
    # Each worker process has its own string-hash seed: a result that depends on set order
    # gives a replayed article other event ids after a restart, so its meetings are doubled.
    # (Seen once: dev/D02.txt dated in one process and undated in another.)
    assert workload.hash_dependent_bases() == {}
