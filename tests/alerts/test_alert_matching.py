"""Matching story changes and meeting events against alert rules, on invented stories built
by the stories' own StoryBook (the changes the stream publishes), and the alerts' keys."""
from __future__ import annotations

import pytest

from support.stories_helpers import SUMMIT, event, summit_reports
from parley.logic.alerts import event_alerts, parse_rules, story_alerts
from parley.logic.alerts.query import QueryError, parse as parse_query
from parley.logic.stories import StoryBook
from parley.schemas import validator



def rules_of(*rules: str):
    body = "".join(f"  - {rule}\n" for rule in rules)
    return parse_rules("version: 1\nrules:\n" + body, "test.yaml")


def rule(rule_id: str, match: str = "{}", source: str = "stories") -> str:
    return (f"{{id: {rule_id}, source: {source}, match: {match}, "
            f"targets: [{{url: 'http://127.0.0.1:9/x', format: json}}]}}")


def changes_of(events: list[dict]) -> list[dict]:
    """The events.stories messages a stream publishes for these events, in this order."""
    book = StoryBook()
    return [change.to_message() for e in events for change in book.add(e)]


def fired(rules, messages: list[dict]) -> list[tuple[str, str, str]]:
    return [(a["rule_id"], a["change"], a["status"]) for m in messages for a in story_alerts(rules, m)]


def summit_story() -> list[dict]:
    """Planned, cancelled, planned, cancelled, held twice (the shared test summit)."""
    return summit_reports()


def test_story_changes_carry_the_previous_status():
    messages = changes_of(summit_story())
    assert [(m["change"], m["previous_status"], m["status"]) for m in messages] == [
        ("new", None, "planned"), ("status_changed", "planned", "cancelled"),
        ("status_changed", "cancelled", "planned"), ("status_changed", "planned", "cancelled"),
        ("status_changed", "cancelled", "occurred"), ("report_added", "occurred", "occurred")]
    check = validator("events.stories")
    assert all(check(m) == [] for m in messages)


def test_a_status_change_rule_fires_once_per_matching_change():
    rules = rules_of(rule("cancelled", "{status_changes: [{from: planned, to: cancelled}]}"),
                     rule("any-to-occurred", "{status_changes: [{to: occurred}]}"),
                     rule("from-cancelled", "{status_changes: [{from: cancelled}]}"))
    assert fired(rules, changes_of(summit_story())) == [
        ("cancelled", "status_changed", "cancelled"),
        ("from-cancelled", "status_changed", "planned"),
        ("cancelled", "status_changed", "cancelled"),
        ("any-to-occurred", "status_changed", "occurred"), ("from-cancelled", "status_changed", "occurred")]


def test_a_status_returning_to_a_value_it_had_gives_another_key_and_a_replay_the_same_key():
    rules = rules_of(rule("cancelled", "{status_changes: [{from: planned, to: cancelled}]}"))
    messages = changes_of(summit_story())
    alerts = [a for m in messages for a in story_alerts(rules, m)]
    assert len(alerts) == 2 and alerts[0]["idempotency_key"] != alerts[1]["idempotency_key"]
    # A replay (the stories stage restarted: its state rebuilt, the same reports again).
    replayed = [a for m in changes_of(summit_story()) for a in story_alerts(rules, m)]
    assert [a["idempotency_key"] for a in replayed] == [a["idempotency_key"] for a in alerts]
    assert [a["alert_id"] for a in replayed] == [a["alert_id"] for a in alerts]
    assert alerts[0]["alert_id"] == "al-" + alerts[0]["idempotency_key"][:16]
    # Another rule on the same change: another key.
    other = rules_of(rule("cancelled-too", "{status_changes: [{from: planned, to: cancelled}]}"))
    assert story_alerts(other, messages[1])[0]["idempotency_key"] != alerts[0]["idempotency_key"]


def test_default_changes_are_new_stories_and_status_changes():
    rules = rules_of(rule("all-default"), rule("reports", "{changes: [report_added]}"))
    assert fired(rules, changes_of(summit_story())) == [
        ("all-default", "new", "planned"), ("all-default", "status_changed", "cancelled"),
        ("all-default", "status_changed", "planned"), ("all-default", "status_changed", "cancelled"),
        ("all-default", "status_changed", "occurred"), ("reports", "report_added", "occurred")]


@pytest.mark.parametrize(("match", "fires"), [
    ("{countries: [ARM]}", True),
    ("{countries: [TUR, AZE]}", True),
    ("{countries: [TUR]}", False),
    ("{countries: {all: [ARM, AZE]}}", True),
    ("{countries: {all: [ARM, TUR]}}", False),
    ("{countries: {any: [ARM], all: [AZE]}}", True),
    ("{people: [Kane]}", True),
    ("{people: ['Boris Kane']}", True),
    ("{people: ['President Boris Kane']}", True),
    ("{people: ['Ivo Kane']}", False),
    ("{people: {all: [Lund, Kane]}}", True),
    ("{people: {all: [Lund, Ito]}}", False),
    ("{orgs: [NATO]}", False),
    ("{kinds: [meeting]}", True),
    ("{kinds: [call, visit]}", False),
    ("{statuses: [planned]}", True),
    ("{statuses: [occurred]}", False),
    ("{min_confidence: 0.85}", True),
    ("{min_confidence: 0.95}", False),
    ("{text: 'lund'}", True),
    ("{text: 'planned -cancelled'}", True),
    ("{text: 'summit'}", False),
    ("{text: 'summit OR plan*'}", True),
])
def test_each_criterion_of_a_new_story(match, fires):
    new = changes_of([event("plan-1", status="planned", published="2024-03-01", confidence=0.9, **SUMMIT)])[0]
    assert bool(story_alerts(rules_of(rule("r", match)), new)) is fires


