"""The text query of an alert rule, matched against a report's evidence sentence.

    ceasefire                 the word (whole word, any case, accents ignored)
    talk*                     a word starting with "talk" (talks, talked)
    "peace deal"              the words in this order, next to each other
    -postponed  -"no deal"    excluded: none of these may appear
    border ceasefire          both (terms side by side must all match)
    border OR ceasefire       either (OR, in capitals, separates alternatives)

No parentheses: a query is alternatives (OR) of groups whose terms must all match. A group
needs at least one term that is not excluded.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r'\s*(-?)(?:"([^"]*)"|(\S+))')
_WORD = re.compile(r"[^\W_]+(?:\*)?|\*", re.UNICODE)


class QueryError(ValueError):
    """A query that cannot be read; the message says where."""


def fold(text: str) -> str:
    """Lower case without accents: what both the query and the evidence are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded words, in order; the last may end with "*" (a prefix)
    negated: bool
    pattern: re.Pattern

    def found_in(self, folded: str) -> bool:
        return self.pattern.search(folded) is not None


@dataclass(frozen=True)
class Query:
    text: str
    groups: tuple[tuple[Term, ...], ...]

    def matches(self, evidence: str) -> bool:
        folded = fold(evidence or "")
        return any(all(term.found_in(folded) != term.negated for term in group) for group in self.groups)


def _term(words: list[str], negated: bool, where: str) -> Term:
    folded = []
    for i, word in enumerate(words):
        if word.endswith("*") and i != len(words) - 1:
            raise QueryError(f"{where}: '*' may only end the last word of a term")
        if word.strip("*") == "":
            raise QueryError(f"{where}: '*' needs at least one letter before it")
        folded.append(word)
    parts = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in folded]
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(parts) + r"(?!\w)")
    return Term(tuple(folded), negated, pattern)


@lru_cache(maxsize=1024)
def parse(text: str) -> Query:
    """Read a query; raises QueryError naming what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise QueryError("the query is empty")
    if text.count('"') % 2:
        raise QueryError('a quotation mark (") is not closed')
    groups: list[list[Term]] = [[]]
    position = 0
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            break
        position = found.end()
        minus, quoted, bare = found.groups()
        if quoted is None and bare == "OR" and not minus:
            if not groups[-1]:
                raise QueryError("OR must stand between two terms")
            groups.append([])
            continue
        raw = quoted if quoted is not None else bare
        words = _WORD.findall(fold(raw))
        if not words:
            where = f'"{raw}"' if quoted is not None else repr(raw)
            raise QueryError(f"{where} holds no word to look for")
        groups[-1].append(_term(words, bool(minus), repr(raw)))
    if not groups[-1]:
        raise QueryError("OR must stand between two terms")
    for group in groups:
        if all(term.negated for term in group):
            raise QueryError("each alternative needs a term that is not excluded (-word alone matches almost everything)")
    return Query(text, tuple(tuple(g) for g in groups))
