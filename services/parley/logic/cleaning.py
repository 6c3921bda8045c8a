"""articles.raw -> articles.clean: keep the article body, split out or drop page furniture.

Steps, in order (each general, none written for one outlet):
1. take the text (or extract it from HTML with trafilatura);
2. read and drop a YAML front-matter block (exported pages carry title and date there);
3. render every line: markup stripped, entities decoded, NFKC, typographic quotes and
   exotic spaces made plain, spaces collapsed - keeping a map back to the raw offsets;
4. classify lines: furniture zones ("Related articles", "Top stories"... to the end of the
   page), share/comment lines, teasers, captions, source credit, update stamps, date lines,
   metadata, rules; the first short stand-alone line without a final period is the title;
5. join the remaining lines into paragraphs (hard-wrapped blocks are re-flowed), strip a
   dateline / agency prefix off the first paragraph, drop repeated paragraphs;
6. emit paragraphs joined by a blank line, with `offset_map` segments into the raw text.

`clean` never raises anything but `Rejected`.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field

from . import boilerplate
from .errors import Rejected
from .stamps import DATE_PATTERN, parse_date
from .textnorm import Segs, apply_edits, markup_chars, render_line, shift, translate

SCHEMA_VERSION = 1
PARAGRAPH_SEPARATOR = "\n\n"
MIN_HTML_BODY_WORDS = 8

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CLOSERS = "'\")]"
_FINAL_PUNCT = frozenset(".!?;:…")
_FRONT_MATTER_FENCE = re.compile(r"---\s*")
_FRONT_MATTER_KEY = re.compile(r"([A-Za-z_][\w-]*)\s*:\s?(.*)")
_BR_END = re.compile(r"(?i)<br\s*/?>\s*$")  # a line ending in <br>: a hard line break
_HAS_WORD = re.compile(r"[^\W_]")  # a letter or digit
_ARTICLE_ID = re.compile(r"a-[0-9a-f]{16}")
_YAML_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_LIST_MARKER = re.compile(r"(?:\d{1,2}[.)]|[a-h][.)]|[-•·▪◦●‣∙])\s+(?=\S)")
_BOLD_LINE = re.compile(r"\s*(?:<br\s*/?>\s*)*(\*\*|__)[^*_\n]{1,120}\1\s*(?:<br\s*/?>)?\s*")

# "BEIJING, November 9. /TASS/." / "MOSCOW, Nov 9 (Reuters) -" / "BAKU, Azerbaijan, Oct. 5."
_DATELINE_DATED = re.compile(
    r"(?P<place>[A-Z][A-Z'.\-]+(?:\s+[A-Z][A-Z'.\-]+){0,3}(?:\s*,\s*[A-Z][A-Za-z'.\-]+(?:\s+[A-Z][A-Za-z'.\-]+){0,2})?)"
    rf"\s*[,.]\s*(?P<date>(?i:{DATE_PATTERN}))\s*[.,]?\s*"
    r"(?:(?P<agency>/[^/\n]{2,25}/|\([^()\n]{2,25}\)|[A-Z][A-Z-]{2,20}\.(?=\s)|[A-Z]\w*[A-Z]\w*\.(?=\s))\s*\.?\s*)?"
    r"(?:[-–—]{1,2}\s*|:\s*)?(?=\S)"
)
# "WASHINGTON (AP) — " / "LONDON — " / "KYIV, Ukraine - "
_DATELINE_PLACE = re.compile(
    r"(?P<place>[A-Z][A-Z'.\-]{2,}(?:\s+[A-Z][A-Z'.\-]+){0,3}(?:\s*,\s*[A-Z][A-Za-z'.\-]+(?:\s+[A-Z][A-Za-z'.\-]+){0,2})?)"
    r"\s*(?:(?P<agency>\([^()\n]{2,25}\)|/[^/\n]{2,25}/)\s*)?[-–—]{1,2}\s+(?=\S)"
)
# "Kyiv, 15 March (Ukrinform) - " : a title-case place needs the agency to be a dateline.
_DATELINE_AGENCY = re.compile(
    r"(?P<place>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?)\s*,\s*"
    rf"(?:(?P<date>(?i:{DATE_PATTERN}))\s*[.,]?\s*)?"
    r"(?P<agency>\([^()\n]{2,25}\)|/[^/\n]{2,25}/)\s*\.?\s*(?:[-–—]{1,2}\s*|:\s*)?(?=\S)"
)
# "Yerevan, March 3 — " : a title-case place and a date need the dash.
_DATELINE_TITLECASE = re.compile(
    r"(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|(?:To|Yester)day\b|On\b|In\b|By\b)"
    r"(?P<place>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?)\s*,\s*"
    rf"(?P<date>(?i:{DATE_PATTERN}))\s*[.,]?\s*[-–—]{{1,2}}\s*(?=\S)"
)
# "PanARMENIAN.Net - " / "ArmInfo - " / "(Reuters) - " / "ArmInfo. " / "news.am: "
_AGENCY_PREFIX = re.compile(
    r"(?P<agency>[A-Za-z][\w-]*(?:\.[A-Za-z]{2,6})+|[A-Z][a-z]*[A-Z][\w]*(?:\.[A-Za-z]{2,6})*"
    r"|\([A-Z][^()\n]{1,25}\))\s*[-–—]{1,2}\s+(?=\S)"
    r"|(?P<agency2>[a-z][\w-]*(?:\.[a-z]{2,6})+|[A-Z][a-z]+[A-Z]\w*(?:\.[A-Za-z]{2,6})*)[.:]\s+(?=[A-Z\"'])"
)


class _Line:
    """One non-blank raw line; rendered (markup, NFKC, spaces) only when `text` or `segs` is
    first read, so the lines of a furniture zone are never rendered at all."""

    __slots__ = ("_t", "_a", "_b", "_hints", "text", "segs", "raw", "hard_break")

    def __init__(self, t: str, a: int, b: int, hints: str, raw: str, hard_break: bool) -> None:
        self._t, self._a, self._b, self._hints = t, a, b, hints
        self.raw = raw  # the raw line, stripped, for the `dropped` record
        self.hard_break = hard_break

    def __getattr__(self, name: str):
        # only called while the `text`/`segs` slots are still unset: render, then they are
        # plain attributes
        if name not in ("text", "segs"):
            raise AttributeError(name)
        self._render()
        return getattr(self, name)

    def blank_out(self) -> None:
        self.text, self.segs = "", []

    def _render(self) -> None:
        t, a, b, hints = self._t, self._a, self._b, self._hints
        raw_line = t[a:b]
        if (len(self.raw) == len(raw_line) and "  " not in raw_line
                and not (hints and any(c in raw_line for c in hints))
                and (raw_line.isascii() or unicodedata.is_normalized("NFKC", raw_line))):
            self.text, self.segs = raw_line, [(0, a, b - a)]  # the common case: nothing to do
        else:
            self.text, self.segs = render_line(t, a, b, hints)


@dataclass(slots=True)
class _Paragraph:
    text: str
    segs: Segs


@dataclass
class _Parts:
    title: str | None = None
    captions: list[str] = field(default_factory=list)
    credit: str | None = None
    agency: str | None = None
    dateline: str | None = None  # a dateline prefix of the first paragraph
    date_line: str | None = None  # a stand-alone date line: the dateline when there is no prefix
    updated: str | None = None
    dates: dict[str, str] = field(default_factory=dict)  # where -> ISO date, for published_at
    dropped: list[dict] = field(default_factory=list)

    def drop(self, kind: str, text: str) -> None:
        if not text:
            return
        if self.dropped and self.dropped[-1]["kind"] == kind:
            self.dropped[-1]["text"] += "\n" + text
        else:
            self.dropped.append({"kind": kind, "text": text})


def clean(raw: dict, *, max_chars: int = 1_000_000) -> dict:
    """An `articles.clean` message for one `articles.raw` message; raises only Rejected."""
    try:
        return _clean(raw, max_chars)
    except Rejected:
        raise
    except Exception as exc:  # a bug must still dead-letter the message, not stop the stage
        raise Rejected("cleaning_failed", f"{type(exc).__name__}: {exc}") from exc


def raw_offset(clean_msg: dict, clean_pos: int) -> int:
    """Offset in the raw text of the character at `clean_pos` of the cleaned text.

    Inside a copied segment the mapping is exact; a position on a separator maps to the end
    of the segment before it when it directly follows one (so end offsets stay tight),
    otherwise to the start of the next segment.
    """
    segs = clean_msg.get("offset_map") or []
    if not segs:
        return 0
    starts = [s[0] for s in segs]
    i = bisect.bisect_right(starts, clean_pos) - 1
    if i < 0:
        return segs[0][1]
    c, r, n = segs[i]
    if clean_pos < c + n or i == len(segs) - 1:
        return r + min(clean_pos - c, n)
    if clean_pos == c + n:
        return r + n
    return segs[i + 1][1]


def raw_span(clean_msg: dict, start: int, end: int) -> tuple[int, int]:
    """Raw `(start, end)` of the cleaned span `text[start:end]` (end exclusive): the end is
    mapped through the span's last character, so markup removed after it is not included."""
    raw_start = raw_offset(clean_msg, start)
    if end <= start:
        return raw_start, raw_start
    return raw_start, max(raw_start, raw_offset(clean_msg, end - 1) + 1)


