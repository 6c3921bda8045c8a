"""Character-level normalisation that keeps track of where every character came from.

A piece of cleaned text is carried as `(text, segs)`, where `segs` is a sorted list of
`(clean_start, raw_start, length)` triples: `text[c:c+n]` was copied from `raw[r:r+n]`.
Characters not covered by a segment (separators, replaced entities) have no exact source.
Every edit goes through `apply_edits`, so offsets survive any number of passes.
"""

from __future__ import annotations

import html
import re
import unicodedata

Segs = list[tuple[int, int, int]]

# 1:1 replacements done on the whole raw text at once (same length, so no offset work):
# exotic spaces become spaces, typographic quotes become ASCII quotes.
_ONE_TO_ONE = {
    **{ord(c): " " for c in "\t\x0b\x0c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
       "\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"},
    **{ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4"},
    **{ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"},
    ord("\u2028"): "\n",
    ord("\u2029"): "\n",
}
TRANSLATION = str.maketrans(_ONE_TO_ONE)

# Markup and invisible characters that scraped or exported text carries inside lines.
_MARKUP = re.compile(
    r"(?P<ent>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<del>"
    r"<!--.*?-->|</?[A-Za-z][^<>\n]{0,400}>"  # HTML tags left in text
    r"|\{:[^}\n]{0,200}\}"  # kramdown attribute lists
    r"|!?\[(?=[^\[\]\n]{1,300}\]\()|\]\([^()\s]{0,500}\)"  # markdown links: keep the words
    r"|\*\*|__"  # bold
    r"|\\(?=[\\#*_\[\]`>~|{}.!+-])"  # markdown escapes
    r"|(?<![\w*])[_*](?=[^\s_*])|(?<=[^\s_*])[_*](?![\w*])"  # italics
    r"|[\x00-\x08\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff\u00ad]"  # controls, invisibles
    r")"
)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
# Characters where a markup match can start. Finding them with `str.find` (memchr speed)
# is many times faster than scanning every line with a regex character class.
_MARKUP_CHARS = "&<{[]!*_\\" + "".join(chr(c) for c in [*range(0, 9), *range(14, 32), 127]) + (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"
)
_WS = re.compile(r"\s+")


_REPLACEMENTS = [(chr(k), v) for k, v in _ONE_TO_ONE.items()]

# -- mojibake: UTF-8 bytes that were decoded as Windows-1252 (or Latin-1) ---------------------
# "â€™" is the three bytes of "’", "Ã©" the two of "é", "Â " the first byte of a no-break
# space whose second byte became a plain space. The Windows-1252 character of every byte
# 0x80-0xBF (a UTF-8 continuation byte); bytes 1252 leaves undefined stay as the C1 control
# of the same number (what a Latin-1 decoder gives).
_CP1252_HIGH = {
    **{chr(b): b for b in range(0x80, 0xC0)},
    **{bytes([b]).decode("cp1252"): b for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)},
}
_CONT = "".join(sorted(_CP1252_HIGH))
_CONT_CLASS = "[" + re.escape(_CONT) + "]"
# A run of two-, three- or four-byte sequences: a lead byte then its continuation bytes.
_MOJIBAKE = re.compile(
    rf"(?:[\u00c2-\u00df]{_CONT_CLASS}|[\u00e0-\u00ef]{_CONT_CLASS}{{2}}|[\u00f0-\u00f4]{_CONT_CLASS}{{3}})+"
    # "â€" + a lost last byte (0x9D, undefined in 1252, is often dropped): a closing quote
    r"|\u00e2\u20ac(?=[\s.,;:!?)]|$)"
    # "Â" left of a space that was once the second byte of a no-break space: "hadÂ phoned"
    r"|(?:(?<=[^\W\d_])|(?<=[^\W\d_][,.;:]))\u00c2(?= )"
)
# Where a mojibake match can start (a quick `in` test before any regex work).
_MOJIBAKE_LEADS = tuple(chr(c) for c in range(0xC2, 0xF5))
# A single two-byte sequence is only trusted with the leads of Latin letters ("Ã©" -> "é",
# "Ä±" -> "ı", "Å¡" -> "š"); a lone "É»" may well be real text ("CAFÉ»").
_TRUSTED_LEADS = frozenset("\u00c2\u00c3\u00c4\u00c5")
PAD = "\u200b"  # removed (with offset tracking) when lines are rendered


def repair_mojibake(raw: str) -> str:
    """UTF-8 decoded as Windows-1252 turned back into the characters meant, length-preserving:
    each repaired sequence becomes its character followed by zero-width spaces, which line
    rendering deletes like any invisible character (so offsets into the raw text survive)."""
    if not any(lead in raw for lead in _MOJIBAKE_LEADS):
        return raw
    out = []
    pos = 0
    for m in _MOJIBAKE.finditer(raw):
        fixed = _decode_mojibake(m.group())
        if fixed is None:
            continue
        out.append(raw[pos:m.start()])
        out.append(fixed + PAD * (m.end() - m.start() - len(fixed)))
        pos = m.end()
    if not out:
        return raw
    out.append(raw[pos:])
    return "".join(out)


def _decode_mojibake(seq: str) -> str | None:
    if seq == "\u00c2":
        return PAD  # the lead byte of a no-break space whose second byte is the space after it
    if seq == "\u00e2\u20ac":
        return "\u201d"
    if len(seq) == 2 and seq[0] not in _TRUSTED_LEADS:
        return None
    try:
        # leads (U+00C2-U+00F4) are their own byte; continuations go through the 1252 table
        fixed = bytes(_CP1252_HIGH.get(ch, ord(ch)) for ch in seq).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return fixed if len(fixed) < len(seq) else None


def translate(raw: str) -> str:
    """Length-preserving first pass over a whole raw text: mojibake repaired, then exotic
    spaces and typographic quotes made plain.

    Per-character `str.replace` of only the characters present is several times faster
    than `str.translate` with a dict table on ordinary (mostly ASCII) articles.
    """
    if raw.isascii():
        return raw.replace("\t", " ").replace("\x0b", " ").replace("\x0c", " ").replace("`", "'")
    raw = repair_mojibake(raw)
    for char, rep in _REPLACEMENTS:
        if char in raw:
            raw = raw.replace(char, rep)
    return raw


def apply_edits(text: str, segs: Segs, edits: list[tuple[int, int, str]]) -> tuple[str, Segs]:
    """Replace `text[a:b]` by `rep` for each sorted, non-overlapping edit; remap `segs`.

    A replacement keeps the source position of the text it replaces (as far as its
    length allows), so an entity like `&amp;` still points into the raw text. Linear in
    len(edits) + len(segs): one cursor walks the segments.
    """
    if not edits:
        return text, segs
    out: list[str] = []
    new_segs: Segs = []
    cursor = [0]  # index of the first segment that may still overlap what comes next
    pos = 0
    new_len = 0
    for a, b, rep in edits:
        if a > pos:
            _copy_segs(segs, cursor, pos, a, new_len, new_segs)
            out.append(text[pos:a])
            new_len += a - pos
        if rep:
            raw = _raw_at(segs, cursor, a)
            if raw is not None:
                _push(new_segs, new_len, raw, min(len(rep), max(b - a, 1)))
            out.append(rep)
            new_len += len(rep)
        pos = b
    if pos < len(text):
        _copy_segs(segs, cursor, pos, len(text), new_len, new_segs)
        out.append(text[pos:])
    return "".join(out), new_segs


def _copy_segs(segs: Segs, cursor: list[int], a: int, b: int, dest: int, out: Segs) -> None:
    """Append the parts of `segs` covering old text [a, b), moved to start at `dest`."""
    i = _seek(segs, cursor, a)
    while i < len(segs):
        c, r, n = segs[i]
        if c >= b:
            break
        lo, hi = max(c, a), min(c + n, b)
        if lo < hi:
            _push(out, dest + lo - a, r + lo - c, hi - lo)
        i += 1


def _push(out: Segs, c: int, r: int, n: int) -> None:
    if out:
        pc, pr, pn = out[-1]
        if pc + pn == c and pr + pn == r:
            out[-1] = (pc, pr, pn + n)
            return
    out.append((c, r, n))


def _seek(segs: Segs, cursor: list[int], pos: int) -> int:
    """Index of the first segment that ends after `pos`, searched from the cursor on (callers
    ask in increasing order of `pos`); the cursor is left there."""
    i = cursor[0]
    while i < len(segs) and segs[i][0] + segs[i][2] <= pos:
        i += 1
    cursor[0] = i
    return i


def _raw_at(segs: Segs, cursor: list[int], pos: int) -> int | None:
    i = _seek(segs, cursor, pos)
    if i < len(segs):
        c, r, _ = segs[i]
        return r + max(0, pos - c)
    return None


def markup_chars(t: str) -> str:
    """The markup-start characters present anywhere in `t` (checked once per document)."""
    return "".join(c for c in _MARKUP_CHARS if c in t)


def render_line(t: str, start: int, end: int, hints: str | None = None) -> tuple[str, Segs]:
    """One raw line (`t[start:end]`, already translated) as clean text with its segments.

    Strips markup, decodes entities, applies NFKC, collapses spaces and trims. `hints` is
    `markup_chars(t)` when the caller renders many lines of one text.
    """
    text = t[start:end]
    segs: Segs = [(0, start, len(text))] if text else []
    present = [c for c in (markup_chars(text) if hints is None else hints) if c in text]
    if present:
        text, segs = apply_edits(text, segs, _markup_edits(text, present))
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text, segs = apply_edits(text, segs, _nfkc_edits(text))
    return squeeze(text, segs)


def squeeze(text: str, segs: Segs) -> tuple[str, Segs]:
    """Collapse runs of spaces and trim the ends."""
    if "  " in text:
        text, segs = apply_edits(text, segs, _space_runs(text))
    stripped = text.strip()
    if len(stripped) != len(text):
        lead = len(text) - len(text.lstrip())
        edits = []
        if lead:
            edits.append((0, lead, ""))
        tail = lead + len(stripped)
        if tail < len(text):
            edits.append((tail, len(text), ""))
        text, segs = apply_edits(text, segs, edits)
    return text, segs


def render_free(text: str) -> str | None:
    """A string outside the body (a title, a caption) rendered as one clean line, without
    segments; None when nothing is left."""
    t = translate(text)
    rendered, _ = render_line(t.replace("\n", " "), 0, len(t))
    return rendered or None


def _candidates(text: str, chars: list[str]) -> list[int]:
    found = []
    for c in chars:
        i = text.find(c)
        while i >= 0:
            found.append(i)
            i = text.find(c, i + 1)
    found.sort()
    return found


def _space_runs(text: str) -> list[tuple[int, int, str]]:
    """Edits turning each run of 2+ spaces into one (str.find: far faster than a regex)."""
    edits = []
    i = text.find("  ")
    n = len(text)
    while i >= 0:
        j = i + 2
        while j < n and text[j] == " ":
            j += 1
        edits.append((i, j, " "))
        i = text.find("  ", j)
    return edits


def _markup_edits(text: str, chars: list[str]) -> list[tuple[int, int, str]]:
    edits = []
    pos = 0
    for start in _candidates(text, chars):
        if start < pos:
            continue
        m = _MARKUP.match(text, start)
        if m is None or m.end() == m.start():
            continue
        pos = m.end()
        if m.lastgroup == "ent":
            rep = html.unescape(m.group()).translate(TRANSLATION)
            if rep == m.group():
                continue
            edits.append((m.start(), m.end(), rep))
        else:
            edits.append((m.start(), m.end(), ""))
    return edits


def _nfkc_edits(text: str) -> list[tuple[int, int, str]]:
    edits = []
    for m in _NON_ASCII_RUN.finditer(text):
        a, b = m.start(), m.end()
        if a > 0 and unicodedata.combining(text[a]):
            a -= 1  # a combining mark composes with the ASCII letter before it
        run = text[a:b]
        norm = unicodedata.normalize("NFKC", run).translate(TRANSLATION)
        if norm != run:
            edits.append((a, b, norm))
    return edits


def shift(segs: Segs, by: int) -> Segs:
    return [(c + by, r, n) for c, r, n in segs]


def normalise_for_match(text: str) -> str:
    """The form two strings are compared in (gold phrases vs cleaned text).

    Same character normalisation as cleaning (quotes, spaces, NFKC, markup-free), then
    whitespace collapsed and case folded.
    """
    text = translate(text)
    present = [c for c in _MARKUP_CHARS if c in text]
    if present:
        text, _ = apply_edits(text, [], _markup_edits(text, present))
    text = unicodedata.normalize("NFKC", text).translate(TRANSLATION)
    return _WS.sub(" ", text).strip().casefold()
