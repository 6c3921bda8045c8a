"""The alerts and notifier stages on the real pipeline (embedded broker) with a local webhook
receiver: a rule fires exactly once per matching change and is delivered (also when the
receiver fails the first tries; retries counted), what cannot be delivered is dead-lettered
with its reason, a notifier SIGKILLed mid-delivery loses nothing after its restart (repeats
carry the same idempotency key), and a bad rules file on reload leaves the old rules in force."""
from __future__ import annotations

import asyncio
import os
import time

import orjson
import pytest

from support.faults import dlq_records, metric_values, metrics_text, produce_records, read_topic, wait_all_ready
from support.harness import running_pipeline, settings_for
from support.stories_helpers import event, summit_reports
from support.webhook import Receiver
from parley.logic.alerts import event_alerts, parse_rules, story_alerts
from parley.logic.alerts.delivery import verify
from parley.logic.stories import StoryBook
from parley.progress import ProgressMonitor, wait_until_drained
from parley.schemas import validator

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(600)]

SECRET = "s3cret-for-the-test"


@pytest.fixture(autouse=True)
def hook_secret(monkeypatch):
    monkeypatch.setenv("HOOK_SECRET", SECRET)  # the workers inherit it


def summit() -> list[dict]:
    return summit_reports()[:5]  # held once


def calls(n: int, prefix: str = "call") -> list[dict]:
    return [event(f"{prefix}-{i}", kind="call", people=("Eva Stone", "Gus Park"), date=f"2024-03-{10 + i:02d}",
                  published=f"2024-03-{10 + i:02d}", evidence=f"Stone spoke by telephone with Park ({prefix} {i}).")
            for i in range(n)]


def write_rules(path, text: str) -> None:
    """Replace the file at once (a reader never sees half of it)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def settings_with(broker, topic_prefix, tmp_path, rules_path, **extra):
    options = dict(alert_rules=str(rules_path), alert_reload_seconds=0.5, alert_backoff=0.2, alert_backoff_max=1.0,
                   alert_max_attempts=4, alert_retry_budget=30.0, alert_timeout=10.0)
    options.update(extra)
    return settings_for(broker, topic_prefix, tmp_path, **options)


async def drain(settings, workers, stall_timeout: float = 120) -> None:
    """Wait until the stages running here (only) have committed everything."""
    monitor = ProgressMonitor(settings, names=tuple(w.name for w in workers.started))
    await monitor.start()
    try:
        await wait_until_drained(monitor, 0, check=workers.check, stall_timeout=stall_timeout)
    finally:
        await monitor.stop()


def in_order(events: list[dict]) -> list[tuple[str, bytes, bytes]]:
    """One key for all: one partition of events.meetings, so the stories stage sees them in this order."""
    return [("events.meetings", b"in-order", orjson.dumps(e)) for e in events]


def test_rules_fire_once_per_matching_change_and_are_delivered_retried_or_dead_lettered(broker, topic_prefix, tmp_path):
    with Receiver() as hook:
        hook.behave("/cancelled", fail_first=2, failure=503)  # the first two tries fail
        hook.behave("/gone", status=410)  # never accepts: not retried, dead-lettered
        rules_text = f"""version: 1
rules:
  - id: cancelled
    match: {{status_changes: [{{from: planned, to: cancelled}}]}}
    targets: [{{url: "{hook.url('/cancelled')}", format: json, secret_env: HOOK_SECRET}}]
  - id: calls
    source: events
    match: {{kinds: [call], countries: [FRA]}}
    targets: [{{url: "{hook.url('/calls')}", format: slack, secret_env: HOOK_SECRET}}]
  - id: gone
    match: {{changes: [new], countries: [ARM]}}
    targets: [{{url: "{hook.url('/gone')}", format: json}}]
  - id: never
    match: {{countries: [TUR]}}
    targets: [{{url: "{hook.url('/never')}", format: json}}]