# -- the steps -----------------------------------------------------------------------------


def _clean(raw: dict, max_chars: int) -> dict:
    if not isinstance(raw, dict):
        raise Rejected("bad_message", f"expected an articles.raw object, got {type(raw).__name__}")
    source_text, meta_title, meta_date, html_captions = _source_text(raw, max_chars)
    from_html = html_captions is not None
    parts = _Parts()
    parts.captions.extend(html_captions or [])
    title = raw.get("title")
    if isinstance(title, str) and title.strip():
        parts.title = _headline(_render_free(title))
    elif meta_title:
        parts.title = _headline(_render_free(meta_title))
    if meta_date:
        parts.dates["meta"] = meta_date

    t = translate(source_text)
    lines = _split_lines(t)
    lines = _front_matter(t, lines, parts)
    paragraphs = _body(t, lines, parts)
    paragraphs = _strip_dateline(paragraphs, parts)
    paragraphs = _dedupe(paragraphs, parts)
    if not paragraphs:
        raise Rejected("no_body", "no article text left after removing page furniture")
    if from_html and sum(len(p.text.split()) for p in paragraphs) < MIN_HTML_BODY_WORDS:
        # trafilatura falls back to any text on a page without an article (menus, footers)
        raise Rejected("no_body", "the HTML holds no article text")

    if parts.dateline and parts.date_line:
        parts.drop("date", parts.date_line)
    text, offset_map = _assemble(paragraphs)
    return _message(raw, source_text, parts, text, offset_map)


