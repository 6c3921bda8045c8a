"""The sink stage: events.meetings, articles.detected (receipts) and events.stories -> database, idempotently.

A batch is written in one transaction before its offsets can be committed; while the
database is away the sink retries with backoff, holds the batch (so nothing is committed
that was not written) and reports itself not ready.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from datetime import datetime

from .. import metrics
from ..codec import decode
from ..config import Settings
from ..topics import DETECTED, MEETINGS, STORIES
from . import SINK
from .shell import Stage, stopping
from .sink_store import Batch, open_store

log = logging.getLogger("parley.sink")

MAX_BACKOFF = 5.0
PING_TIMEOUT = 2.0  # seconds /readyz waits for the database to answer


def _latency(ingested_at: str | None, now: float) -> float | None:
    if not ingested_at:
        return None
    try:
        return now - datetime.fromisoformat(ingested_at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def make_stage(settings: Settings) -> Stage:
    store = open_store(settings.database_url, settings.sqlite_path)
    pending = Batch(events=[], articles=[])
    state = {"db_ok": False}

    def process(topic: str, _key: bytes | None, value: bytes) -> list:
        if topic == MEETINGS:
            pending.events.append(decode(value, schema=MEETINGS))
        elif topic == STORIES:
            pending.stories.append(decode(value, schema=STORIES))
        else:
            pending.articles.append(decode(value, schema=DETECTED))
        return []

    async def flush() -> None:
        if not pending.events and not pending.articles and not pending.stories:
            return
        delay = 0.2
        while True:
            try:
                await store.write(pending)
                state["db_ok"] = True
                break
            except Exception as exc:  # the database is away: keep the batch, retry
                state["db_ok"] = False
                metrics.SINK_DB_ERRORS.labels(type(exc).__name__).inc()
                log.warning("database write failed (%s: %s); retrying in %.1f s", type(exc).__name__,
                            str(exc).splitlines()[0] if str(exc) else "", delay)
                if stopping():
                    # Asked to stop with a batch it cannot write: exit before faust can commit
                    # the batch's offsets (the next sink reads it again). Waiting would hold the
                    # shutdown (faust waits for the batch) until the database is back.
                    log.error("stopping while the database is unreachable: exiting without committing "
                              "%d unwritten messages; they will be read again",
                              len(pending.events) + len(pending.articles))
                    logging.shutdown()
                    os._exit(75)
                await asyncio.sleep(delay)
                delay = min(MAX_BACKOFF, delay * 2)
        now = time.time()
        for record in pending.events + pending.articles:
            latency = _latency(record.get("ingested_at"), now)
            if latency is not None:
                metrics.END_TO_END_SECONDS.observe(max(0.0, latency))
        metrics.SINK_ROWS.labels("meetings").inc(len(pending.events))
        metrics.SINK_ROWS.labels("articles").inc(len(pending.articles))
        metrics.SINK_ROWS.labels("stories").inc(len(pending.stories))
        pending.events.clear()
        pending.articles.clear()
        pending.stories.clear()

    async def on_start() -> None:
        delay = 0.2
        while True:
            try:
                await store.open()
                state["db_ok"] = True
                return
            except Exception as exc:
                metrics.SINK_DB_ERRORS.labels(type(exc).__name__).inc()
                log.warning("cannot open the database yet (%s); retrying in %.1f s", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(MAX_BACKOFF, delay * 2)

    async def database_ready() -> bool:
        # Ask the database itself: an idle sink that wrote its last batch before the database
        # went away must not stay ready. While a write is under way its outcome is the answer
        # (a ping would queue behind it and hold /readyz).
        if store.busy():
            return state["db_ok"]
        try:
            state["db_ok"] = await asyncio.wait_for(store.ping(), PING_TIMEOUT)
        except Exception:
            state["db_ok"] = False
        return state["db_ok"]

    return Stage(
        SINK,
        process=process,
        flush=flush,
        checks={"database": database_ready},
        on_start=on_start,
        on_stop=store.close,
    )
