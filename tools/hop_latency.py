"""Latency of each hop of the pipeline on a fresh embedded broker (figures only).

    .venv/bin/python tools/hop_latency.py [--rate 40] [--seconds 15]

Starts the embedded broker and the four workers of `parley up`, warms them with 20
articles, then publishes benchmark-workload articles one by one at a fixed rate (open loop)
and reads back the topics. A record's Kafka timestamp is set when its stage produces it, so
the difference between an article's records on two topics is the time it spent in one hop
(fetch wait, batching, the stage's work, produce). Prints p50/p95/max per hop and from
articles.raw to events.meetings of the timed articles that have a meeting.

Unlike `parley bench` (c), which measures after its max phase against a broker that holds
the whole run, this isolates the shell's own latency.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "services"), str(ROOT), str(ROOT / "tests")]

from support import harness  # noqa: E402  (tests/support/harness.py)
from parley.bench import workload  # noqa: E402
from parley.broker import EmbeddedBroker  # noqa: E402
from parley.ingest.readers import utc_now_iso  # noqa: E402
from parley.publisher import Publisher  # noqa: E402

TOPICS = ("articles.raw", "articles.clean", "articles.tagged", "events.meetings")
WARM = 20


async def feed(settings, messages: list[dict], rate: float) -> None:
    async with Publisher(settings) as publisher:
        start = time.monotonic()
        for i, message in enumerate(messages):
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
            await publisher.publish([dict(message, ingested_at=utc_now_iso())])


def hops(records: dict[str, list], leave_out: set[bytes]) -> dict[str, list[int]]:
    stamps: dict[bytes, dict[str, int]] = {}
    for topic, rs in records.items():
        for r in rs:
            if r.key not in leave_out:
                stamps.setdefault(r.key, {}).setdefault(topic, r.timestamp)   # an article's first event
    out: dict[str, list[int]] = {f"{a} -> {b}": [] for a, b in zip(TOPICS, TOPICS[1:])}
    out["articles.raw -> events.meetings"] = []
    for seen in stamps.values():
        if all(t in seen for t in TOPICS):
            for a, b in zip(TOPICS, TOPICS[1:]):
                out[f"{a} -> {b}"].append(seen[b] - seen[a])
            out["articles.raw -> events.meetings"].append(seen[TOPICS[-1]] - seen[TOPICS[0]])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=40.0, help="articles per second offered")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    n = int(args.rate * args.seconds)
    tmp = Path(tempfile.mkdtemp(prefix="parley-hops-"))
    (tmp / "run").mkdir()
    items = [i.message for i in workload.generate(int(n * 1.1) + 2 * WARM, seed=3, namespace="hops") if i.kind == "fresh"]
    with EmbeddedBroker() as broker:
        settings = harness.settings_for(broker.bootstrap, "hops", tmp)
        with harness.running_pipeline(settings, tmp / "run") as workers:
            warm = [dict(m, ingested_at=utc_now_iso()) for m in items[:WARM]]
            asyncio.run(harness.publish_and_drain(settings, warm, workers))
            print(f"offering {n} articles at {args.rate:g}/s ...", file=sys.stderr)
            asyncio.run(feed(settings, items[WARM:WARM + n], args.rate))
            asyncio.run(harness.publish_and_drain(settings, [], workers))
            records = {t: asyncio.run(harness.read_topic(settings, t)) for t in TOPICS}
    warm_keys = {str(m["article_id"]).encode() for m in items[:WARM]}
    for name, values in hops(records, warm_keys).items():
        values = sorted(values)
        if values:
            print(f"{name:34s} n={len(values)}  p50 {values[len(values) // 2]} ms  "
                  f"p95 {values[int(len(values) * 0.95)]} ms  max {values[-1]} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
