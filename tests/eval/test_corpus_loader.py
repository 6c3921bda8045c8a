"""Loading an annotated corpus folder into articles.raw messages."""
from __future__ import annotations

import json

from parley.eval.corpus import load_corpus
from parley.schemas import validator


def test_each_text_becomes_a_valid_raw_message_with_its_gold(tmp_path):
    (tmp_path / "b.txt").write_text("Chile and Peru agree to talk\n\nThe ministers met on Monday.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Another article about talks in Lima.", encoding="utf-8")
    (tmp_path / "SOURCES.md").write_text("# sources", encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text(json.dumps({"doc": "b.txt", "published": "2019-03-04", "meetings": []}) + "\n")
    docs = load_corpus(tmp_path)
    assert [d.name for d in docs] == ["a.txt", "b.txt"]
    check = validator("articles.raw")
    for d in docs:
        assert check(d.raw) == []
        assert d.raw["source"]["file"] == d.name
    assert docs[0].gold is None and docs[0].raw["published_at"] is None
    assert docs[1].gold["published"] == "2019-03-04" and docs[1].raw["published_at"] == "2019-03-04"
    assert docs[1].raw["ingested_at"].endswith("Z")


def test_the_same_text_gets_the_same_article_id_in_any_folder(tmp_path):
    for name in ("x", "y"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.txt").write_text("Talks  in Lima\n", encoding="utf-8")
    ids = {load_corpus(tmp_path / name)[0].raw["article_id"] for name in ("x", "y")}
    assert len(ids) == 1
