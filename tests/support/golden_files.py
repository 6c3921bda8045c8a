"""Golden files of the logic's output on the vendored corpora: one JSON record per article,
gzipped, written byte-for-byte reproducibly (used by test_tagging_golden.py and
test_detection_golden.py)."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from parley.eval.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[2]
CORPORA = [ROOT / "tests" / "corpus" / "seeds", ROOT / "tests" / "corpus" / "dev"]


def corpus_articles() -> list[tuple[str, dict]]:
    """("corpus/file name", articles.raw message) of every vendored article, the names the
    golden records are kept under."""
    return [(f"{folder.name}/{doc.name}", doc.raw) for folder in CORPORA for doc in load_corpus(folder)]


def load(path: Path) -> dict[str, dict]:
    """The records of a golden file by their "doc"."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {r["doc"]: r for r in map(json.loads, f) if r}


def write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same records give the same bytes, so an unchanged golden file shows no diff
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        for r in records:
            f.write((json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))


def as_stored(record: dict) -> dict:
    """A record as it reads back from the file (JSON round trip: tuples become lists)."""
    return json.loads(json.dumps(record, ensure_ascii=False))
