"""HTTP ingest: `POST /articles` turns a JSON article (or a list of them) into
`articles.raw` messages and hands the valid ones to `publish`.

Responses (JSON):
- 202 `{"accepted": n, "article_ids": [...], "errors": [{"index", "reason", "message"}]}`
  when at least one article is valid (the others are listed in `errors`);
- 400 malformed JSON, an empty list, or no valid article (`errors` says why);
- 401 missing or wrong bearer token (only when a token is configured);
- 408 the body did not arrive within `read_timeout` seconds (a slow or stalled client);
- 413 body over `max_body_bytes`; 415 content type not JSON;
- 503 `publish` failed: nothing is confirmed, the client should retry (ids are stable, so
  a retry cannot duplicate an article downstream).

`application/x-ndjson` bodies (one article per line) are accepted too; `index` is then the
0-based line index.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable

import orjson
from aiohttp import web

from parley.ingest.readers import DEFAULT_MAX_CHARS, HTML_FACTOR, RecordProblem, build_article, utc_now_iso

log = logging.getLogger(__name__)

Publish = Callable[[list[dict]], Awaitable[None]]
OnRefused = Callable[[str], None]

DEFAULT_MAX_BODY_BYTES = 2_000_000
# Seconds a client has to send the whole body: a slow (or stalled) client must not hold a
# connection and its buffered body forever.
DEFAULT_READ_TIMEOUT = 30.0
JSON_TYPES = frozenset({"application/json"})
NDJSON_TYPES = frozenset({"application/x-ndjson", "application/jsonl", "application/x-jsonlines"})
_CHUNK = 64 * 1024


def body_limit(max_chars: int) -> int:
    """A body limit that lets one article of the largest size allowed through (an HTML page
    of HTML_FACTOR x max_chars characters, as files and the cleaner allow), at least 2 MB."""
    return max(DEFAULT_MAX_BODY_BYTES, (HTML_FACTOR + 1) * max_chars + 65536)


def make_app(
    publish: Publish,
    *,
    token: str | None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
    app: web.Application | None = None,
    on_refused: OnRefused | None = None,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> web.Application:
    """An application serving `POST /articles` (or `app` with that route added)."""
    if app is None:
        app = web.Application(client_max_size=max_body_bytes)
    add_routes(app, publish, token=token, max_body_bytes=max_body_bytes, max_chars=max_chars,
               on_refused=on_refused, read_timeout=read_timeout)
    return app


def add_routes(
    app: web.Application,
    publish: Publish,
    *,
    token: str | None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
    path: str = "/articles",
    on_refused: OnRefused | None = None,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> None:
    """Add `POST path` to an existing application (which may serve /metrics, /healthz...).

    The body limit is enforced here while reading, so it holds whatever `client_max_size`
    the application was built with. `on_refused(reason)` is called once per refused article
    (for a metrics counter).
    """
    handler = ArticlesHandler(publish, token=token, max_body_bytes=max_body_bytes,
                              max_chars=max_chars, on_refused=on_refused, read_timeout=read_timeout)
    app.router.add_post(path, handler.handle)


class ArticlesHandler:
    def __init__(self, publish: Publish, *, token: str | None, max_body_bytes: int,
                 max_chars: int, on_refused: OnRefused | None = None,
                 read_timeout: float = DEFAULT_READ_TIMEOUT):
        self._publish = publish
        self._on_refused = on_refused
        # Kept as bytes for hmac.compare_digest; never logged or put in a repr.
        self._token = token.encode("utf-8") if token else None
        self._max_body_bytes = max_body_bytes
        self._max_chars = max_chars
        self._read_timeout = read_timeout

    def __repr__(self) -> str:
        return f"ArticlesHandler(auth={'on' if self._token else 'off'})"

    async def handle(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, "unauthorized",
                          "send 'Authorization: Bearer <token>' with the ingest token",
                          headers={"WWW-Authenticate": 'Bearer realm="parley-ingest"'})
        if request.content_type not in JSON_TYPES | NDJSON_TYPES and not (
            request.content_type.startswith("application/") and request.content_type.endswith("+json")
        ):
            return _error(415, "unsupported_media_type",
                          f"content type {request.content_type!r} is not JSON; "
                          "send 'Content-Type: application/json'")
        try:
            body = await asyncio.wait_for(self._read_body(request), self._read_timeout)
        except asyncio.TimeoutError:
            log.warning("ingest request body not received within %g s; closing", self._read_timeout)
            response = _error(408, "request_timeout",
                              f"the body did not arrive within {self._read_timeout:g} s; send it "
                              "faster or in smaller requests", headers={"Connection": "close"})
            # Answer now, then close: no lingering wait for the rest of the body.
            await response.prepare(request)
            await response.write_eof()
            if request.protocol is not None:
                request.protocol.force_close()
            return response
        if body is None:
            return _error(413, "body_too_large",
                          f"the body is over {self._max_body_bytes:,} bytes; send fewer articles "
                          "per request")
        records = _parse(body, ndjson=request.content_type in NDJSON_TYPES)
        if isinstance(records, web.Response):
            return records
        return await self._accept(records)

    def _authorised(self, request: web.Request) -> bool:
        if self._token is None:
            return True
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(presented.strip().encode("utf-8", "surrogateescape"),
                                   self._token)

    async def _read_body(self, request: web.Request) -> bytes | None:
        """The body, or None when it is over the limit (read no further than that)."""
        if request.content_length is not None and request.content_length > self._max_body_bytes:
            return None
        chunks, size = [], 0
        while chunk := await request.content.read(_CHUNK):
            size += len(chunk)
            if size > self._max_body_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def _accept(self, records: list[tuple[int, object]]) -> web.Response:
        ingested_at = utc_now_iso()
        messages, errors = [], []
        for index, record in records:
            try:
                if isinstance(record, RecordProblem):
                    raise record
                article = build_article(record, max_chars=self._max_chars)
            except RecordProblem as problem:
                errors.append({"index": index, "reason": problem.reason,
                               "message": f"item {index}: {problem.detail}"})
                if self._on_refused is not None:
                    self._on_refused(problem.reason)
                continue
            messages.append(article.to_message(ingested_at))
        if not messages:
            return web.json_response(
                {"error": "no_valid_article", "message": "no article in the request was valid",
                 "accepted": 0, "article_ids": [], "errors": errors},
                status=400, dumps=_dumps)
        try:
            await self._publish(messages)
        except Exception as exc:  # any broker failure: the client must know and retry
            log.error("ingest publish of %d articles failed: %s", len(messages),
                      type(exc).__name__)
            return _error(503, "publish_failed",
                          "the articles could not be published to the pipeline; nothing is "
                          "confirmed — retry later (resending is safe)",
                          headers={"Retry-After": "5"})
        return web.json_response(
            {"accepted": len(messages), "article_ids": [m["article_id"] for m in messages],
             "errors": errors},
            status=202, dumps=_dumps)


def _parse(body: bytes, *, ndjson: bool) -> list[tuple[int, object]] | web.Response:
    """(index, record) pairs, or the 400 response explaining why there are none.

    A record that is itself unparseable (an ndjson line) is a RecordProblem in the list,
    so the other lines still go through.
    """
    if ndjson:
        records = [
            (index, _parse_line(line))
            for index, line in enumerate(body.split(b"\n"))
            if line.strip()
        ]
        if not records:
            return _error(400, "empty", "the body holds no article; send at least one")
        return records
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return _error(400, "invalid_json", f"the body is not valid JSON ({exc})")
    if isinstance(document, list):
        if not document:
            return _error(400, "empty", "the list is empty; send at least one article")
        return list(enumerate(document))
    return [(0, document)]


def _parse_line(line: bytes) -> object:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return RecordProblem("invalid_json", f"not valid JSON ({exc})")


def _error(status: int, code: str, message: str, *, headers: dict | None = None) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status,
                             headers=headers, dumps=_dumps)


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode("utf-8")
