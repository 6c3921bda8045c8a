"""The notifier stage: alerts -> webhooks (the targets of each alert's rule), at least once.

For each alert of a batch, after `process` has checked it against schemas/alerts.json, the
shell's `deliver` hook POSTs it to every target of its rule (parley.logic.alerts.delivery):
a `json` body (the alert itself) or a `slack` body, with `X-Parley-Signature: sha256=<HMAC>`
(when the target names a secret) and `X-Parley-Idempotency-Key`.

- Retries: no answer, 408, 429 and 5xx are tried again with exponential backoff and jitter
  (Retry-After honoured), up to PARLEY_ALERT_MAX_ATTEMPTS tries and PARLEY_ALERT_RETRY_BUDGET
  seconds; other answers (3xx, 4xx) are not. An alert that is not delivered to every target
  goes to the dead-letter topic with its reason (`webhook_failed`, `webhook_rejected`,
  `rate_limited`, `unknown_rule`), through the shell's dead-letter path.
- Rate limit: a token bucket per rule (`rate_limit` in the rules file). An alert over the
  rate waits for a token up to the rule's `max_delay` (default 60 s); one that would wait
  longer is dropped: not sent, dead-lettered with reason `rate_limited` (`parley dlq
  --republish` sends it later). The bucket lives in this process (a restart refills it).
- Offsets are committed only after every alert of the batch was delivered or dead-lettered
  (the shell commits after `deliver`), so a worker killed mid-delivery sends the batch again
  after its restart: the receiver sees the same idempotency key and can drop the repeat. A
  worker asked to stop (SIGTERM) mid-delivery exits at once without committing (exit code 75),
  like the sink with its database away: the batch is sent again by the next notifier.
- Order: alerts are keyed by alert id, so two alerts of one story may sit on different
  partitions and no order between them is promised. Within a batch, the alerts of one story
  (or event) are sent one after the other, those of different stories concurrently (up to
  CONCURRENCY at a time). Each alert carries the whole story (`report_count`, `timeline`):
  a receiver that cares orders by those.
"""
from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from datetime import datetime

from .. import metrics
from ..codec import decode
from ..config import Settings
from ..logic.alerts.delivery import RetryPolicy, TokenBucket, body, headers, retry_after, retryable
from ..logic.alerts.rules import Rule, Target
from ..logic.errors import Rejected
from ..topics import ALERTS
from . import NOTIFIER
from .alerts import rules_file, watch_task
from .shell import Incoming, Stage, stopping

log = logging.getLogger("parley.notifier")

CONCURRENCY = 8  # stories whose alerts are being delivered at once


