"""Every Prometheus metric Parley exports, defined once.

Each service process serves these on its own `/metrics` endpoint (see services/http.py);
`stage` is ingest or the name of a stage of parley.stages.STAGES (cleaner, tagger, detector,
stories, sink, alerts, notifier).
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Processing of a message takes well under a millisecond to a few hundred; latency from
# ingest to the sink's commit spans milliseconds to minutes when a stage is catching up.
_PROCESSING_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

MESSAGES_IN = Counter("parley_messages_in", "Messages consumed by a stage", ["stage"])
MESSAGES_OUT = Counter("parley_messages_out", "Messages produced by a stage", ["stage"])
FAILURES = Counter("parley_failures", "Messages a stage could not handle, by reason", ["stage", "reason"])
DLQ_MESSAGES = Counter("parley_dlq_messages", "Messages sent to the dead-letter topic", ["stage", "reason"])
PROCESSING_SECONDS = Histogram(
    "parley_processing_seconds", "Time a stage spends on one message", ["stage"], buckets=_PROCESSING_BUCKETS
)
END_TO_END_SECONDS = Histogram(
    "parley_end_to_end_latency_seconds",
    "Time from ingest to the sink's database commit, per meeting event and article",
    buckets=_LATENCY_BUCKETS,
)
CONSUMER_LAG = Gauge(
    "parley_consumer_lag", "Fetch high-watermark minus committed offset", ["stage", "topic", "partition"]
)
SINK_ROWS = Counter("parley_sink_rows_written", "Rows upserted by the sink", ["table"])
SINK_DB_ERRORS = Counter("parley_sink_db_errors", "Database errors met by the sink (retried)", ["error"])
READY = Gauge("parley_ready", "1 when the service is ready to do its work", ["stage"])
# The query API (parley.api): requests by route and status, the open /stream connections and
# the stories they sent.
API_REQUESTS = Counter("parley_api_requests", "Query API requests answered", ["route", "status"])
API_STREAMS = Gauge("parley_api_streams", "Open /stream (Server-Sent Events) connections")
API_STREAMED = Counter("parley_api_streamed_stories", "Stories sent on /stream connections")

# Alerts (README, section Alerts): the alerts stage matches, the notifier delivers; `rule` is the rule id.
ALERTS_MATCHED = Counter("parley_alerts_matched", "Alerts published: a rule matched a story change or an event",
                         ["rule"])
ALERTS_DELIVERED = Counter("parley_alerts_delivered", "Alerts every webhook target of their rule accepted (2xx)",
                           ["rule"])
ALERTS_RETRIED = Counter("parley_alerts_retried", "Webhook POSTs tried again after a failure (408, 429, 5xx, no answer)",
                         ["rule"])
ALERTS_DEAD_LETTERED = Counter("parley_alerts_dead_lettered",
                               "Alerts sent to the dead-letter topic instead of delivered, by reason",
                               ["rule", "reason"])
ALERTS_RATE_LIMITED = Counter("parley_alerts_rate_limited",
                              "Alerts over their rule's rate limit: delayed (waited for a token) or dropped (DLQ)",
                              ["rule", "outcome"])
ALERT_DELIVERY_SECONDS = Histogram("parley_alert_delivery_seconds",
                                   "Time from an alert's match to its delivery to every target",
                                   buckets=_LATENCY_BUCKETS)
ALERT_RULES = Gauge("parley_alert_rules", "Alert rules in force", ["stage"])
ALERT_RULES_RELOADS = Counter("parley_alert_rules_reloads",
                              "Rules file changes seen: loaded (now in force) or refused (the old rules stay)",
                              ["stage", "outcome"])

# `parley up`'s own metrics (its supervisor): a registry of their own, so that the workers'
# /metrics do not carry empty copies of them.
SUPERVISOR_REGISTRY = CollectorRegistry(auto_describe=True)
WORKER_RESTARTS = Counter("parley_worker_restarts", "Worker processes restarted by parley up after they exited",
                          ["stage"], registry=SUPERVISOR_REGISTRY)
BROKER_RESTARTS = Counter("parley_broker_restarts", "Embedded broker restarts by parley up after it exited",
                          registry=SUPERVISOR_REGISTRY)
JOURNAL_ARTICLES = Gauge("parley_journal_articles",
                         "Accepted articles the sink has not stored yet (waiting), or given up on (set_aside)",
                         ["state"], registry=SUPERVISOR_REGISTRY)
JOURNAL_REPUBLISHED = Counter("parley_journal_republished", "Journalled articles published again by parley up",
                              registry=SUPERVISOR_REGISTRY)
