"""`parley bench` works end to end on a tiny workload: every figure present, chart rendered.

Runs the real thing (embedded broker, four service processes, sink) on a hundred articles.
It asserts that the benchmark measures, never how fast Parley is: speeds are figures the
benchmark prints, not test outcomes.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from parley.bench import workload

pytestmark = pytest.mark.broker

PARLEY = [sys.executable, "-m", "parley.cli"]
ARTICLES = 100


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "PARLEY_", "DATABASE_URL"))}
    env["PARLEY_SQLITE_PATH"] = str(tmp_path / "unused.db")
    return env


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_bench_on_a_tiny_workload_reports_every_figure_and_renders_the_chart(tmp_path):
    summary_path, chart = tmp_path / "bench.json", tmp_path / "bench.png"
    run = subprocess.run(
        PARLEY + ["bench", "--articles", str(ARTICLES), "--inprocess-articles", "40", "--latency-seconds", "3",
                  "--json", str(summary_path), "--chart", str(chart), "--stall-timeout", "60"],
        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=240,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    summary = orjson.loads(summary_path.read_bytes())
    assert orjson.loads(run.stdout) == summary  # the same summary printed and written

    assert summary["workload"]["messages"] == ARTICLES
    assert summary["workload"]["bad"] > 0 and summary["workload"]["duplicate"] > 0

    inprocess = summary["inprocess"]
    assert inprocess["articles"] == 40
    for figure in ("articles_per_s", "articles_per_cpu_s", "codec_us_per_article"):
        assert _number(inprocess[figure]) and inprocess[figure] > 0, figure
    assert set(inprocess["us_per_article"]) == {"clean", "tag", "detect", "total"}

    streaming = summary["streaming"]
    assert _number(streaming["max"]["articles_per_s"]) and streaming["max"]["articles_per_s"] > 0
    assert _number(summary["end_to_end_ratio"])
    # every fresh article reached the sink, every malformed one the dead-letter topic
    assert streaming["max"]["stored_articles"] == streaming["max"]["expected_articles"]
    assert streaming["max"]["dead_lettered"] >= streaming["max"]["expected_dead_letters"] > 0
    latency = streaming["latency"]["latency_ms"]
    assert latency["count"] > 0
    assert all(_number(latency[p]) for p in ("p50", "p95", "p99"))
    assert latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    services = {"cleaner", "tagger", "detector", "sink"}
    assert services | {"broker"} <= set(streaming["peak_rss_mb"])
    assert all(streaming["peak_rss_mb"][s] > 0 for s in services)
    assert services <= set(streaming["rss_growth_run"]["processes"])
    assert services <= set(streaming["cpu_share_of_one_core"]["max"])
    assert services <= set(streaming["max"]["cpu_ms_per_article"])

    assert [t["target"].split()[0] for t in summary["targets"]] == ["in-process", "end", "p99", "RSS"]
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 10_000
    assert summary["chart"] == str(chart)


def test_the_workload_is_reproducible_and_made_of_realistic_articles():
    first = workload.generate(300, seed=3, namespace="a")
    again = workload.generate(300, seed=3, namespace="a")
    other_phase = workload.generate(300, seed=3, namespace="b")
    assert [i.message for i in first] == [i.message for i in again]
    assert [i.message["text"] for i in first] == [i.message["text"] for i in other_phase]
    fresh_ids = {i.message["article_id"] for i in first if i.kind == "fresh"}
    assert len(fresh_ids) == sum(1 for i in first if i.kind == "fresh")
    assert fresh_ids.isdisjoint(i.message["article_id"] for i in other_phase)
    assert all(i.message["article_id"] in fresh_ids for i in first if i.kind == "duplicate")
    sizes = [i.size for i in first if i.valid]
    assert min(sizes) >= 700 and max(sizes) <= workload.MAX_BYTES
    assert max(sizes) > 4 * min(sizes)


def test_every_bad_message_of_the_workload_breaks_the_raw_schema():
    from parley.schemas import validator

    check = validator("articles.raw")
    items = workload.generate(400, seed=5)
    bad = [i for i in items if i.kind == "bad"]
    assert {i.message.get("schema_version") for i in bad} >= {1, 99}
    assert bad and all(check(workload.stamped(i)) for i in bad)
    assert all(check(workload.stamped(i)) == [] for i in items if i.valid)
