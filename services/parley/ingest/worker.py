"""`parley worker ingest`: the HTTP ingest endpoint (POST /articles) as a service."""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from .. import metrics
from ..brokerwatch import BrokerWatch
from ..config import Settings
from ..http import until_signalled, Health, add_health_routes, announce_port, serve
from ..journal import Journal, journal_enabled
from ..publisher import Publisher
from .http_api import add_routes, body_limit

log = logging.getLogger("parley.ingest")


class BrokerUnavailable(RuntimeError):
    """The broker is not reachable: answer 503 now rather than after the client's timeout."""


async def _serve(settings: Settings) -> None:
    journal = Journal(settings.journal_path) if journal_enabled(settings.journal_path) else None
    publisher = Publisher(settings, journal=journal)
    await publisher.start()
    watch = BrokerWatch(settings.require_bootstrap()).start()

    async def publish(messages: list[dict]) -> None:
        if not watch.ok:
            raise BrokerUnavailable(settings.bootstrap_servers)
        # Journalled first (when on), then sent; a broker that dies meanwhile ends the wait
        # at once (503) instead of after aiokafka's 40 s request timeout: the journal has
        # the articles, and a retry by the client is harmless.
        sending = asyncio.ensure_future(publisher.publish(messages))
        broker_down = asyncio.ensure_future(watch.changed.wait())
        try:
            await asyncio.wait({sending, broker_down}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            broker_down.cancel()
        if not sending.done():
            sending.cancel()
            raise BrokerUnavailable(settings.bootstrap_servers)
        sending.result()
        metrics.MESSAGES_OUT.labels("ingest").inc(len(messages))

    health = Health("ingest", checks={"producer": lambda: publisher.ready, "broker": lambda: watch.ok})
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

    try:
        await until_signalled()
    finally:
        await api_runner.cleanup()  # stop taking requests first, then flush what was accepted
        await status_runner.cleanup()
        await watch.stop()
        await publisher.stop()
        if journal is not None:
            journal.close()


def run(settings: Settings) -> int:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(settings))
    return 0
