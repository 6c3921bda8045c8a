"""`parley up` as users run it, under SIGKILL: of each worker (several times), of the embedded
broker, and of `parley up` itself (then started again in the same folder).

Articles stream in over HTTP the whole time; the client retries a request until it is
answered 202 (a 503 while the broker restarts, a refused connection while ingest or `parley
up` restarts). At the end every accepted article must be in the sink with exactly its
meetings: none lost (the acceptance journal publishes again what the memory broker lost),
none doubled, nothing unexpected.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest

from support import workload
from support.faults import Tally, children_of
from parley.broker import free_port
from parley.ingest.readers import build_article
from parley.logic.pipeline import process

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(900)]

ARTICLES = 1000
BATCH = 10
SEED = 20261207
STAGES = ("cleaner", "tagger", "detector", "sink", "ingest")
ROUNDS = 2  # each worker is killed this many times


def http_record(article: workload.GoodArticle) -> dict:
    m = article.message
    return {"url": m["source"]["url"], "title": m["title"], "text": m["text"], "html": m["html"],
            "published_at": m["published_at"]}


# ---------------------------------------------------------------- parley up, as a process


@dataclass
class Up:
    """One `parley up` process in `folder` (its database and journal live there)."""

    folder: Path
    port: int
    proc: subprocess.Popen | None = None
    runs: int = 0

    def start(self) -> None:
        self.runs += 1
        log = open(self.folder / f"up-{self.runs}.log", "wb")
        env = {**os.environ, "PARLEY_INGEST_PORT": str(self.port), "PARLEY_SQLITE_PATH": str(self.folder / "parley.db"),
               "COLUMNS": "200", "PARLEY_API_PORT": str(free_port())}
        env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
        env.pop("DATABASE_URL", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "parley.cli", "up"], cwd=self.folder, env=env,
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 180
        while "pipeline running" not in self.output():
            assert self.proc.poll() is None, f"parley up exited with {self.proc.returncode}:\n{self.output()}"
            assert time.monotonic() < deadline, f"parley up did not start within 180 s:\n{self.output()}"
            time.sleep(0.2)

    def output(self, run: int | None = None) -> str:
        path = self.folder / f"up-{run or self.runs}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def children(self) -> dict[str, int]:
        return children_of(self.proc.pid)

    def kill_child(self, name: str, timeout: float = 120.0) -> None:
        """SIGKILL a child once it is up (it may be restarting after the previous kill)."""
        deadline = time.monotonic() + timeout
        while name not in self.children():
            assert time.monotonic() < deadline, f"no {name} process under parley up:\n{self.output()[-3000:]}"
            time.sleep(0.2)
        os.kill(self.children()[name], signal.SIGKILL)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        time.sleep(1.0)  # its children die by PR_SET_PDEATHSIG

    def stop(self) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


# ---------------------------------------------------------------- the client


@dataclass
class Client:
    """Posts the articles in batches, each until it is answered 202; records the answers."""

    port: int
    records: list[dict]
    accepted: set[str] = field(default_factory=set)
    retries: dict[str, int] = field(default_factory=dict)
    pace: float = 0.4  # seconds between requests: articles keep arriving during all the faults
    done: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        url = f"http://127.0.0.1:{self.port}/articles"
        for start in range(0, len(self.records), BATCH):
            body = orjson.dumps(self.records[start:start + BATCH])
            while True:
                request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        answer = orjson.loads(response.read())
                        assert response.status == 202 and not answer["errors"], answer
                        self.accepted.update(answer["article_ids"])
                        break
                except urllib.error.HTTPError as exc:
                    self.retries[str(exc.code)] = self.retries.get(str(exc.code), 0) + 1
                except (OSError, ConnectionError) as exc:  # refused or reset while restarting
                    self.retries[type(exc).__name__] = self.retries.get(type(exc).__name__, 0) + 1
                time.sleep(0.3)
            time.sleep(self.pace)
        self.done.set()


# ---------------------------------------------------------------- the test


def stored(db: Path, ours: set[str]) -> tuple[list[str], dict[str, list[str]], set[str]]:
    """The sink's meetings and articles among `ours` (`parley up` also publishes its samples)."""
    with sqlite3.connect(db, timeout=30) as conn:
        rows = [r for r in conn.execute("SELECT event_id, article_id FROM meetings") if r[1] in ours]
        articles = {r[0] for r in conn.execute("SELECT article_id FROM articles")} & ours
    by_article: dict[str, list[str]] = {}
    for event_id, article_id in rows:
        by_article.setdefault(article_id, []).append(event_id)
    return [r[0] for r in rows], by_article, articles


