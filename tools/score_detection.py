"""Private helper: score the meeting detector on a corpus folder, following GOLD_FORMAT.md.

    .venv/bin/python tools/score_detection.py /work/shared/corpus/seeds [--verbose] [--calib] [--dump F]

Match = equal country set + detected status among the gold statuses; one detection per gold
meeting; pairs chosen preferring required meetings, then agreement on kind, place, date, people.
P/R/F1 over non-optional gold; detections matched to optional gold are ignored.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "services"))


def _norm(s: str | None) -> str:
    if not s:
        return ""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.lower().replace("-", " ").replace(".", " ").split())


def process_file(path: Path, published):
    raw = path.read_text(encoding="utf-8")
    msg = {"schema_version": 1, "article_id": "a-" + path.stem, "source": {"file": path.name, "url": None, "name": None},
           "published_at": published, "ingested_at": "2026-01-01T00:00:00.000000Z", "title": None,
           "text": raw, "html": None}
    try:
        from parley.logic import pipeline
        return pipeline.process(msg).events
    except ImportError:
        pass
    from parley.logic.clean import clean
    from parley.logic.tag import tag
    from parley.logic.detect import detect
    return detect(tag(clean(msg)))


def statuses(g):
    s = g["status"]
    return set(s) if isinstance(s, list) else {s}


def loc_ok(g, d):
    gl = _norm(g.get("location"))
    dl = _norm((d.get("location") or {}).get("name"))
    if not gl and not dl:
        return True
    if not gl or not dl:
        return False
    return gl == dl or gl in dl or dl in gl


def person_match(a, b):
    a, b = _norm(a), _norm(b)
    if a == b:
        return True
    ta, tb = a.split(), b.split()
    if not ta or not tb:
        return False
    # surname equal (tolerating transliteration suffixes), first letters of given names equal
    def close(x, y):
        return x == y or (len(x) > 3 and len(y) > 3 and (x[:4] == y[:4]))
    return close(ta[-1], tb[-1]) or any(close(x, y) for x in ta for y in tb if len(x) > 4)


def people_ok(g, d):
    gp = g.get("people") or []
    dp = [p["name"] for p in d.get("participants", []) if p.get("name")]
    return all(any(person_match(x, y) for y in dp) for x in gp) and \
        all(any(person_match(y, x) for x in gp) for y in dp)


def score_pair(g, d):
    return (1000 if not g.get("optional") else 0) + 10 * (g["kind"] == d["kind"]) + \
        5 * loc_ok(g, d) + 5 * (g.get("date") == (d.get("date") or {}).get("value")) + 3 * people_ok(g, d)


def match(golds, dets):
    pairs = []
    for i, g in enumerate(golds):
        for j, d in enumerate(dets):
            if sorted(g["countries"]) == d["countries"] and d["status"] in statuses(g):
                pairs.append((score_pair(g, d), i, j))
    pairs.sort(reverse=True)
    gi, dj, out = set(), set(), []
    for sc, i, j in pairs:
        if i in gi or j in dj:
            continue
        gi.add(i)
        dj.add(j)
        out.append((i, j))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--calib", action="store_true")
    ap.add_argument("--only")
    ap.add_argument("--dump", metavar="JSON",
                    help="write every article's events (without detected_at) to this file: dumps made "
                         "before and after an optimisation must be identical (compare with cmp/diff)")
    ap.add_argument("--fit-calibration", metavar="TSV",
                    help="write a raw-score -> precision table fitted on this corpus (raw scores are "
                         "read with the calibration table switched off)")
    a = ap.parse_args()
    if a.fit_calibration:
        from parley.logic.detect import confidence
        confidence._table.cache_clear()
        confidence.DISABLED = True
    folder = Path(a.folder)
    gold = [json.loads(l) for l in (folder / "gold.jsonl").read_text().splitlines() if l.strip()]
    tp = fp = fn = 0
    attr = {k: [0, 0] for k in ("location", "date", "people", "kind", "orgs")}
    calib = []
    dumped: dict = {}
    t_total = 0.0
    for art in gold:
        if a.only and a.only not in art["doc"]:
            continue
        t0 = time.perf_counter()
        dets = process_file(folder / art["doc"], art.get("published"))
        t_total += time.perf_counter() - t0
        if a.dump:
            dumped[art["doc"]] = [{k: v for k, v in e.items() if k != "detected_at"} for e in dets]
        golds = art["meetings"]
        m = match(golds, dets)
        matched_g = {i for i, _ in m}
        matched_d = {j: i for i, j in m}
        lines = []
        for j, d in enumerate(dets):
            if j in matched_d:
                g = golds[matched_d[j]]
                if g.get("optional"):
                    lines.append(("  opt", d, g))
                    continue
                tp += 1
                calib.append((d["confidence"], 1))
                checks = {"location": loc_ok(g, d), "date": g.get("date") == (d.get("date") or {}).get("value"),
                          "people": people_ok(g, d), "kind": g["kind"] == d["kind"],
                          "orgs": sorted(g.get("orgs") or []) == d["orgs"]}
                for k, v in checks.items():
                    attr[k][0] += v
                    attr[k][1] += 1
                bad = [k for k, v in checks.items() if not v]
                lines.append(("  TP " + (",".join(bad) if bad else ""), d, g))
            else:
                fp += 1
                calib.append((d["confidence"], 0))
                lines.append(("  FP", d, None))
        for i, g in enumerate(golds):
            if i not in matched_g and not g.get("optional"):
                fn += 1
                lines.append(("  FN", None, g))
        if a.verbose:
            print("==", art["doc"], art.get("published"))
            for tag, d, g in lines:
                if d:
                    print(tag, d["kind"], d["status"], d["countries"], d["orgs"], (d["location"] or {}).get("name"),
                          d["date"], [p["name"] for p in d["participants"]], d["confidence"], "|", d["evidence"]["text"][:90])
                if g and (tag.strip() != "opt"):
                    print("  FN gold:" if d is None else "     gold:", g["kind"], g["status"], g["countries"], g.get("orgs"), g.get("location"), g.get("date_text"),
                          g.get("date"), g.get("people"), "|", g["evidence"][:80].replace("\n", " "))
    if a.dump:
        Path(a.dump).write_text(json.dumps(dumped, indent=1, sort_keys=True, ensure_ascii=False),
                                encoding="utf-8")
    p = tp / (tp + fp) if tp + fp else 0
    r = tp / (tp + fn) if tp + fn else 0
    f = 2 * p * r / (p + r) if p + r else 0
    print(f"{folder.name}: TP {tp} FP {fp} FN {fn}  P {p:.3f} R {r:.3f} F1 {f:.3f}")
    print("  attributes: " + "  ".join(f"{k} {v[0]}/{v[1]}={v[0]/max(v[1],1):.2f}" for k, v in attr.items()))
    print(f"  time: {1000*t_total/len(gold):.2f} ms/article (clean+tag+detect)")
    if a.fit_calibration:
        fit(calib, a.fit_calibration)
    if a.calib:
        print("  calibration (confidence bin: n, precision):")
        bins = [(0, .5), (.5, .6), (.6, .7), (.7, .8), (.8, .9), (.9, 1.01)]
        for lo, hi in bins:
            xs = [ok for c, ok in calib if lo <= c < hi]
            if xs:
                print(f"    [{lo:.1f},{min(hi,1):.1f}) n={len(xs):3d} precision={sum(xs)/len(xs):.2f}")


def fit(calib, path):
    """Pool adjacent raw-score bins until precision rises monotonically (isotonic), smooth
    each bin toward the overall precision, and write `lower-bound <TAB> precision <TAB> n`."""
    if not calib:
        return
    overall = sum(ok for _, ok in calib) / len(calib)
    edges = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    bins = []
    for i, lo in enumerate(edges):
        hi = edges[i + 1] if i + 1 < len(edges) else 1.01
        xs = [ok for c, ok in calib if lo <= c < hi]
        if xs:
            bins.append([lo, sum(xs), len(xs)])
    merged = []
    for b in bins:
        merged.append(b)
        while len(merged) > 1 and merged[-2][1] / merged[-2][2] > merged[-1][1] / merged[-1][2]:
            lo, k, n = merged[-2]
            merged[-2:] = [[lo, k + merged[-1][1], n + merged[-1][2]]]
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Confidence calibration: raw detector score (lower bound of bin) -> precision observed on\n"
                "# the dev corpus (isotonic pooling, smoothed toward the overall precision with weight 3).\n"
                "# Written by tools/score_detection.py --fit-calibration.\n"
                "# raw_lower\tprecision\tn\n")
        for lo, k, n in merged:
            f.write(f"{lo:.2f}\t{(k + 3 * overall) / (n + 3):.3f}\t{n}\n")
    print(f"  wrote {path}: " + ", ".join(f"{lo:.2f}->{(k + 3 * overall) / (n + 3):.2f} (n={n})" for lo, k, n in merged))


if __name__ == "__main__":
    main()
