"""`parley bench`: throughput, latency and memory of Parley, measured in one run.

(a) the in-process rate of clean + tag + detect (services/bench/inprocess.py);
(b) the end-to-end rate with every service a process of its own, through a real broker and
    the sink, and its ratio to (a) (streaming.py);
(c) latency percentiles from ingest to sink at a fixed offered load (streaming.py);
(d) peak RSS and CPU share of each process, and RSS growth over the run (memory.py).
Prints a JSON summary, optionally writes it to a file, and renders a PNG chart (chart.py).
See docs/benchmark.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from ..config import Settings
from ..stages import NAMES
from . import inprocess, workload

TARGETS = {
    "inprocess_articles_per_s_per_core": 1000,
    "end_to_end_ratio": 0.8,
    "p99_latency_ms": 250,
    "rss_change_pct": 10,
    "leak_check_articles": 200_000,
}
SERVICES = NAMES  # the stage processes whose RSS must stay flat


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley bench", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000, metavar="N",
                        help="articles of the workload (default 20000)")
    parser.add_argument("--json", metavar="FILE", help="also write the JSON summary to FILE")
    parser.add_argument("--chart", default="bench.png", metavar="FILE.png",
                        help="where to render the chart (default bench.png)")
    parser.add_argument("--long", type=int, default=0, metavar="N",
                        help="after the other phases, stream N more articles for the RSS leak check "
                             "(the target is stated for 200000; default 0 = off)")
    parser.add_argument("--skip-e2e", action="store_true", help="only the in-process figures (no broker, no workers)")
    parser.add_argument("--seed", type=int, default=7, help="workload seed (default 7)")
    parser.add_argument("--partitions", type=int, default=4, help="partitions of every topic (default 4)")
    parser.add_argument("--load", type=float, default=0.5,
                        help="offered load of the latency phase, as a share of the measured maximum (default 0.5)")
    parser.add_argument("--latency-seconds", type=float, default=30.0, metavar="S",
                        help="length of the latency phase (default 30 s; at most --articles messages)")
    parser.add_argument("--inprocess-articles", type=int, metavar="N",
                        help="time the in-process logic on the first N valid articles only (default all)")
    parser.add_argument("--stall-timeout", type=float, default=180.0, metavar="S",
                        help="give up when no stage progresses for this long (default 180)")
    parser.add_argument("--keep", action="store_true", help="keep the run folder (worker logs, broker log, SQLite)")
    return parser


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict:
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": load}


def evaluate_targets(summary: dict) -> list[dict]:
    """Each target with its measured figure and whether it is met (None: not measured)."""
    ip = summary.get("inprocess", {})
    rate = ip.get("articles_per_s")
    out = [{"target": "in-process >= 1000 articles/s per core", "measured": rate,
            "met": None if rate is None else rate >= TARGETS["inprocess_articles_per_s_per_core"]}]
    streaming = summary.get("streaming")
    if not streaming:
        return out
    ratio = summary.get("end_to_end_ratio")
    out.append({"target": "end to end >= 80% of the in-process single-process rate", "measured": ratio,
                "met": None if ratio is None else ratio >= TARGETS["end_to_end_ratio"]})
    p99 = streaming["latency"]["latency_ms"]["p99"]
    out.append({"target": f"p99 latency <= 250 ms at {streaming['latency']['load']:.0%} load", "measured": p99,
                "met": None if p99 is None else p99 <= TARGETS["p99_latency_ms"]})
    if "long" in streaming:
        growth, articles = streaming["long"]["rss_growth"], streaming["long"]["messages"]
    else:
        growth, articles = streaming["rss_growth_run"]["processes"], None
    changes = {name: g["change_pct"] for name, g in growth.items() if name in SERVICES}
    worst = max(changes.values(), key=abs) if changes else None
    flat = None if worst is None else abs(worst) <= TARGETS["rss_change_pct"]
    out.append({"target": "RSS of each service flat (within 10%) across 200000 articles",
                "measured": {"change_pct": changes, "over_articles": articles or "this run (no --long)"},
                "met": flat if articles and articles >= TARGETS["leak_check_articles"] else None,
                "met_over_shorter_run": flat if not (articles and articles >= TARGETS["leak_check_articles"]) else None})
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # `parley bench -- --articles N` (older command lines needed it)
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    if args.articles < 10:
        raise SystemExit("--articles must be at least 10")
    started = time.time()
    summary: dict = {
        "parley_bench": 1,
        "started_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "config": {"articles": args.articles, "seed": args.seed, "partitions": args.partitions, "load": args.load,
                   "latency_seconds": args.latency_seconds, "long": args.long},
    }
    items = workload.generate(args.articles, args.seed, namespace="max")
    summary["workload"] = workload.describe(items)
    log(f"workload: {summary['workload']}")

    log("in-process: clean + tag + detect, one process")
    summary["inprocess"] = inprocess.measure(items, limit=args.inprocess_articles)
    log(f"in-process: {summary['inprocess']['articles_per_s']} articles/s")
    del items

    timeline = sampler = None
    if not args.skip_e2e:
        from . import streaming

        run_dir = Path(tempfile.mkdtemp(prefix="parley-bench-"))
        log(f"end to end: broker, topics and 4 service processes (logs in {run_dir})")
        options = streaming.Options(articles=args.articles, seed=args.seed, partitions=args.partitions,
                                    load=args.load, latency_seconds=args.latency_seconds, long=args.long,
                                    stall_timeout=args.stall_timeout, run_dir=run_dir)
        try:
            summary["streaming"], timeline, sampler = streaming.measure(Settings.from_env(), options, run_dir)
        finally:
            if not args.keep:
                shutil.rmtree(run_dir, ignore_errors=True)
        e2e = summary["streaming"]["max"]["articles_per_s"]
        single = summary["inprocess"]["articles_per_s"]
        summary["end_to_end_ratio"] = round(e2e / single, 3) if single else None
        log(f"end to end: {e2e} articles/s (ratio {summary['end_to_end_ratio']}), "
            f"p99 {summary['streaming']['latency']['latency_ms']['p99']} ms")

    summary["targets"] = evaluate_targets(summary)
    summary["seconds"] = round(time.time() - started, 1)
    if timeline is not None and args.chart:
        from .chart import render

        title = (f"parley bench: {args.articles} articles, {summary['machine']['cpus']} CPUs; in-process "
                 f"{summary['inprocess']['articles_per_s']}/s, end to end {summary['streaming']['max']['articles_per_s']}/s, "
                 f"p99 {summary['streaming']['latency']['latency_ms']['p99']} ms at {args.load:.0%} load")
        summary["chart"] = str(render(args.chart, timeline, sampler, title))
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0
