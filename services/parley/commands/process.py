"""`parley process`: the same logic as the streaming pipeline, in one process, no Kafka.

With `--stories` the meetings are merged into stories (parley.logic.stories, the logic the
stories stage runs) and `--output` holds one story a line, each with its reports.

For backfills and quick looks. A record a stage refuses is reported (like the dead-letter
topic would hold it) and the run goes on.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import Progress

from ..config import Settings
from ..dlq import Failure
from ..ingest.readers import InputError, read_paths
from ..render import print_meetings, wide_console
from ..stages.sink_store import write_jsonl
from ..timebudget import time_budget


@dataclass
class Processed:
    """What one in-process run over some input gave."""

    events: list[dict] = field(default_factory=list)
    articles: int = 0
    refused: int = 0
    failed: int = 0


def missing_paths(paths: list[str]) -> bool:
    """Say so (stderr) and return True when a path does not exist."""
    missing = [p for p in paths if p != "-" and not Path(p).exists()]
    if missing:
        print(f"no such file or folder: {', '.join(missing)}", file=sys.stderr)
    return bool(missing)


def process_articles(settings: Settings, paths: list[str], console) -> Processed:
    """Read the articles under `paths` and run the pipeline's logic on each, with a progress bar;
    what a stage would dead-letter is reported on `console` and the run goes on."""
    from ..logic.pipeline import process
    from ..warmup import warm_up

    warm_up()
    done = Processed()
    results = list(read_paths(paths, max_chars=settings.max_article_chars))
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("processing", total=len(results))
        for result in results:
            progress.advance(task)
            if isinstance(result, InputError):
                done.refused += 1
                console.print(f"[yellow]refused[/] {result.message}")
                continue
            message = result.to_message()
            try:
                with time_budget(settings.article_time_budget):
                    done.events.extend(process(message).events)
                done.articles += 1
            except Exception as exc:
                done.failed += 1
                failure = Failure.from_exception("process", exc)
                console.print(f"[red]failed[/] {message['source']['file'] or message['article_id']}: "
                              f"{failure.reason}: {failure.detail}")
    return done


def process_paths(settings: Settings, paths: list[str], *, output: str | None, quiet: bool,
                  stories: bool = False) -> int:
    if missing_paths(paths):
        return 2
    console = wide_console(stderr=True)
    started = time.perf_counter()
    done = process_articles(settings, paths, console)
    events, articles, refused, failed = done.events, done.articles, done.refused, done.failed
    elapsed = time.perf_counter() - started
    if not quiet and articles:  # no table when nothing could be read: the refusals above say why
        print_meetings(events, wide_console())
    if stories:
        from ..logic.stories import story_records

        records = story_records(events)
        multi = sum(1 for r in records if r["article_count"] > 1)
        console.print(f"{len(records)} stories from {len(events)} meetings ({multi} reported by several articles)")
        if output:
            write_jsonl(records, output)
            console.print(f"wrote {len(records)} stories to {output}")
    elif output:
        write_jsonl(events, output)
        console.print(f"wrote {len(events)} meetings to {output}")
    console.print(f"{articles} articles, {len(events)} meetings, {refused} refused, {failed} failed "
                  f"in {elapsed:.2f} s")
    return 0 if articles or not (refused or failed) else 1
