"""Light sentence and clause grammar for meeting detection.

Pure string work on one field of an article (title or cleaned body): sentence split with
offsets, clause boundaries, parenthetical (relative) clauses and quoted speech. Nothing here
knows about people or countries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A period after one of these does not end a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "lt", "col", "sen", "rep", "gov", "pres",
    "prof", "no", "vs", "inc", "co", "corp", "ltd", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "sgt", "capt", "adm", "rev", "hon",
    "amb", "approx", "est", "dept", "univ", "art", "e.g", "i.e", "etc",
}
# The leading character class lets the regex engine skip to candidate characters at once.
_SENT_END = re.compile(r"[.!?…\n](?:(?<=[.!?…])[.!?…]*[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9À-Þ])|(?<=\n)\n*)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


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
            w = _WORD_BEFORE.search(text, max(0, m.start() - 24), m.start())
            if w:
                word = w.group(1).lower()
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


# Words and marks that open a new clause: the subject of a trigger lies after the last of
# them, its object before the next one.
LEFT_WORDS = [
    "that", "said", "says", "say", "told", "tells", "when", r"as(?!\s+well)", "while", "whereas",
    "although", "though", "because", "since", "if", "whether", "after", "before", "where", "but",
    r"so\s+that", r"and\s+then(?![-–])", r"according\s+to", "added", "adding", "noted", "noting",
    "stressed", "stressing", "reported", "announced", "stated",
]
RIGHT_WORDS = [
    "said", "says", "told", "that", "where", "which", "who", "whom", "while", "but", "although",
    "because", "after", "before", "when", "since", r"as(?!\s+well)",
    r"and\s+(?:then(?![-–])|also|discussed|said|agreed|stressed|expressed|noted)",
    r"according\s+to", "adding", "noting", r"during\s+which", r"to\s+discuss", r"to\s+talk",
]
_MARKS = r"[;:“”\"]|—|\s-\s"
LEFT_BOUNDARY = re.compile(rf"{_MARKS}|\b(?:{word_alternation(LEFT_WORDS)})\b", re.I)
RIGHT_BOUNDARY = re.compile(rf"{_MARKS}|\b(?:{word_alternation(RIGHT_WORDS)})\b", re.I)
# ", who is visiting Armenia," — a relative clause inside the main clause
PARENTHETICAL = re.compile(r",\s*(?:who|which|whose)\b[^,;]*(?:,|$)|\([^)]*\)")


def clause_span(text: str, sent: Sentence, t_start: int, t_end: int) -> tuple[int, int]:
    """Start and end (absolute offsets) of the clause around a trigger at [t_start, t_end)."""
    left = sent.start
    seg = text[sent.start:t_start]
    for m in LEFT_BOUNDARY.finditer(seg):
        left = sent.start + m.end()
    right = sent.end
    pos = t_end
    while True:
        m = RIGHT_BOUNDARY.search(text, pos, sent.end)
        if not m:
            break
        q = _SHORT_QUOTE.match(text, m.start())
        if q and q.end() <= sent.end:
            pos = q.end()      # a quoted name ("Normandy Four") does not end the clause
            continue
        right = m.start()
        break
    return left, right


_SHORT_QUOTE = re.compile(r"[\"“][A-Z][^\"“”]{0,40}[\"”]")


def parentheticals(text: str, sent: Sentence) -> list[tuple[int, int]]:
    return [(sent.start + m.start(), sent.start + m.end())
            for m in PARENTHETICAL.finditer(sent.text)]


_QUOTE = re.compile(r"[\"“][^\"“”]*[\"”]?")


def quoted_spans(text: str, sent: Sentence) -> list[tuple[int, int]]:
    return [(sent.start + m.start(), sent.start + m.end()) for m in _QUOTE.finditer(sent.text)]
