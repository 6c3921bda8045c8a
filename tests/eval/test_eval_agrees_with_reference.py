"""`parley eval` prints the figures of the reference scorer (../shared/eval/score.py).

On each corpus the detector runs in-process as `parley eval` runs it (articles with
`published_at` from their gold line), its events are written as JSON Lines, the reference
scores them in a subprocess, and every figure must be equal: P, R, F1, TP/FP/FN, stray
events, and the kind, location, date, people and orgs accuracies. Then each field rule on
invented gold and detections, and parley's rules against the reference's own functions on
random cases.
"""
from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from parley.eval import score as ev

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "eval" / "score.py"
CORPORA = {
    "seeds": ROOT / "tests" / "corpus" / "seeds",
    "dev": ROOT / "tests" / "corpus" / "dev",
    "news": ROOT.parent / "shared" / "corpus" / "news",
}

needs_reference = pytest.mark.skipif(not REFERENCE.exists(), reason=f"no reference scorer at {REFERENCE}")
needs_detector = pytest.mark.skipif(importlib.util.find_spec("parley.logic.pipeline") is None,
                                    reason="no in-process pipeline")


def reference(gold_dir: Path, events: Path) -> dict:
    out = subprocess.run([sys.executable, str(REFERENCE), str(gold_dir), str(events), "--json"],
                         capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def reference_module():
    if not REFERENCE.exists():
        pytest.skip(f"no reference scorer at {REFERENCE}")
    spec = importlib.util.spec_from_file_location("reference_score", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the corpora -----------------------------------------------------------------------------


@needs_reference
@needs_detector
@pytest.mark.parametrize("name", list(CORPORA))
def test_parley_eval_prints_the_reference_figures(name, tmp_path):
    from parley.eval.report import evaluate

    folder = CORPORA[name]
    if not (folder / "gold.jsonl").exists():
        pytest.skip(f"no corpus at {folder}")
    report = evaluate(folder)
    events = tmp_path / "events.jsonl"
    written = report.write_events(events)
    # every event names its article by source.file, which the reference reads (doc_of)
    gold_docs = {ev.stem(json.loads(line)["doc"]) for line in (folder / "gold.jsonl").read_text().splitlines()
                 if line.strip()}
    for d in report.docs:
        for event in d.events:
            assert event["source"]["file"] == d.doc and ev.doc_of(event) in gold_docs
    expected = reference(folder, events)
    figures = report.totals.figures()
    print(f"\n{name}: {written} events; parley {figures}\n{name}: reference {expected}")
    assert figures == expected
    # and the summary line prints them
    summary = report.summary_lines()[0]
    t = report.totals
    assert f"P={t.precision:.3f} R={t.recall:.3f} F1={t.f1:.3f} (TP {t.tp} FP {t.fp} FN {t.fn})" in summary
    for label, key in (("kind", "kind_acc"), ("location", "location_acc"), ("date", "date_acc"),
                       ("people", "people_acc"), ("orgs", "orgs_acc")):
        value = expected[key]
        assert f"{label} {'n/a' if value is None else f'{value:.3f}'}" in summary


# -- field rules on invented gold and detections ---------------------------------------------


def gold(countries=("ARM", "USA"), status="occurred", *, kind="meeting", location=None, date=None, people=(),
         orgs=None, optional=False):
    return {"countries": sorted(countries), "status": status, "kind": kind, "location": location, "date": date,
            "people": list(people), "orgs": orgs, "optional": optional, "evidence": "gold evidence"}


def det(countries=("ARM", "USA"), status="occurred", *, kind="meeting", location=None, date=None, people=(),
        orgs=(), file="x.txt"):
    return {"source": {"file": file, "url": None, "name": None}, "countries": sorted(countries), "status": status,
            "kind": kind, "orgs": list(orgs),
            "location": {"name": location, "country": None, "lat": None, "lon": None} if location else None,
            "date": {"text": "x", "value": date} if date else None,
            "participants": [{"name": p, "role": None, "country": None, "org": None} for p in people],
            "confidence": 0.9, "evidence": {"text": "detected evidence", "start": 0, "end": 1}}


def only_pair(g, d) -> ev.Pair:
    s = ev.score_meetings([g], [d])
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)
    return s.pairs[0]


def test_kind_is_scored_on_every_pair_by_equality():
    assert only_pair(gold(kind="call"), det(kind="call")).kind_ok is True
    assert only_pair(gold(kind="call"), det(kind="meeting")).kind_ok is False


@pytest.mark.parametrize("g, d, ok", [
    ("New York", "New York City", True),       # one contains the other
    ("New York City", "New York", True),
    ("Washington", "Washington, D.C.", True),
    ("washington", "WASHINGTON", True),        # case
    ("Paris", "Lyon", False),
    ("Sochi", None, False),                    # a missing detected place is wrong
    ("Austria", "Australia", False),
    ("Genève", "Geneva", False),               # not one another's substring
    ("São Paulo", "Sao Paulo", False),         # the reference does not fold accents (NFKC + lower only)
])
def test_location_contains_one_another_after_lower_casing(g, d, ok):
    assert only_pair(gold(location=g), det(location=d)).location_ok is ok


def test_location_is_not_scored_when_the_gold_has_none():
    assert only_pair(gold(location=None), det(location="Paris")).location_ok is None
    assert only_pair(gold(location=None), det(location=None)).location_ok is None


@pytest.mark.parametrize("g, d, ok", [
    ("2020-01-02", "2020-01-02", True),
    ("2020-01", "2020-01-02", True),           # the detected day is in the gold month
    ("2020-01-02", "2020-01", True),           # a detected month that the gold day starts with
    ("2020-01-02", "2020", False),             # a bare year is not a date
    ("2020-01-02", "2020-01-03", False),
    ("2020-01", "2020-02", False),
    ("2020-01-02", None, False),               # a missing detected date is wrong
])
def test_date_prefix_rule(g, d, ok):
    assert only_pair(gold(date=g), det(date=d)).date_ok is ok


def test_date_is_not_scored_when_the_gold_has_none():
    assert only_pair(gold(date=None), det(date="2020-01-02")).date_ok is None


@pytest.mark.parametrize("g, d, ok", [
    (["Sergei Lavrov"], ["Sergey Lavrov"], True),                  # same last name
    (["King Philippe"], ["Philippe"], True),                       # honorifics dropped
    (["Queen Elizabeth II"], ["Elizabeth"], True),
    (["Gerhard Schröder"], ["Gerhard Schroeder"], True),           # umlauts spelled out
    (["Mevlüt Çavuşoğlu"], ["Mevlut Cavusoglu"], True),            # accents folded
    (["Kishida Fumio"], ["Fumio Kishida"], True),                  # words of one within the other's
    (["Abdel Fattah el-Sisi"], ["Abdel Fattah El Sisi"], True),
    (["John Kerry"], ["John Kerry", "Sergey Lavrov"], True),       # extra detected people are fine
    (["John Kerry", "Sergey Lavrov"], ["John Kerry"], False),      # every gold person is needed
    (["Edward Nalbandian"], ["Elmar Mammadyarov"], False),
    (["Elmar Mammadyarov"], ["Elmar Mammedyarov"], False),         # no fuzzy surnames
    (["Emomali Rahmon"], ["Emomali Rahmonov"], False),
    (["John Kerry"], [], False),
])
def test_people_every_gold_person_among_the_detected(g, d, ok):
    assert only_pair(gold(people=g), det(people=d)).people_ok is ok


def test_people_are_not_scored_when_the_gold_lists_none():
    assert only_pair(gold(people=[]), det(people=["John Kerry"])).people_ok is None


@pytest.mark.parametrize("g, d, ok", [
    (["NATO"], ["NATO"], True),
    (["nato"], ["NATO", "EU"], True),          # a subset, case-insensitive
    (["NATO", "EU"], ["NATO"], False),
    (["EBRD"], ["UN"], False),
    (["NATO"], [], False),
])
def test_orgs_gold_within_detected(g, d, ok):
    assert only_pair(gold(orgs=g), det(orgs=d)).orgs_ok is ok


@pytest.mark.parametrize("orgs", [None, []])
def test_orgs_are_not_scored_when_the_gold_lists_none(orgs):
    assert only_pair(gold(orgs=orgs), det(orgs=["NATO"])).orgs_ok is None


def test_countries_come_from_the_participants_when_the_event_lists_none():
    d = det(countries=())
    d["participants"] = [{"name": "A", "country": "USA"}, {"name": "B", "country": "ARM"}]
    assert ev.compatible(gold(), d)


def test_pairs_prefer_agreement_and_required_meetings():
    golds = [gold(location="Yerevan", date="2012-10-17", people=["Eric Rubin"]),
             gold(location="Washington", date="2012-10-18", people=["John Kerry"], optional=True)]
    dets = [det(location="Washington", date="2012-10-18", people=["John Kerry"]),
            det(location="Yerevan", date="2012-10-17", people=["Eric Rubin"])]
    s = ev.score_meetings(golds, dets)
    assert (s.tp, s.fp, s.fn, s.ignored) == (1, 0, 0, 1)
    assert s.pairs[0].detected is dets[1]
    # one detection, agreeing with the optional meeting only: the required one still takes it
    s = ev.score_meetings(golds, [dets[0]])
    assert (s.tp, s.fp, s.fn, s.ignored) == (1, 0, 0, 0)
    assert s.pairs[0].wrong() == ["location", "date", "people"]


def test_the_article_of_an_event_is_its_file_name_without_extension():
    assert ev.doc_of({"source": {"file": "004_x.json", "url": None}}) == "004_x"
    assert ev.doc_of({"source": {"file": None, "url": "https://e.com/a/b.html"}}) == "b"
    assert ev.doc_of({"article_id": "a-1"}) == "a-1"


# -- parley's rules against the reference's, on random cases ---------------------------------

PLACES = ["Paris", "paris", "Paris, France", "New York", "New York City", "Genève", "Geneva", "São Paulo",
          "Sao Paulo", "Washington", "Washington, D.C.", "", None]
DATES = ["2020-01-02", "2020-01", "2020-01-03", "2020-02", "2020", "", None]
NAMES = ["Sergei Lavrov", "Sergey Lavrov", "Lavrov", "King Philippe", "Philippe", "Gerhard Schröder",
         "Gerhard Schroeder", "Mevlüt Çavuşoğlu", "Mevlut Cavusoglu", "Fumio Kishida", "Kishida Fumio",
         "Hillary Clinton", "Bill Clinton", "Emomali Rahmon", "Emomali Rahmonov", "the Prime Minister", "Mr",
         "Queen Elizabeth II", "Elizabeth"]
ORGS = ["NATO", "nato", "EU", "UN", "OSCE"]
COUNTRIES = ["ARM", "AZE", "USA"]
STATUSES = ["occurred", "planned", "proposed"]
KINDS = ["meeting", "call", "visit", "multilateral"]


def random_gold(rng: random.Random) -> dict:
    return {"countries": sorted(rng.sample(COUNTRIES, rng.randint(1, 2))),
            "status": rng.choice(STATUSES + [["planned", "proposed"]]), "kind": rng.choice(KINDS),
            "location": rng.choice(PLACES), "date": rng.choice(DATES), "people": rng.sample(NAMES, rng.randint(0, 2)),
            "orgs": rng.choice([None, [], rng.sample(ORGS, rng.randint(1, 2))]), "optional": rng.random() < 0.25,
            "evidence": "gold evidence"}


def random_det(rng: random.Random, file: str) -> dict:
    d = det(rng.sample(COUNTRIES, rng.randint(1, 2)), rng.choice(STATUSES), kind=rng.choice(KINDS),
            location=rng.choice(PLACES), date=rng.choice(DATES), people=rng.sample(NAMES, rng.randint(0, 3)),
            orgs=rng.sample(ORGS, rng.randint(0, 2)), file=file)
    if rng.random() < 0.1:  # countries only through the participants
        d["countries"] = []
        d["participants"] = [{"name": n, "country": c} for n, c in zip(rng.sample(NAMES, 2), rng.sample(COUNTRIES, 2))]
    return d


def test_field_rules_are_the_reference_rules(reference_module):
    ref = reference_module
    rng = random.Random(11)
    for a in NAMES:
        for b in NAMES:
            assert ev.same_person(a, b) == ref.same_person(a, b), (a, b)
    for _ in range(3000):
        g, d = random_gold(rng), random_det(rng, "x.txt")
        assert ev.compatible(g, d) == ref.compatible(g, d)
        assert ev.agreement(g, d) == ref.agreement(g, d)
        if g["location"]:
            assert ev.location_ok(g, d) == ref.location_ok(g, d), (g["location"], d["location"])
        if g["date"]:
            assert ev.date_ok(g, d) == ref.date_ok(g, d), (g["date"], d["date"])
        if g["people"]:
            assert ev.people_ok(g, d) == ref.people_ok(g, d), (g["people"], d["participants"])


def test_random_articles_score_as_the_reference_scores_them(tmp_path, reference_module):
    """Many gold meetings and detections per article, so that ties in the assignment are
    broken as the reference breaks them."""
    rng = random.Random(5)
    gold_lines, events, docs = [], [], []
    for n in range(300):
        name = f"{n:03d}.txt"
        meetings = [random_gold(rng) for _ in range(rng.randint(0, 5))]
        dets = [random_det(rng, name) for _ in range(rng.randint(0, 6))]
        gold_lines.append({"doc": name, "published": None, "meetings": meetings})
        events += dets
        docs.append(ev.score_meetings(meetings, dets, ev.DocScore(doc=name)))
    stray = [random_det(rng, "not_in_gold.txt") for _ in range(3)]
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold_lines), encoding="utf-8")
    (tmp_path / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events + stray), encoding="utf-8")
    docs.append(ev.DocScore(doc="not_in_gold.txt", stray=len(stray)))
    expected = reference(tmp_path, tmp_path / "events.jsonl")
    assert ev.totals(docs).figures() == expected
