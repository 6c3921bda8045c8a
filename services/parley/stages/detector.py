"""The detector stage: articles.tagged -> events.meetings (logic in parley.logic.detect)."""
from __future__ import annotations

from ..codec import decode, encode, key_of
from ..config import Settings
from ..topics import MEETINGS, TAGGED
from ..warmup import warm_up
from . import DETECTOR
from .shell import Outgoing, Stage


def make_stage(settings: Settings) -> Stage:
    from ..logic.detect import detect

    warm_up(DETECTOR.name)  # compile patterns before the first message's time budget

    def process(_topic: str, _key: bytes | None, value: bytes) -> list[Outgoing]:
        tagged = decode(value, schema=TAGGED)
        # Keyed by article: every event of an article lands on the article's partition.
        return [Outgoing(MEETINGS, key_of(event), encode(event)) for event in detect(tagged)]

    return Stage(DETECTOR, process=process)
