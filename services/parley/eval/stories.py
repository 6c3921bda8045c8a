"""Scoring stories (`parley eval --stories`), rule for rule as ../shared/eval/stories_score.py.

Each report of a predicted story is paired with a gold meeting of its article exactly as
the meetings are paired (parley.eval.score: equal country set, allowed status, optimal
assignment). Over the paired gold meetings:
- B-cubed precision and recall of the predicted stories against the gold stories
  (stories.jsonl; a gold meeting no story lists is a story of its own);
- stories per real meeting: for each gold story with a paired member, the number of
  predicted stories its members fell into (1.0 is perfect; also over multi-article ones);
- status right: for each gold story reported by two or more articles, whether every
  predicted story holding one of its reports shows as current status one of the statuses of
  the latest article's entry.

Merging is scored twice: on the gold meetings themselves as events (`gold_events`: merging
alone) and on the detector's events (the whole chain).
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

from parley.eval import score as ev

FIGURES = ("paired", "gold_stories", "multi_article_stories", "bcubed_precision", "bcubed_recall",
           "stories_per_meeting", "stories_per_multi_article_meeting", "status_right")


def load_jsonl(path: Path | str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def reports_of(story: dict) -> list[dict]:
    for name in ("reports", "timeline", "events"):
        if isinstance(story.get(name), list):
            return [r.get("event", r) if isinstance(r, dict) else r for r in story[name]]
    return []


def gold_by_doc(corpus_dirs) -> dict[str, tuple[str, dict]]:
    """doc stem -> (corpus name, gold line), over every corpus folder."""
    gold = {}
    for folder in corpus_dirs:
        for line in load_jsonl(Path(folder) / "gold.jsonl"):
            gold[ev.stem(line["doc"])] = (Path(folder).name, line)
    return gold


def score_stories(gold_stories: list[dict], stories: list[dict], corpus_dirs) -> dict:
    """The reference's figures (its `--json` keys and rounding) for predicted `stories`."""
    gold = gold_by_doc(corpus_dirs)
    gold_story, latest = {}, {}
    for s in gold_stories:
        for m in s["members"]:
            gold_story[(ev.stem(m["doc"]), m["meeting"])] = s["story"]
        last = max(s["members"], key=lambda m: m["published"] or "")
        if len({m["doc"] for m in s["members"]}) > 1:
            latest[s["story"]] = ev.statuses({"status": last["status"]})
    by_doc, pred_status = defaultdict(list), {}
    for s in stories:
        sid = str(s.get("story_id", s.get("id")))
        pred_status[sid] = s.get("status", s.get("current_status"))
        for event in reports_of(s):
            by_doc[ev.doc_of(event)].append((event, sid))
    pred, truth = {}, {}
    for doc, items in by_doc.items():
        if doc not in gold:
            continue
        meetings = gold[doc][1]["meetings"]
        events = [e for e, _ in items]
        weights = [[ev.weight(m, e) for e in events] for m in meetings]
        for i, j in (ev.assign(weights) if meetings and events else {}).items():
            pred[(doc, i)] = items[j][1]
            truth[(doc, i)] = gold_story.get((doc, i), f"{doc}#{i}")
    keys = list(pred)
    if not keys:
        return {"paired": 0}
    by_pred, by_truth = defaultdict(set), defaultdict(set)
    for k in keys:
        by_pred[pred[k]].add(k)
        by_truth[truth[k]].add(k)
    precision = sum(len(by_pred[pred[k]] & by_truth[truth[k]]) / len(by_pred[pred[k]]) for k in keys) / len(keys)
    recall = sum(len(by_pred[pred[k]] & by_truth[truth[k]]) / len(by_truth[truth[k]]) for k in keys) / len(keys)
    multi = [t for t, ks in by_truth.items() if len({k[0] for k in ks}) > 1]
    per_meeting = sum(len({pred[k] for k in ks}) for ks in by_truth.values()) / len(by_truth)
    per_multi = sum(len({pred[k] for k in by_truth[t]}) for t in multi) / len(multi) if multi else None
    judged = [t for t in multi if t in latest]
    right = [all(pred_status.get(pred[k]) in latest[t] for k in by_truth[t]) for t in judged]
    return {"paired": len(keys), "gold_stories": len(by_truth), "multi_article_stories": len(multi),
            "bcubed_precision": round(precision, 3), "bcubed_recall": round(recall, 3),
            "stories_per_meeting": round(per_meeting, 3),
            "stories_per_multi_article_meeting": round(per_multi, 3) if per_multi is not None else None,
            "status_right": round(sum(right) / len(right), 3) if right else None}


