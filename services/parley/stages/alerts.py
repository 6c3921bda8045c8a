"""The alerts stage: events.stories (and events.meetings) -> alerts, by the rules of PARLEY_ALERT_RULES.

Each story change is matched against the rules whose source is `stories`, each meeting
event against those whose source is `events` (parley.logic.alerts); every match is one
message on `alerts`, keyed by its alert id, carrying a deterministic idempotency key.
Stateless: a replayed change gives the same alert (same id, same key).

The rules file is read at start (a bad file: the worker refuses to start, naming the rule
and field) and checked again before each batch and every PARLEY_ALERT_RELOAD_SECONDS; a
changed file that does not pass is refused, logged and counted
(parley_alert_rules_reloads_total{outcome="refused"}), and the old rules stay in force.
"""
from __future__ import annotations

import asyncio
import logging

from .. import metrics
from ..codec import decode, encode
from ..config import Settings
from ..logic.alerts import RulesError, RulesFile, event_alerts, story_alerts
from ..topics import ALERTS, MEETINGS, STORIES
from . import ALERTS_STAGE
from .shell import Incoming, Outgoing, Stage

log = logging.getLogger("parley.alerts")


def rules_file(settings: Settings, stage: str, *, env=None) -> RulesFile:
    """The rules file of a stage, loaded (SystemExit with the file's problems when it is bad),
    logging and counting every reload."""
    started = {"yes": False}

    def loaded(rules) -> None:
        metrics.ALERT_RULES.labels(stage).set(len(rules.rules))
        if started["yes"]:
            metrics.ALERT_RULES_RELOADS.labels(stage, "loaded").inc()
            log.warning("%s: alert rules %s reloaded (version %s): %d rules: %s", stage, rules.source, rules.version,
                        len(rules.rules), ", ".join(r.id for r in rules.rules))

    def refused(error: RulesError) -> None:
        metrics.ALERT_RULES_RELOADS.labels(stage, "refused").inc()
        log.error("%s: the changed %s; the rules in force (version %s) stay", stage, error,
                  watcher.current.version if watcher.current else "none")

    if not settings.alert_rules:
        raise SystemExit(f"the {stage} stage needs an alert rules file: set PARLEY_ALERT_RULES to its path "
                         "(README, section Alerts)")
    watcher = RulesFile(settings.alert_rules, env=env, every=settings.alert_reload_seconds, on_loaded=loaded,
                        on_refused=refused)
    try:
        rules = watcher.load()
    except RulesError as exc:
        raise SystemExit(f"{stage}: {exc}") from None
    started["yes"] = True
    log.warning("%s: alert rules %s (version %s): %d rules: %s", stage, rules.source, rules.version, len(rules.rules),
                ", ".join(r.id for r in rules.rules))
    return watcher


def watch_task(watcher: RulesFile, every: float) -> tuple:
    """on_start/on_stop hooks running a task that checks the file between batches too, so a
    refused change is reported while the stage is idle."""
    box: dict = {}

    async def loop() -> None:
        while True:
            await asyncio.sleep(max(0.2, every))
            watcher.maybe_reload()

    async def on_start() -> None:
        box["task"] = asyncio.get_running_loop().create_task(loop())

    async def on_stop() -> None:
        task = box.pop("task", None)
        if task is not None:
            task.cancel()

    return on_start, on_stop


def make_stage(settings: Settings) -> Stage:
    watcher = rules_file(settings, ALERTS_STAGE.name)
    matched = {}

    def count(rule_id: str):
        if rule_id not in matched:
            matched[rule_id] = metrics.ALERTS_MATCHED.labels(rule_id)
        return matched[rule_id]

    def process(topic: str, _key: bytes | None, value: bytes) -> list[Outgoing]:
        rules = watcher.current
        message = decode(value, schema=STORIES if topic == STORIES else MEETINGS)  # a bad one: its reason
        if topic == STORIES:
            alerts = story_alerts(rules, message)
        else:
            alerts = event_alerts(rules, message) if rules.for_source("events") else []
        for alert in alerts:
            count(alert["rule_id"]).inc()
        return [Outgoing(ALERTS, alert["alert_id"].encode(), encode(alert)) for alert in alerts]

    async def prepare(_batch: list[Incoming]) -> None:
        watcher.maybe_reload()

    on_start, on_stop = watch_task(watcher, settings.alert_reload_seconds)
    return Stage(ALERTS_STAGE, process=process, prepare=prepare, on_start=on_start, on_stop=on_stop,
                 checks={"rules": lambda: watcher.current is not None})
