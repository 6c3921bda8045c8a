"""A broker that dies is noticed at once: every service's /readyz turns 503 and ingest answers
503 to new articles (before the broker watch, /readyz said ready for over a minute and ingest
answered 503 only after aiokafka's 40 s request timeout)."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from support.faults import wait_all_ready
from support.harness import get, running_pipeline, settings_for
from parley.broker import EmbeddedBroker, free_port

pytestmark = [pytest.mark.broker, pytest.mark.timeout(300)]


def _post(port: int) -> int:
    body = json.dumps({"url": "https://example.org/watch", "text": "The ministers met in Vienna on Monday."})
    request = urllib.request.Request(f"http://127.0.0.1:{port}/articles", data=body.encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_dead_broker_turns_readiness_false_and_ingest_to_503_at_once(tmp_path):
    broker = EmbeddedBroker().start()
    try:
        ingest_port = free_port()
        settings = settings_for(broker.bootstrap, "", tmp_path, ingest_port=ingest_port)
        with running_pipeline(settings, tmp_path, names=("cleaner", "ingest")) as workers:
            wait_all_ready(workers)
            assert _post(ingest_port) == 202
            broker.stop()  # the broker is gone (its process killed and reaped)
            died = time.monotonic()
            answered = _post(ingest_port)
            post_seconds = time.monotonic() - died
            not_ready = {}
            while len(not_ready) < 2 and time.monotonic() - died < 30:
                for name in ("cleaner", "ingest"):
                    status, body = get(f"http://127.0.0.1:{workers.get(name).port()}/readyz")
                    if status == 503 and name not in not_ready:
                        not_ready[name] = (round(time.monotonic() - died, 2), json.loads(body)["checks"])
                time.sleep(0.05)
            print(f"\nbroker gone: ingest answered {answered} after {post_seconds:.2f} s; "
                  f"/readyz 503 after (s): { {k: v[0] for k, v in not_ready.items()} }")
            assert answered == 503
            assert post_seconds < 10  # not aiokafka's 40 s request timeout
            assert set(not_ready) == {"cleaner", "ingest"}
            assert all(checks["broker"] is False for _seconds, checks in not_ready.values())
    finally:
        broker.stop()
