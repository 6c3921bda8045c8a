"""`parley eval --stories` prints the figures of the reference stories scorer
(../shared/eval/stories_score.py) on the same predicted stories: on the gold meetings as
input (merging alone) and on the detector's events (the whole chain), over all the corpora
and each one; and on random stories. The targets of issue 12 hold."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from parley.eval.stories import gold_events, load_jsonl, score_stories
from parley.eval.stories_report import stories_figures
from parley.logic.stories import story_records

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "eval" / "stories_score.py"
GOLD = SHARED / "corpus" / "stories.jsonl"
CORPORA = [ROOT / "tests" / "corpus" / "seeds", ROOT / "tests" / "corpus" / "dev", SHARED / "corpus" / "news"]

pytestmark = pytest.mark.skipif(not (REFERENCE.exists() and GOLD.exists() and all(
    (c / "gold.jsonl").exists() for c in CORPORA)), reason="no reference scorer, stories gold or corpora")


def reference(stories_path: Path, corpora) -> dict:
    out = subprocess.run([sys.executable, str(REFERENCE), str(GOLD), str(stories_path), *map(str, corpora), "--json"],
                         capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    out = tmp_path_factory.mktemp("stories")
    return out, stories_figures(CORPORA, GOLD, output=out)


@pytest.mark.parametrize("name", ["merging-alone", "whole-chain"])
def test_parley_eval_stories_prints_the_reference_figures(figures, name):
    out, got = figures
    path = out / f"{name}.jsonl"
    assert got[name]["all"] == reference(path, CORPORA)
    for corpus in CORPORA:
        assert got[name][corpus.name] == reference(path, [corpus]), corpus.name
    print(f"\n{name}: {got[name]}")


def test_the_targets_of_issue_12(figures):
    _, got = figures
    alone, chain = got["merging-alone"]["all"], got["whole-chain"]["all"]
    assert alone["bcubed_precision"] >= 0.95 and alone["bcubed_recall"] >= 0.90
    assert chain["stories_per_meeting"] <= 1.1
    assert alone["status_right"] >= 0.9 and chain["status_right"] >= 0.9


def test_random_stories_score_as_the_reference_scores_them(tmp_path):
    """Gold meetings as events thrown into random stories with random statuses."""
    rng = random.Random(12)
    events = gold_events(CORPORA)
    rng.shuffle(events)
    events = events[: len(events) // 2] + [dict(e, status=rng.choice(["occurred", "planned", "cancelled"]))
                                           for e in events[len(events) // 2:]]
    stories = []
    for i in range(0, len(events), 3):
        chunk = events[i:i + rng.randint(1, 4)]
        stories.append({"story_id": f"s{i}", "status": rng.choice(["occurred", "planned", "cancelled"]),
                        "reports": chunk})
    path = tmp_path / "random.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in stories), encoding="utf-8")
    assert score_stories(load_jsonl(GOLD), stories, CORPORA) == reference(path, CORPORA)


def test_every_gold_meeting_becomes_an_event_paired_with_itself():
    records = story_records(gold_events(CORPORA))
    got = score_stories(load_jsonl(GOLD), records, CORPORA)
    total = sum(len(g["meetings"]) for c in CORPORA for g in load_jsonl(c / "gold.jsonl"))
    assert got["paired"] == total