def _source_text(raw: dict, max_chars: int) -> tuple[str, str | None, str | None, list[str] | None]:
    """(text, title from metadata, date from metadata, HTML captions or None for text input)."""
    text, html_ = raw.get("text"), raw.get("html")
    for name, value in (("text", text), ("html", html_)):
        if value is not None and not isinstance(value, str):
            raise Rejected("bad_message", f"`{name}` must be a string or null, got {type(value).__name__}")
    if text is not None and text.strip():
        if len(text) > max_chars:
            raise Rejected("text_too_large", f"text has {len(text)} characters, limit {max_chars}")
        return text, None, None, None
    if html_ is not None and html_.strip():
        # Markup weighs several times the text it carries; the extracted text is checked too.
        if len(html_) > 10 * max_chars:
            raise Rejected("text_too_large", f"html has {len(html_)} characters, limit {10 * max_chars}")
        extracted, title, date, captions = _extract_html(html_)
        if len(extracted) > max_chars:
            raise Rejected("text_too_large", f"extracted text has {len(extracted)} characters, limit {max_chars}")
        return extracted, title, date, captions
    raise Rejected("empty_text", "the message has no text and no html")


def _extract_html(html_: str) -> tuple[str, str | None, str | None, list[str]]:
    import trafilatura  # slow to import; only HTML input needs it

    try:
        doc = trafilatura.bare_extraction(
            html_, with_metadata=True, include_comments=False, include_tables=False,
            favor_precision=True,
        )
    except Exception as exc:
        raise Rejected("bad_html", f"HTML could not be parsed: {type(exc).__name__}: {exc}") from exc
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or not body.strip():
        raise Rejected("no_body", "no article text could be extracted from the HTML")
    # trafilatura puts one paragraph per line; make that explicit for the paragraph step.
    body = body.replace("\n", "\n\n")
    date = getattr(doc, "date", None)
    return body, getattr(doc, "title", None), parse_date(date) if date else None, _figcaptions(html_)


