"""The cleaner stage: articles.raw -> articles.clean (logic in parley.logic.clean)."""
from __future__ import annotations

import logging
from typing import Callable

from ..codec import decode, encode, key_of
from ..config import Settings
from ..topics import CLEAN, RAW
from ..warmup import warm_up
from . import CLEANER
from .shell import Outgoing, Stage

log = logging.getLogger("parley.stage.cleaner")


def html_extraction_check() -> Callable[[], bool]:
    """A readiness check: can this worker extract articles from HTML at all?

    Run once at start (a tiny extraction); a worker that would dead-letter every HTML
    article (e.g. lxml_html_clean missing) reports `html_extraction: false` on /readyz and
    logs why, once.
    """
    from ..logic.clean.extract import html_extraction_problem

    problem = html_extraction_problem()
    if problem is not None:
        log.error("HTML extraction does not work in this worker, so it is not ready: %s "
                  "(is lxml_html_clean installed? pip install lxml_html_clean)", problem)
    ok = problem is None
    return lambda: ok


def make_stage(settings: Settings) -> Stage:
    from ..logic.clean import clean

    warm_up(CLEANER.name)  # compile patterns (and load the gazetteer) before the first message's time budget

    def process(_topic: str, _key: bytes | None, value: bytes) -> list[Outgoing]:
        raw = decode(value, schema=RAW)
        cleaned = clean(raw, max_chars=settings.max_article_chars)
        return [Outgoing(CLEAN, key_of(cleaned), encode(cleaned))]

    return Stage(CLEANER, process=process, checks={"html_extraction": html_extraction_check()})
