"""Confidence of a detected meeting: evidence features -> calibrated probability.

The raw score adds what makes a detection trustworthy (a verb trigger, named people on the
sides, several reports of the same meeting) and takes off what makes it shaky (sides found
through a pronoun, quoted speech, a headline-only report). The score is then mapped through
the calibration table in services/parley/data/detection/calibration.tsv (raw-score bins -> observed
precision on the dev corpus).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "detection"
DISABLED = False   # set by the calibration fitter to read raw scores


def raw_score(c) -> float:
    f = c.features
    s = 0.5
    s += 0.15 * (c.strength - 1)
    named = sum(1 for p in c.parties if p.name)
    s += 0.1 * min(named, 2)
    if f.get("coref"):
        s -= 0.1
    if f.get("quoted"):
        s -= 0.15
    if c.field != "text":
        s -= 0.2
    if f.get("reports", 1) > 1:
        s += 0.1
    if c.status in ("proposed", "denied"):
        s -= 0.1
    if c.date_text:
        s += 0.05
    return max(0.0, min(1.0, s))


@lru_cache(maxsize=1)
def _table() -> list[tuple[float, float]]:
    path = DATA / "calibration.tsv"
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                lo, p = line.split("\t")[:2]
                rows.append((float(lo), float(p)))
    return sorted(rows)


def confidence(c) -> float:
    raw = raw_score(c)
    table = _table()
    if not table or DISABLED:
        return raw
    p = table[0][1]
    for lo, prob in table:
        if raw >= lo:
            p = prob
    return p
