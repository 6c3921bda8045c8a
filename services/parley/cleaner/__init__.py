"""The cleaner service: articles.raw -> articles.clean (logic in parley.logic.clean)."""
from __future__ import annotations

from ..codec import decode, encode, key_of
from ..config import Settings
from ..stage import Outgoing, Stage
from ..warmup import warm_up


def make_stage(settings: Settings) -> Stage:
    from ..logic.clean import clean

    warm_up("cleaner")  # compile patterns (and load the gazetteer) before the first message's time budget

    def process(_topic: str, _key: bytes | None, value: bytes) -> list[Outgoing]:
        raw = decode(value, schema="articles.raw")
        cleaned = clean(raw, max_chars=settings.max_article_chars)
        return [Outgoing("articles.clean", key_of(cleaned), encode(cleaned))]

    return Stage(name="cleaner", inputs=("articles.raw",), process=process)
