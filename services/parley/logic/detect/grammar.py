"""Light sentence and clause grammar for meeting detection.

Pure string work on one field of an article (title or cleaned body): sentence split with
offsets, clause boundaries, parenthetical (relative) clauses and quoted speech. Nothing here
knows about people or countries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

# A period after one of these does not end a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "lt", "col", "sen", "rep", "gov", "pres",
    "prof", "no", "vs", "inc", "co", "corp", "ltd", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "sgt", "capt", "adm", "rev", "hon",
    "amb", "approx", "est", "dept", "univ", "art", "e.g", "i.e", "etc",
}
# The leading character class lets the regex engine skip to candidate characters at once.
_SENT_END = re.compile(r"[.!?…\n](?:(?<=[.!?…])[.!?…]*[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9À-Þ])|(?<=\n)\n*)")
_WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        if m.group(0)[0] == ".":
            # the word before the period: the letters and dots running up to it (at most 24
            # characters back), from its first letter on; str.rstrip finds the run without a
            # regex attempt at every position
            before = text[max(0, m.start() - 24):m.start()]
            if before.endswith("\n"):
                before = before[:-1]    # as "$" did: a word may end before a final newline
            word = before[len(before.rstrip(_WORD_CHARS)):].lstrip(".").lower()
            if word:
                # "U.S." inside a sentence, initials ("J. Blinken") and titles ("Mr.") don't end it
                if word in _ABBREV or len(word) == 1 or ("." in word and len(word) <= 6):
                    continue
        end = m.end()
        _add(text, pos, end, out)
        pos = end
    _add(text, pos, len(text), out)
    return out


def _add(text: str, start: int, end: int, out: list[Sentence]) -> None:
    seg = text[start:end]
    body = seg.strip()     # str.strip() drops exactly the characters str.isspace() names
    if body:
        start += len(seg) - len(seg.lstrip())
        out.append(Sentence(start, start + len(body), body))


def word_alternation(words: list[str]) -> str:
    """`words` (regexes, each opening with a letter) as one alternation grouped by that first
    letter: the engine tries one group per word start instead of every word in turn, which
    halves the scan. Only for alternatives closed by the same boundary (their order then
    cannot matter: two of them never match at one position)."""
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[0].lower(), []).append(w[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in sorted(groups.items()))


# "as" opens a clause ("as he said"), but not in "as well" or a time's "as early as next week"
_AS_CLAUSE = r"as(?<!early\sas)(?<!soon\sas)(?<!late\sas)(?!\s+well|\s+(?:early|soon|late)\s+as\b)"

# Words and marks that open a new clause: the subject of a trigger lies after the last of
# them, its object before the next one.
LEFT_WORDS = [
    "that", "said", "says", "say", "told", "tells", "when", _AS_CLAUSE, "while", "whereas",
    "although", "though", "because", "since", "if", "whether", "after", "before", "where", "but",
    r"so\s+that", r"and\s+then(?![-–])", r"according\s+to", "added", "adding", "noted", "noting",
    "stressed", "stressing", "reported", "announced", "stated",
]
RIGHT_WORDS = [
    "said", "says", "told", "that", "where", "which", "who", "whom", "while", "but", "although",
    "because", "after", "before", "when", "since", _AS_CLAUSE,
    r"and\s+(?:then(?![-–])|also|discussed|said|agreed|stressed|expressed|noted)",
    r"according\s+to", "adding", "noting", r"during\s+which", r"to\s+discuss", r"to\s+talk",
]
_MARKS = r"[;:“”\"]|—|\s-\s"
LEFT_BOUNDARY = re.compile(rf"{_MARKS}|\b(?:{word_alternation(LEFT_WORDS)})\b", re.I)
RIGHT_BOUNDARY = re.compile(rf"{_MARKS}|\b(?:{word_alternation(RIGHT_WORDS)})\b", re.I)
# ", who is visiting Armenia," — a relative clause inside the main clause
PARENTHETICAL = re.compile(r",\s*(?:who|which|whose)\b[^,;]*(?:,|$)|\([^)]*\)")


def _boundary_finder(words: list[str]) -> ahocorasick.Automaton:
    """Where a boundary match can begin: the letters every word regex opens with, the marks,
    and the character before a "-" (of a spaced dash). Values: how far before the key's last
    character the match would begin."""
    finder = ahocorasick.Automaton()
    for key in [re.match(r"[a-z]+", w).group(0) for w in words] + list(";:“”\"—"):
        finder.add_word(key, len(key) - 1)
    finder.add_word("-", 1)
    finder.make_automaton()
    return finder


_LEFT_FINDER = _boundary_finder(LEFT_WORDS)
_RIGHT_FINDER = _boundary_finder(RIGHT_WORDS)
# the characters other than ASCII letters that re.I matches with an ASCII letter (or whose
# lower case is one): where they occur, a lower-cased key search could miss a boundary word
IGNORECASE_FOLDS = re.compile("[\u0130\u0131\u017f\u212a]")


def _boundary_starts(finder: ahocorasick.Automaton, text: str, lo: int, hi: int) -> list[int] | None:
    """Every offset in [lo, hi) where a boundary regex can match (a superset, sorted), found
    in one pass of an automaton instead of trying the regex at every position; None where
    lower-casing cannot be trusted."""
    window = text[lo:hi]
    if IGNORECASE_FOLDS.search(window):
        return None
    return sorted({lo + end - back for end, back in finder.iter(window.lower()) if end >= back})


def _first_match(rx: re.Pattern, text: str, starts: list[int], pos: int, end: int):
    """rx.search(text, pos, end), tried only at `starts` (all places where rx can match)."""
    for p in starts:
        if p >= pos:
            m = rx.match(text, p, end)
            if m:
                return m
    return None


def _last_left_boundary(seg: str) -> int:
    """The end of the last clause opener in `seg` (0 when there is none)."""
    left = 0
    starts = _boundary_starts(_LEFT_FINDER, seg, 0, len(seg))
    if starts is None:
        for m in LEFT_BOUNDARY.finditer(seg):
            left = m.end()
    else:
        pos = 0      # as finditer: the leftmost match from `pos` on, then on from its end
        for p in starts:
            if p >= pos and (m := LEFT_BOUNDARY.match(seg, p)):
                left, pos = m.end(), m.end()
    return left


# a few quoted words inside a clause ('X and Y "happily agreed" to visit ...', 'attend the
# "Nordic Circle" dinner'): a partial quote (lower case) or a quoted
# name after a word, not a clause of its own
EMBEDDED_QUOTE = re.compile(r"(?<=\w )[\"“](?:[a-z][^\"“”]{0,80}|[A-Z][^\"“”,.!?]{0,40})[\"”]")


def clause_span(text: str, sent: Sentence, t_start: int, t_end: int) -> tuple[int, int]:
    """Start and end (absolute offsets) of the clause around a trigger at [t_start, t_end)."""
    seg = text[sent.start:t_start]
    cut = _last_left_boundary(seg)
    if cut and seg[cut - 1] in "\"”" and (q := _embedded_quote_ending(seg, cut)):
        cut = _last_left_boundary(seg[:q])
    left = sent.start + cut
    right = sent.end
    pos = t_end
    starts = _boundary_starts(_RIGHT_FINDER, text, t_end, sent.end)
    while True:
        if starts is None:
            m = RIGHT_BOUNDARY.search(text, pos, sent.end)
        else:
            m = _first_match(RIGHT_BOUNDARY, text, starts, pos, sent.end)
        if not m:
            break
        q = SHORT_QUOTE.match(text, m.start())
        if q and q.end() <= sent.end:
            pos = q.end()      # a quoted name ("Normandy Four") does not end the clause
            continue
        right = m.start()
        break
    return left, right


def _embedded_quote_ending(seg: str, end: int) -> int | None:
    """The start of the partial quote of `seg` that closes at `end`, if it is one."""
    for m in EMBEDDED_QUOTE.finditer(seg):
        if m.end() == end:
            return m.start()
    return None


SHORT_QUOTE = re.compile(r"[\"“][A-Z][^\"“”]{0,40}[\"”]")


def parentheticals(text: str, sent: Sentence) -> list[tuple[int, int]]:
    return [(sent.start + m.start(), sent.start + m.end())
            for m in PARENTHETICAL.finditer(sent.text)]


_QUOTE = re.compile(r"[\"“][^\"“”]*[\"”]?")


def quoted_spans(text: str, sent: Sentence) -> list[tuple[int, int]]:
    return [(sent.start + m.start(), sent.start + m.end()) for m in _QUOTE.finditer(sent.text)]
