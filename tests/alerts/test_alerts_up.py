"""`parley up` with an alert rules file starts the alerts and notifier stages, and `--once`
waits until the alerts are delivered: the webhook gets what `parley alerts test` predicts."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from support.harness import SEEDS
from support.webhook import Receiver
from parley.logic.alerts.delivery import verify

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
PARLEY = [sys.executable, "-m", "parley.cli"]


def test_up_once_with_a_rules_file_delivers_the_alerts_that_alerts_test_predicts(tmp_path):
    with Receiver() as hook:
        rules = tmp_path / "rules.yaml"
        rules.write_text(f"""version: 1
rules:
  - id: kerry-caucasus
    match: {{people: [Kerry], countries: {{any: [ARM, AZE]}}}}
    targets: [{{url: "{hook.url('/hook')}", format: json, secret_env: UP_HOOK_SECRET}}]
""")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "PARLEY_", "DATABASE_URL"))}
        env.update(PYTHONPATH=str(ROOT / "services"), PARLEY_SQLITE_PATH=str(tmp_path / "parley.db"),
                   PARLEY_ALERT_RULES=str(rules), UP_HOOK_SECRET="up-secret")
        predicted = tmp_path / "predicted.jsonl"
        subprocess.run(PARLEY + ["alerts", "test", str(rules), str(SEEDS), "-o", str(predicted)], env=env,
                       cwd=tmp_path, check=True, capture_output=True, timeout=120)
        expected = {orjson.loads(line)["idempotency_key"] for line in predicted.read_bytes().splitlines()}
        started = time.monotonic()
        run = subprocess.run(PARLEY + ["up", "--input", str(SEEDS), "--once"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=400)
        print(f"\nparley up --once with alert rules: {time.monotonic() - started:.1f} s wall")
        requests = hook.received("/hook")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "alerts, notifier" in run.stdout  # "started workers: cleaner, ..., sink, alerts, notifier"
    assert len(expected) == 2
    assert {r.key for r in requests} == expected  # delivered before --once returned
    assert all(verify(r.body, "up-secret", r.headers["X-Parley-Signature"]) for r in requests)
