"""The tagger service: articles.clean -> articles.tagged (logic in parley.logic.tag)."""
from __future__ import annotations

from ..codec import decode, encode, key_of
from ..config import Settings
from ..stage import Outgoing, Stage
from ..warmup import warm_up


def make_stage(settings: Settings) -> Stage:
    from ..logic.tag import tag

    warm_up("tagger")  # compile patterns (and load the gazetteer) before the first message's time budget

    def process(_topic: str, _key: bytes | None, value: bytes) -> list[Outgoing]:
        tagged = tag(decode(value, schema="articles.clean"))
        return [Outgoing("articles.tagged", key_of(tagged), encode(tagged))]

    return Stage(name="tagger", inputs=("articles.clean",), process=process)
