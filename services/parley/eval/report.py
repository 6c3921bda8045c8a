"""`parley eval CORPUS_DIR`: run the in-process pipeline over an annotated corpus and score it.

    parley eval tests/corpus/dev [--verbose] [--json FILE] [--events FILE.jsonl] [--fit-calibration [TSV]]
    parley eval --stories CORPUS_DIR... [--stories-gold STORIES.jsonl] [--stories-output DIR] [--json FILE]

Prints rich tables (per article, meeting attributes, tagging, cleaning, calibration) and, as
the last three lines, a compact summary meant for logs and CI:

    meetings: P=0.986 R=0.809 F1=0.889 (TP 72 FP 1 FN 17) | kind 0.944 location 0.900 date 0.922 people 0.909 orgs 0.750 | stray 0
    tagging: persons P=0.900 R=0.870 | countries P=0.700 R=0.910
    cleaning: must_keep 118/118 must_drop 34/34 | teaser leaks 0 | errors 0 | 59 docs 4.1 ms/doc

The meeting figures are those of the reference scorer (../shared/eval/score.py) on the same
events: `--events FILE.jsonl` writes them (one meeting event per line) so it can be run on
them. A field the gold never fills prints n/a (the reference's null). ms/doc: in-process
pipeline time per article, leaving out the first one, which loads the gazetteer.
`--fit-calibration` refits the confidence calibration table on this corpus
(parley.eval.calibration) instead of printing the report.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
from rich.console import Console
from rich.table import Table

from parley.eval import score as ev
from parley.eval.corpus import GOLD_FILE, load_corpus, load_gold
from parley.logic.errors import Rejected


@dataclass
class EvalReport:
    corpus: str
    docs: list[ev.DocScore]
    totals: ev.Totals
    ms_per_doc: float

    def summary_lines(self) -> list[str]:
        t = self.totals
        return [
            f"meetings: P={t.precision:.3f} R={t.recall:.3f} F1={t.f1:.3f} (TP {t.tp} FP {t.fp} FN {t.fn})"
            f" | kind {_f(t.kind)} location {_f(t.location)} date {_f(t.date)} people {_f(t.people)}"
            f" orgs {_f(t.orgs)} | stray {t.stray}",
            f"tagging: persons P={_f(t.persons_p)} R={_f(t.persons_r)}"
            f" | countries P={_f(t.countries_p)} R={_f(t.countries_r)}",
            f"cleaning: must_keep {t.keep[0]}/{t.keep[1]} must_drop {t.drop[0]}/{t.drop[1]}"
            f" | teaser leaks {t.teaser_leaks} | errors {t.errors} | {len(self.docs)} docs {self.ms_per_doc:.1f} ms/doc",
        ]

    def to_dict(self) -> dict:
        return {
            "corpus": self.corpus,
            "ms_per_doc": self.ms_per_doc,
            "figures": self.totals.figures(),
            "totals": dataclasses.asdict(self.totals),
            "docs": [_doc_dict(d) for d in self.docs],
            "summary": self.summary_lines(),
        }

    def write_events(self, path: Path | str) -> int:
        """Every detected meeting event as JSON Lines (the reference scorer's input); returns the count."""
        count = 0
        with open(path, "wb") as out:
            for d in self.docs:
                for event in d.events:
                    out.write(orjson.dumps(event) + b"\n")
                    count += 1
        return count


def evaluate(corpus_dir: Path | str) -> EvalReport:
    """Score the pipeline on one corpus folder (no printing).

    Each article is processed as ingest would send it, with `published_at` from its gold line.
    As in the reference scorer, the gold lines make the corpus: a gold article without its
    text has every required meeting missed, and the detections of a text without a gold line
    are stray (counted, not scored).
    """
    from parley.logic.pipeline import process

    docs = load_corpus(corpus_dir)
    texts = {item.name for item in docs}
    scores = []
    timings = []
    for item in docs:
        score = ev.DocScore(doc=item.name)
        gold = item.gold
        started = time.perf_counter()
        try:
            result = process(item.raw)
            timings.append(time.perf_counter() - started)
        except Exception as exc:  # one failing article must not hide the scores of the others
            reason = f"{exc.reason}: {exc.detail}" if isinstance(exc, Rejected) else f"{type(exc).__name__}: {exc}"
            scores.append(_unread(item.name, gold, reason))
            continue
        if gold is None:
            score.events = list(result.events)
            score.stray = len(result.events)
            scores.append(score)
            continue
        ev.score_meetings(gold.get("meetings") or [], result.events, score)
        ev.score_tagging(gold, result.tagged, score)
        ev.score_cleaning(gold, result.clean, score)
        score.teaser_leaks = ev.teaser_leaks(gold, result.clean, result.events)
        scores.append(score)
    for name, gold in load_gold(corpus_dir).items():
        if name not in texts:
            scores.append(_unread(name, gold, "no text file for this gold line"))
    # The first article pays for loading the gazetteer and compiling patterns: leave it out.
    steady = timings[1:] or timings
    return EvalReport(
        corpus=str(corpus_dir),
        docs=scores,
        totals=ev.totals(scores),
        ms_per_doc=1000 * sum(steady) / max(1, len(steady)),
    )


def _unread(name: str, gold: dict | None, reason: str) -> ev.DocScore:
    """An article the pipeline could not read: every required gold meeting is missed."""
    score = ev.DocScore(doc=name, error=reason)
    score.misses = [g for g in (gold or {}).get("meetings") or [] if not g.get("optional")]
    score.fn = len(score.misses)
    return score


def run_eval(corpus_dir: Path, verbose: bool = False, console: Console | None = None) -> EvalReport:
    """Evaluate and print the report; returns it (for --json and tests)."""
    console = console or Console()
    report = evaluate(corpus_dir)
    print_report(report, console, verbose=verbose)
    return report


def print_report(report: EvalReport, console: Console, *, verbose: bool = False) -> None:
    console.print(_doc_table(report))
    console.print(_attribute_table(report.totals))
    console.print(_calibration_table(report.totals))
    if verbose:
        _print_details(report, console)
    for line in report.summary_lines():
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def _doc_table(report: EvalReport) -> Table:
    table = Table(title=f"Meetings per article - {report.corpus}", show_lines=False)
    for name, justify in (("doc", "left"), ("TP", "right"), ("FP", "right"), ("FN", "right"),
                          ("ignored", "right"), ("keep", "right"), ("drop", "right"), ("note", "left")):
        table.add_column(name, justify=justify)
    for d in report.docs:
        keep = f"{len(d.keep_ok)}/{len(d.keep_ok) + len(d.keep_missing)}"
        drop = f"{len(d.drop_ok)}/{len(d.drop_ok) + len(d.drop_leaked)}"
        note = d.error or ("teaser leak" if d.teaser_leaks else "")
        style = "red" if d.error or d.fp or d.fn or d.keep_missing or d.drop_leaked else None
        table.add_row(d.doc, str(d.tp), str(d.fp), str(d.fn), str(d.ignored), keep, drop, note, style=style)
    return table


def _attribute_table(t: ev.Totals) -> Table:
    table = Table(title="Scores")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("meetings precision", _f(t.precision, 3)), ("meetings recall", _f(t.recall, 3)),
        ("meetings F1", _f(t.f1, 3)), ("kind accuracy", _f(t.kind)), ("location accuracy", _f(t.location)),
        ("date accuracy", _f(t.date)), ("people accuracy", _f(t.people)), ("orgs accuracy", _f(t.orgs)),
        ("persons P / R", f"{_f(t.persons_p)} / {_f(t.persons_r)}"),
        ("countries P / R", f"{_f(t.countries_p)} / {_f(t.countries_r)}"),
        ("must_keep kept", f"{t.keep[0]}/{t.keep[1]}"), ("must_drop dropped", f"{t.drop[0]}/{t.drop[1]}"),
        ("teaser leaks", str(t.teaser_leaks)), ("stage errors", str(t.errors)),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _calibration_table(t: ev.Totals) -> Table:
    table = Table(title="Calibration (confidence bin -> precision)")
    for name in ("confidence", "detections", "correct", "precision"):
        table.add_column(name, justify="right")
    for row in t.calibration:
        table.add_row(row["bin"], str(row["detections"]), str(row["correct"]), _f(row["precision"]))
    return table


def _print_details(report: EvalReport, console: Console) -> None:
    for d in report.docs:
        wrong_pairs = any(p.wrong() for p in d.pairs)
        if not (d.misses or d.false or d.keep_missing or d.drop_leaked or d.error or wrong_pairs):
            continue
        console.rule(d.doc)
        if d.error:
            console.print(f"  stage error: {d.error}", markup=False)
        for g in d.misses:
            console.print(
                f"  MISS  {'/'.join(g.get('countries') or [])} {_status(g.get('status'))} {g.get('kind')}"
                f" @ {g.get('location')} {g.get('date')}: {g.get('evidence')}", markup=False, highlight=False)
        for e in d.false:
            evidence = (e.get("evidence") or {}).get("text")
            loc = (e.get("location") or {}).get("name") if e.get("location") else None
            date = (e.get("date") or {}).get("value") if e.get("date") else None
            console.print(
                f"  FALSE {'/'.join(e.get('countries') or [])} {e.get('status')} {e.get('kind')}"
                f" @ {loc} {date} conf={e.get('confidence')}: {evidence}", markup=False, highlight=False)
        for p in d.pairs:
            wrong = p.wrong()
            if wrong:
                console.print(f"  PAIR  {'/'.join(p.gold.get('countries') or [])} wrong {', '.join(wrong)}: "
                              f"gold {_gold_attrs(p.gold)} | detected {_det_attrs(p.detected)}",
                              markup=False, highlight=False)
        for phrase in d.keep_missing:
            console.print(f"  LOST  must_keep: {phrase!r}", markup=False)
        for phrase in d.drop_leaked:
            console.print(f"  KEPT  must_drop: {phrase!r}", markup=False)


def _gold_attrs(g: dict) -> str:
    return f"{g.get('kind')} @ {g.get('location')} {g.get('date')} {g.get('people')} {g.get('orgs') or []}"


def _det_attrs(e: dict) -> str:
    loc = (e.get("location") or {}).get("name") if e.get("location") else None
    date = (e.get("date") or {}).get("value") if e.get("date") else None
    people = [p.get("name") for p in e.get("participants") or [] if p.get("name")]
    return f"{e.get('kind')} @ {loc} {date} {people} {e.get('orgs') or []}"


def _status(status) -> str:
    return "|".join(status) if isinstance(status, list) else str(status)


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _doc_dict(d: ev.DocScore) -> dict:
    return {
        "doc": d.doc, "tp": d.tp, "fp": d.fp, "fn": d.fn, "ignored": d.ignored, "stray": d.stray, "error": d.error,
        "misses": [g.get("evidence") for g in d.misses],
        "false": [(e.get("evidence") or {}).get("text") for e in d.false],
        "wrong_attributes": [
            {"evidence": p.gold.get("evidence"),
             "wrong": p.wrong()}
            for p in d.pairs
        ],
        "keep_missing": d.keep_missing, "drop_leaked": d.drop_leaked,
        "teaser_leaks": [(e.get("evidence") or {}).get("text") for e in d.teaser_leaks],
        "persons": list(d.persons), "countries": list(d.countries),
    }


def main(argv: list[str] | None = None) -> int:
    from parley.eval import calibration

    parser = argparse.ArgumentParser(prog="parley eval", description="Score the pipeline on an annotated corpus.")
    parser.add_argument("corpus_dir", type=Path, nargs="+",
                        help="folder with *.txt and gold.jsonl (several: one report each, or one fit of all)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="list every miss, false detection and wrong field with its evidence")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the full report as JSON")
    parser.add_argument("--events", type=Path, metavar="FILE.jsonl",
                        help="also write the detected meeting events (input of ../shared/eval/score.py)")
    parser.add_argument("--stories", action="store_true",
                        help="instead of the report, score merging into stories over the corpora (on the gold "
                             "meetings and on the detector's events; parley.eval.stories_report)")
    parser.add_argument("--stories-gold", type=Path, metavar="STORIES.jsonl",
                        help="the stories gold (default: ../shared/corpus/stories.jsonl beside the repository)")
    parser.add_argument("--stories-output", type=Path, metavar="DIR",
                        help="with --stories: write the predicted stories (input of ../shared/eval/stories_score.py)")
    parser.add_argument("--fit-calibration", type=Path, nargs="?", const=calibration.TABLE, metavar="TSV",
                        help="instead of the report, refit the confidence calibration table on the corpora "
                             "and write it (default: the shipped services/parley/data/detection/calibration.tsv)")
    args = parser.parse_args(argv)
    for folder in args.corpus_dir:
        if not folder.is_dir():
            print(f"not a corpus folder: {folder}", file=sys.stderr)
            return 2
        if not (folder / GOLD_FILE).is_file():
            # Without annotations every score would print as zero, which reads as a broken detector.
            print(f"no {GOLD_FILE} in {folder}: `parley eval` scores an annotated corpus "
                  f"(*.txt + {GOLD_FILE}, see tests/corpus/GOLD_FORMAT.md); "
                  f"to only detect meetings, run `parley process {folder}`", file=sys.stderr)
            return 2
    if args.stories:
        from parley.eval import stories_report

        return stories_report.run(args.corpus_dir, args.stories_gold, output=args.stories_output, json_path=args.json)
    if args.fit_calibration:
        rows = calibration.fit_calibration(args.corpus_dir, args.fit_calibration)
        if not rows:
            print(f"no scored detection in {', '.join(map(str, args.corpus_dir))}: nothing written", file=sys.stderr)
            return 1
        print(f"wrote {args.fit_calibration}: "
              + ", ".join(f"{lo:.2f}->{precision:.3f} (n={n})" for lo, precision, n in rows))
        return 0
    if len(args.corpus_dir) > 1 and (args.json or args.events):
        print("--json and --events take one corpus folder", file=sys.stderr)
        return 2
    for folder in args.corpus_dir:
        report = run_eval(folder, verbose=args.verbose)
    if args.json:
        args.json.write_bytes(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2))
    if args.events:
        report.write_events(args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
