"""The tagger's fast paths give what the plain versions they replace give.

capital_runs (RUN_RE run on a byte "shape" of the text), norm_text's patching of non-ASCII
characters, the overlap test of select_spans and the case rule the gazetteer stores per
phrase are each compared with a straightforward reference, on sentences written for these
tests and on seeded random strings built from the characters that matter to them.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from parley.logic.tag import shapes
from parley.logic.tag.spans import select_spans
from parley.logic.gazetteer import norm_text, normalise
from parley.logic.gazetteer.model import (
    ACRONYM,
    ANY_CASE,
    CAPITALISED,
    MIXED,
    phrase_rule,
)


def _runs(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in shapes.capital_runs(text)]


def _reference_runs(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in shapes.RUN_RE.finditer(text)]


@pytest.mark.parametrize("text", [
    "Yesterday Ahmed bin Salman al-Rashid met Jean-Yves Le Drian in Paris.",
    "The envoy, Maria della Costa, spoke to Mr. O'Neil and to Ana de la Vega.",
    "Łukasz Wójcik’s visit: Çağlar Öztürk and Ğ. Şahin — then İlham Əliyev.",
    "Talks in Ελλάδα with Σωκράτης and Иван Петров, then van der Berg again.",
    "A U.S. team and the E.U. sent Dr. Abu el-Fadl, Ud-Din and X al Y.",
    "lower case only, nothing here",
    "",
])
def test_capital_runs_are_the_matches_of_the_run_pattern(text):
    assert _runs(text) == _reference_runs(text)


def test_capital_runs_agree_with_the_run_pattern_on_random_strings():
    rnd = random.Random(20261130)
    alphabet = list(" .-'’_aebdilt uvyxz09AZÉéĞğŁłΣσЖж–—“\n\t\x01\x02?") + ["½", "Ⓐ", "ǅ", "\xa0"]
    words = ["al", "el", "bin", "de", "della", "van", "der", "la", "abu", "as", "ash", "ud", "al-",
             "el-", "Jean", "Le", "X.", "O'Neil", "Ab’d", "Łukasz", "said", "’s", "Mr."]
    for _ in range(3000):
        text = "".join(rnd.choice(words) if rnd.random() < 0.4 else rnd.choice(alphabet)
                       for _ in range(rnd.randrange(0, 25)))
        assert _runs(text) == _reference_runs(text), text


def test_capital_runs_agree_with_the_run_pattern_for_every_latin_character():
    for cp in range(0x300):
        ch = chr(cp)
        for text in (ch, "A" + ch + "B", "A " + ch + "B", "A al" + ch + "B"):
            assert _runs(text) == _reference_runs(text), repr(text)


def _reference_norm_text(text: str) -> str:
    return "".join(chr(normalise._BYTES[ord(ch)]) if ord(ch) < 128 else chr(normalise._patch(ch))
                   for ch in text)


@pytest.mark.parametrize("text", [
    "Who met whom? Erdoğan met Łukaszenka – or did he?",
    "?¿ “Quoted” ‘single’ café naïve ß Ω 北京 ?",
    "plain ASCII, with a question?",
    "???é???",
    "",
])
def test_norm_text_patches_exactly_the_non_ascii_characters(text):
    out = norm_text(text)
    assert len(out) == len(text)
    assert out == _reference_norm_text(text)


@dataclass
class _FakeGazetteer:
    """Just enough of a Gazetteer for select_spans: scan() returns the given hits."""
    hits: list

    def scan(self, text):
        return self.hits


def _reference_select(text: str, hits: list) -> list[tuple[int, int, str]]:
    """select_spans as first written: longest first, then leftmost; a hit overlapping a
    span taken before is dropped; roles glued to a hyphen are skipped."""
    taken = bytearray(len(text) + 1)
    out = []
    for start, end, entries in sorted(hits, key=lambda h: (h[0] - h[1], h[0])):
        if taken.find(1, start, end) != -1:
            continue
        kind = entries[0][0]
        if kind in ("role", "hon") and start > 0 and (text[end:end + 1] == "-" or text[start - 1:start] == "-"):
            continue
        taken[start:end] = b"\x01" * (end - start)
        out.append((start, end, kind))
    return sorted(out)


def test_select_spans_keeps_the_longest_hits_that_do_not_overlap():
    rnd = random.Random(7)
    kinds = ["country", "place", "role", "org"]
    for _ in range(500):
        text = "".join(rnd.choice("ab -") for _ in range(60))
        hits = set()
        for _ in range(rnd.randrange(0, 25)):
            start = rnd.randrange(0, 59)
            hits.add((start, min(60, start + rnd.randrange(1, 12))))
        hits = [(s, e, ((rnd.choice(kinds), None, CAPITALISED, "x"),)) for s, e in sorted(hits, key=lambda h: h[1])]
        spans = select_spans(_FakeGazetteer(hits), text)
        assert [(s.start, s.end, s.kind) for s in spans] == _reference_select(text, hits)
        places = [(s.start, s.end) for s in spans if s.kind == "place"]
        others = [(s.start, s.end) for s in spans if s.kind != "place"]
        assert [i for i, b in enumerate(spans.placed) if b] == [i for s, e in places for i in range(s, e)]
        assert [i for i, b in enumerate(spans.blocked) if b] == [i for s, e in others for i in range(s, e)]


@pytest.mark.parametrize("rules, expected", [
    ([ANY_CASE], ANY_CASE),
    ([CAPITALISED], CAPITALISED),
    ([ACRONYM], ACRONYM),
    ([CAPITALISED, CAPITALISED], CAPITALISED),      # a capital and its place entry
    ([ANY_CASE, ANY_CASE], ANY_CASE),
    ([ACRONYM, ACRONYM], MIXED),                     # each acronym's own spelling is checked
    ([ANY_CASE, CAPITALISED], MIXED),
    ([CAPITALISED, ACRONYM], MIXED),
])
def test_a_phrase_gets_the_case_rule_its_entries_share(rules, expected):
    entries = [("org", f"O{i}", rule, f"Org{i}") for i, rule in enumerate(rules)]
    assert phrase_rule(entries) == expected