def _figcaptions(html_: str) -> list[str]:
    """Photo captions of an HTML page (trafilatura leaves <figcaption> out of the text)."""
    if "figcaption" not in html_.lower():
        return []
    try:
        from lxml import html as lxml_html

        tree = lxml_html.fromstring(html_)
        found = [" ".join(el.text_content().split()) for el in tree.iter("figcaption")]
    except Exception:  # captions are a bonus: a page lxml cannot read simply has none
        return []
    return [c for c in (_render_free(text) for text in found if text) if c]


def _render_free(text: str) -> str | None:
    t = translate(text)
    rendered, _ = render_line(t.replace("\n", " "), 0, len(t))
    return rendered or None


def _headline(title: str | None) -> str | None:
    """A page title without its site name: "World | Talks in Lima | Andes Wire" -> the
    longest part between pipes."""
    if not title or " | " not in title:
        return title
    return max(title.split(" | "), key=len).strip() or title


def _split_lines(t: str) -> list[tuple[int, int]]:
    if "\r" not in t:
        spans = []
        pos = 0
        for line in t.split("\n"):
            end = pos + len(line)
            spans.append((pos, end))
            pos = end + 1
        return spans
    spans = []
    pos = 0
    for m in _LINE_BREAK.finditer(t):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(t)))
    return spans


def _front_matter(t: str, lines: list[tuple[int, int]], parts: _Parts) -> list[tuple[int, int]]:
    """Read and drop a leading `---` ... `---` block of `key: value` lines."""
    first = 0
    while first < len(lines) and not t[lines[first][0]:lines[first][1]].strip():
        first += 1
    if first >= len(lines) or not _FRONT_MATTER_FENCE.fullmatch(t[lines[first][0]:lines[first][1]].lstrip("\ufeff")):
        return lines
    for end in range(first + 1, min(len(lines), first + 120)):
        if _FRONT_MATTER_FENCE.fullmatch(t[lines[end][0]:lines[end][1]]):
            break
    else:
        return lines
    block = [t[a:b] for a, b in lines[first + 1:end]]
    top = [line for line in block if line.strip() and line[:1] not in (" ", "\t")]
    if not top or not all(_FRONT_MATTER_KEY.fullmatch(line) for line in top):
        return lines  # two rules around ordinary text, not a YAML block
    fields = _parse_front_matter(block)
    if not parts.title and fields.get("title"):
        parts.title = _render_free(fields["title"])
    for key in ("date", "published_time", "published", "pubdate"):
        if fields.get(key) and parse_date(fields[key]):
            parts.dates["meta"] = parse_date(fields[key])
            break
    parts.drop("front_matter", t[lines[first][0]:lines[end][1]])
    return lines[end + 1:]


def _parse_front_matter(block: list[str]) -> dict[str, str]:
    """Top-level scalar keys of a small YAML mapping (quoted, folded and plain values)."""
    fields: dict[str, list[str]] = {}
    key = None
    for line in block:
        m = _FRONT_MATTER_KEY.fullmatch(line) if line[:1] not in (" ", "\t") else None
        if m:
            key = m.group(1).lower()
            fields[key] = [m.group(2)]
        elif key is not None and line.strip():
            fields[key].append(line)
    return {k: _yaml_scalar(v) for k, v in fields.items()}


_YAML_ESCAPES = {"n": "\n", "t": "\t", "_": "\u00a0", '"': '"', "\\": "\\", "/": "/", "0": "",
                 " ": " ", "N": "\u0085", "L": "\u2028", "P": "\u2029", "e": "", "a": "", "b": ""}


def _yaml_scalar(lines: list[str]) -> str:
    head = lines[0].strip()
    if head.startswith('"'):
        # Double-quoted: lines fold with a space, unless the line ends with an escaped break.
        out = ""
        for i, line in enumerate(lines):
            piece = line.strip() if i else line.strip()[1:]
            if out and not out.endswith("\\"):
                out += " "
            elif out.endswith("\\"):
                out = out[:-1]
            out += piece
        out = out[:-1] if out.endswith('"') else out
        return _YAML_ESCAPE.sub(_yaml_escape, out)
    if head.startswith("'"):
        out = " ".join(line.strip() for line in lines)[1:]
        out = out[:-1] if out.endswith("'") else out
        return out.replace("''", "'")
    return " ".join(line.strip() for line in lines if line.strip())


def _yaml_escape(m: re.Match) -> str:
    code = m.group(1)
    if len(code) > 1:
        try:
            return chr(int(code[1:], 16))
        except ValueError:
            return ""
    return _YAML_ESCAPES.get(code, code)


