"""`parley dlq`: lists dead-lettered messages by stage and reason; `--republish` sends each one
back to its original topic once, even when re-run.

The DLQ records are produced with the headers the stages write (parley.dlq.Failure), and the
real command line is run as a subprocess against the test broker.
"""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
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


@pytest.fixture(scope="module")
def dlq(broker, tmp_path_factory):
    settings = settings_for(broker, f"dlq{uuid.uuid4().hex[:6]}.", tmp_path_factory.mktemp("dlq"))
    create_topics_sync(settings)
    asyncio.run(_dead_letter(settings))
    env = {**os.environ, **settings.env(), "COLUMNS": "250", "NO_COLOR": "1"}

    def parley(*args: str) -> tuple[int, int | None, str]:
        """Run `parley dlq ARGS`; returns (messages seen, messages re-published, output)."""
        result = subprocess.run([sys.executable, "-m", "parley.cli", "dlq", *args], env=env, cwd=REPO,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        found = re.search(r"(\d+) dead-lettered messages(?:; re-published (\d+))?", result.stdout)
        assert found, result.stdout[-2000:]
        return int(found.group(1)), (int(found.group(2)) if found.group(2) else None), result.stdout

    def on_topic(base: str) -> list[tuple[bytes, bytes]]:
        return [(r.key, r.value) for r in asyncio.run(read_topic(settings, base))]

    parley.on_topic = on_topic
    return parley


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
