"""The tagger stage: articles.clean -> articles.tagged (logic in parley.logic.tag)."""
from __future__ import annotations

from ..codec import decode, encode, key_of
from ..config import Settings
from ..topics import CLEAN, TAGGED
from ..warmup import warm_up
from . import TAGGER
from .shell import Outgoing, Stage


def make_stage(settings: Settings) -> Stage:
    from ..logic.tag import tag

    warm_up(TAGGER.name)  # compile patterns (and load the gazetteer) before the first message's time budget

    def process(_topic: str, _key: bytes | None, value: bytes) -> list[Outgoing]:
        tagged = tag(decode(value, schema=CLEAN))
        return [Outgoing(TAGGED, key_of(tagged), encode(tagged))]

    return Stage(TAGGER, process=process)
