"""`parley worker ingest`: the HTTP ingest endpoint (POST /articles) as a service."""
from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from .. import metrics
from ..config import Settings
from ..http import Health, add_health_routes, announce_port, serve
from ..publisher import Publisher
from .http_api import add_routes, body_limit

log = logging.getLogger("parley.ingest")


async def _serve(settings: Settings) -> None:
    publisher = Publisher(settings)
    await publisher.start()

    async def publish(messages: list[dict]) -> None:
        await publisher.publish(messages)
        metrics.MESSAGES_OUT.labels("ingest").inc(len(messages))

    health = Health("ingest", checks={"producer": lambda: publisher.ready})
    api = web.Application()
    add_routes(api, publish, token=settings.ingest_token, max_chars=settings.max_article_chars,
               max_body_bytes=body_limit(settings.max_article_chars))
    add_health_routes(api, health)
    api_runner, api_port = await serve(api, settings.http_host, settings.ingest_port)
    status = web.Application()
    add_health_routes(status, health)
    status_runner, status_port = await serve(status, settings.http_host, settings.http_port)
    announce_port(status_port)
    log.warning("ingest API on http://%s:%d/articles, metrics on port %d", settings.http_host, api_port, status_port)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await api_runner.cleanup()  # stop taking requests first, then flush what was accepted
        await status_runner.cleanup()
        await publisher.stop()


def run(settings: Settings) -> int:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(settings))
    return 0
