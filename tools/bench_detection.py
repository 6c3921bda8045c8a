"""Private helper: time detect() alone on pre-tagged corpus articles (µs per article and per kB,
CPU time of the fastest of 10 rounds).

    .venv/bin/python tools/bench_detection.py /work/shared/corpus/dev [/work/shared/corpus/seeds ...]
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "services"))

from parley.logic.clean import clean  # noqa: E402
from parley.logic.detect import detect  # noqa: E402
from parley.logic.tag import tag  # noqa: E402


def main():
    tagged = []
    for folder in map(Path, sys.argv[1:]):
        gold = {json.loads(l)["doc"]: json.loads(l) for l in (folder / "gold.jsonl").read_text().splitlines() if l.strip()}
        for doc, g in gold.items():
            raw = {"schema_version": 1, "article_id": "a-" + Path(doc).stem, "source": {"file": doc, "url": None, "name": None},
                   "published_at": g.get("published"), "ingested_at": "2026-01-01T00:00:00.000000Z", "title": None,
                   "text": (folder / doc).read_text(encoding="utf-8"), "html": None}
            tagged.append(tag(clean(raw)))
    detect(tagged[0])  # compile patterns once
    chars = sum(len(t.get("text") or "") + len(t.get("title") or "") for t in tagged)
    # the fastest of several rounds: on a shared machine the others are slowed by neighbours
    cpu = float("inf")
    for _ in range(10):
        t0 = time.process_time()
        for t in tagged:
            detect(t)
        cpu = min(cpu, time.process_time() - t0)
    n = len(tagged)
    print(f"{n} articles, {chars / n / 1000:.1f} kB/article avg: detect {1e6 * cpu / n:.0f} µs/article CPU, "
          f"{1e6 * cpu / (chars / 1000):.0f} µs/kB ({1e6 * cpu / (chars / 5000):.0f} µs per 5 kB)")


if __name__ == "__main__":
    main()