# -- the gold meetings as events (merging alone) ---------------------------------------------


def _hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def gold_events(corpus_dirs, resolve=None) -> list[dict]:
    """Every gold meeting of the corpora as an events.meetings event, so that merging can be
    scored without the detector's errors. The status is the first the gold allows; places
    and people get their country from `resolve` (a Resolver, or None for none)."""
    events = []
    for folder in corpus_dirs:
        for line in load_jsonl(Path(folder) / "gold.jsonl"):
            doc, published = line["doc"], line.get("published")
            for i, m in enumerate(line["meetings"]):
                status, sides = ev.statuses(m)[0], set(m.get("countries") or [])
                place = m.get("location")
                place_country = resolve.place_country(place) if resolve and place else None
                events.append({
                    "schema_version": 1, "event_id": "m-" + _hex(f"{doc}#{i}"), "article_id": "a-" + _hex(doc),
                    "source": {"file": doc, "url": None, "name": None},
                    "published_at": published, "ingested_at": None,
                    "kind": m.get("kind") or "meeting", "status": status,
                    "participants": [{"name": p, "role": None, "org": None,
                                      "country": _side(resolve, p, published, sides)}
                                     for p in m.get("people") or []],
                    "countries": sorted(m.get("countries") or []), "orgs": sorted(m.get("orgs") or []),
                    "location": {"name": place, "country": place_country, "lat": None, "lon": None} if place else None,
                    "date": ({"text": m.get("date_text") or "", "value": m.get("date")}
                             if m.get("date") or m.get("date_text") else None),
                    "evidence": {"text": m.get("evidence") or "", "start": 0, "end": 0},
                    "confidence": 0.5 if m.get("optional") else 0.9,
                    "detected_at": (published or "1970-01-01")[:10] + "T00:00:00Z",
                })
    return events


def _side(resolve, name: str, published: str | None, sides: set[str]) -> str | None:
    """A person's country when it is one of the meeting's sides (else None: the gold does
    not say whom they stand for)."""
    country = resolve.person_country(name, published) if resolve else None
    return country if country in sides else None


class Resolver:
    """Countries of gold place and person names, from the gazetteer (as the tagger finds
    them): a country name is its code, a city its country; a person their country."""

    def __init__(self, gazetteer=None):
        if gazetteer is None:
            from parley.logic.gazetteer.loader import load_cached

            gazetteer = load_cached()
        self.gz = gazetteer

    def place_country(self, name: str) -> str | None:
        hits = [h for h in self.gz.scan(name) if h[0] == 0 and h[1] == len(name)] or self.gz.scan(name)
        for _, _, entries in hits:
            for entry in entries:
                kind, ref = entry[0], entry[1]
                if kind == "country":
                    return ref[0] if isinstance(ref, tuple) else ref
                if kind == "capital":
                    return ref
                if kind == "place":
                    return self.gz.places[ref].country
        return None

    def person_country(self, name: str, published: str | None) -> str | None:
        from parley.logic.gazetteer.normalise import fold
        from parley.logic.stories.people import same_person

        found = self.gz.find_people(name)
        if not found and fold(name).split():
            found = [self.gz.people[i] for i in self.gz.surname_index.get(fold(name).split()[-1], ())
                     if same_person(self.gz.people[i].name, name)]
        for person in found:
            role = person.role_at(published)
            return (role[1] if role and role[1] else None) or person.country
        return None
