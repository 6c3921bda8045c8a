"""The README's kcat section is true: its commands, taken from the README, read published
messages from an embedded broker started as `parley up` starts it (no topic prefix), and each
failure it describes happens (kcat needs the pre-0.10 protocol and absolute offsets, cannot
produce, and creates a topic it is asked about)."""
from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from parley.broker import EmbeddedBroker
from parley.dlq import Failure
from parley.kafka import producer_kwargs
from parley.topics import ALL, Topics, create_topics_sync
from support.harness import read_topic, settings_for

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
KCAT = shutil.which("kcat")

pytestmark = [pytest.mark.broker,
              pytest.mark.skipif(KCAT is None, reason="kcat is not installed (`./dev tools` installs it)")]

MEETINGS = [(0, b"a-00000000000000a1", b'{"event_id": "m-1", "kind": "meeting"}'),
            (1, b"a-00000000000000a2", b'{"event_id": "m-2", "kind": "visit"}'),
            (3, b"a-00000000000000a3", b'{"event_id": "m-3", "kind": "call"}')]
RAW = [b'{"text": "article %d"}' % i for i in range(8)]  # all on partition 0
LEGACY = ("-X", "api.version.request=false", "-X", "broker.version.fallback=0.9.0")


def _readme_block() -> tuple[str, list[str]]:
    """The KCAT=... line and the $KCAT command lines of the README's kcat section."""
    found = re.search(r"```bash\n(KCAT=\"[^\n]*\")\n((?:\$KCAT [^\n]*\n)+)```", README)
    assert found, "the README has no kcat block starting with KCAT=\"...\""
    return found.group(1), found.group(2).splitlines()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """An embedded broker with the registry's topics, as `parley up` creates them, and messages."""
    tmp = tmp_path_factory.mktemp("kcat")
    broker = EmbeddedBroker(run_dir=tmp / "broker")
    broker.start()
    try:
        settings = settings_for(broker.bootstrap, "", tmp)
        create_topics_sync(settings)
        asyncio.run(_publish(settings))
        yield broker.bootstrap, settings
    finally:
        broker.stop()


async def _publish(settings) -> None:
    from aiokafka import AIOKafkaProducer

    topics = Topics(settings.topic_prefix)
    producer = AIOKafkaProducer(**producer_kwargs(settings))
    await producer.start()
    try:
        for partition, key, value in MEETINGS:
            await producer.send_and_wait(topics.meetings, value, key=key, partition=partition)
        for value in RAW:
            await producer.send_and_wait(topics.raw, value, key=b"a-raw", partition=0)
        failure = Failure("cleaner", "Rejected", "invalid_json", "not JSON")
        await producer.send_and_wait(topics.dlq, b"{not json", key=b"a-00000000000000d1", partition=2,
                                     headers=failure.headers(topics.raw, 0, 3))
    finally:
        await producer.stop()


def _readme_command(published, fragment: str, without: str | None = None) -> subprocess.CompletedProcess:
    """Run the README line that contains `fragment` (and not `without`), with the broker's address for PORT."""
    bootstrap, _settings = published
    define, lines = _readme_block()
    chosen = [line for line in lines if fragment in line and not (without and without in line.split("#")[0])]
    assert len(chosen) == 1, f"README kcat lines with {fragment!r}: {chosen}"
    script = f"{define}\n{chosen[0]}\n".replace("127.0.0.1:PORT", bootstrap)
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (chosen[0], result.stderr)
    return result


