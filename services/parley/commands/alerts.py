"""`parley alerts check RULES.yaml` and `parley alerts test RULES.yaml ARTICLES...`.

`check` validates a rules file (as the alerts and notifier stages do when they load it) and
says which environment variables its targets need. `test` runs the articles through the
in-process pipeline (parley.logic.pipeline.process: clean, tag, detect; then the stories'
StoryBook, fed in publication order as `parley process --stories` does) and shows which
rules would fire, on which event or story change, with which idempotency key. Nothing is sent.
"""
from __future__ import annotations

import os
import sys
from collections import Counter

from rich.table import Table
from rich.text import Text

from ..config import Settings
from ..logic.alerts import RulesError, event_alerts, load_rules, story_alerts
from ..render import wide_console


def refuse_bad_rules(path: str) -> None:
    """What `parley up` does before starting anything: SystemExit naming the rule and field
    when the file is bad or names an environment variable (a target's URL or secret) that is
    unset (the notifier it starts would refuse the file)."""
    try:
        rules = load_rules(path)
        missing = rules.missing_environment(os.environ)
        if missing:
            raise RulesError(path, missing)
    except RulesError as exc:
        raise SystemExit(f"parley up: {exc}\n(PARLEY_ALERT_RULES; `parley alerts check {path}` checks a file)") from None


def check(path: str) -> int:
    console = wide_console()
    try:
        rules = load_rules(path)
    except RulesError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    console.print(f"{path}: {len(rules.rules)} rules, valid (version {rules.version})", highlight=False)
    for rule in rules.rules:
        formats = ", ".join(t.label for t in rule.targets)
        limit = f"; at most {rule.rate_limit.count} per {rule.rate_limit.per:g} s" if rule.rate_limit else ""
        console.print(f"  {rule.id} ({rule.source}): {formats}{limit}", highlight=False, soft_wrap=True)
    for rule in rules.rules:
        for target in rule.targets:
            if target.format == "json" and not target.secret_env:
                console.print(f"  note: rule {rule.id} {target.label} is not signed (no secret_env): a receiver "
                              "cannot tell its alerts from forged ones", highlight=False, soft_wrap=True)
    missing = rules.missing_environment(os.environ)
    if missing:
        console.print("  the notifier will refuse this file unless these are set in its environment:", highlight=False)
        for line in missing:
            console.print(f"    {line}", highlight=False, soft_wrap=True)
    return 0


def test(settings: Settings, rules_path: str, paths: list[str], *, output: str | None = None) -> int:
    from .process import missing_paths, process_articles

    if missing_paths(paths):
        return 2
    try:
        rules = load_rules(rules_path)
    except RulesError as exc:
        print(str(exc), file=sys.stderr)
        return 2

    from ..logic.stories import MergeRules, Report, StoryBook
    from ..stages.sink_store import write_jsonl

    console = wide_console()
    done = process_articles(settings, paths, console)
    events, articles = done.events, done.articles
    alerts = []
    for event in events:
        alerts += event_alerts(rules, event)
    book = StoryBook(MergeRules(retention_days=settings.story_retention_days))
    changes = 0
    for event in sorted(events, key=lambda e: Report.from_event(e).order):
        for change in book.add(event):
            changes += 1
            alerts += story_alerts(rules, change.to_message())

    table = Table(title=f"Alerts that would fire (nothing sent) — {rules_path}", header_style="bold")
    for column in ("rule", "on", "change", "story / event", "summary", "evidence", "key"):
        table.add_column(column, overflow="fold")
    for alert in alerts:
        evidence = alert["evidence"]
        where = evidence.get("url") or evidence.get("article_id") or ""
        cells = (alert["rule_id"], alert["source"], alert["change"], alert["story_id"] or alert["event_id"],
                 alert["summary"], f"{(evidence.get('text') or '')[:160]} ({where})", alert["idempotency_key"][:16])
        table.add_row(*(Text(str(cell)) for cell in cells))  # Text: "[rule]" is no markup
    console.print(table)
    fired = Counter(a["rule_id"] for a in alerts)
    silent = [r.id for r in rules.rules if r.id not in fired]
    console.print(f"{articles} articles, {len(events)} events, {changes} story changes: {len(alerts)} alerts from "
                  f"{len(fired)} of {len(rules.rules)} rules"
                  + (f"; no alert from {', '.join(silent)}" if silent else ""), highlight=False, soft_wrap=True)
    if output:
        write_jsonl(alerts, output)
        console.print(f"wrote {len(alerts)} alerts to {output}", highlight=False)
    return 0
