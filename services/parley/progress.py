"""How far the pipeline has got: per-stage committed offsets against topic high-watermarks.

The high-watermark comes from fetch responses of a group-less reader (Tansu's ListOffsets
under-reports on its memory engine), the committed offsets from each stage's consumer group.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from .config import Settings
from .kafka import consumer_kwargs
from .stages import active_stages
from .topics import RAW, Topics


@dataclass(frozen=True)
class StageProgress:
    stage: str
    committed: int
    available: int

    @property
    def lag(self) -> int:
        return max(0, self.available - self.committed)


class ProgressMonitor:
    def __init__(self, settings: Settings, names: tuple[str, ...] | None = None):
        self.settings = settings
        self.topics = Topics(settings.topic_prefix)
        # The stages this deployment runs (alerts and notifier only with a rules file), or those
        # named: one not running would never catch up.
        self.specs = tuple(s for s in active_stages(settings) if names is None or s.name in names)
        self._reader = None
        self._groups: dict = {}
        self._task: asyncio.Task | None = None
        self.highwater: dict[tuple[str, int], int] = {}

    async def start(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        kwargs = consumer_kwargs(self.settings, None)
        kwargs["max_partition_fetch_bytes"] = 64 * 1024  # only the watermarks matter here
        self._reader = AIOKafkaConsumer(**kwargs)
        await self._reader.start()
        partitions = []
        for name in self.topics.all():
            for p in sorted(self._reader.partitions_for_topic(name) or []):
                partitions.append(TopicPartition(name, p))
        self._reader.assign(partitions)
        # One group-member-less consumer per stage group, only to fetch its committed offsets
        # (the admin client's OffsetFetch fails to decode Tansu's response).
        self._groups = {}
        for spec in self.specs:
            consumer = AIOKafkaConsumer(**consumer_kwargs(self.settings, spec.group_id(self.settings.topic_prefix)))
            await consumer.start()
            self._groups[spec.name] = consumer
        self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while True:
            await self._reader.getmany(timeout_ms=200, max_records=5000)
            for tp in self._reader.assignment():
                hw = self._reader.highwater(tp)
                if hw is not None:
                    self.highwater[(tp.topic, tp.partition)] = hw

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        if self._reader is not None:
            await self._reader.stop()
        for consumer in self._groups.values():
            await consumer.stop()

    def _partitions(self, bases) -> list[tuple[str, int]]:
        names = {self.topics.name(b) for b in bases}
        return sorted(tp for tp in self.highwater if tp[0] in names)

    def available(self, base: str) -> int:
        name = self.topics.name(base)
        return sum(hw for (topic, _p), hw in self.highwater.items() if topic == name)

    async def stages(self) -> list[StageProgress]:
        from aiokafka import TopicPartition

        out = []
        for spec in self.specs:
            committed = 0
            for (topic, partition) in self._partitions(spec.inputs):
                try:
                    offset = await self._groups[spec.name].committed(TopicPartition(topic, partition))
                except Exception:  # coordinator moving or group not created yet
                    offset = None
                committed += offset or 0
            out.append(StageProgress(spec.name, committed, sum(self.available(t) for t in spec.inputs)))
        return out


class Stalled(Exception):
    """No stage made progress for too long; the message names the stages behind."""


async def wait_until_drained(monitor: ProgressMonitor, expected_raw: int, *, check=lambda: None,
                             on_progress=None, stall_timeout: float = 120.0, poll: float = 0.5) -> list[StageProgress]:
    """Wait until every stage has committed all that was produced upstream of it.

    Drained must be seen three polls in a row: a stage's output reaches the reader's
    watermarks a fetch round after the stage commits its input.
    """
    stable, last_state, last_change = 0, None, asyncio.get_running_loop().time()
    while True:
        check()
        stages = await monitor.stages()
        if on_progress is not None:
            on_progress(stages)
        state = tuple((s.committed, s.available) for s in stages)
        now = asyncio.get_running_loop().time()
        if state != last_state:
            last_state, last_change = state, now
        drained = monitor.available(RAW) >= expected_raw and all(s.lag == 0 for s in stages)
        stable = stable + 1 if drained else 0
        if stable >= 3:
            return stages
        if now - last_change > stall_timeout:
            lagging = ", ".join(f"{s.stage} ({s.lag} behind)" for s in stages if s.lag) or "none"
            raise Stalled(f"no progress for {stall_timeout:.0f} s; stages behind: {lagging}")
        await asyncio.sleep(poll)


async def publish_and_drain(settings: Settings, messages: list[dict], *, journal=None, check=lambda: None,
                            on_progress=None, stall_timeout: float = 120.0,
                            names: tuple[str, ...] | None = None) -> list[StageProgress]:
    """Publish articles to `articles.raw` (recording them in `journal` first, when given) and
    wait until every stage (of `names`, when given: those running) has handled them."""
    from .publisher import Publisher

    monitor = ProgressMonitor(settings, names)
    await monitor.start()
    try:
        before = monitor.available(RAW)
        async with Publisher(settings, journal=journal) as publisher:
            await publisher.publish(messages)
        return await wait_until_drained(monitor, before + len(messages), check=check, on_progress=on_progress,
                                        stall_timeout=stall_timeout)
    finally:
        await monitor.stop()
