"""The alert rules file: what is accepted, what is refused and how the refusal reads (rule
id and field), and reloading (a bad new file leaves the old rules in force)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from parley.logic.alerts import RulesError, RulesFile, load_rules, parse_rules

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "alert-rules" / "rules.yml"

GOOD = """
version: 1
rules:
  - id: cancelled
    match:
      countries: [TUR]
      status_changes: [{from: planned, to: cancelled}]
    targets:
      - {url: "http://127.0.0.1:9/hook", format: json, secret_env: HOOK_SECRET}
"""


def refused(text: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        parse_rules(text, "rules.yaml")
    return caught.value.errors


def one_rule(match: str = "{}", targets: str = '[{url: "http://h.example/x", format: json}]', extra: str = "") -> str:
    return f"version: 1\nrules:\n  - id: r1\n    match: {match}\n    targets: {targets}\n{extra}"


def test_the_shipped_example_file_is_valid():
    rules = load_rules(EXAMPLE)
    assert [r.id for r in rules.rules] == ["turkey-cancelled", "caucasus-blinken-kerry", "announced-summits"]
    assert rules.get("announced-summits").source == "events"
    assert rules.get("caucasus-blinken-kerry").rate_limit.count == 10


def test_a_good_file_compiles_with_defaults():
    rules = parse_rules(GOOD)
    rule = rules.get("cancelled")
    assert rule.source == "stories"
    assert rule.match.changes == {"new", "status_changed"}
    assert rule.match.status_changes == (("planned", "cancelled"),)
    assert rule.targets[0].secret_env == "HOOK_SECRET" and rule.rate_limit is None
    assert len(rules.version) == 12


@pytest.mark.parametrize(("text", "expected"), [
    (one_rule("{statuses: [canceled]}"),
     "rule \"r1\" (rules[0]), match.statuses[0]: 'canceled' is not one of occurred, planned, proposed, cancelled, "
     "denied (did you mean 'cancelled'?)"),
    (one_rule("{statuss: [planned]}"), "rule \"r1\" (rules[0]), match: unknown field 'statuss' (did you mean 'statuses'?)"),
    (one_rule("{countries: [tur]}"), "rule \"r1\" (rules[0]), match.countries[0]: 'tur' is not an ISO 3166 alpha-3"),
    (one_rule("{countries: {any: [TUR], none: [USA]}}"), "rule \"r1\" (rules[0]), match.countries: unknown field 'none'"),
    (one_rule("{min_confidence: 1.5}"), "rule \"r1\" (rules[0]), match.min_confidence: 1.5 is greater than"),
    (one_rule(targets="[]"), "rule \"r1\" (rules[0]), targets: [] should be non-empty"),
    (one_rule(targets='[{url: "ftp://x", format: json}]'), "targets[0].url: 'ftp://x' is not an http:// or https:// URL"),
    (one_rule(targets='[{url: "http://x.example", format: teams}]'), "targets[0].format: 'teams' is not one of json, slack"),
    (one_rule(targets='[{url: "http://x.example", url_env: HOOK, format: json}]'),
     "rule \"r1\" (rules[0]), targets[0]: give exactly one of url"),
    (one_rule(targets='[{url: "http://x.example", format: json, secret_env: "my secret"}]'),
     "targets[0].secret_env: 'my secret' is not the name of an environment variable"),
    (one_rule("{text: 'border OR'}"), "rule \"r1\" (rules[0]), match.text: OR must stand between two terms"),
    (one_rule('{text: \'"peace deal\'}'), "match.text: a quotation mark (\") is not closed"),
    (one_rule("{status_changes: [{from: planned, to: planned}]}"), "match.status_changes[0]: from and to are both"),
    (one_rule("{status_changes: [{}]}"), "match.status_changes[0]: {} should be non-empty"),
    (one_rule("{status_changes: [{to: cancelled}], changes: [new]}"), "match.changes: status_changes only match"),
    (one_rule(extra="    source: events\n").replace("match: {}", "match: {changes: [new]}"),
     "rule \"r1\" (rules[0]), match.changes: an events rule matches meeting events"),
    (one_rule(extra="    rate_limit: {count: 0, per: 60}\n"), "rate_limit.count: 0 is less than the minimum of 1"),
    (one_rule(extra="    rate_limit: {count: 5}\n"), "rule \"r1\" (rules[0]), rate_limit: missing field 'per'"),
    (one_rule().replace("id: r1", "id: 'bad id'"), "rule \"bad id\" (rules[0]), id: 'bad id' is not a rule id"),
    (one_rule().replace("    targets:", "    targes:"), "rule \"r1\" (rules[0]): unknown field 'targes' (did you mean 'targets'?)"),
    ("version: 2\nrules: []\n", "version: 2: this Parley reads version 1 of the rules format"),
    ("rules: []\n", "(top level): missing field 'version'"),
    ("", "the file is empty"),
    ("version: 1\nrules:\n  - id: [unclosed\n", "line 4, column 1: not valid YAML"),
    ("version: 1\nversion: 1\nrules: []\n", "line 2, column 1: the key 'version' is given twice"),
])
def test_a_bad_file_is_refused_naming_the_rule_and_the_field(text, expected):
    errors = refused(text)
    assert any(expected in e for e in errors), errors


def test_two_rules_with_one_id_are_refused():
    text = GOOD + GOOD.split("rules:\n", 1)[1]
    assert any('rule "cancelled" (rules[1]), id: the id is already used by rules[0]' in e for e in refused(text))


def test_every_problem_is_reported_at_once_and_the_message_names_the_file():
    text = one_rule("{statuses: [canceled], kinds: [summit]}")
    with pytest.raises(RulesError) as caught:
        parse_rules(text, "ops/rules.yaml")
    message = str(caught.value)
    assert message.startswith("alert rules ops/rules.yaml refused (2 problems):")
    assert "match.kinds[0]" in message and "match.statuses[0]" in message


def test_a_target_whose_environment_variable_is_unset_is_reported():
    rules = parse_rules(GOOD)
    assert rules.missing_environment({}) == [
        'rule "cancelled" (rules[0]), targets[0].secret_env: the environment variable HOOK_SECRET is not set']
    assert rules.missing_environment({"HOOK_SECRET": "s3cret"}) == []


def test_a_target_is_named_without_its_url_which_may_be_a_secret():
    rules = parse_rules(one_rule(targets='[{url_env: SLACK_URL, format: slack}, '
                                         '{url: "https://hooks.example/T0/B0/XXXX", format: json}]'))
    labels = [t.label for t in rules.get("r1").targets]
    assert labels == ["target 1 (slack, $SLACK_URL)", "target 2 (json, hooks.example)"]


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_reload_puts_a_good_change_in_force_and_refuses_a_bad_one_keeping_the_old_rules(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD)
    clock, loaded, refusals = Clock(), [], []
    watcher = RulesFile(path, every=2.0, clock=clock, on_loaded=loaded.append, on_refused=refusals.append)
    first = watcher.load()
    assert watcher.current is first and len(loaded) == 1

    path.write_text(GOOD.replace("[TUR]", "[tur]"))
    clock.now = 1.0
    assert watcher.maybe_reload() is False and not refusals  # not yet: checked every 2 s
    clock.now = 2.5
    assert watcher.maybe_reload() is False
    assert watcher.current is first  # the old rules stay in force
    assert len(refusals) == 1 and "match.countries[0]: 'tur'" in str(refusals[0])
    assert watcher.last_error is refusals[0]
    clock.now = 5.0
    assert watcher.maybe_reload() is False and len(refusals) == 1  # the same bad content: said once

    path.write_text(GOOD.replace("[TUR]", "[TUR, GRC]"))
    clock.now = 7.5
    assert watcher.maybe_reload() is True
    assert watcher.current.get("cancelled").match.countries_any == {"TUR", "GRC"}
    assert watcher.last_error is None and len(loaded) == 2

    path.unlink()
    clock.now = 10.0
    assert watcher.maybe_reload() is False
    assert "cannot read the file" in str(refusals[-1]) and watcher.current.get("cancelled") is not None


def test_a_watcher_with_an_environment_refuses_rules_naming_unset_variables(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD)
    with pytest.raises(RulesError, match="HOOK_SECRET is not set"):
        RulesFile(path, env={}).load()
    assert RulesFile(path, env={"HOOK_SECRET": "x"}).load().get("cancelled")


def test_the_rules_schema_is_a_valid_draft_2020_12_schema():
    import json

    from jsonschema import Draft202012Validator

    from parley.logic.alerts.rules import SCHEMA_FILE

    Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text()))
    assert os.path.basename(SCHEMA_FILE) == "rules.schema.json"


def test_whatever_the_file_holds_parsing_raises_only_rules_errors():
    import yaml
    from hypothesis import given, settings, strategies as st

    leaves = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=16),
                       st.sampled_from(["TUR", "tur", "planned", "json", "slack", "http://x.example", "events",
                                        "OR", '"a', "-x", "x*", ""]))
    keys = st.sampled_from(["version", "rules", "id", "match", "targets", "countries", "any", "all", "people",
                            "statuses", "status_changes", "from", "to", "text", "url", "url_env", "format",
                            "secret_env", "rate_limit", "count", "per", "max_delay", "source", "changes", "kinds",
                            "min_confidence", "orgs", "other"])
    values = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(keys, inner, max_size=4)), max_leaves=25)

    @settings(max_examples=300, deadline=None)
    @given(st.dictionaries(keys, values, max_size=4), st.booleans())
    def check(document, wrap_rule):
        if wrap_rule:
            document = {"version": 1, "rules": [document]}
        text = yaml.safe_dump(document)
        try:
            parse_rules(text)
        except RulesError as exc:
            assert exc.errors and all(isinstance(e, str) and e for e in exc.errors)

    check()
