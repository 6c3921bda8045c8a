"""`parley alerts check`, `parley alerts test`, and the refusal of a bad rules file by the
alerts and notifier workers and by `parley up`, before anything starts (no broker needed)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from support.harness import SEEDS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "alert-rules" / "rules.yml"
PARLEY = [sys.executable, "-m", "parley.cli"]

BAD = """version: 1
rules:
  - id: summits
    match:
      statuses: [planned]
    targets: [{url: "http://127.0.0.1:9/x", format: json}]
  - id: cancelled-calls
    match:
      kinds: [call]
      statuses: [canceled]
    targets: [{url: "http://127.0.0.1:9/x", format: json}]
"""
EXPECTED = ("rule \"cancelled-calls\" (rules[1]), match.statuses[0]: 'canceled' is not one of occurred, planned, "
            "proposed, cancelled, denied (did you mean 'cancelled'?)")


def run(args: list[str], env: dict | None = None, cwd=None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "services"), **(env or {})}
    return subprocess.run(PARLEY + args, capture_output=True, text=True, env=full_env, cwd=cwd or ROOT,
                          timeout=timeout)


def test_check_accepts_the_example_and_lists_what_the_notifier_needs():
    result = run(["alerts", "check", str(EXAMPLE)], env={"ALERT_WEBHOOK_SECRET": "", "SLACK_WEBHOOK_URL": ""})
    assert result.returncode == 0, result.stderr
    assert "3 rules, valid" in result.stdout
    assert "targets[0].url_env: the environment variable SLACK_WEBHOOK_URL is not set" in result.stdout


def test_check_refuses_a_bad_file_naming_the_rule_and_the_field(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text(BAD)
    result = run(["alerts", "check", str(bad)])
    assert result.returncode == 2
    assert f"alert rules {bad} refused (1 problem):" in result.stderr
    assert EXPECTED in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("stage", ["alerts", "notifier"])
def test_a_worker_refuses_to_start_on_a_bad_rules_file(tmp_path, stage):
    bad = tmp_path / "rules.yaml"
    bad.write_text(BAD)
    result = run(["worker", stage], env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "PARLEY_ALERT_RULES": str(bad)},
                 timeout=60)
    assert result.returncode != 0
    assert EXPECTED in result.stderr and "Traceback" not in result.stderr


def test_a_worker_without_a_rules_file_says_which_setting_it_needs():
    result = run(["worker", "alerts"], env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "PARLEY_ALERT_RULES": ""},
                 timeout=60)
    assert result.returncode != 0 and "set PARLEY_ALERT_RULES" in result.stderr


def test_up_refuses_a_bad_rules_file_before_starting_anything(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text(BAD)
    result = run(["up", "--once", "--input", str(SEEDS)], env={"PARLEY_ALERT_RULES": str(bad),
                                                                "KAFKA_BOOTSTRAP_SERVERS": ""}, cwd=tmp_path)
    assert result.returncode != 0
    assert EXPECTED in result.stderr and "parley alerts check" in result.stderr
    assert "embedded broker" not in result.stdout and "started workers" not in result.stdout


def test_up_refuses_rules_naming_an_unset_environment_variable(tmp_path):
    result = run(["up", "--once", "--input", str(SEEDS)],
                 env={"PARLEY_ALERT_RULES": str(EXAMPLE), "ALERT_WEBHOOK_SECRET": "", "SLACK_WEBHOOK_URL": "x",
                      "KAFKA_BOOTSTRAP_SERVERS": ""}, cwd=tmp_path)
    assert result.returncode != 0
    assert "targets[0].secret_env: the environment variable ALERT_WEBHOOK_SECRET is not set" in result.stderr


def test_alerts_test_shows_which_rules_fire_on_articles_and_sends_nothing(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("""version: 1
rules:
  - id: kerry-caucasus
    match: {people: [Kerry], countries: {any: [ARM, AZE]}}
    targets: [{url: "http://127.0.0.1:9/never-called", format: json}]
  - id: planned-multilateral
    source: events
    match: {kinds: [multilateral], statuses: [planned]}
    targets: [{url_env: UNSET_URL_VARIABLE, format: slack}]
  - id: nothing
    match: {countries: [BRA]}
    targets: [{url: "http://127.0.0.1:9/never-called", format: json}]
""")
    out = tmp_path / "alerts.jsonl"
    result = run(["alerts", "test", str(rules), str(SEEDS), "--output", str(out)], env={"COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    alerts = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    fired = sorted((a["rule_id"], a["source"], a["change"]) for a in alerts)
    assert fired == [("kerry-caucasus", "stories", "new"), ("kerry-caucasus", "stories", "new"),
                     ("planned-multilateral", "events", "reported"), ("planned-multilateral", "events", "reported")]
    assert "kerry-caucasus" in result.stdout and "Kerry" in result.stdout
    assert "4 alerts from 2 of 3 rules; no alert from nothing" in result.stdout
    from parley.schemas import validator

    assert all(validator("alerts")(a) == [] for a in alerts)
