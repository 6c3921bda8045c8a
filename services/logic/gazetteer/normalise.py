"""Length-preserving text normalisation shared by the gazetteer and the matcher.

`norm_text` maps every character to exactly one character (lower-case, accents removed,
anything that is not a letter or digit -> space), so offsets in the normalised text are
offsets in the original. Patterns are normalised the same way, and padded with spaces, so
an Aho-Corasick hit on " sergei lavrov " can only start and end on word boundaries.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

# Letters whose decomposition does not yield an ASCII base
_SPECIAL = {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
            "þ": "t", "Þ": "t", "ß": "s", "æ": "a", "Æ": "a", "œ": "o", "Œ": "o", "ı": "i",
            "ʼ": " ", "’": " ", "‘": " "}


def _map_char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch.isdigit():
        return ch if ch.isascii() else " "
    if not ch.isalpha():
        return " "
    base = unicodedata.normalize("NFKD", ch)[0].lower()
    if len(base) != 1:
        return ch
    return base


def _build_table() -> dict[int, str]:
    table = {}
    for cp in range(0x2500):
        ch = chr(cp)
        mapped = _map_char(ch)
        if mapped != ch:
            table[cp] = mapped
    return table


_TABLE = _build_table()


def norm_text(text: str) -> str:
    """Same length as `text`: lower-case ASCII letters/digits where possible, spaces elsewhere."""
    out = text.translate(_TABLE)
    if len(out) != len(text):   # cannot happen with single-char mappings; keep the invariant explicit
        raise ValueError("normalisation changed the text length")
    return out


@lru_cache(maxsize=200_000)
def fold(s: str) -> str:
    """Pattern/lookup key: normalised and whitespace-collapsed ("Sergey V. Lavrov" -> "sergey v lavrov")."""
    return " ".join(norm_text(s).split())
