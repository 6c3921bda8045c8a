"""The scorer follows GOLD_FORMAT.md "Scoring" on hand-made gold and detections."""
from __future__ import annotations

import importlib.util
import itertools
import json
import random

import pytest

from parley.eval import score as ev


def gold(countries, status="occurred", *, kind="meeting", location=None, date=None, people=(),
         optional=False, orgs=None, evidence="gold evidence"):
    g = {"countries": sorted(countries), "status": status, "kind": kind, "location": location,
         "date": date, "people": list(people), "optional": optional, "evidence": evidence}
    if orgs is not None:
        g["orgs"] = orgs
    return g


def det(countries, status="occurred", *, kind="meeting", location=None, date=None, people=(),
        orgs=(), confidence=0.8, evidence="detected evidence"):
    return {
        "countries": sorted(countries), "status": status, "kind": kind, "orgs": list(orgs),
        "location": {"name": location, "country": None, "lat": None, "lon": None} if location else None,
        "date": {"text": "x", "value": date} if date else None,
        "participants": [{"name": p, "role": None, "country": None, "org": None} for p in people],
        "confidence": confidence, "evidence": {"text": evidence, "start": 0, "end": 1},
    }


def score(golds, dets):
    return ev.score_meetings(golds, dets)


def test_a_detection_matches_when_countries_are_equal_and_status_is_listed():
    s = score([gold(["ARM", "USA"], ["planned", "proposed"])], [det(["USA", "ARM"], "proposed")])
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


@pytest.mark.parametrize("detected", [
    det(["ARM", "USA"], "occurred"),  # status not in gold list
    det(["ARM", "RUS", "USA"], "planned"),  # superset of countries
    det(["USA"], "planned"),  # subset of countries
])
def test_a_detection_with_other_countries_or_status_is_false_and_the_gold_missed(detected):
    s = score([gold(["ARM", "USA"], "planned")], [detected])
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)


def test_a_duplicate_detection_is_a_false_positive():
    s = score([gold(["ARM", "USA"])], [det(["ARM", "USA"]), det(["ARM", "USA"])])
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)


def test_a_detection_of_an_optional_meeting_is_ignored_and_a_missed_optional_costs_nothing():
    golds = [gold(["ARM", "AZE"], optional=True), gold(["FRA", "RUS"], optional=True)]
    s = score(golds, [det(["ARM", "AZE"])])
    assert (s.tp, s.fp, s.fn, s.ignored) == (0, 0, 0, 1)


def test_a_duplicate_of_an_optional_meeting_is_still_false():
    s = score([gold(["ARM", "AZE"], optional=True)], [det(["ARM", "AZE"]), det(["ARM", "AZE"])])
    assert (s.tp, s.fp, s.ignored) == (0, 1, 1)


def test_the_assignment_gives_a_detection_to_the_required_meeting_before_an_optional_one():
    golds = [gold(["ARM", "USA"], optional=True, kind="meeting"), gold(["ARM", "USA"], kind="visit")]
    # the detection agrees better with the optional one (kind), but required comes first
    s = score(golds, [det(["ARM", "USA"], kind="meeting")])
    assert (s.tp, s.fp, s.fn, s.ignored) == (1, 0, 0, 0)


def test_the_assignment_pairs_by_kind_place_date_and_people_agreement():
    golds = [gold(["ARM", "USA"], location="Yerevan", date="2012-10-17", people=["Eric Rubin"]),
             gold(["ARM", "USA"], location="Washington", date="2012-10-18", people=["John Kerry"])]
    dets = [det(["ARM", "USA"], location="Washington", date="2012-10-18", people=["John Kerry"]),
            det(["ARM", "USA"], location="Yerevan", date="2012-10-17", people=["Eric Rubin"])]
    s = score(golds, dets)
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)
    assert all(p.location_ok and p.date_ok and p.people_ok for p in s.pairs)


def test_attribute_accuracies_count_only_the_matched_pairs_whose_gold_field_is_filled():
    golds = [gold(["GBR", "USA"], kind="call", location=None, date="2020-01-02", people=["Boris Johnson"],
                  orgs=[]),
             gold(["FRA", "USA"], kind="meeting", location="Paris", date=None)]
    dets = [det(["GBR", "USA"], kind="meeting", date="2020-01-02", people=["Johnson"]),
            det(["FRA", "USA"], kind="meeting", location="Lyon", orgs=["NATO"])]
    t = ev.totals([score(golds, dets)])
    # kind: both pairs; location: only Paris; date and people: only the call; orgs: no gold lists one
    assert (t.kind, t.location, t.date, t.people, t.orgs) == (0.5, 0.0, 1.0, 1.0, None)
    assert t.figures()["orgs_acc"] is None and t.figures()["location_acc"] == 0.0


