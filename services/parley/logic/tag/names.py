"""Name tokens in runs of capitalised words, and what the gazetteer alone says about them.

Everything here depends on the words and the gazetteer only, so the answers are kept per
process in bounded dicts (gz.name_cache, gz.fuzzy_cache, gz.surname_cache and module memos).
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from parley.logic.gazetteer import Gazetteer, fold

from .records import Name

NOT_ID_CHARS_RE = re.compile(r"[^a-z0-9]+")
SURNAME_LINK_MIN = 0.84     # Jaro-Winkler between a lone surname and a known person's surname
FUZZY_NAME_MIN = 85         # rapidfuzz ratio between a full name and a gazetteer alias


def _name(gz: Gazetteer, tokens: tuple) -> Name:
    surface = _clean_name(tokens)
    key = fold(surface)
    key_tokens = tuple(key.split())
    name = Name(tokens[0][0], tokens[-1][1], tokens, key, key_tokens, surface,
                "x:" + NOT_ID_CHARS_RE.sub("-", key).strip("-"),
                bool(key_tokens) and key_tokens[0] in gz.given_names,
                len(tokens) == 1 and _never_a_surname(tokens[0][2]))
    if len(tokens) >= 2:
        name.known, name.rest = _known_windows(gz, tokens)
    return name


def new_name(gz: Gazetteer, tokens: tuple) -> Name:
    """The Name of some tokens of a run (not kept in the run cache)."""
    return _name(gz, tuple(tokens))


def _known_windows(gz: Gazetteer, toks: tuple) -> tuple[tuple, tuple]:
    """Known people anywhere in a group of name tokens (longest windows first, left to right),
    and the Names of the groups of words left between them (none when nobody is known)."""
    n = len(toks)
    known = []
    leftovers: list[list] = [[]]
    i = 0
    while i < n:
        for size in range(min(6, n - i), 1, -1):    # "Luiz Inacio Lula da Silva"
            choices = _window_people(gz, _key(toks[i:i + size]), size)
            if choices and choices[1] and size != n:
                # a close spelling must be the whole name: "Mohammed bin Abdulaziz" of a longer
                # name is not a namesake's misspelling
                choices = None
            if choices:
                known.append((i, size) + choices)
                leftovers.append([])
                i += size
                break
        else:
            leftovers[-1].append(toks[i])
            i += 1
    if not known:
        return (), ()
    return tuple(known), tuple(_name(gz, tuple(group)) for group in leftovers if group)


def _window_people(gz: Gazetteer, key: str, words: int) -> tuple[tuple, bool] | None:
    """The gazetteer people a folded name of `words` words may be: (indices, False) from the
    alias index, or ((index, score), ...), True) for close spellings; None for nobody. Which
    one of several the text means depends on the article (_known_person)."""
    idxs = gz.alias_index.get(key)
    toks = key.split()
    # a middle name is a word of its own: "Sergey Viktorovich Lavrov" may drop it, but the
    # syllables of a hyphenated given name are one name ("Kim Kyung-hoon" is no "Kim ... Hoon")
    whole_words = len(toks) == words
    if not idxs and len(toks) >= 3 and whole_words:    # first + last, same surname
        idxs = [i for i in gz.alias_index.get(f"{toks[0]} {toks[-1]}", ())
                if fold(gz.people[i].name).split()[-1] == toks[-1]]
    if idxs:
        return tuple(idxs), False
    scored = _fuzzy_scores(gz, key, whole_words)
    return (scored, True) if scored else None


CONNECTOR_RE = re.compile(r"(?:\b(?:and|of|for|to|on|at|in|&)\s+|-)$")
_CONNECTOR_CACHE: dict[str, bool] = {}


def after_connector(before: str) -> bool:
    """CONNECTOR_RE on the 5 characters before a name; few distinct windows ("the ", " and "),
    so the answers are kept per process (bounded)."""
    hit = _CONNECTOR_CACHE.get(before)
    if hit is None:
        if len(_CONNECTOR_CACHE) >= 50_000:
            _CONNECTOR_CACHE.clear()
        hit = _CONNECTOR_CACHE[before] = bool(CONNECTOR_RE.search(before))
    return hit


_NAME_CACHE_MAX = 50_000     # about 0.5 kB an entry (run, Names): some 25 MB at most


def run_names(gz: Gazetteer, words: str, mask: bytes | None) -> tuple:
    """The Names in a run of capitalised words. `mask` marks the run's characters inside
    known phrases (None: no phrase). Kept per process (gz.name_cache, by the words and the
    mask): the result depends on them and the gazetteer only."""
    cache = gz.name_cache
    if len(cache) >= _NAME_CACHE_MAX:
        cache.clear()
    pieces = [(0, words)] if mask is None else _unblocked_pieces(words, mask)
    names = tuple(_name(gz, tuple((a + offset, b + offset, w) for a, b, w in g))
                  for offset, piece in pieces for g in _split_run(gz, piece)
                  if len(g) > 1 or not _never_a_surname(g[0][2]) or _short_family_name(gz, g[0][2]))
    cache[words if mask is None else (words, mask)] = names
    return names


def _never_a_surname(word: str) -> bool:
    """A lone word _resolve_single turns down whatever the article says: too short, or an
    acronym ("ISIS", "NATO"); dropped before any per-article work."""
    key = fold(word)
    return len(key) < 3 or word.isupper() and len(key) <= 5


def _short_family_name(gz: Gazetteer, word: str) -> bool:
    """ "Xi", "Li": too short for a surname, but a family name a person named before may go by."""
    return len(word) == 2 and not word.isupper() and fold(word) in gz.family_first


def _unblocked_pieces(words: str, mask: bytes) -> list[tuple[int, str]]:
    """(offset, words) of the parts of a run between words that begin inside a known phrase
    ("Russian Foreign Minister Sergei Lavrov" -> "Sergei Lavrov"). Such a word ends the name
    before it and is no name itself, so the parts split independently."""
    pieces = []
    piece_start = a = 0
    for w in words.split(" "):
        if mask[a]:
            if a > piece_start:
                pieces.append((piece_start, words[piece_start:a - 1]))
            piece_start = a + len(w) + 1
        a += len(w) + 1
    if a > piece_start:
        pieces.append((piece_start, words[piece_start:]))
    return pieces


def _split_run(gz: Gazetteer, run: str) -> list[list]:
    """Groups of name tokens [(start, end, surface)] in a run of capitalised words, offsets
    relative to the run."""
    nonname, nonperson = gz.nonname, gz.nonperson
    candidates = []
    group: list = []
    tainted = False     # the group follows a word like "Operation" in the same run
    a = 0
    words = run.split(" ")   # a run joins its words with single spaces
    for k, surface in enumerate(words):
        b = a + len(surface)
        sentence_end = len(surface) > 2 and surface[-1] == "."
        if sentence_end:
            surface = surface[:-1]
        if surface in nonperson and not (not group and k + 1 < len(words)
                                         and _family_name_before(gz, surface, words[k + 1:k + 3])):
            # names of other things: "John Radcliffe Hospital" (the words before), "Operation
            # Peace Spring" (the words after, when the word starts the name). A word that ends
            # one leaves the next words alone: "Envoy for the Great Lakes Region Dana Price"
            group, tainted = [], not group
            a = b + 1
            continue
        stop = not surface[:1].isupper() and not group
        possessive = surface.endswith(("'s", "’s"))
        if possessive:     # tokens carry the name without "'s"; the mention ends before it
            surface = surface[:-2]
        tok = (a, b - sentence_end - 2 * possessive, surface)
        if not stop and (surface in nonname or possessive and fold(surface) in nonname):
            # "Theresa May": a calendar word can still end a known name; a family name that is
            # also a common word is a name between capitalised names ("Liu He", "He Lifeng")
            stop = not (group and _key(group + [tok]) in gz.alias_index
                        or fold(surface) in gz.family_first and _family_name_word(gz, group, words[k + 1:k + 2]))
        if stop:
            if group and not tainted:
                candidates.append(group)
            group, tainted = [], False
        else:
            group.append(tok)
            if possessive or sentence_end:   # "Lavrov's counterpart", "... Nalbandian. Reuben"
                if not tainted:
                    candidates.append(group)
                group, tainted = [], False
        a = b + 1
    if group and not tainted:
        candidates.append(group)
    out = []
    for g in candidates:
        while g and not g[-1][2][:1].isupper() and "-" not in g[-1][2]:   # trailing particles ("van")
            g = g[:-1]
        if g:
            out.append(g)
    return out


# "Ji-ho", "Geun-hye": a Korean given name after the family name
HYPHENATED_GIVEN_RE = re.compile(r"[A-Z][a-z]+-[a-z]+\.?")


def _family_name_before(gz: Gazetteer, word: str, after: list[str]) -> bool:
    """ "Park Geun-hye": a family name that is also a word of place names ("Park"), before a
    given name."""
    if fold(word) not in gz.family_first:
        return False
    return HYPHENATED_GIVEN_RE.fullmatch(after[0]) is not None \
        or any(fold(" ".join([word, *after[:n]])) in gz.alias_index for n in (1, 2))


def _family_name_word(gz: Gazetteer, group: list, after: list[str]) -> bool:
    if group:
        return len(group) == 1 and fold(group[0][2]) in gz.family_first     # "Liu He"
    return bool(after) and after[0][:1].isupper() and after[0] not in gz.nonname \
        and after[0] not in gz.nonperson                                   # "He Lifeng"


def _clean_name(tokens) -> str:
    return " ".join([t[2] for t in tokens])


def _key(tokens) -> str:
    return fold(_clean_name(tokens))


_FUZZY_CACHE_MAX = 50_000


def _fuzzy_scores(gz, key: str, whole_words: bool = True) -> tuple:
    """(person index, score) of gazetteer people whose name is a close spelling of key;
    independent of article and date, so kept per process. Without whole_words (a hyphenated
    word in the name) first + last are not compared alone."""
    cache = gz.fuzzy_cache
    memo_key = key if whole_words else key + "-"
    hit = cache.get(memo_key)
    if hit is not None:
        return hit
    toks = key.split()
    scored = []
    family = bool(toks) and toks[0] in gz.family_first
    if len(toks) >= 2 and len(toks[-1]) >= 4:
        surnames = [toks[-1]] + [s for s in gz.similar_surnames(toks[-1])
                                 if JaroWinkler.similarity(s, toks[-1]) >= SURNAME_LINK_MIN]
        for i in dict.fromkeys(i for s in surnames for i in gz.surname_index.get(s, ())):
            score = 0.0
            for a in gz.people[i].aliases:
                fs = fold(a).split()
                if len(fs) < 2 or fs[-1] not in surnames or JaroWinkler.similarity(fs[0], toks[0]) < 0.8:
                    continue
                if family:
                    # the family name comes first: the given names must be close spellings
                    # ("Kim Yo Jong" and "Kim Dae Jung" share a family name and a syllable)
                    if fs[0] == toks[0]:
                        score = max(score, fuzz.ratio(" ".join(toks[1:]), " ".join(fs[1:])))
                    continue
                score = max(score, fuzz.ratio(key, " ".join(fs)))
                # "Dimitri Medvedev" ~ "Dmitry Anatolyevich Medvedev", "Joseph R. Biden" ~ "Joe Biden":
                # middle names and initials aside, compare first + last
                if whole_words:
                    score = max(score, fuzz.ratio(f"{toks[0]} {toks[-1]}", f"{fs[0]} {fs[-1]}"))
            if score >= FUZZY_NAME_MIN:
                scored.append((i, score))
    if len(cache) >= _FUZZY_CACHE_MAX:
        cache.clear()
    cache[memo_key] = result = tuple(scored)
    return result


_SURNAME_CACHE_MAX = 50_000


def surname_people(gz, key: str) -> tuple:
    """Indices of gazetteer people with surname `key`, or with a close spelling of it
    ("Zelensky" for Zelenskyy); depends on the gazetteer only, so kept per process."""
    cache = gz.surname_cache
    hit = cache.get(key)
    if hit is not None:
        return hit
    idxs = tuple(gz.surname_index.get(key, ()))
    if not idxs and len(key) >= 5:
        idxs = tuple(i for s in gz.similar_surnames(key) if JaroWinkler.similarity(s, key) >= 0.9
                     for i in gz.surname_index.get(s, ()))
    if len(cache) >= _SURNAME_CACHE_MAX:
        cache.clear()
    cache[key] = idxs
    return idxs
