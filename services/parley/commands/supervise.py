"""What keeps `parley up` running: restarts of workers and of the embedded broker, and the
acceptance journal's two duties (forget what the sink has; publish again what it has not).

`parley up` calls `tick()` from its main thread every fraction of a second (workers must be
spawned from the main thread: PR_SET_PDEATHSIG is tied to the thread that forks them).

- A worker that exits is restarted after a backoff (RestartPolicy), with a log line and
  `parley_worker_restarts_total{stage}`; after `max_crashes` exits of one worker within
  `window` seconds `parley up` gives up, naming the worker and showing its log.
- The embedded broker is watched the same way. Its memory storage dies with it, so after
  restarting it on the same port the supervisor recreates the topics, restarts the stage
  workers (their consumer groups and offsets are gone) and publishes again every journalled
  article the sink has not stored. Ingest keeps running: it answers 503 while the broker is
  away (its BrokerWatch) and reconnects by itself.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from rich.console import Console

from .. import metrics
from ..broker import EmbeddedBroker
from ..config import Settings
from ..journal import Journal
from ..publisher import Publisher
from ..stages.sink_store import settled_articles
from ..topics import create_topics_sync
from .workers import Workers

log = logging.getLogger("parley.up")

SETTLE_EVERY = 2.0  # seconds between checks of the journal against the sink's database


@dataclass(frozen=True)
class RestartPolicy:
    window: float = 60.0  # seconds over which exits are counted
    max_crashes: int = 5  # exits of one process within `window` before parley up gives up
    first_delay: float = 0.5  # backoff before the first restart; doubles with each recent exit
    max_delay: float = 15.0


class GaveUp(SystemExit):
    """A worker or the broker kept exiting: the reason and the end of its log."""


class BrokerRestarted(Exception):
    """The broker was restarted (empty): progress measured on the old one is void."""


@dataclass
class Supervisor:
    settings: Settings
    workers: Workers
    console: Console
    broker: EmbeddedBroker | None = None
    journal: Journal | None = None
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    _exits: dict[str, deque] = field(default_factory=dict)
    _restart_at: dict[str, float] = field(default_factory=dict)
    _last_settle: float = 0.0

    # -- the loop body ----------------------------------------------------------------------

    def tick(self) -> None:
        """Restart what died, keep the journal in step. Raises BrokerRestarted after a broker
        restart (callers measuring progress start again) and GaveUp when restarts don't help."""
        restarted = False
        if self.broker is not None and not self.broker.is_running():
            self._restart_broker()
            restarted = True
        self._tend_workers()
        if time.monotonic() - self._last_settle >= SETTLE_EVERY:
            self.settle()
        if restarted:
            raise BrokerRestarted()

    def _tend_workers(self) -> None:
        now = time.monotonic()
        for worker in list(self.workers.started):
            code = worker.proc.poll()
            if code is None:
                continue
            due = self._restart_at.get(worker.name)
            if due is None:
                delay = self._note_exit(worker.name, f"worker {worker.name}", code, worker.log_path, worker.log_tail())
                self._restart_at[worker.name] = now + delay
                self.console.print(f"[yellow]worker {worker.name} exited with code {code}[/]; restarting it in "
                                   f"{delay:.1f} s (log: {worker.log_path})", highlight=False)
            elif now >= due:
                del self._restart_at[worker.name]
                self.workers.restart(worker.name)
                metrics.WORKER_RESTARTS.labels(worker.name).inc()
                self.console.print(f"restarted worker {worker.name}", highlight=False)

    def _note_exit(self, key: str, what: str, code, log_path, tail: str) -> float:
        """Count an exit; the backoff before the restart, or GaveUp after too many."""
        now = time.monotonic()
        exits = self._exits.setdefault(key, deque())
        exits.append(now)
        while exits and now - exits[0] > self.policy.window:
            exits.popleft()
        if len(exits) >= self.policy.max_crashes:
            raise GaveUp(f"{what} exited {len(exits)} times within {self.policy.window:.0f} s (last exit code "
                         f"{code}); parley up gives up. Its log ({log_path}) ends:\n{tail}")
        return min(self.policy.max_delay, self.policy.first_delay * 2 ** (len(exits) - 1))

    # -- the broker ---------------------------------------------------------------------------

    def _restart_broker(self) -> None:
        broker = self.broker
        code = broker.exit_code
        delay = self._note_exit("broker", "the embedded broker", code, broker.log_path, broker.log_tail())
        self.console.print(f"[red]embedded broker exited (code {code})[/]: its messages are gone; restarting it on "
                           f"{broker.bootstrap} in {delay:.1f} s, then the stage workers, then publishing again "
                           "the accepted articles the sink does not have", highlight=False)
        stages = [w.name for w in self.workers.started if w.name != "ingest"]
        for name in stages:  # their groups and offsets died with the broker
            self.workers.kill(name)
        time.sleep(delay)
        broker.start()
        in_thread(create_topics_sync, self.settings)  # tick may run inside an event loop
        for name in stages:
            self.workers.restart(name)
        metrics.BROKER_RESTARTS.inc()
        self.republish()

    # -- the journal --------------------------------------------------------------------------

    def settle(self) -> int:
        """Forget the journalled articles the sink has stored; returns how many are left."""
        self._last_settle = time.monotonic()
        if self.journal is None:
            return 0
        ids = self.journal.ids()
        if ids:
            try:
                self.journal.forget(settled_articles(self.settings.database_url, self.settings.sqlite_path, ids))
            except Exception as exc:  # the database is away: keep everything, try again later
                log.warning("cannot check the journal against the database: %s", exc)
        waiting, aside = self.journal.counts()
        metrics.JOURNAL_ARTICLES.labels("waiting").set(waiting)
        metrics.JOURNAL_ARTICLES.labels("set_aside").set(aside)
        return waiting

    def republish(self) -> int:
        """Publish again every journalled article the sink does not have (at start and after a
        broker restart); returns how many."""
        if self.journal is None:
            return 0
        self.settle()
        count = in_thread(asyncio.run, self._republish())
        if count:
            metrics.JOURNAL_REPUBLISHED.inc(count)
            self.console.print(f"published again {count} accepted articles the sink did not have yet "
                               f"(journal {self.journal.path})", highlight=False)
        return count

    async def _republish(self) -> int:
        count = 0
        # No journal on this publisher: re-recording would restart the articles' attempts.
        async with Publisher(self.settings) as publisher:
            for batch in self.journal.pending():
                count += await publisher.publish(batch)
        return count


def in_thread(function, *args):
    """Call `function(*args)` in a helper thread and return its result: tick() may run inside
    a running event loop, where asyncio.run (used by both callers) is refused."""
    box: dict = {}

    def target():
        try:
            box["result"] = function(*args)
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, name="parley-supervisor")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("result")
