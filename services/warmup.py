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


def warm_up() -> None:
    from .logic.pipeline import process

    process(dict(_SAMPLE))
