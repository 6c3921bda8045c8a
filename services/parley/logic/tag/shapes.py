"""Capitalised runs of words (name candidates), found on a byte "shape" of the text."""
from __future__ import annotations

import re

from parley.logic.gazetteer.normalise import byte_map

# ---------------------------------------------------------------- patterns (language, not knowledge)


_UPPER = "".join(ch for ch in map(chr, range(0x250)) if ch.isupper())
_CAP = f"[{re.escape(_UPPER)}]"
PARTICLES = frozenset("al el bin ibn bint ben de da di del della dos das do van von der den ter la le du y abu ag ould ul ur ud".split())
_PARTICLE = "(?:" + "|".join(sorted(PARTICLES)) + ")"
# A run of capitalised words joined by single spaces, with name particles ("Bashar al-Assad",
# "Jean-Yves Le Drian"); the tagger runs it as RUN_SHAPE_RE (capital_runs)
RUN_RE = re.compile(rf"{_CAP}[\w'’-]*\.?(?:[ ](?:{_PARTICLE}[ ])*(?:(?:al|el|as|ash|ad|at|ul|ud)-)?{_CAP}[\w'’-]*\.?)*")

# The same runs found faster: sre tests a character class at every character of the text
# (RUN_RE's first step), about twenty times the cost of looking for one literal character.
# So RUN_RE runs as RUN_SHAPE_RE on the text's "shape", bytes of the same length in which
# each capital is \x01 and every other character stands for the class RUN_RE puts it in:
# itself (space, ".", "-", "'", a-z, 0-9, "_"), "'" for "’", "_" for other word characters,
# \x02 for the rest. Both patterns then take the same steps (capital_runs).
_UPPER_SET = frozenset(_UPPER)
_WORD_CHAR_RE = re.compile(r"\w")
# In RUN_SHAPE_RE the word class is spelled out (one bitmap test; "\w" is a separate test)
# and the repeats are possessive: RUN_RE never gives back what they take (what may follow a
# word is neither a word character nor a capital; a particle is followed by a space, an
# "al-" prefix by "-"), so the matches are the same, found with less bookkeeping.
RUN_SHAPE_RE = re.compile(rb"\x01[\x01'\-0-9A-Z_a-z]*+\.?(?:[ ](?:" + _PARTICLE.encode()
                          + rb"[ ])*+(?:(?:al|el|as|ash|ad|at|ul|ud)-)?\x01[\x01'\-0-9A-Z_a-z]*+\.?)*+")


def _shape_code(ch: str) -> int:
    if ch in _UPPER_SET:
        return 1
    if ch in " .-'_" or "a" <= ch <= "z" or "0" <= ch <= "9":
        return ord(ch)
    if ch == "’":
        return ord("'")
    if _WORD_CHAR_RE.match(ch):
        return ord("_")
    return 2


_SHAPE_TABLE = bytes(_shape_code(chr(i)) for i in range(256))
_WIDE_SHAPE: dict[str, int] = {}     # shape codes of the characters beyond Latin-1 seen so far


def _shape(text: str) -> bytes | bytearray:
    return byte_map(text, "latin-1", _SHAPE_TABLE, _WIDE_SHAPE, _shape_code)


def capital_runs(text: str):
    """RUN_RE.finditer(text), but the matches' groups are bytes of the shape: use their spans."""
    return RUN_SHAPE_RE.finditer(_shape(text))
