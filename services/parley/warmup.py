"""Warming the logic up before the first message.

The first call of each stage compiles its patterns and loads the gazetteer; done inside the
first message's time budget, that cost could dead-letter a perfectly good article.
"""
from __future__ import annotations

_SAMPLE = {
    "schema_version": 1,
    "article_id": "a-0000000000000000",
    "source": {"file": None, "url": None, "name": None},
    "published_at": "2020-01-15",
    "ingested_at": "2020-01-15T00:00:00.000000Z",
    "title": "Ministers meet",
    "text": "PARIS, January 14. The French foreign minister met his German counterpart in Paris "
            "on Tuesday and will visit Berlin next week.",
    "html": None,
}


def _mention(text: str, surface: str, code: str, name: str) -> dict:
    start = text.index(surface)
    return {"type": "country", "text": surface, "start": start, "end": start + len(surface),
            "id": code, "name": name, "code": code, "via": "demonym"}


def warm_up(stage: str = "all") -> None:
    """Run the logic a stage uses once on a small article.

    The detector is warmed with hand-made mentions, so the detector worker never loads the
    gazetteer it does not use (about 100 MB).
    """
    from .logic.clean import clean

    cleaned = clean(dict(_SAMPLE))
    if stage in ("tagger", "all"):
        from .logic.tag import tag

        tag(cleaned)
    if stage in ("detector", "all"):
        from .logic.detect import detect

        text = cleaned["text"]
        detect(dict(cleaned, mentions=[_mention(text, "French", "FRA", "France"),
                                       _mention(text, "German", "DEU", "Germany")]))
