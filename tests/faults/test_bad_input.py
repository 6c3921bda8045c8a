"""Poison messages never block a partition: every bad input is dead-lettered with its reason,
every good article still reaches the sink, and no worker dies.

The bad inputs (tests/support/workload.py) are produced straight onto the stage topics, bypassing
ingest validation, interleaved with good articles on the same partitions.
"""
from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from support import workload
from support.faults import Tally, dlq_records, metric_values, metrics_text, produce_records, sink_articles, sink_event_ids, wait_all_ready
from support.harness import running_pipeline, settings_for
from parley.commands.workers import PIPELINE
from parley.stages import STAGES, cleaner, detector, sink, stories, tagger
from parley.codec import encode
from parley.config import Settings
from parley.dlq import Failure
from parley.ingest.readers import InputError, read_bytes
from parley.logic.pipeline import process
from parley.progress import ProgressMonitor, wait_until_drained
from parley.timebudget import time_budget

MAX_CHARS = 300_000  # a smaller limit than the default keeps the oversized messages small on the broker
# The budget is wall-clock time: generous enough that ordinary HTML on a busy 2-core machine
# (trafilatura's first import included) stays within it, far below what the table bomb needs.
TIME_BUDGET = 5.0
GOOD = 150
SEED = 5

INJECTION_TITLE = "Talks'); DROP TABLE articles; -- \" OR 1=1; /* ../../etc/passwd {{7*7}} $(rm -rf /)"


def _kind_params() -> list:
    return [pytest.param(case, id=case.kind) for case in workload.bad_inputs(MAX_CHARS)]


# ---------------------------------------------------------------- in process (no broker)


@pytest.fixture(scope="module")
def stages():
    settings = Settings().with_(max_article_chars=MAX_CHARS, sqlite_path=":memory:")
    return {m.make_stage(settings).name: m.make_stage(settings) for m in (cleaner, tagger, detector, stories, sink)}


def consumers(topic: str) -> list[str]:
    """Every stage of the pipeline (no alert rules configured) that reads `topic`: each
    dead-letters what it cannot read."""
    return sorted(spec.name for spec in STAGES if topic in spec.inputs and spec.name in PIPELINE)


def test_there_are_at_least_twenty_kinds_of_bad_input():
    cases = workload.bad_inputs(MAX_CHARS)
    assert len(cases) >= 20
    assert len({c.reason for c in cases}) >= 8
    assert {c.stage for c in cases} == {"cleaner", "tagger", "detector", "sink"}


@pytest.mark.parametrize("case", _kind_params())
def test_each_bad_input_is_refused_by_its_stage_with_its_reason(stages, case):
    assert case.stage in consumers(case.topic)
    for name in consumers(case.topic):  # events.meetings is read by the stories stage too
        with pytest.raises(Exception) as caught:
            with time_budget(TIME_BUDGET):
                stages[name].process(case.topic, case.record_key, case.value)
        assert Failure.from_exception(name, caught.value).reason == case.reason, name


@pytest.mark.parametrize("case", workload.refused_at_ingest(MAX_CHARS), ids=lambda c: c.kind)
def test_input_ingest_cannot_read_is_refused_with_its_reason(case):
    results = list(read_bytes(case.data, name="input", fmt=case.fmt, max_chars=MAX_CHARS))
    assert [(type(r).__name__, getattr(r, "reason", None)) for r in results] == [("InputError", case.reason)]
    assert isinstance(results[0], InputError) and results[0].message


def test_the_default_article_limit_is_one_megabyte_of_text(stages):
    assert Settings().max_article_chars == 1_000_000
    default = cleaner.make_stage(Settings().with_(sqlite_path=":memory:"))
    text = "word " * 200_000 + "x"  # 1,000,001 characters
    with pytest.raises(Exception) as caught:
        default.process("articles.raw", b"k", encode(workload._raw(text=text)))
    assert Failure.from_exception("cleaner", caught.value).reason == "text_too_large"


def test_a_bug_in_the_logic_is_named_after_its_exception_class():
    failure = Failure.from_exception("tagger", ZeroDivisionError("division by zero"))
    assert (failure.reason, failure.error_class) == ("bug_zerodivisionerror", "ZeroDivisionError")
    headers = dict(failure.headers("p.articles.clean", 2, 41))
    assert headers["parley-reason"] == b"bug_zerodivisionerror" and headers["parley-offset"] == b"41"


# ---------------------------------------------------------------- through the real pipeline


