"""The whole text pipeline in one process: raw -> clean -> tagged -> meeting events.

The same functions the Kafka stages call, chained directly (for `parley eval`, tests and
benchmarks). Stage modules are imported on first use so that a missing or broken stage only
fails the call that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ProcessResult:
    clean: dict
    tagged: dict
    events: list[dict] = field(default_factory=list)


def process(raw: dict) -> ProcessResult:
    """Run one articles.raw message through cleaner, tagger and detector.

    Raises `Rejected` when a stage refuses the article (as the services would dead-letter it).
    """
    from parley.logic.clean import clean
    from parley.logic.detect import detect
    from parley.logic.tag import tag

    cleaned = clean(raw)
    tagged = tag(cleaned)
    return ProcessResult(cleaned, tagged, list(detect(tagged)))
