"""The detector's events on the vendored corpora are exactly the recorded ones.

A guard for speed work on services/parley/logic/detect/ and dates.py:
optimisations must not change what the detector outputs (the corpus-score floors of
test_corpus_scores.py would let a small change through). tests/golden/detection.jsonl.gz
holds, per article of tests/corpus/seeds and tests/corpus/dev, the events of the real
cleaner + tagger + detector, without `detected_at` (the time of the run).

The corpus is detected twice in one process, the second time in reverse order: per-process
caches must not make one article's events depend on what was read before.

When a change of behaviour is intended (here or in the tagger), regenerate deliberately and
review the diff:

    .venv/bin/python tests/logic/test_detection_golden.py --regen
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"       # on sys.path under pytest; not when this file runs as a script
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from support import golden_files  # noqa: E402
from parley.logic import gazetteer  # noqa: E402
from parley.logic.clean import clean  # noqa: E402
from parley.logic.detect import detect  # noqa: E402
from parley.logic.tag import tag  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "detection.jsonl.gz"
RUN_FIELDS = ("detected_at",)     # differ from run to run


def _tagged() -> list[tuple[str, dict]]:
    """(corpus/file name, articles.tagged message) of every vendored article."""
    gz = gazetteer.load(extra="")
    return [(name, tag(clean(dict(raw, ingested_at="2026-01-01T00:00:00.000000Z")), gz))
            for name, raw in golden_files.corpus_articles()]


def _record(name: str, tagged: dict) -> dict:
    events = [{k: v for k, v in e.items() if k not in RUN_FIELDS} for e in detect(tagged)]
    return golden_files.as_stored({"doc": name, "events": events})


def regenerate() -> int:
    records = [_record(name, msg) for name, msg in _tagged()]
    golden_files.write(GOLDEN, records)
    print(f"wrote {GOLDEN} ({len(records)} articles, {sum(len(r['events']) for r in records)} events)")
    return 0


@pytest.fixture(scope="module")
def tagged():
    return _tagged()


@pytest.fixture(scope="module")
def golden():
    return golden_files.load(GOLDEN)


def _diff(name: str, got: list, want: list) -> str:
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            keys = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
            return f"{name} event {i} differs in {keys}: got {[a.get(k) for k in keys]}, " \
                   f"expected {[b.get(k) for k in keys]}"
    if len(got) != len(want):
        return f"{name}: {len(got)} events, expected {len(want)}"
    return ""


def test_golden_file_covers_every_vendored_article(tagged, golden):
    assert sorted(golden) == sorted(name for name, _msg in tagged)


@pytest.mark.parametrize("order", ["corpus order", "reverse order after a warm pass"])
def test_events_on_vendored_corpora_match_the_golden_file(tagged, golden, order):
    sequence = tagged if order == "corpus order" else list(reversed(tagged))
    diffs = [d for name, msg in sequence
             if (d := _diff(name, _record(name, msg)["events"], golden[name]["events"]))]
    assert not diffs, f"{len(diffs)} articles differ from {GOLDEN.name}:\n" + "\n".join(diffs[:5])


if __name__ == "__main__":
    if "--regen" in sys.argv:
        sys.exit(regenerate())
    print(__doc__)