"""
        rules_path = tmp_path / "rules.yaml"
        write_rules(rules_path, rules_text)
        rules = parse_rules(rules_text)
        settings = settings_with(broker, topic_prefix, tmp_path, rules_path)
        events = summit() + calls(3)
        # what the logic gives on these events in this order
        expected_cancelled = {a["idempotency_key"] for a in _story_alerts(rules, events) if a["rule_id"] == "cancelled"}
        expected_calls = {a["idempotency_key"] for e in events for a in event_alerts(rules, e)}
        assert len(expected_cancelled) == 2 and len(expected_calls) == 3

        with running_pipeline(settings, tmp_path, names=("stories", "alerts", "notifier")) as workers:
            wait_all_ready(workers)

            asyncio.run(produce_records(settings, in_order(events)))
            asyncio.run(drain(settings, workers))
            notifier_metrics = metrics_text(workers, "notifier")
            alerts_metrics = metrics_text(workers, "alerts")
        cancelled, calls_got, gone = hook.received("/cancelled"), hook.received("/calls"), hook.received("/gone")
        never = hook.received("/never")

        alert_records = asyncio.run(read_topic(settings, "alerts"))
        dead = asyncio.run(dlq_records(settings))

    print(f"\nalert delivery figures: /cancelled {[r.status for r in cancelled]}, /calls {len(calls_got)} requests "
          f"for {len(expected_calls)} alerts, /gone {[r.status for r in gone]}; alerts topic {len(alert_records)} "
          f"messages; dead letters from the notifier "
          f"{sum(1 for d in dead if d[2].get('parley-stage') == 'notifier')}")
    # Each matching change fired once: two planned -> cancelled changes, three call events.
    delivered = {r.key for r in cancelled if r.status == 200}
    assert delivered == expected_cancelled
    assert [r.status for r in cancelled].count(503) == 2 and len(cancelled) == 4  # 2 failed tries, 2 deliveries
    assert {r.key for r in calls_got} == expected_calls and len(calls_got) == 3  # no repeat without a fault
    assert not never
    # Retries are counted by rule; deliveries too.
    assert metric_values(notifier_metrics, "parley_alerts_retried_total") == {'{rule="cancelled"}': 2.0}
    delivered_counts = metric_values(notifier_metrics, "parley_alerts_delivered_total")
    assert delivered_counts['{rule="cancelled"}'] == 2 and delivered_counts['{rule="calls"}'] == 3
    matched = metric_values(alerts_metrics, "parley_alerts_matched_total")
    assert matched['{rule="cancelled"}'] == 2 and matched['{rule="calls"}'] == 3 and matched['{rule="gone"}'] == 1
    # Signed: the receiver verifies the HMAC of the body it got.
    for request in cancelled + calls_got:
        assert verify(request.body, SECRET, request.headers["X-Parley-Signature"])
    assert "X-Parley-Signature" not in gone[0].headers  # no secret_env: unsigned
    bodies = sorted((r.json() for r in cancelled if r.status == 200), key=lambda a: a["story"]["report_count"])
    assert [(a["rule_id"], a["previous_status"], a["status"]) for a in bodies] == [("cancelled", "planned", "cancelled")] * 2
    assert [a["evidence"]["url"] for a in bodies] == ["https://news.example/cancel-1", "https://news.example/cancel-2"]
    assert set(calls_got[0].json()) == {"text", "blocks"}
    # The alerts topic: valid messages keyed by alert id (2 + 3 + 1 for "gone").
    check = validator("alerts")
    assert len(alert_records) == 6
    for record in alert_records:
        alert = orjson.loads(record.value)
        assert check(alert) == [] and record.key == alert["alert_id"].encode()
    # The alert a 410 refused went to the dead-letter topic with the reason, through the shell.
    assert [r.status for r in gone] == [410]
    (key, value, headers), = [d for d in dead if d[2].get("parley-stage") == "notifier"]
    assert headers["parley-reason"] == "webhook_rejected" and "answered 410" in headers["parley-detail"]
    assert headers["parley-topic"].endswith("alerts") and orjson.loads(value)["rule_id"] == "gone"


def _story_alerts(rules, events):
    book = StoryBook()
    return [a for e in events for c in book.add(e) for a in story_alerts(rules, c.to_message())]


def test_a_notifier_sigkilled_mid_delivery_loses_no_alert_and_repeats_carry_the_same_key(broker, topic_prefix,
                                                                                          tmp_path):
    with Receiver() as hook:
        hook.behave("/held", hold=True)  # takes the requests and does not answer
        rules_text = f"""version: 1
