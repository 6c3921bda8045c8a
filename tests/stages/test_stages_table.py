"""The STAGES table: one statement of the pipeline that the CLI, `parley up`, the progress
monitor and the benchmark read. No broker needed."""
from __future__ import annotations

import importlib
import logging

import pytest

from parley import topics
from parley.cli import WORKERS, build_parser
from parley.stages import DETECTOR, NAMES, STAGES, stage_spec


def test_the_pipeline_is_connected_from_articles_raw_to_the_sink():
    produced = {topics.RAW}
    for spec in STAGES:
        # a stage may read what it writes itself (stories re-keys the meetings for itself)
        assert set(spec.inputs) <= produced | set(spec.outputs), f"{spec.name} reads a topic no earlier stage writes"
        produced |= set(spec.outputs)
    assert produced | {topics.DLQ} == set(topics.ALL)
    assert all(t in topics.ALL for spec in STAGES for t in spec.inputs + spec.outputs)


def test_names_and_consumer_groups_are_unique():
    assert len(set(NAMES)) == len(STAGES)
    assert len({spec.group for spec in STAGES}) == len(STAGES)


def test_consumer_groups_are_the_deployed_ones():
    # The detector was the "meetings" worker: its group keeps the name so that a deployed
    # group's committed offsets still apply.
    assert DETECTOR.group_id("prod.") == "prod.parley-meetings"
    assert {spec.name: spec.group_id() for spec in STAGES} == {
        "cleaner": "parley-cleaner", "tagger": "parley-tagger", "detector": "parley-meetings",
        "stories": "parley-stories", "sink": "parley-sink", "alerts": "parley-alerts", "notifier": "parley-notifier"}


def test_the_alert_stages_run_only_with_a_rules_file():
    from parley.commands.workers import PIPELINE, pipeline
    from parley.config import Settings
    from parley.progress import ProgressMonitor

    assert PIPELINE == ("cleaner", "tagger", "detector", "stories", "sink")
    assert pipeline(Settings()) == PIPELINE
    assert pipeline(Settings(alert_rules="rules.yaml")) == PIPELINE + ("alerts", "notifier")
    # the progress monitor waits only for the stages that run
    assert [s.name for s in ProgressMonitor(Settings()).specs] == list(PIPELINE)


@pytest.mark.parametrize("spec", STAGES, ids=lambda s: s.name)
def test_every_stage_module_builds_its_stage(spec):
    assert callable(importlib.import_module(spec.module).make_stage)


def test_parley_worker_offers_every_stage_ingest_and_the_api():
    assert WORKERS == NAMES + ("ingest", "api")
    for name in WORKERS:
        assert build_parser().parse_args(["worker", name]).name == name


def test_the_old_worker_name_meetings_still_runs_the_detector_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="parley.stages"):
        args = build_parser().parse_args(["worker", "meetings"])
    assert args.name == "detector"
    assert stage_spec(args.name) is DETECTOR
    assert any("parley worker detector" in r.getMessage() for r in caplog.records)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["worker", "nosuchstage"])
