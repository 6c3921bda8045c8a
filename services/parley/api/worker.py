"""`parley worker api`: the query API, its live stream and the analyst page as a service.

Serves the API on PARLEY_API_HOST:PARLEY_API_PORT (127.0.0.1:8090 by default) and, like every
service, /metrics, /healthz and /readyz on PARLEY_HTTP_HOST:PARLEY_HTTP_PORT (the port
`parley up` prints; also on the API's port). Stops on SIGTERM/SIGINT: open streams end
within one poll, then the servers close.
"""
from __future__ import annotations

import asyncio
import logging

from ..config import Settings
from ..http import until_signalled, Health, add_health_routes, announce_port, serve
from .app import make_app
from .queries import open_reader
from .stream import StoryStream

log = logging.getLogger("parley.api")


async def _serve(settings: Settings) -> None:
    from aiohttp import web

    reader = open_reader(settings.database_url, settings.sqlite_path)
    story_stream = StoryStream(settings)
    health = Health("api", checks={"database": reader.ping})
    app = make_app(reader, story_stream, token=settings.api_token, health=health)
    try:
        api_runner, api_port = await serve(app, settings.api_host, settings.api_port)
    except OSError as exc:  # the port is taken
        await reader.close()
        raise SystemExit(f"the query API cannot listen on {settings.api_host}:{settings.api_port}: "
                         f"{exc.strerror or exc}; set PARLEY_API_PORT to a free port") from None
    status = web.Application()
    add_health_routes(status, health)
    status_runner, status_port = await serve(status, settings.http_host, settings.http_port)
    announce_port(status_port)
    log.warning("query API and analyst page on http://%s:%d/ (token %s), metrics on port %d", settings.api_host,
                api_port, "required" if settings.api_token else "not required", status_port)

    try:
        await until_signalled()
    finally:
        story_stream.stop()  # open streams return within one poll
        await api_runner.cleanup()
        await status_runner.cleanup()
        await reader.close()


def run(settings: Settings) -> int:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(settings))
    return 0
