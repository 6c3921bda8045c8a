"""Reader and validator throughput: `.venv/bin/python tools/bench_ingest.py [--articles N]`.

Generates articles of about 4 kB (synthetic text) as one JSON Lines file and as one `.txt`
file each, then times reading them, building the messages and validating them against
`articles.raw`. Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import orjson
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "services") not in sys.path:   # lets PYTHONPATH put another checkout first
    sys.path.insert(0, str(ROOT / "services"))

from parley.ingest.readers import Article, read_paths  # noqa: E402
from parley.schemas import FORMAT_CHECKER, load_schemas, validation_engine, validator  # noqa: E402
from parley.topics import RAW  # noqa: E402

WORDS = ("minister talks delegation summit agreement border trade envoy capital visit "
         "president cooperation statement bilateral security energy ports treaty").split()


def synthetic_text(rng: random.Random, chars: int = 4000) -> str:
    words, size = [], 0
    while size < chars:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)


def timed(label: str, count: int, func) -> float:
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {count:>7} in {elapsed:6.3f} s = {count / elapsed:>10,.0f} /s")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    args = parser.parse_args(argv)
    rng = random.Random(7)
    records = [
        {"url": f"https://news.example.org/story/{i}?utm_source=rss", "title": f"Story {i}",
         "text": synthetic_text(rng), "published_at": "2024-03-05T10:00:00Z", "source": "Bench"}
        for i in range(args.articles)
    ]
    check = validator(RAW)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        jsonl = folder / "batch.jsonl"
        jsonl.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
        txt_dir = folder / "txt"
        txt_dir.mkdir()
        for i, record in enumerate(records[:1000]):
            (txt_dir / f"{i:05d}.txt").write_text(record["text"], encoding="utf-8")

        n = len(records)
        timed("read jsonl -> Article", n, lambda: sum(1 for _ in read_paths([jsonl])))
        timed("read jsonl -> to_message()", n,
              lambda: [r.to_message() for r in read_paths([jsonl])])
        messages = [r.to_message() for r in read_paths([jsonl]) if isinstance(r, Article)]
        timed(f"validate ({validation_engine(RAW)})", n, lambda: [check(m) for m in messages])
        slow = Draft202012Validator(load_schemas()[RAW], format_checker=FORMAT_CHECKER)
        timed("validate (jsonschema only)", n, lambda: [list(slow.iter_errors(m)) for m in messages])
        timed("read jsonl -> message -> validate", n,
              lambda: [check(r.to_message()) for r in read_paths([jsonl])])
        timed("read .txt folder (1 file per article)", min(n, 1000),
              lambda: sum(1 for _ in read_paths([txt_dir])))
        timed("orjson.dumps(message)", n, lambda: [orjson.dumps(m) for m in messages])


if __name__ == "__main__":
    main()
