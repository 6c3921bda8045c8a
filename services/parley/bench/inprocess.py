"""Figure (a): the pure in-process rate of clean + tag + detect, per stage, on one core.

No broker, no serialisation: the three logic functions called one after the other on each
valid message of the workload, each timed on its own. A second pass over a sample adds
what every streaming stage does around the logic (orjson decode + JSON Schema validation
of its input, orjson encode of its output), to show how much the shell adds.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from .workload import Item, stamped

WARMUP = 30  # articles run before timing: first calls compile regexes, fill caches
CODEC_SAMPLE = 500


@dataclass
class StageClock:
    seconds: dict[str, float] = field(default_factory=lambda: {"clean": 0.0, "tag": 0.0, "detect": 0.0})
    articles: int = 0
    failed: int = 0
    events: int = 0
    failures: dict[str, int] = field(default_factory=dict)


def _logic():
    from ..logic.clean import clean
    from ..logic.detect import detect
    from ..logic.tag import tag

    return clean, tag, detect


def load_logic() -> float:
    """Build everything built once per process (gazetteer, matchers); returns its seconds."""
    started = time.perf_counter()
    from ..logic.gazetteer import load

    load()
    _logic()
    return time.perf_counter() - started


def run_logic(messages: list[dict], clock: StageClock) -> None:
    clean, tag, detect = _logic()
    perf = time.perf_counter
    seconds = clock.seconds
    for message in messages:
        t0 = perf()
        try:
            cleaned = clean(message)
            t1 = perf()
            seconds["clean"] += t1 - t0
            tagged = tag(cleaned)
            t2 = perf()
            seconds["tag"] += t2 - t1
            events = detect(tagged)
            seconds["detect"] += perf() - t2
            clock.events += len(events)
        except Exception as exc:  # counted like the dead-letter topic would count it
            clock.failed += 1
            name = getattr(exc, "reason", None) or type(exc).__name__
            clock.failures[name] = clock.failures.get(name, 0) + 1
        clock.articles += 1


def codec_overhead(messages: list[dict]) -> tuple[float, int]:
    """Seconds per article the three stage shells spend on decode+validate and encode, and
    how many articles a stage's schema check refused (they would be dead-lettered)."""
    from ..codec import decode, encode
    from ..topics import CLEAN, RAW, TAGGED

    clean, tag, detect = _logic()
    payloads = []
    for message in messages:
        try:
            cleaned = clean(message)
            tagged = tag(cleaned)
            events = detect(tagged)
        except Exception:
            continue
        payloads.append((encode(message), encode(cleaned), encode(tagged), events))
    if not payloads:
        return 0.0, 0
    rejected = 0
    started = time.perf_counter()
    for raw, cleaned, tagged, events in payloads:
        try:  # a stage whose input breaks its schema dead-letters it: still timed
            encode(decode(raw, schema=RAW))
            encode(decode(cleaned, schema=CLEAN))
            decode(tagged, schema=TAGGED)
            for event in events:
                encode(event)
        except Exception:
            rejected += 1
    return (time.perf_counter() - started) / len(payloads), rejected


def measure(items: list[Item], *, limit: int | None = None) -> dict:
    """Time the logic over the valid messages of `items` (at most `limit` of them)."""
    setup = load_logic()
    messages = [stamped(item, "2026-01-01T00:00:00.000000Z") for item in items if item.valid]
    if limit is not None:
        messages = messages[:limit]
    run_logic(messages[:WARMUP], StageClock())
    clock = StageClock()
    wall, cpu = time.perf_counter(), time.process_time()
    run_logic(messages, clock)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    busy = sum(clock.seconds.values())
    n = max(1, clock.articles)
    codec, rejected = codec_overhead(messages[:CODEC_SAMPLE])
    per_article = busy / n
    return {
        "articles": clock.articles,
        "failed": clock.failed,
        "failures": clock.failures,
        "events": clock.events,
        "setup_s": round(setup, 3),
        "seconds": round(wall, 3),
        "articles_per_s": round(clock.articles / busy, 1) if busy else None,
        # the same work per second of this process's CPU time: what the rate would be on an
        # otherwise idle core (the benchmark machine may be shared)
        "articles_per_cpu_s": round(clock.articles / cpu, 1) if cpu else None,
        "us_per_article": {
            **{stage: round(s / n * 1e6, 1) for stage, s in clock.seconds.items()},
            "total": round(per_article * 1e6, 1),
        },
        "share": {stage: round(s / busy, 3) if busy else None for stage, s in clock.seconds.items()},
        "codec_us_per_article": round(codec * 1e6, 1),
        "codec_sample": min(len(messages), CODEC_SAMPLE),
        "codec_schema_rejections": rejected,
        "articles_per_s_with_codec": round(1 / (per_article + codec), 1) if per_article + codec else None,
    }
