"""The alerting rules in deploy/alerts/ and the Alertmanager configuration are valid, tested,
documented, and name only metrics Parley exports.

- `promtool check rules` and `promtool test rules` (deploy/alerts/parley.rules.test.yml, input
  series for every alert firing and not firing) pass on the shipped files;
- every metric an expression names is one a Parley service (or `parley up`'s supervisor, or the
  Prometheus client's process collector every service serves) exports, or one of the few
  Prometheus itself produces; label matchers and `by (...)` labels are labels those metrics
  carry. Renaming a metric or a label in services/parley/metrics.py fails here;
- `amtool check-config` passes on deploy/alertmanager.yml and its routes send the watchdog to
  the watchdog receiver and everything else to the default one.

docker-compose wiring (mounts, rule_files, the alertmanager service) is in test_compose.py.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

from parley import metrics as metrics_module

ROOT = Path(__file__).resolve().parents[2]
ALERTS_DIR = ROOT / "deploy" / "alerts"
RULES_FILE = ALERTS_DIR / "parley.rules.yml"
RULES_TEST_FILE = ALERTS_DIR / "parley.rules.test.yml"
ALERTMANAGER_FILE = ROOT / "deploy" / "alertmanager.yml"
PROMETHEUS_FILE = ROOT / "deploy" / "prometheus.yml"
DEPLOY_README = ROOT / "deploy" / "README.md"

# Labels Prometheus adds to every scraped series (deploy/prometheus.yml: job, instance, and
# the static `service` label of each parley target).
TARGET_LABELS = {"job", "instance", "service"}
# Series Prometheus produces itself, not scraped from Parley, with their labels.
PROMETHEUS_BUILTINS = {
    "up": set(),
    "prometheus_rule_evaluation_failures_total": {"rule_group"},
}
SEVERITIES = {"critical", "warning", "none"}
PROMQL_WORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
                "offset", "bool", "inf", "nan"}


def run(*command: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=120)


def alerting_rules() -> list[dict]:
    groups = yaml.safe_load(RULES_FILE.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def rule_test_cases() -> list[dict]:
    tests = yaml.safe_load(RULES_TEST_FILE.read_text())["tests"]
    return [case for group in tests for case in group.get("alert_rule_test", [])]


# --------------------------------------------------------------------------- promtool


def test_the_rules_pass_promtool_check_rules(promtool):
    result = run(promtool, "check", "rules", RULES_FILE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alerting_rules())} rules found" in result.stdout


def test_the_rules_pass_their_promtool_unit_tests(promtool):
    # rule_files in the test file are relative to it; run from elsewhere to show it.
    result = run(promtool, "test", "rules", RULES_TEST_FILE, cwd=ROOT / "tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_unit_tests_test_these_rules():
    assert yaml.safe_load(RULES_TEST_FILE.read_text())["rule_files"] == [RULES_FILE.name]


def test_every_alert_is_tested_firing_and_not_firing():
    cases = rule_test_cases()
    for rule in alerting_rules():
        name, severity = rule["alert"], rule["labels"]["severity"]
        firing = [alert for case in cases if case["alertname"] == name for alert in case.get("exp_alerts") or []]
        assert any(alert["exp_labels"].get("severity") == severity for alert in firing), \
            f"no promtool test shows {name} (severity {severity}) firing"
        if name != "ParleyWatchdog":  # always fires, by design
            assert any(case["alertname"] == name and not case.get("exp_alerts") for case in cases), \
                f"no promtool test shows {name} not firing"


# --------------------------------------------------------------------------- what operators read


def test_every_alert_has_a_severity_a_summary_a_description_and_a_runbook():
    for rule in alerting_rules():
        assert rule["labels"].get("severity") in SEVERITIES, rule["alert"]
        for annotation in ("summary", "description", "runbook"):
            assert rule.get("annotations", {}).get(annotation, "").strip(), f"{rule['alert']}: no {annotation}"


def test_alerts_about_a_stage_or_topic_name_it_in_summary_and_description():
    """When an alert's labels carry the stage (or topic) from the series, its text says which:
    with the label, or with the one value the expression allows (`stage="sink"`)."""
    fired_labels: dict[str, set[str]] = {}
    for case in rule_test_cases():
        for alert in case.get("exp_alerts") or []:
            fired_labels.setdefault(case["alertname"], set()).update(alert["exp_labels"])
    for rule in alerting_rules():
        for label in ("stage", "topic"):
            if label in fired_labels.get(rule["alert"], set()) and label not in rule["labels"]:
                pinned = re.findall(rf'\b{label}="([a-z_.]+)"', rule["expr"])
                for annotation in ("summary", "description"):
                    text = rule["annotations"][annotation].lower()
                    assert f"$labels.{label}" in text or (len(pinned) == 1 and pinned[0] in text), \
                        f"{rule['alert']}: its {annotation} does not name the {label}"


def test_runbooks_name_only_parley_commands_that_exist():
    from parley.cli import build_parser

    sub_action = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    for rule in alerting_rules():
        for command in re.findall(r"\bparley ([a-z]+)", rule["annotations"]["runbook"]):
            assert command in sub_action.choices, f"{rule['alert']}: `parley {command}` is no command"


def test_every_alert_is_listed_in_the_deploy_readme():
    section = DEPLOY_README.read_text().split("## Alerts", 1)
    assert len(section) == 2, "deploy/README.md has no Alerts section"
    for name in {rule["alert"] for rule in alerting_rules()}:
        assert f"`{name}`" in section[1], f"{name} is not described in deploy/README.md"


# --------------------------------------------------------------------------- metric names


def exported_series() -> dict[str, set[str]]:
    """Series name -> label names of every series a Parley process serves: the families of the
    default registry once parley.metrics is imported (Parley's metrics and the client's process
    and platform collectors) and of `parley up`'s supervisor registry."""
    labels_of = {
        value._name: set(value._labelnames)
        for value in vars(metrics_module).values()
        if hasattr(value, "_labelnames") and hasattr(value, "_name")
    }
    suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created"),
                "summary": ("", "_sum", "_count", "_created")}
    series: dict[str, set[str]] = {}
    for registry in (REGISTRY, metrics_module.SUPERVISOR_REGISTRY):
        for family in registry.collect():
            labels = labels_of.get(family.name, set()) | ({"le"} if family.type == "histogram" else set())
            for suffix in suffixes.get(family.type, ("",)):
                series[family.name + suffix] = labels
            for sample in family.samples:
                series.setdefault(sample.name, labels | set(sample.labels))
    return series


