"""The streaming pipeline, stated once: which stage reads and writes which topic.

`parley worker`, `parley up`, the progress monitor, the benchmark and its chart read this
table; nothing else types the pipeline again. Topic names come from the registry
(parley.topics). Each stage's code is a small module beside this one (`module`), exposing
`make_stage(settings)`; the faust shell they all run in is `shell.py`.

    ingest ─▶ articles.raw ─▶ cleaner ─▶ articles.clean ─▶ tagger ─▶ articles.tagged
           ─▶ detector ─▶ events.meetings (+ articles.detected) ─▶ sink ─▶ database
                       events.meetings ─▶ stories ─▶ stories.reports ─▶ stories ─▶ events.stories ─▶ sink
          events.stories, events.meetings ─▶ alerts ─▶ alerts ─▶ notifier ─▶ webhooks

The alerts and notifier stages run only when an alert rules file is configured
(`StageSpec.needs`: the setting they need; `active_stages(settings)`).

Every stage also writes what it cannot handle to the dead-letter topic (not listed here).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from ..topics import ALERTS, CLEAN, DETECTED, MEETINGS, RAW, STORIES, STORY_REPORTS, TAGGED

log = logging.getLogger("parley.stages")


@dataclass(frozen=True)
class StageSpec:
    name: str  # worker name (`parley worker NAME`), metric label `stage`, DLQ header parley-stage
    inputs: tuple[str, ...]  # registry topics it consumes
    outputs: tuple[str, ...]  # registry topics it produces (besides the dead-letter topic)
    group: str  # consumer group = faust app id, before the deployment's topic prefix
    module: str  # the module whose make_stage(settings) builds it
    needs: str | None = None  # a Settings field that must be set for the stage to run (else always runs)

    def group_id(self, prefix: str = "") -> str:
        """The consumer group of this stage in a deployment; the prefix keeps deployments apart."""
        return f"{prefix}{self.group}"


CLEANER = StageSpec("cleaner", (RAW,), (CLEAN,), "parley-cleaner", "parley.stages.cleaner")
TAGGER = StageSpec("tagger", (CLEAN,), (TAGGED,), "parley-tagger", "parley.stages.tagger")
# The detector was called "meetings" until the stages were split: its consumer group keeps
# that name, so a deployed group's committed offsets still apply (renaming the group would
# re-read articles.tagged from the start, or skip it, per auto_offset_reset).
DETECTOR = StageSpec("detector", (TAGGED,), (MEETINGS, DETECTED), "parley-meetings", "parley.stages.detector")
# Reads its own output (stories.reports, the meetings re-keyed by story): see stages/stories.py.
STORIES_STAGE = StageSpec("stories", (MEETINGS, STORY_REPORTS), (STORY_REPORTS, STORIES), "parley-stories",
                          "parley.stages.stories")
SINK = StageSpec("sink", (MEETINGS, DETECTED, STORIES), (), "parley-sink", "parley.stages.sink")
# Alert rules (PARLEY_ALERT_RULES) matched against story changes and events; their delivery.
ALERTS_STAGE = StageSpec("alerts", (STORIES, MEETINGS), (ALERTS,), "parley-alerts", "parley.stages.alerts",
                         needs="alert_rules")
NOTIFIER = StageSpec("notifier", (ALERTS,), (), "parley-notifier", "parley.stages.notifier", needs="alert_rules")

STAGES: tuple[StageSpec, ...] = (CLEANER, TAGGER, DETECTOR, STORIES_STAGE, SINK, ALERTS_STAGE, NOTIFIER)
NAMES: tuple[str, ...] = tuple(spec.name for spec in STAGES)


def active_stages(settings) -> tuple[StageSpec, ...]:
    """The stages a deployment with these settings runs: every stage whose `needs` is set."""
    return tuple(spec for spec in STAGES if spec.needs is None or getattr(settings, spec.needs))

# Old worker names still accepted (with a warning) by `parley worker`.
DEPRECATED_NAMES = {"meetings": DETECTOR.name}


def canonical_name(name: str) -> str:
    """A stage's current name for `name`, warning when `name` is a deprecated alias."""
    new = DEPRECATED_NAMES.get(name)
    if new is None:
        return name
    log.warning("the stage %r is now called %r: use `parley worker %s` (%r will be removed)", name, new, new, name)
    return new


def stage_spec(name: str) -> StageSpec:
    for spec in STAGES:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown stage {name!r}; stages: {', '.join(NAMES)}")