rules:
  - id: all-calls
    source: events
    match: {{kinds: [call]}}
    targets: [{{url: "{hook.url('/held')}", format: json, secret_env: HOOK_SECRET}}]
"""
        rules_path = tmp_path / "rules.yaml"
        write_rules(rules_path, rules_text)
        rules = parse_rules(rules_text)
        events = calls(6, "killed")
        expected = {a["idempotency_key"] for e in events for a in event_alerts(rules, e)}
        settings = settings_with(broker, topic_prefix, tmp_path, rules_path, alert_timeout=120.0)
        with running_pipeline(settings, tmp_path, names=("alerts", "notifier")) as workers:
            wait_all_ready(workers)
            asyncio.run(produce_records(settings, [("events.meetings", e["article_id"].encode(), orjson.dumps(e))
                                                   for e in events]))
            hook.wait_for(lambda reqs: len(reqs) >= 1, 60, "a held request", check=workers.check)
            time.sleep(0.5)  # let the batch's other deliveries start too
            held = hook.received("/held")
            workers.kill("notifier")  # SIGKILL mid-delivery: nothing answered, nothing committed
            hook.release()  # from now on the receiver answers 200
            workers.restart("notifier")
            wait_all_ready(workers)
            hook.wait_for(lambda reqs: {r.key for r in reqs if r.status == 200} >= expected, 120,
                          "every alert delivered after the restart", check=workers.check)
            asyncio.run(drain(settings, workers, 60))
        requests = hook.received("/held")

    print(f"\nnotifier SIGKILL figures: {len(expected)} alerts, {len(held)} requests held when killed, "
          f"{len(requests)} requests in all, {len(set(r.key for r in requests))} distinct keys, "
          f"{sum(1 for r in requests if r.status == 200)} answered 200")
    assert held and all(r.status in (None, 200) for r in held)
    keys = [r.key for r in requests]
    assert set(keys) == expected  # no alert lost, none unexpected
    repeated = {k for k in keys if keys.count(k) > 1}
    assert {r.key for r in held} <= repeated  # the held ones were sent again after the restart
    for key in repeated:  # a repeat is the same alert: same idempotency key, same body, same signature
        same = [r for r in requests if r.key == key]
        assert len({r.body for r in same}) == 1
        assert len({r.headers["X-Parley-Signature"] for r in same}) == 1
        assert all(verify(r.body, SECRET, r.headers["X-Parley-Signature"]) for r in same)


def test_a_notifier_stopped_mid_delivery_exits_without_committing_and_the_next_one_delivers(broker, topic_prefix,
                                                                                             tmp_path):
    import signal

    with Receiver() as hook:
        hook.behave("/held", hold=True)
        rules_text = f"""version: 1
rules:
  - id: all-calls
    source: events
    match: {{kinds: [call]}}
    targets: [{{url: "{hook.url('/held')}", format: json}}]
