"""The detector stage: articles.tagged -> events.meetings (logic in parley.logic.detect).

After an article's events it publishes the article's receipt on articles.detected, listing
the events it gave (maybe none) and the article's cleaned text (which the events' evidence
offsets refer to): the sink stores the receipt as the article's row, so "this article is
fully stored" can be told from the database alone (the acceptance journal of `parley up`
relies on it), and the analyst page can show each evidence in its article.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..codec import decode, encode, key_of
from ..config import Settings
from ..topics import DETECTED, MEETINGS, TAGGED
from ..warmup import warm_up
from . import DETECTOR
from .shell import Outgoing, Stage


def receipt(tagged: dict, events: list[dict]) -> dict:
    """The articles.detected message of an article the detector has finished; `text` is the
    cleaned text the events' evidence `start`/`end` refer to."""
    detected_at = events[0]["detected_at"] if events else (
        datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    return {
        "schema_version": 1,
        "article_id": tagged["article_id"],
        "source": tagged.get("source") or {"file": None, "url": None, "name": None},
        "published_at": tagged.get("published_at"),
        "ingested_at": tagged.get("ingested_at"),
        "title": tagged.get("title"),
        "mentions": len(tagged.get("mentions") or []),
        "event_ids": list(dict.fromkeys(e["event_id"] for e in events)),
        "detected_at": detected_at,
        **({"text": tagged["text"]} if isinstance(tagged.get("text"), str) else {}),
    }


def make_stage(settings: Settings) -> Stage:
    from ..logic.detect import detect

    warm_up(DETECTOR.name)  # compile patterns before the first message's time budget

    def process(_topic: str, _key: bytes | None, value: bytes) -> list[Outgoing]:
        tagged = decode(value, schema=TAGGED)
        events = detect(tagged)
        # Keyed by article: every event of an article lands on the article's partition.
        out = [Outgoing(MEETINGS, key_of(event), encode(event)) for event in events]
        out.append(Outgoing(DETECTED, key_of(tagged), encode(receipt(tagged, events))))
        return out

    return Stage(DETECTOR, process=process)
