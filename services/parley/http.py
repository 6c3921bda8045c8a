"""The HTTP endpoint every Parley service serves: /metrics, /healthz, /readyz.

faust's own web server is disabled (its command line would force it on port 6066); this
small aiohttp server runs on the service's event loop instead.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from . import metrics

ReadinessCheck = Callable[[], "bool | Awaitable[bool]"]


@dataclass
class Health:
    """Liveness is the process answering; readiness is every registered check passing."""

    stage: str
    checks: dict[str, ReadinessCheck] = field(default_factory=dict)

    async def readiness(self) -> dict[str, bool]:
        results = {}
        for name, check in self.checks.items():
            try:
                outcome = check()
                if hasattr(outcome, "__await__"):
                    outcome = await outcome
                results[name] = bool(outcome)
            except Exception:
                results[name] = False
        metrics.READY.labels(self.stage).set(1 if results and all(results.values()) else 0)
        return results


def add_health_routes(app: web.Application, health: Health) -> None:
    async def metrics_view(_request: web.Request) -> web.Response:
        await health.readiness()  # keeps parley_ready fresh for scrapers
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "stage": health.stage})

    async def readyz(_request: web.Request) -> web.Response:
        results = await health.readiness()
        ok = bool(results) and all(results.values())
        return web.json_response(
            {"ready": ok, "stage": health.stage, "checks": results}, status=200 if ok else 503
        )

    app.router.add_get("/metrics", metrics_view)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)


def announce_port(port: int) -> None:
    """Tell a supervising `parley up` which port this worker's HTTP endpoint took."""
    path = os.environ.get("PARLEY_PORT_FILE")
    if path:
        tmp = f"{path}.tmp"
        with open(tmp, "w") as fh:
            fh.write(str(port))
        os.replace(tmp, path)


async def serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start serving `app`; returns the runner (to clean up) and the bound port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = port
    server = getattr(site, "_server", None)
    if server is not None and server.sockets:
        bound = server.sockets[0].getsockname()[1]
    return runner, bound


async def until_signalled() -> None:
    """Return when SIGTERM or SIGINT arrives (a service's main wait; clean-up follows)."""
    import asyncio
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