def make_stage(settings: Settings) -> Stage:
    # The notifier resolves the targets' URLs and secrets from its environment: a rules file
    # naming a variable that is unset here is refused (at start, and on reload).
    watcher = rules_file(settings, NOTIFIER.name, env=os.environ)
    policy = RetryPolicy(max_attempts=max(1, settings.alert_max_attempts), initial=settings.alert_backoff,
                         cap=settings.alert_backoff_max, budget=settings.alert_retry_budget)
    buckets: dict[str, tuple[object, TokenBucket]] = {}
    rng = random.Random()
    box: dict = {}

    def process(_topic: str, _key: bytes | None, value: bytes) -> list:
        decode(value, schema=ALERTS)  # a message that is no alert is dead-lettered at once
        return []

    async def session():
        import aiohttp

        if box.get("session") is None or box["session"].closed:
            box["session"] = aiohttp.ClientSession()
        return box["session"]

    def exit_uncommitted(why: str) -> None:
        # Asked to stop mid-delivery: exit before faust can commit the batch (its take_events
        # acks a batch whose agent is cancelled); the next notifier sends the batch again, with
        # the same idempotency keys. Waiting for retries would hold the shutdown.
        log.error("stopping while %s: exiting without committing the batch; its alerts will be sent again", why)
        logging.shutdown()
        os._exit(75)

    async def pause(seconds: float, why: str) -> None:
        deadline = time.monotonic() + seconds
        while True:
            if stopping():
                exit_uncommitted(why)
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(min(0.2, left))

    async def post(alert: dict, rule: Rule, target: Target) -> Rejected | None:
        import aiohttp

        try:
            url, secret = target.resolve(os.environ)
        except KeyError as exc:
            return Rejected("missing_environment", f"{target.label}: the environment variable {exc} is not set")
        payload = body(alert, target.format)
        client = await session()
        loop = asyncio.get_running_loop()
        first = loop.time()
        last = "not tried"
        attempt = 0
        while attempt < policy.max_attempts:
            attempt += 1
            hint = None
            try:
                async with client.post(url, data=payload, headers=headers(alert, payload, secret, attempt),
                                       allow_redirects=False,
                                       timeout=aiohttp.ClientTimeout(total=settings.alert_timeout)) as answer:
                    status = answer.status
                    hint = retry_after(answer.headers.get("Retry-After"))
                    await answer.read()
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                status, last = None, f"gave no answer ({type(exc).__name__})"
            else:
                if 200 <= status < 300:
                    return None
                last = f"answered {status}"
                if not retryable(status):
                    return Rejected("webhook_rejected", f"{target.label} {last}; not tried again (only no answer, "
                                                        "408, 429 and 5xx are)")
            if attempt >= policy.max_attempts:
                break
            delay = policy.delay(attempt, rng, hint)
            if loop.time() - first + delay > policy.budget:
                break
            metrics.ALERTS_RETRIED.labels(rule.id).inc()
            log.warning("alert %s (rule %s): %s %s on try %d; trying again in %.1f s", alert["alert_id"], rule.id,
                        target.label, last, attempt, delay)
            await pause(delay, f"waiting to try alert {alert['alert_id']} again")
        return Rejected("webhook_failed", f"{target.label} {last} after {attempt} tries in "
                                          f"{loop.time() - first:.1f} s (budget: {policy.max_attempts} tries, "
                                          f"{policy.budget:g} s)")

    def bucket(rule: Rule) -> TokenBucket:
        held = buckets.get(rule.id)
        if held is None or held[0] != rule.rate_limit:  # new rule, or its limit changed on reload
            held = buckets[rule.id] = (rule.rate_limit, TokenBucket(rule.rate_limit.count, rule.rate_limit.per,
                                                                    time.monotonic()))
        return held[1]

    def give_up(alert: dict, error: Rejected) -> Rejected:
        metrics.ALERTS_DEAD_LETTERED.labels(alert["rule_id"], error.reason).inc()
        log.warning("alert %s (rule %s) not delivered: %s: %s", alert["alert_id"], alert["rule_id"], error.reason,
                    error.detail)
        return error

    async def deliver_one(alert: dict) -> Rejected | None:
        rule = watcher.current.get(alert["rule_id"])
        if rule is None:
            return give_up(alert, Rejected("unknown_rule", f"rule {alert['rule_id']!r} is not in the rules in force "
                                                           f"(version {watcher.current.version})"))
        if rule.rate_limit is not None:
            limit = rule.rate_limit
            wait = bucket(rule).reserve(time.monotonic(), limit.max_delay)
            if wait is None:
                metrics.ALERTS_RATE_LIMITED.labels(rule.id, "dropped").inc()
                return give_up(alert, Rejected("rate_limited", f"over {limit.count} alerts per {limit.per:g} s and "
                                                               f"a token would take more than {limit.max_delay:g} s"))
            if wait > 0:
                metrics.ALERTS_RATE_LIMITED.labels(rule.id, "delayed").inc()
                await pause(wait, f"alert {alert['alert_id']} waits for its rule's rate limit")
        problems = [p for p in await asyncio.gather(*(post(alert, rule, t) for t in rule.targets)) if p is not None]
        if problems:
            return give_up(alert, Rejected(problems[0].reason, "; ".join(p.detail for p in problems)))
        metrics.ALERTS_DELIVERED.labels(rule.id).inc()
        try:
            matched = datetime.fromisoformat(alert["matched_at"].replace("Z", "+00:00")).timestamp()
            metrics.ALERT_DELIVERY_SECONDS.observe(max(0.0, time.time() - matched))
        except (KeyError, ValueError):
            pass
        return None

    async def deliver(accepted: list[tuple[Incoming, bytes]]) -> list[tuple[Incoming, BaseException]]:
        watcher.maybe_reload()
        groups: dict[str, list[tuple[Incoming, dict]]] = {}
        for origin, value in accepted:
            alert = decode(value)
            groups.setdefault(alert.get("story_id") or alert.get("event_id") or alert["alert_id"], []).append(
                (origin, alert))
        failed: list[tuple[Incoming, BaseException]] = []
        gate = asyncio.Semaphore(CONCURRENCY)

        async def run(items: list[tuple[Incoming, dict]]) -> None:
            async with gate:
                for origin, alert in items:
                    problem = await deliver_one(alert)
                    if problem is not None:
                        failed.append((origin, problem))

        work = asyncio.ensure_future(asyncio.gather(*(run(items) for items in groups.values())))
        try:
            while not work.done():
                await asyncio.wait({work}, timeout=0.2)
                if stopping() and not work.done():
                    exit_uncommitted(f"delivering {len(accepted)} alerts")
        except asyncio.CancelledError:
            exit_uncommitted(f"delivering {len(accepted)} alerts (cancelled)")
        work.result()
        return failed

    watch_start, watch_stop = watch_task(watcher, settings.alert_reload_seconds)

    async def on_stop() -> None:
        await watch_stop()
        client = box.pop("session", None)
        if client is not None:
            await client.close()

    return Stage(NOTIFIER, process=process, deliver=deliver, on_start=watch_start, on_stop=on_stop,
                 checks={"rules": lambda: watcher.current is not None})
