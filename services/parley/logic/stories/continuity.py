"""Continuity: a plan or an offer told as the same meeting still in prospect ("Kim still wants to
meet Trump" days after the summit was called off). The words are data
(data/stories/continuity.txt); docs/stories.md says how merging uses them.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

CONTINUITY_FILE = Path(__file__).resolve().parents[2] / "data" / "stories" / "continuity.txt"


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    lines = [ln.strip() for ln in CONTINUITY_FILE.read_text(encoding="utf-8").splitlines()]
    return re.compile("|".join(f"(?:{ln})" for ln in lines if ln and not ln.startswith("#")), re.I)


def continues(evidence: str) -> bool:
    """Does the evidence tell a meeting as the one still in prospect?"""
    return bool(evidence) and _pattern().search(evidence) is not None
