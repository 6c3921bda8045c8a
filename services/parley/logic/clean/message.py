"""clean(): an `articles.raw` message to an `articles.clean` one, the steps in order."""

from __future__ import annotations

import bisect
import datetime as _dt
import re

from ..errors import Rejected
from .dateline import strip_dateline
from .extract import input_text
from .frontmatter import front_matter
from .furniture import body_paragraphs, drop_subheads
from .inline import inline_furniture
from .lines import split_lines
from .records import Paragraph, Parts
from .textnorm import render_free, translate

SCHEMA_VERSION = 1
PARAGRAPH_SEPARATOR = "\n\n"
MIN_HTML_BODY_WORDS = 8
_ARTICLE_ID = re.compile(r"a-[0-9a-f]{16}")


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
    source_text, meta_title, meta_date, html_captions = input_text(raw, max_chars)
    from_html = html_captions is not None
    parts = Parts()
    parts.captions.extend(html_captions or [])
    title = raw.get("title")
    if isinstance(title, str) and title.strip():
        parts.title = _headline(render_free(title))
    elif meta_title:
        parts.title = _headline(render_free(meta_title))
    if meta_date:
        parts.dates["meta"] = meta_date

    t = translate(source_text)
    lines = split_lines(t)
    lines = front_matter(t, lines, parts)
    paragraphs = body_paragraphs(t, lines, parts)
    paragraphs = strip_dateline(paragraphs, parts)
    paragraphs = inline_furniture(paragraphs, parts)
    paragraphs = drop_subheads(paragraphs, parts)
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


def _headline(title: str | None) -> str | None:
    """A page title without its site name: "World | Talks in Lima | Andes Wire" -> the
    longest part between pipes."""
    if not title or " | " not in title:
        return title
    return max(title.split(" | "), key=len).strip() or title


def _dedupe(paragraphs: list[Paragraph], parts: Parts) -> list[Paragraph]:
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


def _assemble(paragraphs: list[Paragraph]) -> tuple[str, list[list[int]]]:
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


def _message(raw: dict, source_text: str, parts: Parts, text: str, offset_map: list) -> dict:
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
