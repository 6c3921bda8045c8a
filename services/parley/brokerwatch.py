"""Is the broker there? A cheap, protocol-agnostic watch used by readiness checks.

A Kafka client learns that its broker died only when a request times out (aiokafka's
request timeout is 40 s), so ingest would go on accepting articles it cannot publish and
every /readyz would say ready. The watch opens a TCP connection to the bootstrap servers
every INTERVAL seconds: a dead embedded broker refuses at once, so readiness turns false
within one interval. It sends nothing (works with TLS and SASL listeners too).
"""
from __future__ import annotations

import asyncio
import logging

log = logging.getLogger("parley.brokerwatch")

INTERVAL = 0.5
CONNECT_TIMEOUT = 2.0


def _addresses(bootstrap: str) -> list[tuple[str, int]]:
    out = []
    for item in bootstrap.split(","):
        host, _, port = item.strip().rpartition(":")
        if host and port.isdigit():
            out.append((host.strip("[]"), int(port)))
    return out


class BrokerWatch:
    def __init__(self, bootstrap: str, interval: float = INTERVAL):
        self.addresses = _addresses(bootstrap)
        self.interval = interval
        self.ok = True  # until a probe says otherwise (the worker started against a live broker)
        self.changed = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> "BrokerWatch":
        self._task = asyncio.get_running_loop().create_task(self._run(), name="broker-watch")
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def probe(self) -> bool:
        for host, port in self.addresses:
            try:
                _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT)
            except (OSError, asyncio.TimeoutError):
                continue
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass
            return True
        return False

    async def _run(self) -> None:
        while True:
            ok = await self.probe()
            if ok != self.ok:
                self.ok = ok
                self.changed.set()
                self.changed = asyncio.Event()
                if ok:
                    log.warning("broker %s reachable again", ",".join(f"{h}:{p}" for h, p in self.addresses))
                else:
                    log.error("broker %s unreachable: not ready", ",".join(f"{h}:{p}" for h, p in self.addresses))
            await asyncio.sleep(self.interval)
