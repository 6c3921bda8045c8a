"""Trigger finding: the words of a field that can open a meeting trigger (triggers.tsv), found
once per field, and the trigger rows that match at them, sentence by sentence.
"""
from __future__ import annotations

import re
from functools import lru_cache

import ahocorasick

from parley.logic.detect.grammar import Sentence
from parley.logic.detect.records import Hit
from parley.logic.detect.vocabulary import lex, lexicon_raw, literal_prefixes, triggers

_END = r"(?:(?<=\s)|(?![\w-]))"   # a trigger ends at a word end (or after its trailing space)


@lru_cache(maxsize=None)
def _trigger_rx_for(head: str) -> re.Pattern:
    """All triggers that can begin with the word `head`, in one alternation (file order decides
    between matches at one position; the group name is the row): at a word start only those
    can match, so the engine does not try the other alternatives one by one."""
    # the word-start check is factored out of the alternatives: mid-word positions fail at once
    parts = [f"(?P<t{i}>(?:{t.pattern}){_END})" for i, t in enumerate(triggers())
             if _may_begin_with(t.pattern, head)]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + ")" if parts else r"(?!)", re.I)


def _may_begin_with(pattern: str, head: str) -> bool:
    prefixes = literal_prefixes(pattern)
    return prefixes is None or any(head.startswith(p) or p.startswith(head) for p in prefixes)


@lru_cache(maxsize=1)
def _heads() -> frozenset:
    return frozenset(lexicon_raw()["heads"].split())


_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _prefer_earlier_rows(text, sent, m, heads):
    """A trigger inside a longer match wins when its row comes first in triggers.tsv
    ("had telephone conversations": the call, not "had ... conversations")."""
    best = m
    for w in _WORD.finditer(text, m.start() + 1, m.end()):
        word = w.group(0).lower()
        if word in heads:
            m2 = _trigger_rx_for(word).match(text, w.start(), sent.end)
            if m2 and int(m2.lastgroup[1:]) < int(best.lastgroup[1:]):
                best = m2
    return best


_RUN_CHAR = re.compile(r"[\w'’-]")
_LETTER = re.compile(r"[^\W\d_]")


def head_starts(text: str) -> list[tuple[int, str]]:
    """(offset, head) of the words of the field (as `_WORD` cuts them) that can open a trigger
    phrase, in text order.
    The head words present in the field are looked up with str.find: far cheaper than a Python
    loop over every word. Words never cross sentence ends, so each sentence takes its slice."""
    low = text.lower()
    if len(low) != len(text):    # lower-casing changed offsets (rare letters): word by word
        heads = _heads()
        return [(w.start(), w.group(0).lower()) for w in _WORD.finditer(text) if w.group(0).lower() in heads]
    starts = []
    word = _WORD.match
    # every occurrence of a head, also inside longer words; kept where it is a whole word
    n = len(low)
    for end, head in _head_finder().iter(low):
        i = end - len(head) + 1
        # most occurrences sit inside longer words ("comet", "government"): a letter right
        # before or after says so without a regex
        if (i and low[i - 1].isalpha()) or (end + 1 < n and low[end + 1].isalpha()):
            continue
        w = word(text, i)
        if w and w.end() == end + 1 and _word_starts_at(text, 0, i):
            starts.append((i, head))
    starts.sort()
    return starts


@lru_cache(maxsize=1)
def _head_finder() -> ahocorasick.Automaton:
    finder = ahocorasick.Automaton()
    for h in _heads():
        finder.add_word(h, h)
    finder.make_automaton()
    return finder


def _word_starts_at(text: str, lo: int, p: int) -> bool:
    """Does a `_WORD` token scanned from `lo` begin at `p` (a letter)? Not when `p` continues a
    run of word characters that already holds a letter ("re-meet", "talks")."""
    j = p - 1
    while j >= lo and _RUN_CHAR.match(text, j):
        if _LETTER.match(text, j):
            return False
        j -= 1
    return True


def find_triggers(text: str, sent: Sentence, head_starts: list[tuple[int, str]]) -> list[Hit]:
    """Triggers of a sentence: the patterns are tried only at words that can start one, and
    only those that can start with that word."""
    if not head_starts:
        return []     # most sentences: no word that can start a trigger
    heads = _heads()
    trigs = triggers()
    hits: list[Hit] = []
    taken = sent.start
    for start, head in head_starts:
        if start < taken:
            continue
        m = _trigger_rx_for(head).match(text, start, sent.end)
        if m is None:
            continue
        m = _prefer_earlier_rows(text, sent, m, heads)
        s, e = m.span()
        if e <= s:
            continue
        taken = e
        trig = trigs[int(m.lastgroup[1:])]
        if "det" in trig.flags and not lex("det_before").search(text, max(sent.start, s - 45), s):
            continue
        hits.append(Hit(trig, s, e))
    return hits
