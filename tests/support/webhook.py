"""A local webhook receiver for the alert tests: an aiohttp server in a thread of its own.

Every request is recorded (path, headers, body, the status answered). What it answers is
set per path by `behave(path, ...)`: fail the first N requests with a status, always answer
a status, or hold requests (no answer) until `release()`.

    with Receiver() as hook:
        hook.behave("/flaky", fail_first=2, status=503)
        url = hook.url("/flaky")
        ...
        hook.wait_for(lambda reqs: len(reqs) >= 3, timeout=60)
"""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

import orjson


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None  # what the receiver answered (None: held, never answered)
    at: float = field(default_factory=time.monotonic)

    @property
    def key(self) -> str | None:
        return self.headers.get("X-Parley-Idempotency-Key")

    def json(self) -> dict:
        return orjson.loads(self.body)


@dataclass
class Behaviour:
    fail_first: int = 0  # answer `failure` to this many requests first
    failure: int = 503
    status: int = 200  # then answer this
    hold: bool = False  # hold requests (no answer) until release()
    seen: int = 0


class Receiver:
    def __init__(self):
        self.requests: list[Request] = []
        self.behaviours: dict[str, Behaviour] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._released: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.port: int | None = None

    # -- set up -------------------------------------------------------------------------

    def behave(self, path: str, **kwargs) -> None:
        with self._lock:
            self.behaviours[path] = Behaviour(**kwargs)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def release(self) -> None:
        """Answer the held requests (and stop holding new ones)."""
        with self._lock:
            for behaviour in self.behaviours.values():
                behaviour.hold = False
        self._loop.call_soon_threadsafe(self._released.set)

    # -- reading ------------------------------------------------------------------------

    def received(self, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def wait_for(self, condition, timeout: float, what: str = "", check=lambda: None) -> list[Request]:
        deadline = time.monotonic() + timeout
        while True:
            check()
            requests = self.received()
            if condition(requests):
                return requests
            if time.monotonic() > deadline:
                summary = [(r.path, r.key[:12] if r.key else None, r.status) for r in requests]
                raise AssertionError(f"webhook receiver: {what or 'condition'} not met within {timeout:.0f} s; "
                                     f"{len(requests)} requests: {summary}")
            time.sleep(0.2)

    # -- the server ---------------------------------------------------------------------

    async def _handle(self, request):
        from aiohttp import web

        body = await request.read()
        record = Request(request.path, dict(request.headers), body)
        with self._lock:
            self.requests.append(record)
            behaviour = self.behaviours.setdefault(request.path, Behaviour())
            behaviour.seen += 1
            failing = behaviour.seen <= behaviour.fail_first
            hold = behaviour.hold
        if hold:
            await self._released.wait()
        status = behaviour.failure if failing else behaviour.status
        record.status = status
        return web.Response(status=status, text="ok" if status < 300 else "no")

    def _run(self) -> None:
        from aiohttp import web

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._released = asyncio.Event()
        app = web.Application()
        app.router.add_route("POST", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._runner = runner
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    def __enter__(self) -> "Receiver":
        self._thread = threading.Thread(target=self._run, name="webhook-receiver", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the webhook receiver did not start")
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._released.set)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