"""
        rules_path = tmp_path / "rules.yaml"
        write_rules(rules_path, rules_text)
        events = calls(3, "stopped")
        expected = {a["idempotency_key"] for e in events for a in event_alerts(parse_rules(rules_text), e)}
        settings = settings_with(broker, topic_prefix, tmp_path, rules_path, alert_timeout=120.0)
        with running_pipeline(settings, tmp_path, names=("alerts", "notifier")) as workers:
            wait_all_ready(workers)
            asyncio.run(produce_records(settings, [("events.meetings", e["article_id"].encode(), orjson.dumps(e))
                                                   for e in events]))
            hook.wait_for(lambda reqs: len(reqs) >= 1, 60, "a held request", check=workers.check)
            started = time.monotonic()
            workers.kill("notifier", signal.SIGTERM)  # a clean stop, while the receiver holds the request
            stop_seconds = time.monotonic() - started
            code = workers.get("notifier").proc.returncode
            log = workers.get("notifier").log_tail(30)
            hook.release()
            workers.restart("notifier")
            hook.wait_for(lambda reqs: {r.key for r in reqs if r.status == 200} >= expected, 120,
                          "every alert delivered by the next notifier", check=workers.check)
    print(f"\nnotifier SIGTERM figures: stopped in {stop_seconds:.1f} s with code {code}")
    assert code == 75 and stop_seconds < 10, log
    assert "exiting without committing the batch" in log


def test_a_bad_rules_file_on_reload_is_refused_and_the_old_rules_stay_in_force(broker, topic_prefix, tmp_path):
    with Receiver() as hook:
        good = f"""version: 1
rules:
  - id: calls
    source: events
    match: {{kinds: [call]}}
    targets: [{{url: "{hook.url('/old')}", format: json, secret_env: HOOK_SECRET}}]
"""
        rules_path = tmp_path / "rules.yaml"
        write_rules(rules_path, good)
        settings = settings_with(broker, topic_prefix, tmp_path, rules_path)
        batches = [calls(1, "first"), calls(1, "second"), calls(1, "third")]

        def send(events):
            asyncio.run(produce_records(settings, [("events.meetings", e["article_id"].encode(), orjson.dumps(e))
                                                   for e in events]))

        with running_pipeline(settings, tmp_path, names=("alerts", "notifier")) as workers:
            wait_all_ready(workers)
            send(batches[0])
            hook.wait_for(lambda reqs: len(reqs) == 1, 60, "the first alert", check=workers.check)

            # A bad change (a misspelt status, a new URL): refused by both stages, old rules kept.
            bad = good.replace("kinds: [call]", "kinds: [call], statuses: [canceled]").replace("/old", "/new")
            write_rules(rules_path, bad)
            for name in ("alerts", "notifier"):
                _wait_log(workers, name, "refused", 30)
            send(batches[1])
            hook.wait_for(lambda reqs: len(reqs) == 2, 60, "the second alert, by the old rules", check=workers.check)
            refusals = {name: metric_values(metrics_text(workers, name), "parley_alert_rules_reloads_total")
                        for name in ("alerts", "notifier")}
            log = workers.get("alerts").log_tail(20)

            # A good change is put in force.
            write_rules(rules_path, good.replace("/old", "/new"))
            for name in ("alerts", "notifier"):
                _wait_log(workers, name, "reloaded", 30)
            send(batches[2])
            hook.wait_for(lambda reqs: len(reqs) == 3, 60, "the third alert, by the new rules", check=workers.check)
        paths = [r.path for r in hook.received()]

    assert paths == ["/old", "/old", "/new"]
    assert ("match.statuses[0]: 'canceled' is not one of occurred, planned, proposed, cancelled, denied "
            "(did you mean 'cancelled'?)") in log
    assert 'rule "calls" (rules[0])' in log and "the rules in force (version" in log
    for name in ("alerts", "notifier"):
        assert refusals[name] == {f'{{outcome="refused",stage="{name}"}}': 1.0}, refusals


def _wait_log(workers, name: str, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in workers.get(name).log_tail(200):
        workers.check()
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} did not log {text!r} within {timeout} s:\n{workers.get(name).log_tail(30)}")
        time.sleep(0.2)