def journal_size(path: Path) -> int:
    if not path.exists():
        return -1
    with sqlite3.connect(path, timeout=30) as conn:
        return conn.execute("SELECT COUNT(*) FROM accepted").fetchone()[0]


def test_parley_up_keeps_every_accepted_article_through_sigkills(tmp_path):
    articles = workload.good_articles(ARTICLES, seed=SEED, label="up-kill", max_chars=6000)
    records = [http_record(a) for a in articles]
    # Over HTTP an article is built by ingest: same id, same events as the workload expects.
    for article in {a.base_id: a for a in articles}.values():
        built = build_article(http_record(article)).to_message("2026-12-07T00:00:00.000000Z")
        assert built["article_id"] == article.article_id
        assert {e["event_id"] for e in process(built).events} == workload.expected_event_ids(article)
    expected = workload.expected_events(articles)

    up = Up(tmp_path, free_port())
    up.start()
    client = Client(up.port, records)
    sender = threading.Thread(target=client.run, daemon=True)
    started = time.monotonic()
    sender.start()
    kills: list[str] = []

    def wait_accepted(n: int) -> None:
        deadline = time.monotonic() + 300
        while len(client.accepted) < n and not client.done.is_set():
            assert time.monotonic() < deadline, f"only {len(client.accepted)} accepted:\n{up.output()[-3000:]}"
            time.sleep(0.2)

    plan = [name for _ in range(ROUNDS) for name in STAGES] + ["broker", "parley up"]
    for step, name in enumerate(plan, start=1):
        wait_accepted(ARTICLES * step // (len(plan) + 2))
        if name == "parley up":
            up.kill()
            up.start()
        else:
            up.kill_child(name)
        kills.append(name)
        time.sleep(2.0)

    sender.join(timeout=600)
    assert client.done.is_set(), f"the client did not finish: {len(client.accepted)} accepted"
    db, journal = tmp_path / "parley.db", tmp_path / "parley-journal.db"
    ours = {a.article_id for a in articles}
    deadline = time.monotonic() + 400
    while True:
        rows, by_article, article_rows = stored(db, ours)
        if client.accepted <= article_rows and set(rows) >= expected and journal_size(journal) == 0:
            break
        assert time.monotonic() < deadline, (  # noqa: PT018
            f"not settled: {len(client.accepted - article_rows)} accepted articles and "
            f"{len(expected - set(rows))} meetings missing, journal {journal_size(journal)}:\n{up.output()[-4000:]}")
        time.sleep(1.0)
    elapsed = time.monotonic() - started
    assert up.stop() == 128 + signal.SIGTERM

    tally = Tally.of(expected, rows)
    logs = "\n".join(up.output(run) for run in range(1, up.runs + 1))
    restarts = {name: logs.count(f"restarted worker {name}\n") for name in STAGES}
    print(f"\nparley up under SIGKILL: {len(client.accepted)} articles accepted over HTTP, {tally.expected} meetings "
          f"expected, {tally.stored_rows} stored; lost {len(tally.lost)}, doubled {len(tally.doubled)}, "
          f"unexpected {len(tally.unexpected)}; kills: {', '.join(kills)}; client retries {client.retries}; "
          f"workers restarted by parley up {restarts}, broker {logs.count('embedded broker exited')}; {elapsed:.0f} s")
    assert len(client.accepted) == ARTICLES
    assert client.accepted == article_rows, "articles stored that were not accepted, or accepted and missing"
    assert tally.exact, tally.problems()
    for article in articles:  # each article with exactly its own meetings
        assert sorted(by_article.get(article.article_id, [])) == sorted(workload.expected_event_ids(article))
    # Every kill was answered by the supervisor (the last one by starting parley up again).
    assert all(restarts[name] >= ROUNDS for name in STAGES), restarts
    assert "embedded broker exited" in logs
    assert "published again" in up.output()  # the restarted parley up re-published from the journal
