"""The settings of merging (docs/stories.md says why each value)."""
from __future__ import annotations

from dataclasses import dataclass

# When reports published at the same time disagree, the current status is the one first in
# this list: an article that reports a plan and a cancellation of the same meeting is, in
# the corpora, reporting a reinstated plan with its history ("the summit, which Trump called
# off last month, will take place on Tuesday").
STATUS_PRIORITY = ("occurred", "planned", "proposed", "cancelled", "denied")

# Statuses that look forward from the publication date (the meeting is after it).
FORWARD = frozenset({"planned", "proposed"})
# Statuses an undated report needs a named person in common for (and not only the place).
TIED_BY_PEOPLE = frozenset({"occurred", "planned", "cancelled"})


@dataclass(frozen=True)
class MergeRules:
    # A report joins a story only while it is published at most this many days after the
    # story's date (or, for a story without a date, after its latest report); a story is
    # closed once the stream has moved that far past it (plus `lateness_days`).
    retention_days: int = 60
    # How late (after the newest report seen) a report may still arrive and join a story
    # that the retention window would otherwise have closed.
    lateness_days: int = 7