def test_precision_recall_f1_over_required_meetings():
    golds = [gold(["ARM", "USA"]), gold(["AZE", "USA"]), gold(["RUS", "USA"], optional=True)]
    dets = [det(["ARM", "USA"]), det(["RUS", "USA"]), det(["CHN", "USA"])]
    t = ev.totals([score(golds, dets)])
    assert (t.tp, t.fp, t.fn) == (1, 1, 1)
    assert t.precision == pytest.approx(0.5) and t.recall == pytest.approx(0.5) and t.f1 == pytest.approx(0.5)


def test_no_gold_and_no_detection_scores_zero_without_dividing_by_zero():
    t = ev.totals([score([], [])])
    assert (t.precision, t.recall, t.f1, t.kind) == (0.0, 0.0, 0.0, None)


@pytest.mark.parametrize("a, b", [
    ("Sergei Lavrov", "Sergey Lavrov"),
    ("Mevlüt Çavuşoğlu", "Mevlut Cavusoglu"),
    ("King Philippe", "Philippe"),
    ("Kishida Fumio", "Fumio Kishida"),
    ("Abdel Fattah el-Sisi", "Abdel Fattah el Sisi"),
    ("Hilary Clinton", "Hillary Clinton"),
])
def test_people_tolerate_transliteration_accents_titles_and_order(a, b):
    assert ev.same_person(a, b)
    assert ev.tagged_person(a, b)


def test_different_people_do_not_match():
    assert not ev.same_person("Edward Nalbandian", "Elmar Mammadyarov")
    assert not ev.tagged_person("Edward Nalbandian", "Elmar Mammadyarov")


@pytest.mark.parametrize("a, b", [("Elmar Mammedyarov", "Elmar Mammadyarov"), ("Emomali Rahmonov", "Emomali Rahmon")])
def test_tagged_persons_also_tolerate_transliterated_surnames(a, b):
    assert ev.tagged_person(a, b)


@pytest.mark.parametrize("g, d, ok", [
    ("New York", "New York City", True),
    ("Washington", "Washington, D.C.", True),
    ("Sochi", None, False),
    ("Paris", "Lyon", False),
    ("Minsk", "Pinsk", False),
    ("Austria", "Australia", False),
])
def test_location_comparison(g, d, ok):
    assert ev.location_ok({"location": g}, det(["FRA"], location=d)) is ok


def brute_force(weights):
    """Best total weight over every matching (for checking the Hungarian solver)."""
    rows, cols = len(weights), len(weights[0])
    best = 0
    for perm in itertools.permutations(range(max(rows, cols)), rows):
        best = max(best, sum(weights[i][j] for i, j in enumerate(perm) if j < cols))
    return best


def test_the_assignment_is_optimal_on_random_matrices():
    rng = random.Random(7)
    for _ in range(200):
        rows, cols = rng.randint(1, 5), rng.randint(1, 5)
        weights = [[rng.choice([0, 0, 1, 5, 10, 1000]) for _ in range(cols)] for _ in range(rows)]
        result = ev.assign(weights)
        assert len(set(result.values())) == len(result)
        assert all(weights[i][j] > 0 for i, j in result.items())
        assert sum(weights[i][j] for i, j in result.items()) == brute_force(weights)


def test_cleaning_checks_compare_after_normalisation():
    d = ev.DocScore(doc="x")
    cleaned = {"title": "T", "text": "He said \"there's no deal\" on Monday.", "captions": ["Photo: a b"],
               "dropped": []}
    g = {"must_keep": ["there\u2019s no\u00a0deal", "Photo: a b", "absent phrase"],
         "must_drop": ["Related articles", "{:start=\"1\"}"]}
    ev.score_cleaning(g, cleaned, d)
    assert d.keep_missing == ["absent phrase"]
    assert d.drop_leaked == []


def test_a_detection_with_evidence_from_dropped_furniture_is_a_teaser_leak():
    cleaned = {"title": None, "text": "Body text about talks.", "captions": [],
               "dropped": [{"kind": "related", "text": "Putin and Xi will meet in Beijing next week"}]}
    g = {"must_drop": ["Putin and Xi will meet in Beijing"]}
    leaks = ev.teaser_leaks(g, cleaned, [det(["CHN", "RUS"], evidence="Putin and Xi will meet in Beijing next week"),
                                         det(["FRA", "USA"], evidence="Body text about talks.")])
    assert [d["countries"] for d in leaks] == [["CHN", "RUS"]]


def test_calibration_bins_report_precision_per_confidence_band():
    rows = ev.calibration([(0.1, False), (0.15, True), (0.9, True), (1.0, True), (0.5, False)])
    by_bin = {r["bin"]: r for r in rows}
    assert by_bin["0.0-0.2"]["precision"] == 0.5
    assert by_bin["0.8-1.0"]["detections"] == 2 and by_bin["0.8-1.0"]["precision"] == 1.0
    assert by_bin["0.2-0.4"]["precision"] is None