def _body(t: str, spans: list[tuple[int, int]], parts: _Parts) -> list[_Paragraph]:
    """Classify lines, fill the side fields, and return body paragraphs."""
    blocks = _blocks(t, spans, parts)
    title_key = _key(parts.title) if parts.title else None
    body_blocks: list[list[_Line]] = []
    in_zone = False  # after a section header: everything to the end is furniture
    teasers_follow = False  # after "Read more": headline-like lines are links to other stories
    for bi, block in enumerate(blocks):
        if in_zone:
            for line in block:
                parts.drop("related", line.raw)
            continue
        if parts.title is None and not body_blocks and _is_title_block(block, blocks[bi + 1:]):
            parts.title = block[0].text
            title_key = _key(parts.title)
            block = block[1:]  # a date or byline line under the headline is handled below
        body: list[_Line] = []
        # The continuation lines of hard-wrapped prose are prose: no need to classify them.
        prose = len(block) > 2 and _is_wrapped(block)
        for li, line in enumerate(block):
            if prose and body:
                body.append(line)
                continue
            if in_zone:
                parts.drop("related", line.raw)
                continue
            if len(line.text) > boilerplate.MAX_CAPTION_LINE and not teasers_follow:
                body.append(line)  # too long to be furniture of any kind
                continue
            started = bool(body_blocks or body)
            kind = _line_kind(line, title_key, started=started)
            if kind is None and teasers_follow and _is_headline(line.text):
                kind = "teaser"  # a headline under "Read more"
            elif kind is None:
                teasers_follow = False
            if kind is None:
                body.append(line)
            elif kind == "inline_header":
                parts.drop("teaser", line.raw)
                teasers_follow = True
            elif kind == "header" and started:
                in_zone = True
                parts.drop("related", line.raw)
            elif kind == "header":
                # Before the article: a list of links under a header; it ends with its block.
                for rest in block[li:]:
                    parts.drop("navigation", rest.raw)
                break
            else:
                _take(kind, line, parts)
        if body:
            body_blocks.append(body)
    _drop_trailing_headlines(body_blocks, parts)
    return [p for block in body_blocks if block for p in _flow(block)]


def _drop_trailing_headlines(blocks: list[list[_Line]], parts: _Parts) -> None:
    """Two or more headline-like lines closing the text are links to other stories that lost
    their header ("Putin and Xi to meet next week" / "Talks resume in Lima")."""
    tail: list[tuple[int, int]] = []
    for bi in range(len(blocks) - 1, -1, -1):
        for li in range(len(blocks[bi]) - 1, -1, -1):
            # a bulleted list closing a text is more often content (agreements signed...)
            if not _is_headline(blocks[bi][li].text, bulleted=False):
                break
            tail.append((bi, li))
        else:
            continue
        break
    remaining = sum(len(b) for b in blocks) - len(tail)
    if len(tail) < 2 or remaining < 1:
        return
    for bi, li in reversed(tail):
        parts.drop("teaser", blocks[bi][li].raw)
    for bi, li in tail:
        del blocks[bi][li]


def _blocks(t: str, spans: list[tuple[int, int]], parts: _Parts) -> list[list[_Line]]:
    """Lines grouped into blocks separated by blank lines."""
    blocks: list[list[_Line]] = []
    current: list[_Line] = []
    hints = markup_chars(t)
    bold = "*" in hints or "_" in hints
    html_breaks = "<" in hints
    for a, b in spans:
        raw_line = t[a:b]
        stripped = raw_line.strip()
        if not stripped or not _HAS_WORD.search(stripped):
            # a blank line, or a rule (---, ***, ###): both separate blocks
            if stripped:
                parts.drop("rule", stripped)
            if current:
                blocks.append(current)
                current = []
            continue
        hard_break = raw_line.endswith("  ") or (html_breaks and _BR_END.search(raw_line) is not None)
        line = _Line(t, a, b, hints, stripped, hard_break)
        if bold and _BOLD_LINE.fullmatch(raw_line):
            line.blank_out()  # a bold-only line: a heading or a signature
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _line_kind(line: _Line, title_key: str | None, *, started: bool) -> str | None:
    text = line.text
    if not text:
        return "markup"
    kind = boilerplate.classify(text)
    if kind is not None:
        return kind
    if title_key:
        n, t = len(text), len(title_key)
        if abs(n - t) <= 8 and _key(text).rstrip(" .") == title_key.rstrip(" ."):
            return "title_repeat"
        # a truncated copy of the headline before the body ("Blinken, Cavusoglu hold")
        if not started and 10 <= n < t and not _ends_sentence(text) and title_key.startswith(_key(text)):
            return "title_repeat"
    return None


