"""Instructions per article of clean, tag and detect, counted by valgrind (figures only).

    .venv/bin/python tools/logic_instructions.py [--stage clean|tag|detect ...] [--articles N]
                                                 [--checkout DIR]

Timings on the shared 2-core development machines swing by 30-50 % from run to run; an
instruction count does not (the same code and input give the same count), so it is the
figure to compare two versions of the logic by. For each stage the logic runs under
`valgrind --tool=callgrind` twice on the same benchmark-workload articles, once with one
warm pass and once with a second, timed-by-counting pass; the difference divided by the
number of articles is that stage's cost per article (start-up, gazetteer load and the first
pass's cache filling cancel out).

--checkout DIR counts another checkout of the repository (e.g. a `git worktree add` of an
older commit) with the same inputs, for a before/after pair. Each count takes about a minute
per stage (valgrind runs Python some 50 times slower).
"""
from __future__ import annotations

import argparse
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("clean", "tag", "detect")


def prepare(path: Path, articles: int) -> None:
    """The workload's raw, clean and tagged messages, made once by this checkout."""
    sys.path.insert(0, str(ROOT / "services"))
    from parley.bench.workload import generate, stamped
    from parley.logic.clean import clean
    from parley.logic.tag import tag

    raw = [stamped(i, "2026-01-01T00:00:00.000000Z") for i in generate(articles * 2, seed=7)
           if i.valid][:articles]
    cleaned = [clean(m) for m in raw]
    path.write_bytes(pickle.dumps((raw, cleaned, [tag(c) for c in cleaned])))


def run(data: Path, stage: str, passes: int) -> None:
    """Inside valgrind: import the stage from the current directory's checkout, warm it on
    every article, then run `passes` more passes."""
    sys.path.insert(0, "services")
    raw, cleaned, tagged = pickle.loads(data.read_bytes())
    if stage == "clean":
        from parley.logic.clean import clean as fn
        inputs = raw
    elif stage == "tag":
        from parley.logic.tag import tag as fn
        inputs = cleaned
    else:
        from parley.logic.detect import detect as fn
        inputs = tagged
    for _ in range(1 + passes):
        for message in inputs:
            fn(message)


def count(checkout: Path, data: Path, stage: str, passes: int) -> int:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
           str(Path(__file__).resolve()), "--run", str(data), stage, str(passes)]
    out = subprocess.run(cmd, cwd=checkout, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or not found:
        raise SystemExit(f"valgrind failed on {stage} in {checkout}:\n{out.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--run":
        run(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", action="append", choices=STAGES, help="default: all three")
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--checkout", type=Path, default=ROOT)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "inputs.pickle"
        prepare(data, args.articles)
        total = 0
        for stage in args.stage or STAGES:
            print(f"{stage}: counting ...", end="", flush=True, file=sys.stderr)
            per_article = (count(args.checkout, data, stage, 1) - count(args.checkout, data, stage, 0)) \
                // args.articles
            total += per_article
            print(f"\r{stage:7s} {per_article / 1e6:8.2f} M instructions per article", flush=True)
        if not args.stage or len(args.stage) > 1:
            print(f"{'total':7s} {total / 1e6:8.2f} M instructions per article "
                  f"({args.articles} workload articles, {args.checkout})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
