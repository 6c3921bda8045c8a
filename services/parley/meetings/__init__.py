"""The meeting detector service: articles.tagged -> events.meetings (parley.logic.detect)."""
from __future__ import annotations

from ..codec import decode, encode, key_of
from ..config import Settings
from ..stage import Outgoing, Stage
from ..warmup import warm_up


def make_stage(settings: Settings) -> Stage:
    from ..logic.detect import detect

    warm_up("meetings")  # compile patterns (and load the gazetteer) before the first message's time budget

    def process(_topic: str, _key: bytes | None, value: bytes) -> list[Outgoing]:
        tagged = decode(value, schema="articles.tagged")
        # Keyed by article: every event of an article lands on the article's partition.
        return [Outgoing("events.meetings", key_of(event), encode(event)) for event in detect(tagged)]

    return Stage(name="meetings", inputs=("articles.tagged",), process=process)