def _strip_strings(expr: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)


def metric_selectors(expr: str) -> list[tuple[str, set[str]]]:
    """(metric name, label names matched) for every series selector of a PromQL expression."""
    expr = _strip_strings(expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges and subqueries: [10m], [1h:1m]
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    selectors = []
    for found in re.finditer(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*(\{[^}]*\})?\s*(\()?", expr):
        name, matchers, call = found.groups()
        if call or name.lower() in PROMQL_WORDS or re.fullmatch(r"\d+[smhdwy]", name):
            continue  # a function, a keyword, or the unit of an offset
        if expr[max(0, found.start() - 1)].isdigit():
            continue  # the tail of a number or duration (15m, 1e3)
        labels = set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)", matchers or ""))
        selectors.append((name, labels))
    return selectors


def grouping_clauses(expr: str) -> list[tuple[set[str], str]]:
    """(labels, argument) of every `AGG by (labels) (argument)` in the expression."""
    expr = _strip_strings(expr)
    clauses = []
    for found in re.finditer(r"\bby\s*\(([^)]*)\)\s*\(", expr):
        depth, end = 1, found.end()
        while depth and end < len(expr):
            depth += {"(": 1, ")": -1}.get(expr[end], 0)
            end += 1
        labels = {label.strip() for label in found.group(1).split(",") if label.strip()}
        clauses.append((labels, expr[found.end():end - 1]))
    return clauses


def unknown_metrics(expr: str, series: dict[str, set[str]]) -> list[str]:
    known = {**series, **PROMETHEUS_BUILTINS}
    problems = []
    for name, labels in metric_selectors(expr):
        if name not in known:
            problems.append(f"{name} is not exported by Parley nor a Prometheus built-in")
        elif not labels <= known[name] | TARGET_LABELS:
            problems.append(f"{name} has no label {sorted(labels - known[name] - TARGET_LABELS)}")
    for labels, argument in grouping_clauses(expr):
        for name, _ in metric_selectors(argument):
            if name in known and not labels <= known[name] | TARGET_LABELS:
                problems.append(f"by {sorted(labels)}: {name} has no label {sorted(labels - known[name] - TARGET_LABELS)}")
    return problems


def test_the_rules_name_only_metrics_and_labels_parley_exports():
    series = exported_series()
    assert "parley_consumer_lag" in series and "parley_dlq_messages_total" in series
    named = set()
    for rule in alerting_rules():
        named |= {name for name, _ in metric_selectors(rule["expr"])}
        assert not unknown_metrics(rule["expr"], series), (rule["alert"], unknown_metrics(rule["expr"], series))
    for required in ("parley_consumer_lag", "parley_dlq_messages_total", "parley_ready",
                     "parley_sink_rows_written_total", "up", "parley_end_to_end_latency_seconds_bucket",
                     "parley_sink_db_errors_total"):
        assert required in named, f"no rule watches {required}"


def test_the_rules_select_scrape_jobs_and_target_labels_prometheus_yml_defines():
    jobs = {job["job_name"]: job for job in yaml.safe_load(PROMETHEUS_FILE.read_text())["scrape_configs"]}
    selected = {job for rule in alerting_rules() for job in re.findall(r'\bjob="([^"]+)"', rule["expr"])}
    assert selected, "no rule watches a scrape job"
    assert selected <= set(jobs), f"jobs not scraped by deploy/prometheus.yml: {sorted(selected - set(jobs))}"
    for name in selected:
        # label_replace(..., "stage", "$1", "service", ...) reads the target's `service` label
        for group in jobs[name]["static_configs"]:
            assert group.get("labels", {}).get("service"), f"a target of job {name} has no service label"


@pytest.mark.parametrize("expr, problem", [
    ("parley_consumer_lags > 0", "parley_consumer_lags is not exported"),
    ('rate(parley_dlq_messages[5m]) > 0', "parley_dlq_messages is not exported"),
    ('parley_ready{state="sink"} == 0', "parley_ready has no label ['state']"),
    ("sum by (partition) (rate(parley_messages_in_total[5m])) > 1", "by ['partition']"),
    ("histogram_quantile(0.9, sum by (le) (rate(parley_end_to_end_latency_seconds[5m])))", "not exported"),
])
def test_the_metric_check_catches_a_renamed_metric_or_label(expr, problem):
    problems = unknown_metrics(expr, exported_series())
    assert any(problem in p for p in problems), problems


def test_the_metric_check_reads_offsets_durations_and_strings_as_such():
    expr = ('sum by (stage, reason) ((parley_dlq_messages_total{reason=~"bug_.+ or up"} unless '
            'parley_dlq_messages_total offset 15m) or increase(parley_dlq_messages_total[15m])) > 1e3')
    assert [name for name, _ in metric_selectors(expr)] == ["parley_dlq_messages_total"] * 3
    assert not unknown_metrics(expr, exported_series())


# --------------------------------------------------------------------------- Alertmanager


def test_the_alertmanager_config_passes_amtool(amtool):
    result = run(amtool, "check-config", ALERTMANAGER_FILE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("labels, receiver", [
    (["alertname=ParleyWatchdog", "severity=none"], "watchdog"),
    (["alertname=ParleySinkNotReady", "stage=sink", "severity=critical"], "default"),
    (["alertname=ParleyDeadLetterRate", "stage=cleaner", "reason=invalid_json", "severity=warning"], "default"),
])
def test_alertmanager_routes_the_watchdog_apart_and_everything_else_to_the_default_receiver(
        amtool, labels, receiver):
    result = run(amtool, "config", "routes", "test", f"--config.file={ALERTMANAGER_FILE}",
                 f"--verify.receivers={receiver}", *labels)
    assert result.returncode == 0, result.stdout + result.stderr


def test_alertmanager_groups_by_alert_and_stage_and_every_alert_has_a_severity_it_knows():
    config = yaml.safe_load(ALERTMANAGER_FILE.read_text())
    assert config["route"]["group_by"] == ["alertname", "stage"]
    used = {rule["labels"]["severity"] for rule in alerting_rules()}
    inhibited = {m for rule in config["inhibit_rules"] for m in rule.get("source_matchers", []) + rule.get("target_matchers", [])}
    assert {'severity="critical"', 'severity="warning"'} <= inhibited
    assert used <= SEVERITIES
