"""The five seed articles through every service on a real broker into a real PostgreSQL (and,
through an alert rule, to a local webhook)."""
from __future__ import annotations

import asyncio
import subprocess

import orjson
import psycopg
import pytest

from support.fixtures.tools import KCAT_TANSU_OPTIONS
from support.harness import SEEDS, get, publish_and_drain, read_messages, read_topic, running_pipeline, settings_for
from support.webhook import Receiver
from parley.commands.workers import pipeline
from parley.logic.pipeline import process
from parley.logic.stories.key import partition_key
from parley.schemas import validator
from parley.topics import ALL

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


@pytest.fixture(scope="module")
def seeded(broker, postgres_session_server, tmp_path_factory):
    """A pipeline with a PostgreSQL sink that has carried the seeds once, then once more."""
    import uuid

    tmp = tmp_path_factory.mktemp("e2e")
    name = f"e2e{uuid.uuid4().hex[:8]}"
    admin = postgres_session_server.dsn.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = postgres_session_server.dsn.rsplit("/", 1)[0] + f"/{name}"
    hook = Receiver().__enter__()
    rules = tmp / "rules.yaml"
    rules.write_text(f"""version: 1
rules:
  - id: kerry
    match: {{people: [Kerry]}}
    targets: [{{url: "{hook.url('/e2e')}", format: json}}]
""")
    settings = settings_for(broker, f"e2e{uuid.uuid4().hex[:6]}.", tmp, database_url=dsn, alert_rules=str(rules))
    messages = read_messages([SEEDS])
    with running_pipeline(settings, tmp, names=pipeline(settings)) as workers:
        asyncio.run(publish_and_drain(settings, messages, workers))
        first = rows(dsn)
        # Re-ingesting the same articles (new ingest time, same ids) must add nothing.
        asyncio.run(publish_and_drain(settings, read_messages([SEEDS]), workers))
        second = rows(dsn)
        ports = {w.name: w.port() for w in workers.started}
        metrics = {name: get(f"http://127.0.0.1:{port}/metrics")[1] for name, port in ports.items()}
        ready = {name: get(f"http://127.0.0.1:{port}/readyz")[0] for name, port in ports.items()}
        try:
            yield dict(settings=settings, dsn=dsn, messages=messages, first=first, second=second,
                       metrics=metrics, ready=ready, webhook=hook.received())
        finally:
            hook.__exit__(None, None, None)


def rows(dsn: str) -> list[dict]:
    with psycopg.connect(dsn) as conn:
        # payload is jsonb: psycopg reads it as the dict
        return [r[0] for r in conn.execute("SELECT payload FROM meetings ORDER BY event_id")]


def test_every_seed_article_reaches_the_sink(seeded):
    with psycopg.connect(seeded["dsn"]) as conn:
        stored = {r[0] for r in conn.execute("SELECT article_id FROM articles")}
    assert stored == {m["article_id"] for m in seeded["messages"]}


def test_the_sink_holds_each_meeting_once_and_the_same_as_in_process(seeded):
    expected = {}
    for message in seeded["messages"]:
        for event in process(message).events:
            expected[event["event_id"]] = event
    stored = {e["event_id"]: e for e in seeded["first"]}
    assert len(seeded["first"]) == len(stored)
    assert set(stored) == set(expected)
    for event_id, event in stored.items():
        for field in ("kind", "status", "countries", "orgs", "participants", "location", "date", "evidence"):
            assert event[field] == expected[event_id][field], (event_id, field)


def test_every_article_is_stored_with_its_cleaned_text_the_evidence_offsets_refer_to(seeded):
    with psycopg.connect(seeded["dsn"]) as conn:
        stored = dict(conn.execute("SELECT article_id, text FROM articles").fetchall())
        payloads = [r[0] for r in conn.execute("SELECT payload FROM articles")]
    expected = {m["article_id"]: process(m).tagged["text"] for m in seeded["messages"]}
    assert stored == expected
    assert all("text" not in p for p in payloads)  # kept once, in its column
    for event in seeded["first"]:
        evidence = event["evidence"]
        assert stored[event["article_id"]][evidence["start"]:evidence["end"]] == evidence["text"], event["event_id"]


def test_reingesting_the_seeds_adds_no_duplicates(seeded):
    assert [e["event_id"] for e in seeded["second"]] == [e["event_id"] for e in seeded["first"]]


def test_every_message_on_every_topic_is_valid_against_its_schema(seeded):
    settings = seeded["settings"]
    for base in ALL:
        if base == "parley.dlq":
            continue
        records = asyncio.run(read_topic(settings, base))
        assert records, f"no message on {base}"
        validate = validator(base)
        for record in records:
            message = orjson.loads(record.value)
            assert validate(message) == [], (base, validate(message))
            assert record.key == key_of(base, message)


def key_of(base: str, message: dict) -> bytes:
    """The key a topic's messages carry (docs/contracts.md)."""
    if base == "events.stories":
        return message["story_id"].encode()
    if base == "stories.reports":
        return partition_key(message).encode()
    if base == "alerts":
        return message["alert_id"].encode()
    return message["article_id"].encode()


def test_the_alerts_reached_the_webhook_once_each(seeded):
    alerts = [orjson.loads(r.value) for r in asyncio.run(read_topic(seeded["settings"], "alerts"))]
    keys = [r.key for r in seeded["webhook"]]
    assert len(alerts) == 2 and sorted(keys) == sorted(a["idempotency_key"] for a in alerts)


def test_kcat_reads_the_meetings_topic(seeded, broker, kcat):
    topic = seeded["settings"].topic_prefix + "events.meetings"
    on_topic = len(asyncio.run(read_topic(seeded["settings"], "events.meetings")))
    # Two ingests of the same articles: every event is on the topic at least twice, once in the sink.
    assert on_topic >= 2 * len(seeded["first"])
    # Tansu needs kcat's pre-0.10 protocol and absolute offsets (see test_broker_facts).
    out = subprocess.run([kcat, "-b", broker, "-C", "-t", topic, "-o", "0", "-c", str(on_topic), "-q",
                          "-f", "%k\t%s\n", *KCAT_TANSU_OPTIONS],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    lines = [line.split("\t", 1) for line in out.splitlines() if line]
    assert len(lines) == on_topic
    ids = {orjson.loads(value)["event_id"] for _key, value in lines}
    assert ids == {e["event_id"] for e in seeded["first"]}
    assert all(orjson.loads(value)["article_id"] == key for key, value in lines)


def test_every_service_serves_metrics_that_promtool_accepts(seeded, promtool, tmp_path):
    for name, body in seeded["metrics"].items():
        check = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, timeout=30)
        # promtool exits non-zero on format errors; lint remarks about names are printed but allowed
        assert check.returncode == 0, (name, check.stdout, check.stderr)
        text = body.decode()
        assert "parley_messages_in_total" in text or name == "ingest"
        assert "parley_processing_seconds_bucket" in text


def test_stage_counters_and_latency_are_reported(seeded):
    sink = seeded["metrics"]["sink"].decode()
    assert 'parley_end_to_end_latency_seconds_count' in sink
    count = [line for line in sink.splitlines() if line.startswith("parley_end_to_end_latency_seconds_count")]
    assert float(count[0].split()[-1]) > 0
    cleaner = seeded["metrics"]["cleaner"].decode()
    in_line = [l for l in cleaner.splitlines() if l.startswith('parley_messages_in_total{stage="cleaner"}')]
    assert float(in_line[0].split()[-1]) == 2 * len(seeded["messages"])


def test_every_service_reports_ready(seeded):
    assert seeded["ready"] == {name: 200 for name in seeded["ready"]}
