"""`parley dlq`: lists dead-lettered messages by stage and reason; `--republish` sends each one
back to its original topic once, even when re-run.

The DLQ records are produced with the headers the stages write (parley.dlq.Failure), and the
real command line is run as a subprocess against the test broker.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import re
import subprocess
import sys
import time
import uuid

import pytest

from support.faults import read_topic
from support.harness import REPO, settings_for
from parley.dlq import Failure
from parley.kafka import producer_kwargs
from parley.topics import Topics, create_topics_sync

pytestmark = [pytest.mark.broker]

# (stage, reason, topic it was read from, key, value)
DEAD = [
    ("cleaner", "invalid_json", "articles.raw", b"a-00000000000000d1", b'{"text": "cut sh'),
    ("cleaner", "invalid_json", "articles.raw", b"a-00000000000000d2", b"{oops"),
    ("cleaner", "not_utf8", "articles.raw", b"a-00000000000000d3", b"\xff\xfe binary"),
    ("tagger", "schema_invalid", "articles.clean", b"a-00000000000000d4", b'{"schema_version": 1}'),
    ("tagger", "schema_invalid", "articles.clean", b"a-00000000000000d5", b'{"schema_version": 2}'),
    ("sink", "not_utf8", "events.meetings", b"a-00000000000000d6", b"\xfa\xfb"),
]


async def _dead_letter(settings) -> None:
    from aiokafka import AIOKafkaProducer

    topics = Topics(settings.topic_prefix)
    producer = AIOKafkaProducer(**producer_kwargs(settings))
    await producer.start()
    try:
        for offset, (stage, reason, origin, key, value) in enumerate(DEAD):
            failure = Failure(stage, "Rejected", reason, f"test record {offset}")
            await producer.send_and_wait(topics.dlq, key=key, value=value,
                                         headers=failure.headers(topics.name(origin), 0, offset))
    finally:
        await producer.stop()


def _dlq_tool(broker: str, tmp_path):
    """A fresh dead-letter topic holding DEAD, and `parley dlq` run against it."""
    settings = settings_for(broker, f"dlq{uuid.uuid4().hex[:6]}.", tmp_path)
    create_topics_sync(settings)
    asyncio.run(_dead_letter(settings))
    env = {**os.environ, **settings.env(), "COLUMNS": "250", "NO_COLOR": "1"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "parley.cli", "dlq", *args], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=120)

    def parley(*args: str) -> tuple[int, int | None, str]:
        """Run `parley dlq ARGS`; returns (messages seen, messages re-published, output)."""
        result = run(*args)
        assert result.returncode == 0, result.stderr[-2000:]
        found = re.search(r"(\d+) dead-lettered messages(?:; re-published (\d+))?", result.stdout)
        assert found, result.stdout[-2000:]
        return int(found.group(1)), (int(found.group(2)) if found.group(2) else None), result.stdout

    def on_topic(base: str) -> list[tuple[bytes, bytes]]:
        return [(r.key, r.value) for r in asyncio.run(read_topic(settings, base))]

    parley.run = run
    parley.on_topic = on_topic
    parley.settings = settings
    parley.env = env
    return parley


@pytest.fixture(scope="module")
def dlq(broker, tmp_path_factory):
    """One dead-letter topic shared by the module's tests (listing changes nothing)."""
    return _dlq_tool(broker, tmp_path_factory.mktemp("dlq"))


@pytest.fixture
def fresh_dlq(broker, tmp_path):
    """A dead-letter topic of the test's own, for tests that re-publish or count what was sent."""
    return _dlq_tool(broker, tmp_path)


def test_listing_shows_every_dead_letter_with_stage_and_reason(dlq):
    seen, republished, out = dlq()
    assert (seen, republished) == (6, None)
    for stage, reason, origin, key, _value in DEAD:
        assert re.search(rf"{stage}\s*│\s*{reason}", out), (stage, reason)
        assert key.decode() in out
    assert "articles.raw[0]@0" in out


@pytest.mark.parametrize(("args", "count"), [
    (("--stage", "cleaner"), 3),
    (("--reason", "schema_invalid"), 2),
    (("--stage", "cleaner", "--reason", "not_utf8"), 1),
    (("--stage", "detector"), 0),
])
def test_listing_filters_by_stage_and_reason(dlq, args, count):
    assert dlq(*args)[0] == count


def test_listing_changes_nothing(dlq):
    assert dlq()[0] == dlq()[0] == 6
    assert dlq.on_topic("articles.raw") == []


def test_republish_sends_each_message_back_to_its_topic_once(dlq):
    seen, republished, _ = dlq("--republish", "--stage", "cleaner")
    assert (seen, republished) == (3, 3)
    expected = [(key, value) for stage, _r, _t, key, value in DEAD if stage == "cleaner"]
    assert sorted(dlq.on_topic("articles.raw")) == sorted(expected)
    # Re-running the command must not send them again.
    assert dlq("--republish", "--stage", "cleaner")[1] == 0
    assert sorted(dlq.on_topic("articles.raw")) == sorted(expected)


