"""The cleaner on large, realistic news pages: ms per page, before and after (figures only).

    .venv/bin/python tools/bench_large_pages.py [-n 5] [--sizes 500000,900000,2000000] [--no-cold]

Builds pages of about 0.5, 0.9 and 2 MB around a real article (tests/corpus/dev/A01.txt by
default) with `parley.bench.pages` (inline JSON state, analytics script, CSS, an SVG
sprite, comments, a mega-menu, grids of teaser cards with data attributes), in two kinds:
- dated: the page gives its date in meta tags and JSON-LD, as most news pages do;
- undated: it does not (the article says "Published 3 hours ago"; the teasers keep theirs).

Each page goes through the cleaner stage's own `process` (schema check, clean, encode: what
the per-article time budget covers), timed whole and for the HTML extraction inside it.
"before" is the extraction as it was up to commit 6e09eb9 (trafilatura with its default,
extensive date search and nothing pruned), "after" is the current code. Runs alternate
before/after, each on a fresh page (another seed: no cache of one run helps the next), and
the medians over -n runs are printed (wall and CPU ms; the machine is shared and noisy), with
the slowest page's wall time (the time budget dead-letters on wall time).

`--cold` (default on) also times the first undated page in a fresh process that has done
what a cleaner worker does at start (warm-up and the readiness self-check), once per
version: the slow date search loaded dateparser's languages there, inside the budget.
"""
from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "services") not in sys.path:   # lets PYTHONPATH put another checkout first
    sys.path.insert(0, str(ROOT / "services"))

import orjson  # noqa: E402

from parley.bench.pages import build_page, dev_article  # noqa: E402
from parley.logic.clean import extract  # noqa: E402

DEFAULT_ARTICLE = ROOT / "tests" / "corpus" / "dev" / "A01.txt"
SIZES = (500_000, 900_000, 2_000_000)
KINDS = ("dated", "undated")


# The cleaner's extraction, taken before `Timed` swaps in its timing wrapper: "before" is the
# same function with htmldate's extensive date search, as the cleaner ran it up to 6e09eb9.
_EXTRACT = extract._extract_html
VERSIONS = {"before": functools.partial(_EXTRACT, extensive_date_search=True), "after": _EXTRACT}


def raw_message(page: str) -> bytes:
    return orjson.dumps({
        "schema_version": 1, "article_id": "a-0123456789abcdef",
        "source": {"file": None, "url": None, "name": "Example News"},
        "published_at": None, "ingested_at": "2026-11-30T10:00:00.000000Z",
        "title": None, "text": None, "html": page,
    })


def page_for(article: Path, size: int, kind: str, seed: int) -> str:
    title, paragraphs = dev_article(article)
    return build_page(title, paragraphs, target_bytes=size, seed=seed,
                      published="2026-11-30T08:15:00Z" if kind == "dated" else None)


class Timed:
    """Runs the cleaner stage's `process` with one version of the extraction, timing it."""

    def __init__(self):
        from parley.config import Settings
        from parley.stages.cleaner import make_stage

        self.stage = make_stage(Settings())
        self.extraction = 0.0

    def run(self, version: str, value: bytes) -> tuple[float, float, float, dict]:
        inner = VERSIONS[version]
        result = {}

        def timed_extract(html_):
            started = time.perf_counter()
            try:
                out = inner(html_)
            finally:
                self.extraction = time.perf_counter() - started
            result["date"], result["chars"] = out[2], len(out[0])
            return out

        extract._extract_html = timed_extract
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            self.stage.process("articles.raw", b"k", value)
            return time.perf_counter() - wall, time.process_time() - cpu, self.extraction, result
        finally:
            extract._extract_html = VERSIONS["after"]


def cold(version: str, article: Path) -> None:
    """In a fresh process: start like a cleaner worker, then clean one undated 0.9 MB page."""
    page = raw_message(page_for(article, 900_000, "undated", seed=99))
    timed = Timed()   # make_stage: warm-up and the HTML readiness self-check, as a worker starts
    wall, cpu, extraction, result = timed.run(version, page)
    print(json.dumps({"wall_ms": wall * 1000, "cpu_ms": cpu * 1000, "extraction_ms": extraction * 1000, **result}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="pages per size, kind and version (medians are printed)")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="target page sizes in bytes")
    parser.add_argument("--article", type=Path, default=DEFAULT_ARTICLE, help="plain-text article (title, blank line, paragraphs)")
    parser.add_argument("--no-cold", action="store_true", help="skip the first-page-in-a-fresh-worker figures")
    parser.add_argument("--cold-child", choices=tuple(VERSIONS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        cold(args.cold_child, args.article)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    timed = Timed()
    print(f"article {args.article.name}; {args.n} pages per cell: median wall ms / median CPU ms of the cleaner "
          "stage's process (median ms of the extraction in it), then the slowest page's wall ms")
    print(f"{'page':>8} {'kind':8} {'before':>30} {'after':>30}   date before -> after")
    seed = 0
    for size in sizes:
        for kind in KINDS:
            runs: dict[str, list[tuple]] = {v: [] for v in VERSIONS}
            for _ in range(args.n):
                for version in VERSIONS:
                    seed += 1
                    page = page_for(args.article, size, kind, seed)
                    runs[version].append((len(page.encode()),) + timed.run(version, raw_message(page)))
            cells, dates = [], []
            for version in VERSIONS:
                rs = runs[version]
                wall = statistics.median(r[1] for r in rs) * 1000
                cpu = statistics.median(r[2] for r in rs) * 1000
                ext = statistics.median(r[3] for r in rs) * 1000
                worst = max(r[1] for r in rs) * 1000
                cells.append(f"{wall:6.0f} / {cpu:5.0f} ({ext:5.0f}) {worst:5.0f}")
                dates.append(",".join(sorted({str(r[4].get("date")) for r in rs})))
            kb = statistics.median(r[0] for r in runs["after"]) / 1000
            print(f"{kb:6.0f}kB {kind:8} {cells[0]:>30} {cells[1]:>30}   {dates[0]} -> {dates[1]}", flush=True)
    if not args.no_cold:
        print("first undated 0.9 MB page in a fresh, warmed-up cleaner process (wall / CPU ms, extraction):")
        for version in VERSIONS:
            out = subprocess.run([sys.executable, __file__, "--cold-child", version, "--article", str(args.article)],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"  {version:6} {r['wall_ms']:7.0f} / {r['cpu_ms']:5.0f} ({r['extraction_ms']:5.0f})  date {r['date']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
