"""Every place Parley reaches into faust / aiokafka internals, in one file.

Written against faust-streaming 0.15.3 and aiokafka 0.14.0 (mode-streaming 0.7.1), the
versions pinned in pyproject.toml (faust-streaming <0.16, aiokafka <0.15). Re-read each
patched function before an upgrade; tests/stages/test_stage_shell.py pins what each one does.
"""
from __future__ import annotations


def enable_producer_idempotence() -> None:
    """Idempotent faust producers without exactly_once.

    faust turns idempotence on only with exactly_once (which fails on Tansu and has open
    bugs); against Apache Kafka Parley wants it on for plain at-least-once producing.
    Patches `faust.transport.drivers.aiokafka.Producer._settings_extra` (process-wide).
    """
    from faust.transport.drivers import aiokafka as driver

    original = driver.Producer._settings_extra
    if getattr(original, "_parley", False):
        return

    def settings_extra(self):
        return {**original(self), "acks": "all", "enable_idempotence": True}

    settings_extra._parley = True
    driver.Producer._settings_extra = settings_extra


def set_fetch_wait(milliseconds: int) -> None:
    """The fetch wait of faust's consumers.

    faust hard-codes fetch_max_wait_ms=1500 for its consumers, and Tansu holds an empty fetch
    for the whole wait even when data arrives: 370 ms median per hop, 4 hops per article
    (measured by parley bench). Shorter waits cost the broker a few more empty fetches.
    Wraps `AIOKafkaConsumerThread._create_worker_consumer` and sets the aiokafka consumer's
    `_fetch_max_wait_ms` before it starts (aiokafka hands it to its Fetcher in `start()`).
    """
    from faust.transport.drivers import aiokafka as driver

    thread = driver.AIOKafkaConsumerThread
    original = getattr(thread._create_worker_consumer, "_parley_original", thread._create_worker_consumer)

    def create_worker_consumer(self, transport):
        consumer = original(self, transport)
        consumer._fetch_max_wait_ms = milliseconds
        return consumer

    create_worker_consumer._parley_original = original
    thread._create_worker_consumer = create_worker_consumer


def committed_offsets(consumer) -> dict:
    """The offsets a faust consumer has committed, by TopicPartition (a private attribute of
    `faust.transport.consumer.Consumer`, read for the consumer-lag gauge)."""
    return getattr(consumer, "_committed_offset", {})


async def take_batches(stream, max_: int, within: float):
    """Batches of a faust stream's events, as `Stream.take_events(max_, within)` gives them,
    except that an idle stream sleeps until an event arrives.

    faust's `take_events` wakes every `within` seconds whether or not anything came (with
    the former 10 ms window, 100 wake-ups a second per worker: more than half of an idle
    worker's CPU). Here the generator waits without a timer for the first event of a batch,
    then up to `within` for the batch to fill (or until it holds `max_` events), and yields
    it: an event is held at most `within`, as before (on average `within` rather than half
    of it, hence the 5 ms default of PARLEY_BATCH_WITHIN where it was 10 ms). Acks are as in
    `take_events`: the events of a batch are acked when the consumer asks for the next one
    (after `flush`), so their offsets are committed only then.

    A copy of `faust.streams.Stream.take_events` (faust-streaming 0.15.3) with only the
    waiting changed; it uses the stream's internals the original uses (`add_processor`,
    `_enable_passive`, `current_event`, `enable_acks`, `_processors`, `_active_agens`).
    """
    import asyncio

    from mode.utils.aiter import aiter
    from mode.utils.futures import notify

    buffer: list = []
    events: list = []
    first_added = asyncio.Event()  # the buffer got its first event
    buffer_full = asyncio.Event()
    buffer_consumed = asyncio.Event()
    buffer_consuming = None
    stream_enable_acks = stream.enable_acks
    channel_it = aiter(stream.channel)

    async def add_to_buffer(value):
        try:
            nonlocal buffer_consuming
            if buffer_consuming is not None:  # the batch before is being handled: wait
                try:
                    await buffer_consuming
                finally:
                    buffer_consuming = None
            buffer.append(value)
            event = stream.current_event
            if event is None:
                raise RuntimeError("Take buffer found current_event is None")
            events.append(event)
            first_added.set()
            if len(buffer) >= max_:
                buffer_full.set()
                buffer_consumed.clear()
                await stream.wait(buffer_consumed)
        except asyncio.CancelledError:  # pragma: no cover
            raise
        except Exception as exc:
            stream.log.exception("Error adding to take buffer: %r", exc)
            await stream.crash(exc)
        return value

    stream.enable_acks = False  # acked here, after the batch is handled
    stream.add_processor(add_to_buffer)
    stream._enable_passive(channel_it)
    try:
        while not stream.should_stop:
            if not buffer:
                await stream.wait_for_stopped(first_added)  # idle: no timer at all
            if buffer and len(buffer) < max_ and within:
                await stream.wait_for_stopped(buffer_full, timeout=within)
            if buffer:
                buffer_consuming = stream.loop.create_future()
                try:
                    yield list(events)
                finally:
                    buffer.clear()
                    for event in events:
                        await stream.ack(event)
                    events.clear()
                    first_added.clear()
                    buffer_full.clear()
                    notify(buffer_consuming)  # let add_to_buffer go on
                    buffer_consumed.set()
    finally:
        stream.enable_acks = stream_enable_acks
        stream._processors.remove(add_to_buffer)


def batches(stream, max_: int, within: float):
    """`take_batches` registered with the stream as faust registers its own buffering
    generators (`Stream.on_stop` closes those left open)."""
    agen = take_batches(stream, max_, within)
    stream._active_agens.add(agen)
    return agen
