"""CPU cost of tagging the vendored corpora (figures only, no assertions).

    .venv/bin/python tools/bench_tagging.py [-n 7] [--profile] [--baseline OLD_TAG] [CORPUS_DIR ...]

Each article is cleaned once, then tagged n times (after one warm-up pass that fills the
per-process caches, as a long-running tagger has them); an article's cost is its fastest
run (process_time), which is what an idle core would give on a shared, noisy machine.
Prints the mean of those minima per article and per 5 kB of clean text, the total, and the
machine reference so runs on different days can be compared. --profile adds a cProfile
of one extra pass, sorted by own time.

On a shared machine absolute figures swing by 2x from one run to the next; --baseline
loads another version of the tagger and times both in turns on each article, which gives a
usable speed ratio. OLD_TAG is either a folder holding another version of the tag package
(e.g. `git archive REV services/parley/logic/tag | tar -x -C /tmp/old`, then
/tmp/old/services/parley/logic/tag) or, for trees from before the package, the single
tagging.py (`git show REV:services/parley/logic/tagging.py > /tmp/old.py`).
"""
from __future__ import annotations

import argparse
import copy
import cProfile
import importlib.util
import pstats
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "services") not in sys.path:   # lets PYTHONPATH put another checkout first (A/B runs)
    sys.path.insert(0, str(ROOT / "services"))

from parley.logic import gazetteer  # noqa: E402
from parley.logic.clean import clean  # noqa: E402
from parley.eval.corpus import load_corpus  # noqa: E402
from parley.logic.tag import tag  # noqa: E402

DEFAULT = [ROOT / "tests" / "corpus" / "seeds", ROOT / "tests" / "corpus" / "dev"]


def _module_from(path: Path):
    """The tagger at `path`: a folder holding a version of the tag package (its modules import
    one another relatively, so they load as submodules of "baseline_tag"), or an old tagging.py."""
    if path.is_dir():
        spec = importlib.util.spec_from_file_location("baseline_tag", path / "__init__.py",
                                                      submodule_search_locations=[str(path)])
    else:
        spec = importlib.util.spec_from_file_location("baseline_tagging", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod      # dataclasses look their module up by name, submodules their package
    spec.loader.exec_module(mod)
    return mod


def _own_caches(gz):
    """A shallow copy of the gazetteer with empty per-process memos, so that a baseline tagger
    neither shares this version's memos nor fills them; `run_cache` is the memo older taggers
    keep (the current one does not)."""
    other = copy.copy(gz)
    for name in ("fuzzy_cache", "name_cache", "surname_cache", "run_cache"):
        setattr(other, name, {})
    return other


def _timed(taggers: dict, msgs, n) -> dict[str, list[float]]:
    """Fastest of n CPU times per article, per tagger (name -> (tag, gazetteer)); the taggers
    take turns on each article so that they see the same machine load."""
    for fn, gz in taggers.values():       # warm-up: per-process caches, as in a running tagger
        for m in msgs:
            fn(m, gz)
    best = {name: [float("inf")] * len(msgs) for name in taggers}
    clock = time.process_time
    order = list(taggers.items())
    for _ in range(n):
        order.reverse()     # the second to run finds the article's data in the CPU caches
        for k, m in enumerate(msgs):
            for name, (fn, gz) in order:
                t0 = clock()
                fn(m, gz)
                t = clock() - t0
                if t < best[name][k]:
                    best[name][k] = t
    return best


def _reference() -> float:
    """CPU seconds of a fixed pure-Python loop: the machine's speed right now."""
    return min(timeit.repeat("sum(range(10**6))", number=1, repeat=5, timer=time.process_time))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", type=Path, default=DEFAULT)
    ap.add_argument("-n", type=int, default=7, help="timed runs per article (min is kept)")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--baseline", type=Path, metavar="OLD_TAG",
                    help="another version of the tag package (a folder) or of the old tagging.py, "
                         "timed interleaved with this one (A/B on a noisy machine)")
    args = ap.parse_args(argv)

    calib = _reference()
    gz = gazetteer.load()
    msgs = [clean(doc.raw) for folder in args.folders for doc in load_corpus(folder)]
    taggers = {"this": (tag, gz)}
    if args.baseline:
        taggers["baseline"] = (_module_from(args.baseline).tag, _own_caches(gz))
    best = _timed(taggers, msgs, args.n)
    if args.baseline:
        ratio = sum(best["baseline"]) / sum(best["this"])
        print(f"baseline {args.baseline}: {1e6 * sum(best['baseline']) / len(msgs):.0f} µs/article; "
              f"this version is {ratio:.2f}x as fast")
    best = best["this"]
    chars = sum(len(m.get("text") or "") + len(m.get("title") or "") + sum(map(len, m.get("captions") or []))
                for m in msgs)
    total = sum(best)
    calib = min(calib, _reference())
    print(f"machine reference: sum(range(10**6)) = {1000 * calib:.1f} ms (about 10 ms on an idle modern core)")
    print(f"{len(msgs)} articles, {chars / len(msgs):.0f} chars each on average")
    print(f"tag: {1e6 * total / len(msgs):.0f} µs/article, {1e6 * total / chars * 5000:.0f} µs per 5 kB "
          f"(min of {args.n} per article)")
    scale = 0.010 / calib
    print(f"idle-core estimate (scaled by the reference): {1e6 * total * scale / len(msgs):.0f} µs/article, "
          f"{1e6 * total * scale / chars * 5000:.0f} µs per 5 kB")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for m in msgs:
            tag(m, gz)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
