"""Delivery of alerts to webhooks: bodies, signature, backoff, rate limit (pure), and the
notifier stage's deliver hook against a local receiver (no broker): retries, what is not
retried, the dead-letter reasons, the rate limit delaying or dropping."""
from __future__ import annotations

import asyncio
import random
import time

import orjson
import pytest

from support.stories_helpers import event
from support.webhook import Receiver
from parley import metrics
from parley.config import Settings
from parley.logic.alerts import parse_rules, story_alerts
from parley.logic.alerts.delivery import (RetryPolicy, TokenBucket, body, retry_after, retryable, signature,
                                          slack_payload, verify)
from parley.logic.stories import StoryBook
from parley.stages.shell import Incoming

SECRET = "correct horse battery staple"


def an_alert(rule_id: str = "r", n: int = 0) -> dict:
    rules = parse_rules(f"version: 1\nrules:\n  - {{id: {rule_id}, targets: [{{url: 'http://x.example', format: json}}]}}\n")
    e = event(f"article-{rule_id}-{n}", status="planned", published="2024-03-01", place="Vienna", place_country="AUT",
              date="2024-03-12", people=("Ana Lund", "Boris Kane"), evidence="Lund & Kane <will> meet in Vienna.")
    return story_alerts(rules, StoryBook().add(e)[0].to_message())[0]


# ------------------------------------------------------------------ pure


def test_the_signature_is_the_hex_hmac_sha256_of_the_body():
    import hashlib
    import hmac

    payload = b'{"a":1}'
    assert signature(payload, SECRET) == "sha256=" + hmac.new(SECRET.encode(), payload, hashlib.sha256).hexdigest()
    assert verify(payload, SECRET, signature(payload, SECRET))
    assert not verify(payload + b" ", SECRET, signature(payload, SECRET))
    assert not verify(payload, "other", signature(payload, SECRET)) and not verify(payload, SECRET, None)


def test_the_json_body_is_the_alert_and_the_slack_body_has_text_and_blocks():
    alert = an_alert()
    assert orjson.loads(body(alert, "json")) == alert
    slack = orjson.loads(body(alert, "slack"))
    assert set(slack) == {"text", "blocks"} and slack["text"] == alert["summary"]
    assert [b["type"] for b in slack["blocks"]] == ["section", "section", "context"]
    assert slack["blocks"][1]["text"]["text"] == "> Lund &amp; Kane &lt;will&gt; meet in Vienna."  # Slack escaping
    context = slack["blocks"][2]["elements"][0]["text"]
    assert "<https://news.example/article-r-0|Example News>" in context and "rule `r`" in context
    assert slack_payload({**alert, "evidence": {**alert["evidence"], "url": None}})["blocks"][2]


def test_what_is_retried():
    assert all(retryable(s) for s in (None, 408, 429, 500, 502, 503, 504))
    assert not any(retryable(s) for s in (301, 400, 401, 403, 404, 410, 422))
    assert retry_after("7") == 7.0 and retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None and retry_after(None) is None


def test_backoff_doubles_up_to_the_cap_with_jitter_and_honours_retry_after():
    policy = RetryPolicy(initial=1.0, cap=8.0, jitter=0.5)
    rng = random.Random(1)
    for attempt, base in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (9, 8.0)]:
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        assert all(base / 2 <= d <= base for d in delays)
        assert max(delays) - min(delays) > base / 4  # jittered
    assert policy.delay(1, rng, hint=5.0) == 5.0 and policy.delay(1, rng, hint=100.0) == 8.0


