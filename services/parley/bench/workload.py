"""A reproducible benchmark workload: real articles replayed with fresh ids.

The texts are the sample articles shipped with Parley (services/data/samples) and a dozen
openly licensed articles copied for the benchmark (services/data/bench, see SOURCES.md
there). Each generated article takes one text and trims it to, or extends it with
paragraphs of other texts up to, a length drawn log-uniformly between 1 and 10 kB, so the
mix of short readouts and long reports resembles a news feed. A share of messages repeats an
earlier article (same URL, same id: the pipeline must upsert, not double count) and a
share is malformed (they must go to the dead-letter topic without stopping anything).

The same seed gives the same texts; `namespace` keeps the ids of two phases of one run
apart, so each phase's rows can be found in the sink's database.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..ids import article_id
from ..ingest.readers import SCHEMA_VERSION, utc_now_iso

DATA = Path(__file__).resolve().parent.parent / "data"
CORPUS_DIRS = (DATA / "samples", DATA / "bench")
MIN_BYTES, MAX_BYTES = 1_000, 10_000
DUPLICATE_SHARE = 0.05
BAD_SHARE = 0.02
DUPLICATE_WINDOW = 1_000  # a duplicate repeats one of the last N fresh articles
OUTLETS = ("Bench Wire", "Bench Herald", "Bench Gazette", "Bench Times")

# Messages a careless producer could put on articles.raw; each breaks the schema in its
# own way, so the cleaner must dead-letter it and go on.
BAD_KINDS = ("no_body", "blank_text", "bad_article_id", "wrong_schema_version", "text_not_string")


@dataclass(frozen=True)
class Doc:
    name: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One message of the workload; `ingested_at` is stamped when it is offered."""

    message: dict
    kind: str  # "fresh" | "duplicate" | "bad"
    size: int  # bytes of UTF-8 text

    @property
    def valid(self) -> bool:
        return self.kind != "bad"


def load_corpus(dirs=CORPUS_DIRS) -> list[Doc]:
    docs = []
    for folder in dirs:
        for path in sorted(Path(folder).glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            paragraphs = tuple(p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip())
            if paragraphs:
                docs.append(Doc(path.name, paragraphs))
    if not docs:
        raise SystemExit(f"no benchmark texts found in {', '.join(str(d) for d in dirs)}")
    return docs


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def compose_text(rng: random.Random, docs: list[Doc], target: int) -> str:
    """One article's text: a doc's leading paragraphs, extended from others up to ~target."""
    base = rng.choice(docs)
    parts: list[str] = []
    size = 0
    for paragraph in base.paragraphs:
        if parts and size + _utf8_len(paragraph) > target:
            break
        parts.append(paragraph)
        size += _utf8_len(paragraph) + 2
    while size < target:
        extra = rng.choice(docs)
        start = rng.randrange(len(extra.paragraphs))
        for paragraph in extra.paragraphs[start:]:
            if size + _utf8_len(paragraph) > MAX_BYTES:
                break
            parts.append(paragraph)
            size += _utf8_len(paragraph) + 2
            if size >= target:
                break
        else:
            continue
        break
    return "\n\n".join(parts)


def _message(url: str, text: str | None, published_at: str, outlet: str) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "article_id": article_id(url, None),
        "source": {"file": None, "url": url, "name": outlet},
        "published_at": published_at,
        "ingested_at": None,  # stamped when offered
        "title": None,
        "text": text,
        "html": None,
    }


def _spoil(message: dict, kind: str) -> dict:
    bad = dict(message)
    if kind == "no_body":
        bad["text"] = None
    elif kind == "blank_text":
        bad["text"] = " \n\t "
    elif kind == "bad_article_id":
        bad["article_id"] = "article-" + message["article_id"][2:]
    elif kind == "wrong_schema_version":
        bad["schema_version"] = 99
    elif kind == "text_not_string":
        bad["text"] = [message["text"]]
    else:
        raise ValueError(kind)
    return bad


def iter_workload(n: int, seed: int = 7, *, namespace: str = "bench", duplicate_share: float = DUPLICATE_SHARE,
                  bad_share: float = BAD_SHARE, docs: list[Doc] | None = None) -> Iterator[Item]:
    """`n` workload messages, lazily (the leak check streams hundreds of thousands)."""
    docs = docs or load_corpus()
    rng = random.Random(seed)
    recent: list[Item] = []
    log_min, log_max = math.log(MIN_BYTES), math.log(MAX_BYTES)
    for i in range(n):
        draw = rng.random()
        if draw < duplicate_share and recent:
            original = rng.choice(recent)
            yield Item(dict(original.message), "duplicate", original.size)
            continue
        target = int(math.exp(rng.uniform(log_min, log_max)))
        text = compose_text(rng, docs, target)
        url = f"https://bench.parley.invalid/{namespace}/{seed}/{i}"
        published = f"{rng.randint(2010, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        message = _message(url, text, published, rng.choice(OUTLETS))
        if draw < duplicate_share + bad_share:
            kind = BAD_KINDS[i % len(BAD_KINDS)]
            yield Item(_spoil(message, kind), "bad", _utf8_len(text))
            continue
        item = Item(message, "fresh", _utf8_len(text))
        recent.append(item)
        if len(recent) > DUPLICATE_WINDOW:
            recent.pop(0)
        yield item


def generate(n: int, seed: int = 7, **kwargs) -> list[Item]:
    return list(iter_workload(n, seed, **kwargs))


def stamped(item: Item, ingested_at: str | None = None) -> dict:
    """The message to publish, with `ingested_at` = now (the start of its latency)."""
    return {**item.message, "ingested_at": ingested_at or utc_now_iso()}


def describe(items: list[Item]) -> dict:
    sizes = sorted(item.size for item in items if item.valid)
    kinds = {"fresh": 0, "duplicate": 0, "bad": 0}
    for item in items:
        kinds[item.kind] += 1
    return {
        "messages": len(items),
        **kinds,
        "text_bytes": {
            "min": sizes[0] if sizes else 0,
            "p50": sizes[len(sizes) // 2] if sizes else 0,
            "mean": round(sum(sizes) / len(sizes)) if sizes else 0,
            "max": sizes[-1] if sizes else 0,
        },
    }
