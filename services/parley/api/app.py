"""The query API's aiohttp application: routes, the bearer token, JSON errors.

Errors are JSON `{"error": code, "message": text}`: 400 a wrong parameter (the message says
which and what to send), 401 a missing or wrong token, 404 no such item or path, 405 a method
other than GET/HEAD (with `Allow`), 503 the database or broker cannot be read.

With a token (PARLEY_API_TOKEN), every data route (/stories, /events, /articles, /stream)
requires `Authorization: Bearer <token>`, compared in constant time; /stream also takes it as
`?access_token=` (RFC 6750 2.3) because a browser's EventSource cannot send headers (no
access log is written, so it is not logged here). The page, the OpenAPI document and the
health and metrics endpoints need none: they hold no data.
"""
from __future__ import annotations

import hmac
import logging
from pathlib import Path
from urllib.parse import urlencode

import orjson
from aiohttp import web

from .. import metrics
from ..http import Health, add_health_routes
from .openapi import document
from .params import BadRequest, ListQuery, check_id, check_names, parse_list
from .queries import DatabaseUnavailable, Reader
from .stream import StoryStream, StreamUnavailable

log = logging.getLogger("parley.api")

PAGE = Path(__file__).with_name("page.html")
PROTECTED = ("/stories", "/events", "/articles", "/stream")
READER = web.AppKey("reader", Reader)
STREAM = web.AppKey("stream", StoryStream)


def _dumps(value) -> str:
    return orjson.dumps(value).decode()


def error(status: int, code: str, message: str, headers: dict | None = None) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status, headers=headers, dumps=_dumps)


def _route(request: web.Request) -> str:
    route = request.match_info.route
    resource = getattr(route, "resource", None)
    return resource.canonical if resource is not None else "unmatched"


def _middlewares(token: str | None):
    secret = token.encode("utf-8") if token else None

    def authorised(request: web.Request) -> bool:
        if secret is None or not request.path.startswith(PROTECTED):
            return True
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and presented:
            return hmac.compare_digest(presented.strip().encode("utf-8", "surrogateescape"), secret)
        if request.path == "/stream" and "access_token" in request.query:
            return hmac.compare_digest(request.query["access_token"].encode("utf-8", "surrogateescape"), secret)
        return False

    @web.middleware
    async def answer(request: web.Request, handler):
        response = await _answer(request, handler, authorised)
        metrics.API_REQUESTS.labels(_route(request), str(response.status)).inc()
        return response

    return [answer]


async def _answer(request: web.Request, handler, authorised) -> web.StreamResponse:
    if not authorised(request):
        return error(401, "unauthorized", "send 'Authorization: Bearer <token>' with the API token "
                     "(PARLEY_API_TOKEN)", headers={"WWW-Authenticate": 'Bearer realm="parley-api"'})
    try:
        return await handler(request)
    except BadRequest as exc:
        return error(400, "bad_request", str(exc))
    except (DatabaseUnavailable, StreamUnavailable) as exc:
        log.warning("api: %s", exc)
        return error(503, "unavailable", str(exc), headers={"Retry-After": "5"})
    except web.HTTPMethodNotAllowed as exc:
        return error(405, "method_not_allowed", f"{request.method} is not allowed here; this API is read-only "
                     f"(allowed: {', '.join(sorted(exc.allowed_methods))})", headers={"Allow": exc.headers["Allow"]})
    except web.HTTPNotFound:
        return error(404, "not_found", f"no route {request.path[:100]!r}; see /openapi.json")
    except web.HTTPException as exc:
        if exc.status >= 400:
            return error(exc.status, exc.reason.lower().replace(" ", "_"), exc.text or exc.reason)
        raise


def _next_link(request: web.Request, query: ListQuery, cursor) -> str | None:
    if cursor is None:
        return None
    pairs = [(k, v) for k, v in request.query.items() if k != "cursor"]
    return f"{request.path}?{urlencode(pairs + [('cursor', cursor.encode())])}"


async def _listing(request: web.Request, what: str) -> web.Response:
    query = parse_list(request.query)
    reader = request.app[READER]
    page = await (reader.stories(query) if what == "stories" else reader.events(query))
    return web.json_response({"items": page.items, "count": len(page.items),
                              "next": _next_link(request, query, page.next)}, dumps=_dumps)


async def list_stories(request: web.Request) -> web.Response:
    return await _listing(request, "stories")


async def list_events(request: web.Request) -> web.Response:
    return await _listing(request, "events")


async def _single(request: web.Request, kind: str, name: str) -> web.Response:
    check_names(request.query, ())
    ident = check_id(kind, request.match_info[name])
    reader = request.app[READER]
    found = await {"story": reader.story, "event": reader.event, "article": reader.article}[kind](ident)
    if found is None:
        return error(404, "not_found", f"no {kind} {ident} in the database")
    return web.json_response(found, dumps=_dumps)


async def get_story(request: web.Request) -> web.Response:
    return await _single(request, "story", "story_id")


async def get_event(request: web.Request) -> web.Response:
    return await _single(request, "event", "event_id")


async def get_article(request: web.Request) -> web.Response:
    return await _single(request, "article", "article_id")


async def stream(request: web.Request) -> web.StreamResponse:
    check_names(request.query, ("since", "access_token"))
    return await request.app[STREAM].handle(request)


def make_app(reader: Reader, story_stream: StoryStream, *, token: str | None, health: Health | None = None,
             page: Path = PAGE) -> web.Application:
    """The API application; `reader` and `story_stream` are closed by the caller."""
    app = web.Application(middlewares=_middlewares(token))
    app[READER] = reader
    app[STREAM] = story_stream
    openapi = _dumps(document(auth=token is not None))
    html = page.read_bytes()

    async def openapi_view(_request: web.Request) -> web.Response:
        return web.Response(text=openapi, content_type="application/json")

    async def page_view(_request: web.Request) -> web.Response:
        return web.Response(body=html, content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-cache"})

    async def stop_streams(_app: web.Application) -> None:
        story_stream.stop()

    app.on_shutdown.append(stop_streams)
    app.router.add_get("/", page_view)
    app.router.add_get("/openapi.json", openapi_view)
    app.router.add_get("/stories", list_stories)
    app.router.add_get("/stories/{story_id}", get_story)
    app.router.add_get("/events", list_events)
    app.router.add_get("/events/{event_id}", get_event)
    app.router.add_get("/articles/{article_id}", get_article)
    app.router.add_get("/stream", stream, allow_head=False)  # HEAD would hold the connection open
    add_health_routes(app, health or Health("api", checks={"database": reader.ping}))
    return app