@pytest.fixture(scope="module")
def poisoned(broker, tmp_path_factory):
    """Good articles and every kind of bad input through a running pipeline (SQLite sink)."""
    import uuid

    tmp = tmp_path_factory.mktemp("bad-input")
    settings = settings_for(broker, f"bad{uuid.uuid4().hex[:6]}.", tmp, max_article_chars=MAX_CHARS,
                            article_time_budget=TIME_BUDGET)
    good = workload.good_articles(GOOD, seed=SEED, label="bad-input", max_chars=workload.SHORT)
    expected = workload.expected_events(good)
    injected = workload.copy_of(workload.sound_bases()[0], "injection", 0)
    injected["title"] = INJECTION_TITLE
    expected |= {e["event_id"] for e in process(injected).events}
    messages = [g.message for g in good] + [injected]
    cases = workload.bad_inputs(MAX_CHARS)
    # Interleave: every few good articles, one bad record, so poison sits between good ones.
    records, where = [], {}
    bad_iter = iter(cases)
    for i, message in enumerate(messages):
        records.append(("articles.raw", message["article_id"].encode(), encode(message)))
        if i % 5 == 0:
            case = next(bad_iter, None)
            if case is not None:
                where[case.kind] = len(records)
                records.append((case.topic, case.record_key, case.value))
    for case in bad_iter:
        where[case.kind] = len(records)
        records.append((case.topic, case.record_key, case.value))
    raw_count = sum(1 for topic, _k, _v in records if topic == "articles.raw")

    async def run(workers):
        monitor = ProgressMonitor(settings)
        await monitor.start()
        try:
            produced = await produce_records(settings, records)
            await wait_until_drained(monitor, raw_count, check=workers.check, stall_timeout=90)
        finally:
            await monitor.stop()
        return produced

    with running_pipeline(settings, tmp) as workers:
        wait_all_ready(workers)
        produced = asyncio.run(run(workers))
        workers.check()  # no worker died
        metrics = {name: metrics_text(workers, name) for name in ("cleaner", "tagger", "detector", "stories", "sink")}
        dlq = asyncio.run(dlq_records(settings))
        yield dict(settings=settings, cases=cases, produced={k: produced[i] for k, i in where.items()},
                   dlq=dlq, good=good, expected=expected, injected=injected,
                   stored=sink_event_ids(settings), articles=sink_articles(settings), metrics=metrics)


def _by_key(poisoned) -> dict[bytes, list[dict]]:
    out: dict[bytes, list[dict]] = {}
    for key, _value, headers in poisoned["dlq"]:
        out.setdefault(key or b"", []).append(headers)
    return out


@pytest.mark.broker
@pytest.mark.slow
@pytest.mark.timeout(600)  # the first test also sets the pipeline up (the module fixture)
@pytest.mark.parametrize("case", _kind_params())
def test_every_bad_input_lands_in_the_dlq_once_with_its_reason_and_origin(poisoned, case):
    found = _by_key(poisoned).get(case.record_key, [])
    # once per stage that reads the topic (events.meetings: the stories stage and the sink)
    assert sorted(h["parley-stage"] for h in found) == consumers(case.topic), \
        f"{case.kind}: {len(found)} DLQ records with key {case.record_key!r}"
    origin = poisoned["produced"][case.kind]
    for headers in found:
        assert headers["parley-reason"] == case.reason, headers.get("parley-detail")
        assert headers["parley-topic"] == origin.topic
        assert (int(headers["parley-partition"]), int(headers["parley-offset"])) == (origin.partition, origin.offset)
        assert headers["parley-error-class"] and headers["parley-failed-at"]
        assert "\n" not in headers["parley-detail"] and len(headers["parley-detail"]) <= 300


@pytest.mark.broker
@pytest.mark.slow
def test_dlq_values_are_the_original_bytes(poisoned):
    by_key = {key: value for key, value, _h in poisoned["dlq"]}
    for case in poisoned["cases"]:
        if case.record_key in by_key:
            assert by_key[case.record_key] == (case.value or b""), case.kind


@pytest.mark.broker
@pytest.mark.slow
def test_no_good_article_is_dead_lettered(poisoned):
    good_keys = {g.article_id.encode() for g in poisoned["good"]} | {poisoned["injected"]["article_id"].encode()}
    assert [h for key, _v, h in poisoned["dlq"] if key in good_keys] == []
    assert len(poisoned["dlq"]) == sum(len(consumers(c.topic)) for c in poisoned["cases"])


@pytest.mark.broker
@pytest.mark.slow
def test_every_good_article_reaches_the_sink_with_its_meetings(poisoned):
    ids = {g.article_id for g in poisoned["good"]} | {poisoned["injected"]["article_id"]}
    missing = ids - set(poisoned["articles"])
    assert not missing, f"{len(missing)} good articles missing from the sink, e.g. {sorted(missing)[:3]}"
    tally = Tally.of(poisoned["expected"], poisoned["stored"])
    assert tally.exact, tally.problems() + "; " + workload.explain(poisoned["good"], tally)


@pytest.mark.broker
@pytest.mark.slow
def test_an_sql_injection_title_is_stored_verbatim(poisoned):
    # Verbatim as the cleaner rendered it (it normalises markup such as "/*"); nothing of it
    # was executed: the tables are intact and the quotes and keywords are data.
    cleaned_title = process(poisoned["injected"]).clean["title"]
    stored = poisoned["articles"][poisoned["injected"]["article_id"]]
    assert stored == cleaned_title
    assert "Talks'); DROP TABLE articles; --" in stored and "$(rm -rf /)" in stored


@pytest.mark.broker
@pytest.mark.slow
def test_dlq_metric_counts_by_stage_and_reason(poisoned):
    counted = Counter()
    for name, text in poisoned["metrics"].items():
        for labels, value in metric_values(text, "parley_dlq_messages_total").items():
            pairs = dict(part.split("=", 1) for part in labels.strip("{}").split(","))
            counted[(pairs["stage"].strip('"'), pairs["reason"].strip('"'))] += int(value)
    expected = Counter((h["parley-stage"], h["parley-reason"]) for _k, _v, h in poisoned["dlq"])
    assert counted == expected
