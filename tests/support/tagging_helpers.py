"""Tagging an invented sentence with the shipped gazetteer plus a few invented people.

`gazetteer_with(rows, folder)` compiles the gazetteer with extra people rows (people*.tsv
columns); `tagger(gz, date)` returns a function text -> mentions; `person`/`side` read one
person mention of the body by its surface text.
"""
from __future__ import annotations

from pathlib import Path

from parley.logic.gazetteer import compile_gazetteer, data_files
from parley.logic.tag import tag


def gazetteer_with(rows: list[tuple[str, ...]], folder: Path):
    extra = folder / "people_test.tsv"
    extra.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return compile_gazetteer(data_files() + [extra])


def tagger(gz, date: str):
    """text -> the tagger's mentions, for a cleaned message published on `date`."""
    def run(text, date=date, dateline=None, title=None):
        msg = {"schema_version": 1, "article_id": "a-0000000000000000",
               "source": {"file": None, "url": None, "name": None}, "published_at": date,
               "ingested_at": "2026-01-01T00:00:00.000000Z", "title": title, "text": text,
               "captions": [], "credit": None, "agency": None, "dateline": dateline,
               "updated": None, "dropped": [], "offset_map": []}
        return tag(msg, gz)["mentions"]
    return run


def person(ms, surface):
    found = [m for m in ms if m["type"] == "person" and m["text"] == surface and not m.get("field")]
    assert found, f"no person {surface!r} in {[(m['type'], m['text']) for m in ms]}"
    return found[0]


def side(ms, surface):
    m = person(ms, surface)
    return m["country"], m["org"]