def _take(kind: str, line: _Line, parts: _Parts) -> None:
    text = line.text
    if kind == "caption":
        parts.captions.append(text)
    elif kind == "credit":
        if parts.credit is None:
            parts.credit = text
        else:
            parts.drop("credit", line.raw)
    elif kind == "updated":
        date = parse_date(text)
        if date and parts.updated is None:
            parts.updated = date
        parts.drop("updated", line.raw)
    elif kind == "date":
        date = parse_date(text)
        if date:
            parts.dates.setdefault("date_line", date)
        if parts.date_line is None:
            parts.date_line = text
        else:
            parts.drop("date", line.raw)
    elif kind == "meta":
        date = parse_date(text)
        if date:
            parts.dates.setdefault("posted", date)
        parts.drop("meta", line.raw)
    else:  # share, teaser, footer, byline, link, navigation, rule, legend, markup, title_repeat
        parts.drop(kind, line.raw)


def _is_headline(text: str, *, bulleted: bool = True) -> bool:
    """A line that reads like a headline: short, capitalised, no final sentence punctuation
    (a list bullet in front is allowed when `bulleted`)."""
    if bulleted and text[:2] in ("- ", "* ", "• ", "· ", "▪ "):
        text = text[2:]
    return 0 < len(text) <= 160 and text[0].isupper() and not _ends_sentence(text)


def _is_title_block(block: list[_Line], rest: list[list[_Line]]) -> bool:
    """A title: a short stand-alone first line without a final period (a question or an
    exclamation may end one), followed by article text. Lines under it in the same block
    must all be furniture (a date, a byline)."""
    after = sum(len(line.raw) for line in block[1:]) + sum(len(line.raw) for b in rest for line in b)
    if not block or not after:
        return False
    text = block[0].text
    if not text or len(text) > 250 or not (text[0].isupper() or text[0].isdigit() or text[0] in "\"'"):
        return False
    end = text.rstrip(_CLOSERS)[-1:]
    if end in _FINAL_PUNCT and not (end in "?!" and len(text) <= 120):
        return False
    if boilerplate.classify(text) is not None:
        return False
    if len(block) > 1 and not all(boilerplate.classify(line.text) not in (None, "header") for line in block[1:]):
        # a headline directly above the body: short, and the block is not hard-wrapped text
        if len(text) > 100 or _is_wrapped(block) or not block[1].text[:1].isupper():
            return False
    return after >= len(text)


def _flow(lines: list[_Line]) -> list[_Paragraph]:
    """Join the lines of one block into paragraphs.

    A hard-wrapped block (lines of similar width, most ending mid-sentence) is one paragraph
    (split only at markdown hard breaks); otherwise each line is its own paragraph unless
    the next one continues it in lower case.
    """
    if len(lines) == 1:
        return [_strip_list_marker(_Paragraph(lines[0].text, list(lines[0].segs)))]
    if not lines:
        return []
    wrapped = _is_wrapped(lines)
    out: list[_Paragraph] = []
    text, segs = lines[0].text, list(lines[0].segs)
    for prev, line in zip(lines, lines[1:]):
        joins = (wrapped and not prev.hard_break) or (line.text[:1].islower() and not _ends_sentence(prev.text))
        if joins:
            segs = segs + shift(line.segs, len(text) + 1)
            text = text + " " + line.text
        else:
            out.append(_Paragraph(text, segs))
            text, segs = line.text, list(line.segs)
    out.append(_Paragraph(text, segs))
    return [_strip_list_marker(p) for p in out]


def _is_wrapped(lines: list[_Line]) -> bool:
    """Hard-wrapped: the lines but the last have a similar width and mostly end mid-sentence."""
    if len(lines) < 2:
        return False
    heads = [len(line.text) for line in lines[:-1]]
    widest = max(heads)
    if widest > 110:
        return False
    if len(heads) == 1:
        similar = heads[0] >= 50
    else:
        similar = widest - min(heads) <= 0.4 * widest
    open_ends = sum(1 for line in lines[:-1] if not _ends_sentence(line.text))
    return similar and open_ends * 2 >= len(heads)