def test_the_token_bucket_lets_bursts_through_then_delays_then_drops():
    bucket = TokenBucket(count=3, per=60, now=0.0)  # one token every 20 s
    assert [bucket.reserve(0.0, max_wait=30) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve(0.0, max_wait=30) == pytest.approx(20.0)  # waits for the next token
    assert bucket.reserve(0.0, max_wait=30) is None  # would wait 40 s: dropped, nothing taken
    assert bucket.reserve(10.0, max_wait=30) == pytest.approx(30.0)
    assert bucket.reserve(100.0, max_wait=0) == 0.0  # refilled


# ------------------------------------------------------------------ the notifier's deliver hook


def counter(metric, *labels) -> float:
    return metric.labels(*labels)._value.get()


@pytest.fixture
def notifier(tmp_path, monkeypatch):
    """make(rules_yaml) -> the notifier Stage, with fast retries."""
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    from parley.stages.notifier import make_stage

    def make(rules: str, **settings):
        path = tmp_path / "rules.yaml"
        path.write_text(rules)
        options = dict(alert_rules=str(path), alert_backoff=0.05, alert_backoff_max=0.2, alert_max_attempts=4,
                       alert_retry_budget=10.0, alert_timeout=3.0, alert_reload_seconds=0.1)
        options.update(settings)
        return make_stage(Settings(**options))
    return make


def rules_yaml(*rules: tuple[str, str, str]) -> str:
    lines = ["version: 1", "rules:"]
    for rule_id, targets, extra in rules:
        lines.append(f"  - {{id: {rule_id}, targets: [{targets}]{extra}}}")
    return "\n".join(lines) + "\n"


def target(url: str, fmt: str = "json") -> str:
    return f"{{url: '{url}', format: {fmt}, secret_env: HOOK_SECRET}}"


def deliver(stage, alerts: list[dict]) -> list[tuple[Incoming, BaseException]]:
    batch = [(Incoming("alerts", 0, n, a["alert_id"].encode()), orjson.dumps(a)) for n, a in enumerate(alerts)]
    for _origin, value in batch:
        assert stage.process("alerts", None, value) == []

    async def run():
        try:
            return await stage.deliver(batch)
        finally:
            await stage.on_stop()

    return asyncio.run(run())


def test_an_alert_is_delivered_signed_with_its_idempotency_key(notifier):
    with Receiver() as hook:
        slack_url = hook.url("/slack")
        stage_rules = rules_yaml(("d-ok", target(hook.url("/json")) + ", " + target(slack_url, "slack"), ""))
        alert = an_alert("d-ok")
        stage = notifier(stage_rules)
        assert deliver(stage, [alert]) == []
        json_request, = hook.received("/json")
        slack_request, = hook.received("/slack")
    assert json_request.body == orjson.dumps(alert) and json_request.json() == alert
    assert json_request.headers["X-Parley-Idempotency-Key"] == alert["idempotency_key"]
    assert json_request.headers["X-Parley-Alert-Id"] == alert["alert_id"]
    assert json_request.headers["X-Parley-Rule"] == "d-ok" and json_request.headers["X-Parley-Attempt"] == "1"
    assert verify(json_request.body, SECRET, json_request.headers["X-Parley-Signature"])
    assert set(slack_request.json()) == {"text", "blocks"}
    assert verify(slack_request.body, SECRET, slack_request.headers["X-Parley-Signature"])
    assert counter(metrics.ALERTS_DELIVERED, "d-ok") == 1


def test_a_receiver_failing_the_first_tries_gets_the_alert_and_the_retries_are_counted(notifier):
    with Receiver() as hook:
        hook.behave("/flaky", fail_first=2, failure=503)
        stage = notifier(rules_yaml(("d-flaky", target(hook.url("/flaky")), "")))
        alert = an_alert("d-flaky")
        assert deliver(stage, [alert]) == []
        requests = hook.received("/flaky")
    assert [r.status for r in requests] == [503, 503, 200]
    assert [r.headers["X-Parley-Attempt"] for r in requests] == ["1", "2", "3"]
    assert {r.key for r in requests} == {alert["idempotency_key"]} and len({r.body for r in requests}) == 1
    assert counter(metrics.ALERTS_RETRIED, "d-flaky") == 2
    assert counter(metrics.ALERTS_DELIVERED, "d-flaky") == 1


def test_a_4xx_is_not_retried_and_the_alert_is_dead_lettered_with_the_reason(notifier):
    with Receiver() as hook:
        hook.behave("/gone", status=410)
        hook.behave("/busy", fail_first=1, failure=429)
        stage = notifier(rules_yaml(("d-gone", target(hook.url("/gone")), ""), ("d-busy", target(hook.url("/busy")), "")))
        gone, busy = an_alert("d-gone"), an_alert("d-busy")
        failures = deliver(stage, [gone, busy])
        assert [r.status for r in hook.received("/gone")] == [410]
        assert [r.status for r in hook.received("/busy")] == [429, 200]  # 429 is retried
    (origin, error), = failures
    assert origin.offset == 0 and error.reason == "webhook_rejected"
    assert "target 1 (json, 127.0.0.1) answered 410; not tried again" in error.detail
    assert counter(metrics.ALERTS_DEAD_LETTERED, "d-gone", "webhook_rejected") == 1


def test_after_the_retry_budget_the_alert_is_dead_lettered(notifier):
    with Receiver() as hook:
        hook.behave("/down", status=503)
        stage = notifier(rules_yaml(("d-down", target(hook.url("/down")), "")), alert_max_attempts=3)
        failures = deliver(stage, [an_alert("d-down")])
        assert len(hook.received("/down")) == 3
    (_origin, error), = failures
    assert error.reason == "webhook_failed"
    assert "answered 503 after 3 tries" in error.detail and "budget: 3 tries" in error.detail
    assert counter(metrics.ALERTS_RETRIED, "d-down") == 2
    assert counter(metrics.ALERTS_DEAD_LETTERED, "d-down", "webhook_failed") == 1


def test_the_time_budget_stops_the_retries_too(notifier):
    with Receiver() as hook:
        hook.behave("/down", status=500)
        stage = notifier(rules_yaml(("d-budget", target(hook.url("/down")), "")), alert_max_attempts=50,
                      alert_backoff=0.2, alert_backoff_max=0.2, alert_retry_budget=0.5)
        started = time.monotonic()
        (_origin, error), = deliver(stage, [an_alert("d-budget")])
        assert time.monotonic() - started < 3
        assert 2 <= len(hook.received("/down")) <= 4
    assert error.reason == "webhook_failed"


def test_no_answer_is_retried_then_dead_lettered_without_naming_the_url_path(notifier):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stage = notifier(rules_yaml(("d-refused", target(f"http://127.0.0.1:{port}/T0/B0/secret-token"), "")),
                  alert_max_attempts=2)
    (_origin, error), = deliver(stage, [an_alert("d-refused")])
    assert error.reason == "webhook_failed" and "gave no answer (ClientConnectorError)" in error.detail
    assert "secret-token" not in error.detail


def test_an_alert_of_a_rule_no_longer_in_force_is_dead_lettered(notifier):
    stage = notifier(rules_yaml(("d-other", target("http://127.0.0.1:9/x"), "")))
    (_origin, error), = deliver(stage, [an_alert("d-removed")])
    assert error.reason == "unknown_rule" and "'d-removed'" in error.detail


def test_the_rate_limit_delays_alerts_within_max_delay_and_drops_the_rest(notifier):
    with Receiver() as hook:
        rules = rules_yaml(("d-slow", target(hook.url("/slow")), ", rate_limit: {count: 1, per: 0.4, max_delay: 1}"),
                           ("d-drop", target(hook.url("/drop")), ", rate_limit: {count: 2, per: 600, max_delay: 0}"))
        stage = notifier(rules)
        slow = [an_alert("d-slow", n) for n in range(3)]
        drop = [an_alert("d-drop", n) for n in range(3)]
        started = time.monotonic()
        failures = deliver(stage, slow + drop)
        took = time.monotonic() - started
        assert len(hook.received("/slow")) == 3 and len(hook.received("/drop")) == 2
    assert took >= 0.7  # the second and third slow alerts waited for their tokens (0.4 s each)
    (origin, error), = failures
    assert error.reason == "rate_limited" and origin.offset == 5
    assert counter(metrics.ALERTS_RATE_LIMITED, "d-slow", "delayed") == 2
    assert counter(metrics.ALERTS_RATE_LIMITED, "d-drop", "dropped") == 1
    assert counter(metrics.ALERTS_DEAD_LETTERED, "d-drop", "rate_limited") == 1


def test_alerts_of_one_story_are_sent_in_order(notifier):
    with Receiver() as hook:
        stage = notifier(rules_yaml(("d-order", target(hook.url("/o")), "")))
        first = an_alert("d-order")
        later = {**first, "alert_id": "al-" + "1" * 16, "idempotency_key": "1" * 64}
        assert deliver(stage, [first, later]) == []
        assert [r.key for r in hook.received("/o")] == [first["idempotency_key"], "1" * 64]


def test_a_notifier_refuses_rules_naming_an_unset_environment_variable(monkeypatch, notifier):
    monkeypatch.delenv("HOOK_SECRET")
    with pytest.raises(SystemExit, match="HOOK_SECRET is not set"):
        notifier(rules_yaml(("d-env", target("http://127.0.0.1:9/x"), "")))


def test_the_readme_signature_snippet_verifies_what_the_notifier_signs():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    snippet = re.search(r"```python\n(.*?def parley_signature_ok.*?)```", readme, re.S)
    assert snippet, "README has no signature verification snippet"
    scope: dict = {}
    exec(snippet.group(1), scope)  # noqa: S102 (our own README)
    check = scope["parley_signature_ok"]
    payload = body(an_alert(), "json")
    assert check(payload, SECRET, signature(payload, SECRET))
    assert not check(payload + b"\n", SECRET, signature(payload, SECRET))
    assert not check(payload, SECRET, None)
