"""The cleaner stage: articles.raw -> articles.clean (logic in parley.logic.clean)."""
from __future__ import annotations

from ..codec import decode, encode, key_of
from ..config import Settings
from ..topics import CLEAN, RAW
from ..warmup import warm_up
from . import CLEANER
from .shell import Outgoing, Stage


def make_stage(settings: Settings) -> Stage:
    from ..logic.clean import clean

    warm_up(CLEANER.name)  # compile patterns (and load the gazetteer) before the first message's time budget

    def process(_topic: str, _key: bytes | None, value: bytes) -> list[Outgoing]:
        raw = decode(value, schema=RAW)
        cleaned = clean(raw, max_chars=settings.max_article_chars)
        return [Outgoing(CLEAN, key_of(cleaned), encode(cleaned))]

    return Stage(CLEANER, process=process)
