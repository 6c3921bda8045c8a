"""Fitting the confidence calibration table (services/parley/data/detection/calibration.tsv).

    parley eval tests/corpus/dev ../shared/corpus/news --fit-calibration [TSV]

The detector's raw score (parley.logic.detect.confidence.raw_score) is mapped through this table to
the precision observed on an annotated corpus. The fit runs the pipeline with the table
switched off (so events carry raw scores), scores the detections with THE scorer
(parley.eval.score: a true positive is correct, a false positive is not, a detection of an
optional gold meeting is left out), pools adjacent raw-score bins until precision rises
monotonically (isotonic), smooths each bin toward the overall precision, and writes
`lower-bound <TAB> precision <TAB> n` lines.
"""

from __future__ import annotations

from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "data" / "detection" / "calibration.tsv"
EDGES = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)  # lower bounds of the raw-score bins
PRIOR_WEIGHT = 3  # pseudo-detections at the overall precision added to each bin


def raw_points(corpus_dir: Path | str) -> list[tuple[float, bool]]:
    """(raw score, correct) of every scored detection on the corpus, the table switched off."""
    from parley.eval.report import evaluate
    from parley.logic.detect import confidence

    previous = confidence.DISABLED
    confidence._table.cache_clear()
    confidence.DISABLED = True
    try:
        report = evaluate(corpus_dir)
    finally:
        confidence.DISABLED = previous
        confidence._table.cache_clear()
    return [point for doc in report.docs for point in doc.confidences]


def fit(points: list[tuple[float, bool]]) -> list[tuple[float, float, int]]:
    """(raw lower bound, calibrated precision, detections) per pooled bin; [] without points."""
    if not points:
        return []
    overall = sum(ok for _, ok in points) / len(points)
    bins = []
    for i, lo in enumerate(EDGES):
        hi = EDGES[i + 1] if i + 1 < len(EDGES) else 1.01
        inside = [ok for score, ok in points if lo <= score < hi]
        if inside:
            bins.append([lo, sum(inside), len(inside)])
    merged: list[list] = []
    for b in bins:
        merged.append(b)
        while len(merged) > 1 and merged[-2][1] / merged[-2][2] > merged[-1][1] / merged[-1][2]:
            lo, correct, n = merged[-2]
            merged[-2:] = [[lo, correct + merged[-1][1], n + merged[-1][2]]]
    return [(lo, (correct + PRIOR_WEIGHT * overall) / (n + PRIOR_WEIGHT), n) for lo, correct, n in merged]


def write_table(rows: list[tuple[float, float, int]], path: Path | str, corpus: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"# Confidence calibration: raw detector score (lower bound of bin) -> precision observed on\n"
                  f"# {corpus} (isotonic pooling, smoothed toward the overall precision with weight {PRIOR_WEIGHT}).\n"
                  f"# Written by `parley eval CORPUS_DIR... --fit-calibration` (parley.eval.calibration).\n"
                  f"# raw_lower\tprecision\tn\n")
        for lo, precision, n in rows:
            out.write(f"{lo:.2f}\t{precision:.3f}\t{n}\n")


def fit_calibration(corpus_dirs, path: Path | str = TABLE) -> list[tuple[float, float, int]]:
    """Fit the table on the corpora (one folder or several, pooled) and write it to `path`
    (unless there is nothing to fit)."""
    folders = [corpus_dirs] if isinstance(corpus_dirs, (str, Path)) else list(corpus_dirs)
    rows = fit([point for folder in folders for point in raw_points(folder)])
    if rows:
        names = " + ".join(Path(folder).name for folder in folders)
        write_table(rows, path, f"the corpora {names}" if len(folders) > 1 else f"the corpus {names}")
    return rows