def test_tagging_scores_use_body_mentions_only():
    d = ev.DocScore(doc="x")
    tagged = {"mentions": [
        {"type": "person", "name": "Sergey Lavrov", "country": "RUS"},
        {"type": "person", "name": "Antony Blinken", "country": "USA", "field": "title"},
        {"type": "country", "name": "Armenia", "code": "ARM"},
        {"type": "person", "name": "Somebody Else", "country": None},
    ]}
    ev.score_tagging({"persons": ["Sergei Lavrov", "Antony Blinken"], "countries": ["ARM", "RUS", "USA"]},
                     tagged, d)
    assert d.persons == (1, 2, 2) and d.persons_found == 1
    assert d.countries == (2, 2, 3)


# -- the report ------------------------------------------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("parley.logic.detect") is None,
                    reason="services/parley/logic/detect/ does not exist yet")
def test_the_report_ends_with_a_three_line_summary_and_writes_json(tmp_path, capsys):
    from parley.eval.report import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "x.txt").write_text(
        "Chile and Peru agree to talk\n\nThe foreign ministers of Chile and Peru met in Lima on Monday.\n\n"
        "Related articles\n\nPeru and Bolivia to meet next week\n", encoding="utf-8")
    gold_record = {"doc": "x.txt", "published": "2019-03-05", "must_keep": ["met in Lima on Monday"],
                   "must_drop": ["Peru and Bolivia to meet next week"], "persons": [], "countries": ["CHL", "PER"],
                   "meetings": [gold(["CHL", "PER"], location="Lima", date="2019-03-04")]}
    (corpus / "gold.jsonl").write_text(json.dumps(gold_record) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    assert main([str(corpus), "--verbose", "--json", str(out)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [line.split(":")[0] for line in lines[-3:]] == ["meetings", "tagging", "cleaning"]
    assert "must_keep 1/1 must_drop 1/1" in lines[-1]
    report = json.loads(out.read_text())
    assert report["totals"]["keep"] == [1, 1] and len(report["docs"]) == 1


@pytest.mark.skipif(importlib.util.find_spec("parley.logic.detect") is None,
                    reason="the detector package does not exist yet")
def test_gold_lines_make_the_corpus_a_text_without_gold_is_stray_a_gold_line_without_text_missed(tmp_path):
    from parley.eval.report import evaluate

    text = "The foreign ministers of Chile and Peru met in Lima on Monday.\n"
    (tmp_path / "x.txt").write_text(text, encoding="utf-8")
    (tmp_path / "y.txt").write_text(text, encoding="utf-8")  # no gold line: its detections are stray
    lines = [{"doc": "x.txt", "published": "2019-03-05", "meetings": [gold(["CHL", "PER"])]},
             {"doc": "z.txt", "published": None, "meetings": [gold(["ARG", "CHL"]), gold(["CHL", "PER"], optional=True)]}]
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in lines), encoding="utf-8")
    t = evaluate(tmp_path).totals
    assert (t.tp, t.fp, t.fn, t.stray, t.errors) == (1, 0, 1, 1, 1)


# -- confidence calibration fit --------------------------------------------------------------


def test_the_calibration_fit_pools_bins_until_precision_rises_and_smooths_them():
    from parley.eval.calibration import fit

    points = [(0.35, True), (0.35, False), (0.45, False), (0.45, False), (0.75, True), (0.95, True)]
    rows = fit(points)
    overall = 3 / 6
    # 0.3 (1/2) and 0.4 (0/2) are pooled: precision may not fall as the raw score rises
    assert [(lo, n) for lo, _, n in rows] == [(0.3, 4), (0.7, 1), (0.9, 1)]
    assert rows[0][1] == pytest.approx((1 + 3 * overall) / (4 + 3))
    assert fit([]) == []


@pytest.mark.skipif(importlib.util.find_spec("parley.logic.detect") is None,
                    reason="the detector package does not exist yet")
def test_the_calibration_fit_writes_a_table_the_detector_reads(tmp_path):
    from pathlib import Path

    from parley.eval.calibration import fit_calibration
    from parley.logic.detect import confidence

    seeds = Path(__file__).resolve().parents[1] / "corpus" / "seeds"
    out = tmp_path / "calibration.tsv"
    rows = fit_calibration(seeds, out)
    assert rows and confidence.DISABLED is False
    table = [line.split("\t") for line in out.read_text().splitlines() if not line.startswith("#")]
    assert [(float(lo), int(n)) for lo, _, n in table] == [(round(lo, 2), n) for lo, _, n in rows]
    assert sum(n for _, _, n in rows) == 16  # every scored detection of the seeds (all true positives)


@pytest.mark.skipif(importlib.util.find_spec("parley.logic.detect") is None,
                    reason="the detector package does not exist yet")
def test_the_calibration_fit_pools_the_detections_of_several_corpora(tmp_path):
    from pathlib import Path

    from parley.eval.calibration import fit_calibration

    seeds = Path(__file__).resolve().parents[1] / "corpus" / "seeds"
    out = tmp_path / "calibration.tsv"
    rows = fit_calibration([seeds, seeds], out)
    assert sum(n for _, _, n in rows) == 32   # the 16 seed detections, twice
    assert "the corpora seeds + seeds" in out.read_text()