def _kcat(published, *args: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    bootstrap, _settings = published
    return subprocess.run([KCAT, "-b", bootstrap, *args], capture_output=True, text=True, input=input,
                          timeout=timeout)


def test_the_readme_block_names_the_settings_the_embedded_broker_needs():
    define, lines = _readme_block()
    assert "-b 127.0.0.1:PORT" in define
    assert all(flag in define for flag in LEGACY[1::2])
    assert len(lines) >= 4


def test_listing_shows_every_topic_of_the_registry(published):
    out = _readme_command(published, "-L").stdout
    for base in ALL:
        assert f'topic "{base}" with 4 partitions' in out, out


def test_reading_a_topic_from_offset_0_prints_every_message_and_exits(published):
    out = _readme_command(published, "-t events.meetings -o 0 -e", without="-f").stdout
    assert sorted(out.splitlines()) == sorted(value.decode() for _p, _k, value in MEETINGS)


def test_the_format_line_gives_partition_offset_key_and_value(published):
    out = _readme_command(published, "-f '%p@%o %k %s").stdout
    expected = {f"{p}@0 {k.decode()} {v.decode()}" for p, k, v in MEETINGS}
    assert set(out.splitlines()) == expected


def test_one_partition_from_an_absolute_offset_to_its_end(published):
    out = _readme_command(published, "-t articles.raw -p 0 -o 5 -e").stdout
    assert out.splitlines() == [value.decode() for value in RAW[5:]]


def test_json_envelopes_of_the_dlq_carry_the_headers(published):
    out = _readme_command(published, "-t parley.dlq -o 0 -e -J").stdout
    [envelope] = [json.loads(line) for line in out.splitlines()]
    assert envelope["key"] == "a-00000000000000d1" and envelope["payload"] == "{not json"
    headers = dict(zip(envelope["headers"][::2], envelope["headers"][1::2]))
    assert headers["parley-stage"] == "cleaner" and headers["parley-reason"] == "invalid_json"
    assert headers["parley-topic"] == "articles.raw"


def test_without_the_legacy_protocol_kcat_fails(published):
    plain = _kcat(published, "-L", "-m", "2")
    assert plain.returncode != 0
    assert "ApiVersionRequest failed" in plain.stderr and "Read underflow" in plain.stderr
    newer = _kcat(published, "-C", "-t", "events.meetings", "-o", "0", "-e", "-m", "2",
                  "-X", "api.version.request=false", "-X", "broker.version.fallback=0.10.0")
    assert newer.returncode != 0
    assert "Broker transport failure" in newer.stderr


@pytest.mark.parametrize("offset", [("-o", "beginning"), ("-o", "end"), ("-o", "-10"), ("-o", "s@0"), ()],
                         ids=["beginning", "end", "last-ten", "timestamp", "no-offset"])
def test_logical_offsets_fail(published, offset):
    result = _kcat(published, "-C", "-t", "events.meetings", *offset, "-e", *LEGACY)
    assert result.returncode != 0
    assert "Failed to query logical offset" in result.stderr and "Read underflow" in result.stderr
    assert result.stdout == ""


def test_the_offset_query_fails(published):
    result = _kcat(published, "-Q", "-t", "events.meetings:0:0", *LEGACY)
    assert result.returncode != 0
    assert "Read underflow" in result.stderr


def test_an_offset_past_the_end_waits_silently(published):
    with pytest.raises(subprocess.TimeoutExpired) as waited:
        _kcat(published, "-C", "-t", "articles.raw", "-p", "0", "-o", str(len(RAW) + 5), "-e", *LEGACY, timeout=3)
    assert not waited.value.stdout and not waited.value.stderr


def test_kcat_cannot_produce(published):
    _bootstrap, settings = published
    result = _kcat(published, "-P", "-t", "articles.raw", *LEGACY, input='{"text": "from kcat"}\n')
    assert result.returncode != 0
    assert "Broker transport failure" in result.stderr
    assert len(asyncio.run(read_topic(settings, "articles.raw"))) == len(RAW)


def test_a_topic_kcat_asks_for_is_created(published):
    assert 'topic "articles.rwa"' not in _kcat(published, "-L", *LEGACY).stdout
    assert _kcat(published, "-C", "-t", "articles.rwa", "-o", "0", "-e", "-q", *LEGACY).returncode == 0
    assert 'topic "articles.rwa" with 4 partitions' in _kcat(published, "-L", *LEGACY).stdout