def test_organisations_match_folded():
    e = event("nato-1", kind="multilateral", orgs=("NATO",), people=("Eva Stone", "Gus Park"))
    new = changes_of([e])[0]
    assert story_alerts(rules_of(rule("r", "{orgs: [nato]}")), new)
    assert event_alerts(rules_of(rule("e", "{orgs: [NATO], kinds: [multilateral]}", "events")), e)


def test_the_text_query_looks_at_every_report_of_the_story():
    first = event("plan-1", status="planned", published="2024-03-01", evidence="The leaders will sign a border deal.",
                  **SUMMIT)
    second = event("cancel-1", status="cancelled", published="2024-03-05", evidence="The meeting was called off.",
                   **SUMMIT)
    messages = changes_of([first, second])
    rules = rules_of(rule("border", "{text: 'border deal', status_changes: [{to: cancelled}]}"))
    alerts = story_alerts(rules, messages[1])
    assert len(alerts) == 1
    # The evidence of the alert is the report that made the change (the cancellation).
    assert alerts[0]["evidence"]["text"] == "The meeting was called off."
    assert alerts[0]["evidence"]["url"] == "https://news.example/cancel-1"


def test_event_rules_match_events_and_story_rules_only_stories():
    e = event("call-1", kind="call", people=("Eva Stone", "Gus Park"), date="2024-03-10", published="2024-03-10",
              evidence="Stone spoke by telephone with Park.")
    rules = rules_of(rule("calls", "{kinds: [call], countries: [FRA]}", "events"), rule("stories-too"))
    alerts = event_alerts(rules, e)
    assert [(a["rule_id"], a["change"], a["source"]) for a in alerts] == [("calls", "reported", "events")]
    alert = alerts[0]
    assert alert["event_id"] == e["event_id"] and alert["story_id"] is None and alert["story"] is None
    assert alert["evidence"] == {"event_id": e["event_id"], "article_id": e["article_id"],
                                 "url": "https://news.example/call-1", "outlet": "Example News",
                                 "published_at": "2024-03-10", "text": "Stone spoke by telephone with Park.",
                                 "start": 0, "end": 10}
    # The same event detected again (another detected_at): the same key.
    again = {**e, "detected_at": "2024-03-11T10:00:00Z"}
    assert event_alerts(rules, again)[0]["idempotency_key"] == alert["idempotency_key"]
    # Its status read differently: another key.
    assert event_alerts(rules, {**e, "status": "planned"})[0]["idempotency_key"] != alert["idempotency_key"]
    assert [a["rule_id"] for m in changes_of([e]) for a in story_alerts(rules, m)] == ["stories-too"]


def test_alerts_are_valid_messages_of_the_alerts_topic():
    check = validator("alerts")
    rules = rules_of(rule("s", "{changes: [new, status_changed, report_added, closed, merged]}"),
                     rule("e", "{}", "events"))
    events = summit_story()
    alerts = [a for m in changes_of(events) for a in story_alerts(rules, m)]
    alerts += [a for e in events for a in event_alerts(rules, e)]
    assert len(alerts) == 12
    for alert in alerts:
        assert check(alert) == [], (alert["rule_id"], check(alert))
    assert check({**alerts[0], "story": None}) != []  # a story alert carries its story


def test_the_summary_says_what_happened():
    rules = rules_of(rule("cancelled", "{status_changes: [{from: planned, to: cancelled}]}"))
    alert = story_alerts(rules, changes_of(summit_story()[:2])[1])[0]
    assert alert["summary"] == ("[cancelled] Meeting ARM–AZE (Ana Lund, Boris Kane): now cancelled (was planned); "
                                "Vienna, 2024-03-12")


@pytest.mark.parametrize(("query", "text", "matches"), [
    ("ceasefire", "A CEASEFIRE was agreed.", True),
    ("ceasefire", "ceasefires were agreed", False),
    ("ceasefire*", "ceasefires were agreed", True),
    ('"peace deal"', "They signed a peace  deal.", True),
    ('"peace deal"', "a deal for peace", False),
    ("border talks", "talks on the border", True),
    ("border talks", "talks on trade", False),
    ("border OR trade", "talks on trade", True),
    ("talks -postponed", "talks were postponed", False),
    ('talks -"called off"', "talks were called off", False),
    ('talks -"called off"', "talks were held", True),
    ("cavusoglu", "Mevlüt Çavuşoğlu met Blinken", True),
    ("U.S.", "the U.S. envoy", True),
])
def test_text_queries(query, text, matches):
    assert parse_query(query).matches(text) is matches


@pytest.mark.parametrize(("query", "problem"), [
    ("", "empty"), ("OR talks", "OR must stand"), ("talks OR", "OR must stand"), ('"open', "not closed"),
    ("-talks", "not excluded"), ("- talks", "holds no word"), ("ta*lks", "'*' may only end"),
])
def test_bad_text_queries_say_why(query, problem):
    with pytest.raises(QueryError, match=problem):
        parse_query(query)
