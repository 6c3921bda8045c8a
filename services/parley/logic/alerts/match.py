"""Which rules a story change or a meeting event matches, and the alerts they give.

    alerts = story_alerts(rules, message)   # an events.stories message -> alerts messages
    alerts = event_alerts(rules, message)   # an events.meetings message -> alerts messages

Every criterion a rule gives must hold (AND); inside one criterion a list means any of its
values (countries, people, organisations: `any` / `all`). A story rule fires on the changes
it names (default: `new` and `status_changed`); `status_changes` match a status moving from
one value to another (the story message's `previous_status` -> `status`).

Each alert carries a deterministic idempotency key (see `idempotency_key`): the same rule and
the same story change give the same key, so a replay (a stage restarted after a crash
publishes its uncommitted changes again) gives the same key and a receiver can drop the
repeat; two changes of one story never share a key, even a status returning to a value it
had before (the story has more reports by then).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Iterable

import orjson

from parley.logic.alerts.query import fold as fold_text
from parley.logic.alerts.rules import Match, Rule, RuleSet
from parley.logic.stories.people import fold as fold_name

SCHEMA_VERSION = 1
EVENT_CHANGE = "reported"  # the `change` of an alert on a meeting event


# ------------------------------------------------------------------ criteria


def _person_matches(wanted: str, names: Iterable[str]) -> bool:
    """A rule's name matches a person when all its words are among the person's (folded,
    titles dropped): "Fidan" and "Hakan Fidan" both match "Hakan Fidan"."""
    words = set(fold_name(wanted))
    return bool(words) and any(words <= set(fold_name(name)) for name in names if name)


def _orgs_match(wanted: str, orgs: Iterable[str]) -> bool:
    key = fold_text(wanted).strip()
    return any(fold_text(o).strip() == key for o in orgs)


def _common(match: Match, *, countries, orgs, names, kind, status, confidence, evidences) -> bool:
    countries = set(countries or ())
    if match.countries_any and not (match.countries_any & countries):
        return False
    if match.countries_all and not (match.countries_all <= countries):
        return False
    if match.people_any and not any(_person_matches(p, names) for p in match.people_any):
        return False
    if match.people_all and not all(_person_matches(p, names) for p in match.people_all):
        return False
    if match.orgs_any and not any(_orgs_match(o, orgs or ()) for o in match.orgs_any):
        return False
    if match.orgs_all and not all(_orgs_match(o, orgs or ()) for o in match.orgs_all):
        return False
    if match.kinds and kind not in match.kinds:
        return False
    if match.statuses and status not in match.statuses:
        return False
    if match.min_confidence is not None and float(confidence or 0.0) < match.min_confidence:
        return False
    if match.text is not None and not any(match.text.matches(e) for e in evidences):
        return False
    return True


def story_matches(rule: Rule, story: dict) -> bool:
    """Does this events.stories message fire `rule`?"""
    match = rule.match
    if rule.source != "stories" or story.get("change") not in match.changes:
        return False
    if match.status_changes:
        if "status" not in (story.get("changed") or ()):
            return False
        before, after = story.get("previous_status"), story.get("status")
        if not any((frm is None or frm == before) and (to is None or to == after)
                   for frm, to in match.status_changes):
            return False
    return _common(match, countries=story.get("countries"), orgs=story.get("orgs"),
                   names=[p.get("name") for p in story.get("people") or ()], kind=story.get("kind"),
                   status=story.get("status"), confidence=story.get("confidence"),
                   evidences=[t.get("evidence") or "" for t in story.get("timeline") or ()])


def event_matches(rule: Rule, event: dict) -> bool:
    """Does this events.meetings message fire `rule`?"""
    if rule.source != "events":
        return False
    evidence = event.get("evidence") or {}
    return _common(rule.match, countries=event.get("countries"), orgs=event.get("orgs"),
                   names=[p.get("name") for p in event.get("participants") or ()], kind=event.get("kind"),
                   status=event.get("status"), confidence=event.get("confidence"),
                   evidences=[evidence.get("text") or ""])


# ------------------------------------------------------------------ keys


def idempotency_key(rule_id: str, fingerprint: list) -> str:
    """64 hex: sha256 of the rule id and what identifies the change."""
    return hashlib.sha256(orjson.dumps(["parley-alert", SCHEMA_VERSION, rule_id, *fingerprint])).hexdigest()


def story_fingerprint(story: dict) -> list:
    """What identifies one change of one story: its id, the kind of change, its status, what
    changed, and the story as it stands (every report's event id, status and date, and the
    merged fields). A replayed change is the same message, so the same fingerprint; two
    changes differ at least in their reports or fields (a status that returns to a value it
    had before has more reports by then)."""
    location = story.get("location") or {}
    date = story.get("date") or {}
    return ["story", story["story_id"], story.get("change"), story.get("status"), sorted(story.get("changed") or ()),
            story.get("merged_into"), story.get("kind"), list(story.get("countries") or ()),
            list(story.get("orgs") or ()), sorted(p.get("name") or "" for p in story.get("people") or ()),
            location.get("name"), date.get("value"), round(float(story.get("confidence") or 0.0), 6),
            [[t.get("event_id"), t.get("status"), t.get("date")] for t in story.get("timeline") or ()]]


def event_fingerprint(event: dict) -> list:
    """An event is identified by its id (article, kind, sides, date, place) and its status; a
    re-detection of the same article gives the same key."""
    return ["event", event["event_id"], event.get("status"), (event.get("date") or {}).get("value")]


# ------------------------------------------------------------------ alerts


_KIND = {"meeting": "Meeting", "call": "Call", "visit": "Visit", "multilateral": "Multilateral meeting"}
_STATUS = {"occurred": "took place", "planned": "planned", "proposed": "proposed", "cancelled": "cancelled",
           "denied": "denied"}


def summary(rule_id: str, subject: dict, *, change: str, previous_status: str | None) -> str:
    """One line for humans: what, who, what happened, where and when."""
    sides = "–".join(subject.get("countries") or ()) or ", ".join(subject.get("orgs") or ()) or "unknown sides"
    people = [p.get("name") for p in (subject.get("people") or subject.get("participants") or ()) if p.get("name")]
    who = f" ({', '.join(people[:3])}{', ...' if len(people) > 3 else ''})" if people else ""
    status = subject.get("status")
    what = _STATUS.get(status, str(status))
    if change == "status_changed" and previous_status and previous_status != status:
        what = f"now {what} (was {_STATUS.get(previous_status, previous_status)})"
    elif change == "new":
        what = f"{what} (new story)"
    elif change == "merged":
        what = f"merged into {subject.get('merged_into')}"
    elif change == "closed":
        what = f"{what} (story closed)"
    elif change in ("report_added", "fields_changed"):
        what = f"{what} ({change.replace('_', ' ')})"
    place = (subject.get("location") or {}).get("name")
    date = (subject.get("date") or {}).get("value")
    where = ", ".join(x for x in (place, date) if x)
    return f"[{rule_id}] {_KIND.get(subject.get('kind'), 'Meeting')} {sides}{who}: {what}" + (f"; {where}" if where else "")


def story_evidence(story: dict) -> dict:
    """The report that best shows this change: the latest arrived report of the story's
    current status (the one that made it so), else the latest arrived report."""
    timeline = story.get("timeline") or []
    same = [t for t in timeline if t.get("status") == story.get("status")]
    pool = same or timeline
    entry = max(pool, key=lambda t: (t.get("detected_at") or "", t.get("published_at") or "", t.get("event_id") or ""))
    return {"event_id": entry.get("event_id"), "article_id": entry.get("article_id"), "url": entry.get("url"),
            "outlet": entry.get("outlet"), "published_at": entry.get("published_at"),
            "text": entry.get("evidence") or "", "start": None, "end": None}


def event_evidence(event: dict) -> dict:
    source = event.get("source") or {}
    evidence = event.get("evidence") or {}
    return {"event_id": event.get("event_id"), "article_id": event.get("article_id"), "url": source.get("url"),
            "outlet": source.get("name"), "published_at": event.get("published_at"),
            "text": evidence.get("text") or "", "start": evidence.get("start"), "end": evidence.get("end")}


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _alert(rule: Rule, rules: RuleSet, key: str, *, source: str, change: str, changed: list, status: str,
           previous_status: str | None, story: dict | None, event: dict | None, evidence: dict,
           matched_at: str | None) -> dict:
    subject = story if story is not None else event
    return {
        "schema_version": SCHEMA_VERSION,
        "alert_id": "al-" + key[:16],
        "idempotency_key": key,
        "rule_id": rule.id,
        "rule_description": rule.description,
        "rules_version": rules.version,
        "source": source,
        "change": change,
        "changed": list(changed),
        "status": status,
        "previous_status": previous_status,
        "story_id": story["story_id"] if story is not None else None,
        "event_id": event["event_id"] if event is not None else None,
        "summary": summary(rule.id, subject, change=change, previous_status=previous_status),
        "evidence": evidence,
        "story": story,
        "event": event,
        "matched_at": matched_at or _now(),
    }


def story_alerts(rules: RuleSet, story: dict, *, matched_at: str | None = None) -> list[dict]:
    """The alerts (messages of the `alerts` topic) an events.stories message gives."""
    out = []
    fingerprint = None
    for rule in rules.for_source("stories"):
        if story_matches(rule, story):
            fingerprint = fingerprint or story_fingerprint(story)
            out.append(_alert(rule, rules, idempotency_key(rule.id, fingerprint), source="stories",
                              change=story["change"], changed=story.get("changed") or [], status=story["status"],
                              previous_status=story.get("previous_status"), story=story, event=None,
                              evidence=story_evidence(story), matched_at=matched_at))
    return out


def event_alerts(rules: RuleSet, event: dict, *, matched_at: str | None = None) -> list[dict]:
    """The alerts an events.meetings message gives."""
    out = []
    for rule in rules.for_source("events"):
        if event_matches(rule, event):
            out.append(_alert(rule, rules, idempotency_key(rule.id, event_fingerprint(event)), source="events",
                              change=EVENT_CHANGE, changed=[], status=event["status"], previous_status=None,
                              story=None, event=event, evidence=event_evidence(event), matched_at=matched_at))
    return out
