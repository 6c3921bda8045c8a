"""The tagger's mentions on the vendored corpora are exactly the recorded ones.

A guard for speed work on services/parley/logic/tag/ and the gazetteer: optimisations must
not change what the tagger outputs. tests/golden/tagging.jsonl.gz holds, per article of
tests/corpus/seeds and tests/corpus/dev, the mentions of the real cleaner + tagger, dated
(as the corpus gives the date) and undated (date-dependent office lookups take other paths).

The corpus is tagged twice in one process, the second time in reverse order: per-process
caches (fuzzy names, surface-form resolutions) must not make one article's result depend on
what was tagged before.

When a change of behaviour is intended, regenerate deliberately and review the diff:

    .venv/bin/python tests/logic/test_tagging_golden.py --regen
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
from parley.logic.tag import tag  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "tagging.jsonl.gz"


def _articles() -> list[tuple[str, dict]]:
    """(corpus/file name, articles.clean message) of every vendored article."""
    return [(name, clean(raw)) for name, raw in golden_files.corpus_articles()]


def _record(name: str, msg: dict, gz) -> dict:
    undated = dict(msg, published_at=None)
    return {"doc": name, "mentions": tag(msg, gz)["mentions"], "mentions_undated": tag(undated, gz)["mentions"]}


def regenerate() -> int:
    gz = gazetteer.load(extra="")
    records = [golden_files.as_stored(_record(name, msg, gz)) for name, msg in _articles()]
    golden_files.write(GOLDEN, records)
    print(f"wrote {GOLDEN} ({len(records)} articles, "
          f"{sum(len(r['mentions']) for r in records)} mentions dated)")
    return 0


@pytest.fixture(scope="module")
def articles():
    return _articles()


@pytest.fixture(scope="module")
def golden():
    return golden_files.load(GOLDEN)


def _diff(name: str, got: dict, want: dict) -> str:
    for key in ("mentions", "mentions_undated"):
        g, w = got[key], want[key]
        for i, (a, b) in enumerate(zip(g, w)):
            if a != b:
                return f"{name} {key}[{i}]: got {a}\n  expected {b}"
        if len(g) != len(w):
            extra = g[len(w):] or w[len(g):]
            return f"{name} {key}: {len(g)} mentions, expected {len(w)}; first unmatched {extra[0]}"
    return ""


def test_golden_file_covers_every_vendored_article(articles, golden):
    assert sorted(golden) == sorted(name for name, _msg in articles)


@pytest.mark.parametrize("order", ["corpus order", "reverse order after a warm pass"])
def test_mentions_on_vendored_corpora_match_the_golden_file(articles, golden, order):
    gz = gazetteer.load(extra="")
    sequence = articles if order == "corpus order" else list(reversed(articles))
    diffs = []
    for name, msg in sequence:
        got = golden_files.as_stored(_record(name, msg, gz))
        d = _diff(name, got, golden[name])
        if d:
            diffs.append(d)
    assert not diffs, f"{len(diffs)} articles differ from {GOLDEN.name}:\n" + "\n".join(diffs[:5])


if __name__ == "__main__":
    if "--regen" in sys.argv:
        sys.exit(regenerate())
    print(__doc__)
