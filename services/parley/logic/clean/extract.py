"""The text to clean: a message's `text`, or the article extracted from its `html`."""

from __future__ import annotations

import datetime as _dt

from ..errors import Rejected
from ..stamps import parse_date
from .textnorm import render_free


def input_text(raw: dict, max_chars: int) -> tuple[str, str | None, str | None, list[str] | None]:
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


def date_params() -> dict:
    """How the page's own date is looked for (htmldate, through trafilatura).

    Without htmldate's extensive search: the date is still read from meta tags, JSON-LD, the
    URL, <time> and date-like elements and full timestamps in the page; left out is the last
    resort, sending date-looking fragments to dateparser and scanning the page for any bare
    date. On a large page that states no date where a machine reads it first, that resort
    cost seconds (dateparser loading its languages on first use, then 15-30 ms per candidate
    such as each teaser's "3h ago"), enough to dead-letter the article on its time budget,
    and its guesses were dates of teasers and page furniture (docs/benchmark.md). The
    extracted text does not depend on it.
    """
    today = _dt.datetime.now().astimezone().strftime("%Y-%m-%d")
    return {"original_date": True, "extensive_search": False, "max_date": today}


def _extract_html(html_: str, *, extensive_date_search: bool = False) -> tuple[str, str | None, str | None, list[str]]:
    """Text, title, date and captions of a page. `extensive_date_search` restores htmldate's
    defaults (what the cleaner did before; tools/bench_large_pages.py compares the two)."""
    import trafilatura  # slow to import; only HTML input needs it

    try:
        doc = trafilatura.bare_extraction(
            html_, with_metadata=True, include_comments=False, include_tables=False,
            favor_precision=True, date_extraction_params=None if extensive_date_search else date_params(),
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
    return [c for c in (render_free(text) for text in found if text) if c]



# A tiny page the extractor must read: the cleaner's readiness self-check (a missing
# dependency, e.g. lxml_html_clean under lxml >= 5.2, otherwise dead-letters every HTML article).
_SELF_CHECK_HTML = (
    "<html><head><title>Ministers meet</title></head><body><article>"
    "<h1>Ministers meet</h1>"
    "<p>The foreign ministers of the two countries met in the capital on Monday to discuss trade.</p>"
    "<p>They agreed to continue the talks next month, a spokesman for the ministry said afterwards.</p>"
    "</article></body></html>"
)


def html_extraction_problem() -> str | None:
    """None when HTML extraction works here, else why not (never raises)."""
    try:
        text, _title, _date, _captions = _extract_html(_SELF_CHECK_HTML)
    except BaseException as exc:  # ImportError included: that is what the check is for
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return f"{type(exc).__name__}: {exc}"
    if "foreign ministers" not in text:
        return "the self-check page's text was not extracted"
    return None