def test_republishing_one_stage_leaves_the_others_to_republish_later(dlq):
    dlq("--republish", "--stage", "cleaner")
    seen, republished, _ = dlq("--republish", "--stage", "tagger")
    assert (seen, republished) == (2, 2)
    expected = [(key, value) for stage, _r, _t, key, value in DEAD if stage == "tagger"]
    assert sorted(dlq.on_topic("articles.clean")) == sorted(expected)


def test_the_end_of_the_dlq_is_the_fetch_highwater_not_listoffsets(fresh_dlq):
    """Tansu's ListOffsets under-reports the end of a partition (base offset of its last batch
    + 1): the run's end is read from a fetch instead, or it would stop short of records."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    from parley.commands.dlq import _topic_end
    from parley.kafka import consumer_kwargs

    settings = fresh_dlq.settings
    topic = Topics(settings.topic_prefix).dlq

    async def scenario():
        before = await _topic_end(settings, topic)
        producer = AIOKafkaProducer(**producer_kwargs(settings))
        await producer.start()
        try:
            for batch in range(2):  # two batches of ten records on an empty partition
                for i in range(10):
                    await producer.send(topic, b"x", key=b"k%d" % i, partition=3)
                await producer.flush()
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(**consumer_kwargs(settings, None))
        await consumer.start()
        try:
            listed = await consumer.end_offsets([TopicPartition(topic, 3)])
        finally:
            await consumer.stop()
        return before, listed[TopicPartition(topic, 3)], await _topic_end(settings, topic)

    before, listed, ends = asyncio.run(scenario())
    assert sum(before.values()) == len(DEAD)
    held = before[TopicPartition(topic, 3)] + 20
    assert ends[TopicPartition(topic, 3)] == held
    assert sum(ends.values()) == len(DEAD) + 20
    # What end_offsets() says: the start of the last batch + 1, nine records short.
    assert listed == held - 9


def test_republish_on_a_running_pipeline_ends_and_sends_each_poison_message_once(fresh_dlq, tmp_path):
    """The issue-11 loop: the cleaner dead-letters a re-published poison message again at once.
    The run must end and re-send only the four records the topic held when it started; the
    copies dead-lettered meanwhile are left for the next run (which again sends four)."""
    from support.harness import running_pipeline

    settings = fresh_dlq.settings
    topics = Topics(settings.topic_prefix)
    poison = [(b"a-00000000000000e%d" % i, b"{not json %d" % i) for i in range(4)]

    async def produce_raw():
        from aiokafka import AIOKafkaProducer

        producer = AIOKafkaProducer(**producer_kwargs(settings))
        await producer.start()
        try:
            for key, value in poison:
                await producer.send_and_wait(topics.raw, key=key, value=value)
        finally:
            await producer.stop()

    def wait_for_dlq(count: int, timeout: float = 60.0) -> list:
        deadline = time.monotonic() + timeout
        while True:
            records = asyncio.run(read_topic(settings, "parley.dlq"))
            if len(records) >= count or time.monotonic() > deadline:
                return records
            time.sleep(0.5)

    # Only the cleaner's own dead letters: drop the module's sample records from this topic's count.
    base = len(DEAD)
    with running_pipeline(settings, tmp_path, names=("cleaner",)) as workers:
        asyncio.run(produce_raw())
        assert len(wait_for_dlq(base + 4)) == base + 4, "the cleaner did not dead-letter the poison messages"
        started = time.monotonic()
        seen, republished, out = fresh_dlq("--republish", "--stage", "cleaner", "--reason", "invalid_json")
        took = time.monotonic() - started
        # DEAD has two cleaner/invalid_json records of its own: 4 poison + 2 present at start.
        assert (seen, republished) == (6, 6), out
        assert took < 60
        # Each re-published poison message fails again, once: the topic grows by exactly six.
        assert len(wait_for_dlq(base + 4 + 6)) == base + 4 + 6
        time.sleep(3)  # nothing re-sends them: the topic stays at that size
        workers.check()
        assert len(asyncio.run(read_topic(settings, "parley.dlq"))) == base + 4 + 6
        raw = fresh_dlq.on_topic("articles.raw")
        assert sorted(raw) == sorted(poison * 2 + [(k, v) for st, r, _t, k, v in DEAD
                                                   if (st, r) == ("cleaner", "invalid_json")])
        # The next run re-sends the six copies dead-lettered during the first one, and ends.
        assert fresh_dlq("--republish", "--stage", "cleaner", "--reason", "invalid_json")[:2] == (6, 6)


def test_republish_sends_exactly_what_the_topic_held_at_start_while_others_write_to_it(fresh_dlq):
    """A producer writes to the dead-letter topic before, during and after the run: what was
    re-sent must be, in every partition, the records up to the end the run announced at start."""
    from aiokafka import AIOKafkaProducer

    settings = fresh_dlq.settings
    topics = Topics(settings.topic_prefix)
    failure = Failure("cleaner", "Rejected", "invalid_json", "written while the tool runs")

    async def scenario():
        producer = AIOKafkaProducer(**producer_kwargs(settings))
        await producer.start()
        written = 0

        async def write(count: int):
            nonlocal written
            for _ in range(count):
                await producer.send(topics.dlq, key=b"late-%06d" % written, value=b"{late %d" % written,
                                    headers=failure.headers(topics.raw, 0, written))
                written += 1
            await producer.flush()

        try:
            await write(1000)
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "parley.cli", "dlq", "--republish", env=fresh_dlq.env, cwd=REPO,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            outcome = asyncio.ensure_future(proc.communicate())
            deadline = asyncio.get_running_loop().time() + 60
            while not outcome.done() and asyncio.get_running_loop().time() < deadline:
                await write(5)
                await asyncio.sleep(0.01)
            await write(5)
            if not outcome.done():
                proc.kill()
            stdout, stderr = await outcome
            return proc.returncode, stdout.decode(), stderr.decode()
        finally:
            await producer.stop()

    code, out, err = asyncio.run(scenario())
    assert code == 0, (out[-2000:], err[-2000:])
    held = int(re.search(r"holds ([\d,]+) records?", out).group(1).replace(",", ""))
    republished = int(re.search(r"re-published (\d+)", out).group(1))
    assert republished == held
    sent = fresh_dlq.on_topic("articles.raw") + fresh_dlq.on_topic("articles.clean") \
        + fresh_dlq.on_topic("events.meetings")
    assert len(sent) == len(set(sent)) == held
    sent_keys = {key for key, _value in sent}
    dead = asyncio.run(read_topic(settings, "parley.dlq"))
    assert len(dead) > held, "nothing was written to the dead-letter topic while the tool ran"
    for partition in {r.partition for r in dead}:
        keys = [r.key for r in sorted(dead, key=lambda r: r.offset) if r.partition == partition]
        prefix = sum(1 for _ in itertools.takewhile(lambda k: k in sent_keys, keys))
        assert not sent_keys.intersection(keys[prefix:]), f"partition {partition}: sent a record past its end"
    assert re.search(r"[\d,]+ records? w(?:as|ere) dead-lettered while this ran and not re-published", out)


def test_dry_run_shows_what_would_be_sent_and_sends_nothing(fresh_dlq):
    result = fresh_dlq.run("--republish", "--dry-run", "--stage", "cleaner")
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "3 dead-lettered messages; would re-publish 3 (dry run: nothing sent)" in out
    assert re.search(r"cleaner\s*│\s*invalid_json\s*│\s*2\s*│", out)  # counts by stage and reason
    assert re.search(r"cleaner\s*│\s*not_utf8\s*│\s*1\s*│", out)
    assert "a-00000000000000d1" in out  # and a few of the records
    # --dry-run alone previews --republish the same way.
    assert "would re-publish 6 (dry run: nothing sent)" in fresh_dlq.run("--dry-run").stdout
    for base in ("articles.raw", "articles.clean", "events.meetings"):
        assert fresh_dlq.on_topic(base) == []
    # Nothing was committed either: the real run still sends all three.
    assert fresh_dlq("--republish", "--stage", "cleaner")[:2] == (3, 3)


def test_an_unknown_reason_is_refused_with_the_reasons_that_exist(fresh_dlq):
    for args in (("--reason", "invalid_jsn"), ("--republish", "--reason", "invalid_jsn"),
                 ("--dry-run", "--reason", "invalid_jsn")):
        result = fresh_dlq.run(*args)
        assert result.returncode != 0, args
        err = result.stderr
        assert "unknown reason 'invalid_jsn'" in err, err
        for reason, count in (("invalid_json", 2), ("schema_invalid", 2), ("not_utf8", 2)):
            assert f"{reason} ({count})" in err, err
        assert "Traceback" not in err
    for base in ("articles.raw", "articles.clean", "events.meetings"):
        assert fresh_dlq.on_topic(base) == []


def test_a_broker_that_cannot_be_reached_is_said_in_one_line(fresh_dlq):
    from parley.broker import free_port

    env = {**fresh_dlq.env, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}"}
    result = subprocess.run([sys.executable, "-m", "parley.cli", "dlq", "--republish"], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("parley dlq: cannot reach the broker at 127.0.0.1:"), result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_missing_dead_letter_topic_is_said_and_not_created(fresh_dlq):
    prefix = f"missing{uuid.uuid4().hex[:6]}."
    env = {**fresh_dlq.env, "PARLEY_TOPIC_PREFIX": prefix}
    for args in ((), ("--republish",)):
        result = subprocess.run([sys.executable, "-m", "parley.cli", "dlq", *args], env=env, cwd=REPO,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1
        assert result.stderr == (f"parley dlq: the dead-letter topic {prefix}parley.dlq does not exist on "
                                 f"{fresh_dlq.settings.bootstrap_servers} (run `parley topics create`, or check "
                                 "PARLEY_TOPIC_PREFIX)\n")

    async def topics() -> set[str]:
        from aiokafka.admin import AIOKafkaAdminClient

        from parley.kafka import client_kwargs

        admin = AIOKafkaAdminClient(**client_kwargs(fresh_dlq.settings))
        await admin.start()
        try:
            return set(await admin.list_topics())
        finally:
            await admin.close()

    assert not [t for t in asyncio.run(topics()) if t.startswith(prefix)]