def _strip_list_marker(p: _Paragraph) -> _Paragraph:
    m = _LIST_MARKER.match(p.text)
    if not m:
        return p
    text, segs = apply_edits(p.text, p.segs, [(0, m.end(), "")])
    return _Paragraph(text, segs)


def _strip_dateline(paragraphs: list[_Paragraph], parts: _Parts) -> list[_Paragraph]:
    """Take a dateline and/or agency prefix off the start of the first paragraph."""
    if not paragraphs:
        return paragraphs
    first = paragraphs[0]
    text, segs = first.text, first.segs
    for pattern in (_DATELINE_DATED, _DATELINE_AGENCY, _DATELINE_PLACE, _DATELINE_TITLECASE):
        m = pattern.match(text)
        if m and len(text) - m.end() >= 20:
            prefix = text[: m.end()].strip().rstrip("-–—:").strip()
            parts.dateline = prefix
            agency = m.groupdict().get("agency")
            if agency and parts.agency is None:
                parts.agency = agency.strip("/() .")
            date = parse_date(prefix)
            if date:
                parts.dates.setdefault("dateline", date)
            text, segs = apply_edits(text, segs, [(0, m.end(), "")])
            break
    m = _AGENCY_PREFIX.match(text)
    if m and len(text) - m.end() >= 20:
        agency = (m.group("agency") or m.group("agency2")).strip("() ")
        if parts.agency is None:
            parts.agency = agency
        text, segs = apply_edits(text, segs, [(0, m.end(), "")])
    if text is first.text:
        return paragraphs
    return [_Paragraph(text, segs), *paragraphs[1:]]


def _dedupe(paragraphs: list[_Paragraph], parts: _Parts) -> list[_Paragraph]:
    seen: set[str] = set()
    out = []
    for p in paragraphs:
        if not p.text:
            continue
        key = p.text.casefold()  # already whitespace-normalised
        if len(key) >= 20 and key in seen:
            parts.drop("repeat", p.text)
            continue
        seen.add(key)
        out.append(p)
    return out


def _ends_sentence(text: str) -> bool:
    last = text.rstrip(_CLOSERS)[-1:]
    return last != "" and last in _FINAL_PUNCT


def _key(text: str) -> str:
    """Comparison key of a paragraph: case and spacing ignored (cheap: split/join run in C)."""
    return " ".join(text.casefold().split())


def _assemble(paragraphs: list[_Paragraph]) -> tuple[str, list[list[int]]]:
    pieces = []
    offset_map: list[list[int]] = []
    pos = 0
    for i, p in enumerate(paragraphs):
        if i:
            pieces.append(PARAGRAPH_SEPARATOR)
            pos += len(PARAGRAPH_SEPARATOR)
        pieces.append(p.text)
        for c, r, n in p.segs:
            if n > 0:
                offset_map.append([pos + c, r, n])
        pos += len(p.text)
    return "".join(pieces), offset_map


def _message(raw: dict, source_text: str, parts: _Parts, text: str, offset_map: list) -> dict:
    source = raw.get("source") if isinstance(raw.get("source"), dict) else {}
    source = {k: (source.get(k) if isinstance(source.get(k), str) else None) for k in ("file", "url", "name")}
    article_id = raw.get("article_id")
    if not isinstance(article_id, str) or not _ARTICLE_ID.fullmatch(article_id):
        from parley.ids import article_id as make_id

        article_id = make_id(source["url"], source_text)
    ingested_at = raw.get("ingested_at")
    if not isinstance(ingested_at, str) or not ingested_at:
        ingested_at = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    published_at = raw.get("published_at")
    if not isinstance(published_at, str) or not published_at.strip():
        published_at = (
            parts.dates.get("meta") or parts.dates.get("date_line") or parts.dates.get("dateline")
            or parts.dates.get("posted") or parts.updated
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "article_id": article_id,
        "source": source,
        "published_at": published_at,
        "ingested_at": ingested_at,
        "title": parts.title,
        "text": text,
        "captions": parts.captions,
        "credit": parts.credit,
        "agency": parts.agency,
        "dateline": parts.dateline or parts.date_line,
        "updated": parts.updated,
        "dropped": parts.dropped,
        "offset_map": offset_map,
    }
