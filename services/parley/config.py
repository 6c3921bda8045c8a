"""Parley's configuration: one place that reads the environment.

Every setting has an environment variable (documented in the README) and a default that
works for the embedded, single-machine mode. Command-line flags override these by building
a new Settings with `dataclasses.replace`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not an integer; set it to a whole number or unset it") from None


def _env_float(name: str, default: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a number; set it to a number or unset it") from None


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SystemExit(f"{name}={raw!r} is not a boolean; use true or false")


def _env_fetch_wait() -> int | None:
    value = _env_int("PARLEY_FETCH_WAIT_MS", 0)
    if value < 0:
        raise SystemExit(f"PARLEY_FETCH_WAIT_MS={value} is negative; set milliseconds (e.g. 100) or unset it")
    return value or None


@dataclass(frozen=True)
class KafkaSecurity:
    """Client security settings, shared by faust and aiokafka clients."""

    protocol: str = "PLAINTEXT"  # PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
    sasl_mechanism: str | None = None  # PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)  # never printed
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None


@dataclass(frozen=True)
class Settings:
    bootstrap_servers: str | None = None  # None: `parley up` starts the embedded broker
    topic_prefix: str = ""
    partitions: int = 4
    database_url: str | None = field(default=None, repr=False)  # may hold a password
    sqlite_path: str = "parley.db"
    http_host: str = "127.0.0.1"
    http_port: int = 0  # 0: pick a free port (embedded mode); compose uses 9100
    ingest_port: int = 8080
    ingest_token: str | None = field(default=None, repr=False)
    # The read-only query API and analyst page (`parley worker api`, parley.api).
    api_host: str = "127.0.0.1"
    api_port: int = 8090
    api_token: str | None = field(default=None, repr=False)  # never printed
    kafka_idempotence: bool = False  # only Apache Kafka supports it; Tansu fails at start
    security: KafkaSecurity = field(default_factory=KafkaSecurity)
    max_article_chars: int = 1_000_000
    article_time_budget: float = 2.0  # seconds of logic per article before it is dead-lettered
    log_level: str = "WARNING"
    # Short group timeouts let workers join in seconds on the embedded broker; Apache Kafka
    # deployments keep the library defaults unless this is set.
    embedded_timeouts: bool = True
    batch_size: int = 200
    # After the first message of a batch arrives, a stage waits up to this long for more:
    # each hop holds a message that long at most (an idle stage waits with no timer at all).
    batch_within: float = 0.005
    # How long the broker may hold a stage's empty fetch; None: 100 ms embedded, 500 ms Kafka.
    # On Tansu a longer wait means fewer idle fetches but a longer tail latency per hop
    # (docs/benchmark.md); Apache Kafka answers as soon as data arrives.
    fetch_wait_ms: int | None = None
    # The acceptance journal (parley.journal): a SQLite file, or None/"off". `parley up` turns
    # it on by default (its broker keeps messages in memory only); a standalone ingest
    # against Apache Kafka leaves it off unless PARLEY_JOURNAL names a file.
    journal_path: str | None = None
    # Where a worker keeps faust's data folder (PARLEY_DATA_DIR); the temp directory when unset.
    # `parley up` points it into its run folder, which a clean stop removes.
    data_dir: str | None = None
    # Stories are closed this many days after their date (or latest report when undated).
    story_retention_days: int = 60
    # Alert rules (README, section Alerts): the YAML file; unset: no alerts and notifier stages.
    alert_rules: str | None = None
    alert_reload_seconds: float = 2.0  # how often the rules file is checked for a change
    alert_timeout: float = 10.0  # seconds one webhook POST may take
    alert_max_attempts: int = 6  # tries of one delivery, the first included
    alert_backoff: float = 1.0  # seconds before the second try, doubling up to alert_backoff_max
    alert_backoff_max: float = 60.0
    alert_retry_budget: float = 120.0  # no try starts later than this after the first: then the DLQ

    @classmethod
    def from_env(cls) -> "Settings":
        bootstrap = _env("KAFKA_BOOTSTRAP_SERVERS")
        return cls(
            bootstrap_servers=bootstrap,
            topic_prefix=_env("PARLEY_TOPIC_PREFIX", "") or "",
            partitions=_env_int("PARLEY_PARTITIONS", 4),
            database_url=_env("DATABASE_URL"),
            sqlite_path=_env("PARLEY_SQLITE_PATH", "parley.db") or "parley.db",
            http_host=_env("PARLEY_HTTP_HOST", "127.0.0.1") or "127.0.0.1",
            http_port=_env_int("PARLEY_HTTP_PORT", 0),
            ingest_port=_env_int("PARLEY_INGEST_PORT", 8080),
            ingest_token=_env("PARLEY_INGEST_TOKEN"),
            api_host=_env("PARLEY_API_HOST", "127.0.0.1") or "127.0.0.1",
            api_port=_env_int("PARLEY_API_PORT", 8090),
            api_token=_env("PARLEY_API_TOKEN"),
            kafka_idempotence=_env_bool("PARLEY_KAFKA_IDEMPOTENCE", False),
            security=KafkaSecurity(
                protocol=(_env("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT") or "PLAINTEXT").upper(),
                sasl_mechanism=_env("KAFKA_SASL_MECHANISM"),
                sasl_username=_env("KAFKA_SASL_USERNAME"),
                sasl_password=_env("KAFKA_SASL_PASSWORD"),
                ssl_cafile=_env("KAFKA_SSL_CAFILE"),
                ssl_certfile=_env("KAFKA_SSL_CERTFILE"),
                ssl_keyfile=_env("KAFKA_SSL_KEYFILE"),
            ),
            max_article_chars=_env_int("PARLEY_MAX_ARTICLE_CHARS", 1_000_000),
            article_time_budget=_env_float("PARLEY_ARTICLE_TIME_BUDGET", 2.0),
            log_level=(_env("PARLEY_LOG_LEVEL", "WARNING") or "WARNING").upper(),
            embedded_timeouts=_env_bool("PARLEY_EMBEDDED_TIMEOUTS", bootstrap is None),
            batch_size=_env_int("PARLEY_BATCH_SIZE", 200),
            batch_within=_env_float("PARLEY_BATCH_WITHIN", 0.005),
            fetch_wait_ms=_env_fetch_wait(),
            journal_path=_env("PARLEY_JOURNAL"),
            data_dir=_env("PARLEY_DATA_DIR"),
            story_retention_days=_env_int("PARLEY_STORY_RETENTION_DAYS", 60),
            alert_rules=_env("PARLEY_ALERT_RULES"),
            alert_reload_seconds=_env_float("PARLEY_ALERT_RELOAD_SECONDS", 2.0),
            alert_timeout=_env_float("PARLEY_ALERT_TIMEOUT", 10.0),
            alert_max_attempts=_env_int("PARLEY_ALERT_MAX_ATTEMPTS", 6),
            alert_backoff=_env_float("PARLEY_ALERT_BACKOFF", 1.0),
            alert_backoff_max=_env_float("PARLEY_ALERT_BACKOFF_MAX", 60.0),
            alert_retry_budget=_env_float("PARLEY_ALERT_RETRY_BUDGET", 120.0),
        )

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    def consumer_fetch_wait_ms(self) -> int:
        """The fetch wait of the stages' consumers (PARLEY_FETCH_WAIT_MS, else by broker)."""
        return self.fetch_wait_ms or (100 if self.embedded_timeouts else 500)

    def require_bootstrap(self) -> str:
        if not self.bootstrap_servers:
            raise SystemExit(
                "KAFKA_BOOTSTRAP_SERVERS is not set: point it at a broker (host:port), "
                "or use `parley up`, which starts an embedded broker"
            )
        return self.bootstrap_servers

    def env(self) -> dict[str, str]:
        """The environment that reproduces these settings in a child process."""
        sec = self.security
        pairs = {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "PARLEY_TOPIC_PREFIX": self.topic_prefix,
            "PARLEY_PARTITIONS": str(self.partitions),
            "DATABASE_URL": self.database_url,
            "PARLEY_SQLITE_PATH": self.sqlite_path,
            "PARLEY_HTTP_HOST": self.http_host,
            "PARLEY_HTTP_PORT": str(self.http_port),
            "PARLEY_INGEST_PORT": str(self.ingest_port),
            "PARLEY_INGEST_TOKEN": self.ingest_token,
            "PARLEY_API_HOST": self.api_host,
            "PARLEY_API_PORT": str(self.api_port),
            "PARLEY_API_TOKEN": self.api_token,
            "PARLEY_KAFKA_IDEMPOTENCE": str(self.kafka_idempotence).lower(),
            "KAFKA_SECURITY_PROTOCOL": sec.protocol,
            "KAFKA_SASL_MECHANISM": sec.sasl_mechanism,
            "KAFKA_SASL_USERNAME": sec.sasl_username,
            "KAFKA_SASL_PASSWORD": sec.sasl_password,
            "KAFKA_SSL_CAFILE": sec.ssl_cafile,
            "KAFKA_SSL_CERTFILE": sec.ssl_certfile,
            "KAFKA_SSL_KEYFILE": sec.ssl_keyfile,
            "PARLEY_MAX_ARTICLE_CHARS": str(self.max_article_chars),
            "PARLEY_ARTICLE_TIME_BUDGET": str(self.article_time_budget),
            "PARLEY_LOG_LEVEL": self.log_level,
            "PARLEY_EMBEDDED_TIMEOUTS": str(self.embedded_timeouts).lower(),
            "PARLEY_BATCH_SIZE": str(self.batch_size),
            "PARLEY_BATCH_WITHIN": str(self.batch_within),
            "PARLEY_FETCH_WAIT_MS": str(self.fetch_wait_ms) if self.fetch_wait_ms else None,
            "PARLEY_JOURNAL": self.journal_path,
            "PARLEY_DATA_DIR": self.data_dir,
            "PARLEY_STORY_RETENTION_DAYS": str(self.story_retention_days),
            "PARLEY_ALERT_RULES": self.alert_rules,
            "PARLEY_ALERT_RELOAD_SECONDS": str(self.alert_reload_seconds),
            "PARLEY_ALERT_TIMEOUT": str(self.alert_timeout),
            "PARLEY_ALERT_MAX_ATTEMPTS": str(self.alert_max_attempts),
            "PARLEY_ALERT_BACKOFF": str(self.alert_backoff),
            "PARLEY_ALERT_BACKOFF_MAX": str(self.alert_backoff_max),
            "PARLEY_ALERT_RETRY_BUDGET": str(self.alert_retry_budget),
        }
        return {k: v for k, v in pairs.items() if v is not None}
