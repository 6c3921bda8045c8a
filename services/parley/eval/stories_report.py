"""`parley eval --stories CORPUS_DIR...`: score merging twice, over all the corpora together
(a story may span them) and over each one.

- merging alone: the gold meetings themselves, as events (parley.eval.stories.gold_events);
- whole chain: the detector's events on the same articles (as `parley eval` runs it).

Prints one line per corpus and input, the figures of ../shared/eval/stories_score.py:

    stories merging-alone [all]: B3 P=0.995 R=0.985 | stories/meeting 1.015 (multi-article 1.333) | status right 1.000 of 18 | paired 435

`--stories-output DIR` writes the predicted stories (gold.jsonl and detector.jsonl, one story
a line with its reports) for the reference scorer; `--json FILE` the figures.
"""
from __future__ import annotations

import sys
from pathlib import Path

import orjson

from parley.eval.stories import Resolver, gold_events, load_jsonl, score_stories
from parley.logic.stories import story_records

DEFAULT_GOLD = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "stories.jsonl"


def detector_events(corpus_dirs) -> list[dict]:
    from parley.eval.report import evaluate

    events = []
    for folder in corpus_dirs:
        for doc in evaluate(folder).docs:
            events.extend(doc.events)
    return events


def stories_figures(corpus_dirs, gold_path: Path, *, events_by_input: dict[str, list[dict]] | None = None,
                    output: Path | None = None) -> dict:
    """{input: {corpus or "all": figures}} for the inputs "merging-alone" and "whole-chain"."""
    gold_stories = load_jsonl(gold_path)
    if events_by_input is None:
        events_by_input = {"merging-alone": gold_events(corpus_dirs, Resolver()),
                           "whole-chain": detector_events(corpus_dirs)}
    out = {}
    for name, events in events_by_input.items():
        records = story_records(events)
        if output:
            output.mkdir(parents=True, exist_ok=True)
            (output / f"{name}.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
        figures = {}
        if len(corpus_dirs) > 1:
            figures["all"] = score_stories(gold_stories, records, corpus_dirs)
        for folder in corpus_dirs:
            figures[Path(folder).name] = score_stories(gold_stories, records, [folder])
        out[name] = figures
    return out


def line(name: str, corpus: str, f: dict) -> str:
    if not f.get("paired"):
        return f"stories {name} [{corpus}]: no report paired with a gold meeting"
    per_multi = f["stories_per_multi_article_meeting"]
    status = f["status_right"]
    return (f"stories {name} [{corpus}]: B3 P={f['bcubed_precision']:.3f} R={f['bcubed_recall']:.3f}"
            f" | stories/meeting {f['stories_per_meeting']:.3f}"
            f" (multi-article {'n/a' if per_multi is None else f'{per_multi:.3f}'})"
            f" | status right {'n/a' if status is None else f'{status:.3f}'} of {f['multi_article_stories']}"
            f" | paired {f['paired']}")


def run(corpus_dirs, gold_path: Path | None = None, *, output: Path | None = None, json_path: Path | None = None) -> int:
    gold_path = Path(gold_path or DEFAULT_GOLD)
    if not gold_path.is_file():
        print(f"no stories gold at {gold_path}: give it with --stories-gold", file=sys.stderr)
        return 2
    figures = stories_figures(list(corpus_dirs), gold_path, output=output)
    for name, by_corpus in figures.items():
        for corpus, f in by_corpus.items():
            print(line(name, corpus, f))
    if json_path:
        Path(json_path).write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2))
    return 0
