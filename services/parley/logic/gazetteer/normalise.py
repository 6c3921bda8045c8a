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


# Fast path: ASCII bytes through a 256-byte table; the (few) non-ASCII characters are
# patched one by one. Letters with no Latin base (Cyrillic, CJK...) become "_", which no
# pattern contains, so they can never be part of a hit.
_BYTES = bytes((ord(_map_char(chr(i))) if i < 128 else ord(" ")) for i in range(256))


def _patch(ch: str) -> int:
    m = _TABLE.get(ord(ch), ch)
    if len(m) == 1 and m.isascii():
        return ord(m)
    return ord("_") if ch.isalpha() else ord(" ")


_PATCH: dict[str, int] = {}


def norm_text(text: str) -> str:
    """Same length as `text`: lower-case ASCII letters/digits, "_" for other letters, spaces elsewhere."""
    return byte_map(text, "ascii", _BYTES, _PATCH, _patch).decode("ascii")


def byte_map(text: str, codec: str, table: bytes, memo: dict, code_of) -> bytes | bytearray:
    """One byte per character of `text`: `table[byte]` for the characters `codec` encodes in
    one byte, `code_of(character)` for the others (kept in `memo`, bounded)."""
    encoded = text.encode(codec, "replace")     # one "?" per character the codec lacks
    mapped = encoded.translate(table)
    i = encoded.find(b"?")
    if i == -1:
        return mapped
    # the other characters are among the "?"s: found with bytes.find, which is much faster
    # than a regex visiting every character
    buf = bytearray(mapped)
    while i != -1:
        ch = text[i]
        if ch != "?":
            code = memo.get(ch)
            if code is None:
                if len(memo) >= 10_000:
                    memo.clear()
                code = memo[ch] = code_of(ch)
            buf[i] = code
        i = encoded.find(b"?", i + 1)
    return buf


@lru_cache(maxsize=200_000)
def fold(s: str) -> str:
    """Pattern/lookup key: normalised and whitespace-collapsed ("Sergey V. Lavrov" -> "sergey v lavrov")."""
    return " ".join(norm_text(s).split())


_VOWELS = set("aeiouy")


@lru_cache(maxsize=100_000)
def skeleton(word: str) -> str:
    """Consonant skeleton of a folded word for spelling variants: first letter, then the
    consonants with repeats collapsed ("zelenskyy"/"zelensky" -> "zlnsk", "rubin"/"reuben" -> "rbn")."""
    if not word:
        return ""
    out = [word[0]]
    for ch in word[1:]:
        if ch in _VOWELS or ch == out[-1]:
            continue
        out.append(ch)
    return "".join(out)
