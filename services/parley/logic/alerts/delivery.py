"""What the notifier sends and when it tries again: pure functions, no network.

- `body(alert, format)`: the bytes POSTed. `json`: the alert message itself (schemas/alerts.json);
  `slack`: a Slack incoming-webhook body, `{"text": ..., "blocks": [...]}`.
- `signature(body, secret)`: `sha256=<hex HMAC-SHA256 of the body with the secret>`, sent as
  `X-Parley-Signature`; a receiver recomputes it over the raw body it got.
- `RetryPolicy`: exponential backoff with jitter and a retry budget (attempts and seconds);
  `retryable(status)`: 408, 429 and 5xx are tried again, other 4xx (and 3xx) are not.
- `TokenBucket`: a rule's rate limit.
"""
from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass

import orjson

SIGNATURE_HEADER = "X-Parley-Signature"
IDEMPOTENCY_HEADER = "X-Parley-Idempotency-Key"
MAX_SLACK_EVIDENCE = 600


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str | None) -> bool:
    """What a receiver does (constant-time comparison)."""
    return bool(header) and hmac.compare_digest(signature(body, secret), header)


def headers(alert: dict, body: bytes, secret: str | None, attempt: int) -> dict[str, str]:
    out = {
        "Content-Type": "application/json",
        "User-Agent": "parley-notifier/1",
        IDEMPOTENCY_HEADER: alert["idempotency_key"],
        "X-Parley-Alert-Id": alert["alert_id"],
        "X-Parley-Rule": alert["rule_id"],
        "X-Parley-Attempt": str(attempt),
    }
    if secret is not None:
        out[SIGNATURE_HEADER] = signature(body, secret)
    return out


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(alert: dict) -> dict:
    """A Slack incoming-webhook message: `text` (the notification line, and what clients
    without blocks show) and `blocks` (the summary, the evidence quoted, a link to the article)."""
    evidence = alert.get("evidence") or {}
    quote = (evidence.get("text") or "").strip()
    if len(quote) > MAX_SLACK_EVIDENCE:
        quote = quote[:MAX_SLACK_EVIDENCE - 1] + "…"
    link = evidence.get("url")
    outlet = evidence.get("outlet") or "the article"
    source = f"<{link}|{_slack_escape(outlet)}>" if link else _slack_escape(outlet)
    context = [f"rule `{_slack_escape(alert['rule_id'])}`", source]
    if evidence.get("published_at"):
        context.append(_slack_escape(str(evidence["published_at"])))
    subject = alert.get("story_id") or alert.get("event_id")
    context.append(f"`{subject}`")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{_slack_escape(alert['summary'])}*"}}]
    if quote:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "> " + _slack_escape(quote).replace("\n", "\n> ")}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]})
    return {"text": alert["summary"], "blocks": blocks}


def body(alert: dict, format: str) -> bytes:
    if format == "slack":
        return orjson.dumps(slack_payload(alert))
    if format == "json":
        return orjson.dumps(alert)
    raise ValueError(f"unknown webhook format {format!r}")


def retryable(status: int | None) -> bool:
    """None (no answer: connection refused, reset, timeout), 408, 429 and 5xx are worth another try."""
    return status is None or status in (408, 429) or status >= 500


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header given in seconds (an HTTP date is ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6  # tries in all, the first included
    initial: float = 1.0  # seconds before the second try; doubles each time ...
    cap: float = 60.0  # ... up to this
    budget: float = 120.0  # no new try starts later than this after the first
    jitter: float = 0.5  # the part of each delay drawn at random ("equal jitter")

    def delay(self, attempt: int, rng: random.Random | None = None, hint: float | None = None) -> float:
        """Seconds to wait after failed try number `attempt` (1-based); `hint` (Retry-After)
        is honoured up to `cap`."""
        base = min(self.cap, self.initial * (2 ** (attempt - 1)))
        wait = base * (1 - self.jitter) + (rng or random).random() * base * self.jitter
        if hint is not None:
            wait = max(wait, min(self.cap, hint))
        return wait


class TokenBucket:
    """`count` alerts per `per` seconds, in bursts of up to `count`.

    `reserve(now, max_wait)` takes a token and returns how long to wait for it (0 when one is
    there); when the wait would exceed `max_wait` it takes nothing and returns None (the alert
    is dropped). Tokens taken ahead of time make later waits longer: waiting alerts keep
    their order."""

    def __init__(self, count: int, per: float, now: float):
        self.capacity = float(count)
        self.rate = count / per
        self.tokens = float(count)
        self.updated = now

    def reserve(self, now: float, max_wait: float) -> float | None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        wait = (1 - self.tokens) / self.rate
        if wait > max_wait:
            return None
        self.tokens -= 1
        return wait
