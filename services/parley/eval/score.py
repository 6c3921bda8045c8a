"""Scoring detected meetings, tags and cleaning against gold (GOLD_FORMAT.md, "Scoring").

Meetings. A detection matches a gold meeting when its set of participant countries equals the
gold set and its status is one of the gold statuses. Each gold meeting takes at most one
detection; pairs come from an optimal assignment whose weights prefer, in this order,
required gold meetings, then optional ones, then agreement on kind, place, date and people.
Precision, recall and F1 count only required (non-optional) gold meetings: a detection
assigned to an optional gold meeting is ignored, every other unassigned detection (including
a duplicate) is a false positive. For the true-positive pairs, kind, location, date, people
and orgs are scored separately as accuracies.

Tagging (a choice, documented here): persons = distinct `name`s of person mentions in the
body (not title or captions) against gold `persons`; countries = codes of the body's country
mentions plus the countries of its person and role mentions, against gold `countries`.

Cleaning: every `must_keep` phrase must be in the cleaned title, text or captions; no
`must_drop` phrase may be in the cleaned text (both compared after the cleaner's own
normalisation: quotes, spaces, markup, case).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from parley.logic.textnorm import normalise_for_match

# Assignment weights: lexicographic preference packed into one number.
W_REQUIRED = 1_000_000
W_OPTIONAL = 10_000
W_KIND, W_PLACE, W_DATE, W_PEOPLE = 1000, 100, 10, 1

CALIBRATION_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0000001)
NAME_SIMILARITY = 85  # rapidfuzz ratio at which two surnames are one (Sergei/Sergey...)

# Letters NFKD does not decompose to ASCII.
_FOLD_EXTRA = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
                             "þ": "th", "ð": "d", "ħ": "h", "Ø": "o", "Ł": "l", "Đ": "d", "Æ": "ae"})
_TITLES = frozenset(
    "mr mrs ms dr sir madam king queen prince princess sheikh sheik president minister prime "
    "secretary general chancellor his her majesty excellency hon honourable honorable jr sr "
    "ambassador senator pope emir sultan lord lady gen col h.e. he".split()
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")  # hyphens split: "el-Sisi" = "el Sisi"


# -- records ---------------------------------------------------------------------------------


@dataclass
class Pair:
    gold: dict
    detected: dict
    kind_ok: bool
    location_ok: bool
    date_ok: bool
    people_ok: bool
    orgs_ok: bool


@dataclass
class DocScore:
    doc: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    ignored: int = 0  # detections assigned to optional gold meetings
    pairs: list[Pair] = field(default_factory=list)  # true positives
    misses: list[dict] = field(default_factory=list)  # required gold meetings not found
    false: list[dict] = field(default_factory=list)  # false detections
    keep_ok: list[str] = field(default_factory=list)
    keep_missing: list[str] = field(default_factory=list)
    drop_ok: list[str] = field(default_factory=list)
    drop_leaked: list[str] = field(default_factory=list)
    teaser_leaks: list[dict] = field(default_factory=list)
    persons: tuple[int, int, int] = (0, 0, 0)  # (correct predicted, predicted, gold) ...
    persons_found: int = 0  # gold persons found
    countries: tuple[int, int, int] = (0, 0, 0)
    countries_found: int = 0
    confidences: list[tuple[float, bool]] = field(default_factory=list)  # (confidence, correct)
    error: str | None = None


@dataclass
class Totals:
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    kind: float | None
    location: float | None
    date: float | None
    people: float | None
    orgs: float | None
    persons_p: float | None
    persons_r: float | None
    countries_p: float | None
    countries_r: float | None
    keep: tuple[int, int]
    drop: tuple[int, int]
    teaser_leaks: int
    errors: int
    calibration: list[dict]


# -- meetings --------------------------------------------------------------------------------


def statuses(gold: dict) -> set[str]:
    status = gold.get("status")
    return set(status) if isinstance(status, list) else {status}


def compatible(detected: dict, gold: dict) -> bool:
    return set(detected.get("countries") or []) == set(gold.get("countries") or []) and (
        detected.get("status") in statuses(gold)
    )


def score_meetings(gold_meetings: list[dict], detections: list[dict], doc: DocScore | None = None) -> DocScore:
    """Match detections to gold meetings of one article and count TP/FP/FN."""
    doc = doc if doc is not None else DocScore(doc="")
    weights = [[_weight(d, g) for g in gold_meetings] for d in detections]
    assignment = assign(weights)
    taken_gold: set[int] = set()
    for di, det in enumerate(detections):
        gi = assignment.get(di)
        if gi is None:
            doc.fp += 1
            doc.false.append(det)
            doc.confidences.append((_confidence(det), False))
            continue
        taken_gold.add(gi)
        gold = gold_meetings[gi]
        if gold.get("optional"):
            doc.ignored += 1
            continue
        doc.tp += 1
        doc.pairs.append(compare(gold, det))
        doc.confidences.append((_confidence(det), True))
    for gi, gold in enumerate(gold_meetings):
        if gi not in taken_gold and not gold.get("optional"):
            doc.fn += 1
            doc.misses.append(gold)
    return doc


def _weight(det: dict, gold: dict) -> int:
    if not compatible(det, gold):
        return 0
    pair = compare(gold, det)
    base = W_OPTIONAL if gold.get("optional") else W_REQUIRED
    return (base + W_KIND * pair.kind_ok + W_PLACE * pair.location_ok + W_DATE * pair.date_ok
            + W_PEOPLE * pair.people_ok)


def assign(weights: list[list[int]]) -> dict[int, int]:
    """Maximum-weight matching of rows to columns (weight 0 = not allowed), as {row: col}.

    Hungarian algorithm (Kuhn-Munkres, O(n^3)) on the square matrix padded with zeros.
    """
    rows = len(weights)
    cols = len(weights[0]) if rows else 0
    if not rows or not cols:
        return {}
    n = max(rows, cols)
    top = max(max(r) for r in weights)
    # cost = top - weight, padded cells cost `top` (same as a forbidden pair)
    cost = [[top - (weights[i][j] if i < rows and j < cols else 0) for j in range(n)] for i in range(n)]
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (n + 1)
    p = [0] * (n + 1)  # p[j]: row matched to column j (1-based), 0 = none
    way = [0] * (n + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (n + 1)
        used = [False] * (n + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], inf, 0
            for j in range(1, n + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(n + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    result = {}
    for j in range(1, n + 1):
        i = p[j]
        if i and i - 1 < rows and j - 1 < cols and weights[i - 1][j - 1] > 0:
            result[i - 1] = j - 1
    return result


def compare(gold: dict, det: dict) -> Pair:
    return Pair(
        gold=gold,
        detected=det,
        kind_ok=det.get("kind") == gold.get("kind"),
        location_ok=location_matches(gold.get("location"), det.get("location")),
        date_ok=_date_value(det) == (gold.get("date") or None),
        people_ok=people_match(gold.get("people") or [], _det_people(det)),
        orgs_ok=_org_set(gold.get("orgs")) == _org_set(det.get("orgs")),
    )


def _date_value(det: dict) -> str | None:
    date = det.get("date")
    return (date.get("value") or None) if isinstance(date, dict) else None


def _det_people(det: dict) -> list[str]:
    return [p["name"] for p in det.get("participants") or [] if isinstance(p, dict) and p.get("name")]


def _org_set(orgs) -> set[str]:
    return {str(o).casefold() for o in orgs or []}


def _confidence(det: dict) -> float:
    try:
        return float(det.get("confidence", 0.0))
    except (TypeError, ValueError):
        return 0.0


# -- names and places ----------------------------------------------------------------------


def fold(text: str) -> str:
    """Accents, case and non-decomposing letters folded ("Çavuşoğlu" -> "cavusoglu")."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.translate(_FOLD_EXTRA).casefold()


def name_tokens(name: str) -> list[str]:
    return [t for t in _TOKEN.findall(fold(name)) if t not in _TITLES]


def same_person(a: str, b: str) -> bool:
    """Two spellings of one person: their surnames agree, allowing transliteration and
    word order ("Kishida Fumio" / "Fumio Kishida")."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    for surname, other in ((ta[-1], tb), (tb[-1], ta)):
        if any(t == surname or (len(t) > 3 and fuzz.ratio(t, surname) >= NAME_SIMILARITY) for t in other):
            return True
    return False


def people_match(gold: list[str], detected: list[str]) -> bool:
    """Every gold participant is found and every named detected participant is in gold."""
    return all(any(same_person(g, d) for d in detected) for g in gold) and all(
        any(same_person(d, g) for g in gold) for d in detected
    )


def _place_key(name: str) -> str:
    tokens = [t for t in _TOKEN.findall(fold(name)) if t not in ("city", "the", "of", "d", "c")]
    return " ".join(tokens)


def location_matches(gold: str | None, det) -> bool:
    """Gold location (city or country name, or null) against a detected location dict.

    Tolerates "New York"/"New York City", "Washington"/"Washington, D.C." and accents; a gold
    country is also matched by the detected location's country when it names that country.
    """
    det_name = det.get("name") if isinstance(det, dict) else None
    if not gold:
        return not det_name
    if not det_name:
        return False
    g, d = _place_key(gold), _place_key(det_name)
    if not g or not d:
        return False
    if g == d or g in d.split() or d in g.split() or g.startswith(d + " ") or d.startswith(g + " "):
        return True
    # spellings: "Genève"/"Geneva" (one edit in a long name), or 90% alike overall
    if min(len(g), len(d)) >= 6 and Levenshtein.distance(g, d) <= 1:
        return True
    return fuzz.ratio(g, d) >= 90


# -- tagging and cleaning ------------------------------------------------------------------


def score_tagging(gold: dict, tagged: dict, doc: DocScore) -> None:
    body = [m for m in tagged.get("mentions") or [] if not m.get("field")]
    predicted_people = sorted({m.get("name") for m in body if m.get("type") == "person" and m.get("name")})
    gold_people = gold.get("persons") or []
    correct = sum(1 for p in predicted_people if any(same_person(p, g) for g in gold_people))
    found = sum(1 for g in gold_people if any(same_person(p, g) for p in predicted_people))
    doc.persons = (correct, len(predicted_people), len(gold_people))
    doc.persons_found = found

    codes = set()
    for m in body:
        if m.get("type") == "country" and m.get("code"):
            codes.add(m["code"])
        elif m.get("type") in ("person", "role") and m.get("country"):
            codes.add(m["country"])
    gold_codes = set(gold.get("countries") or [])
    doc.countries = (len(codes & gold_codes), len(codes), len(gold_codes))
    doc.countries_found = len(codes & gold_codes)


def score_cleaning(gold: dict, cleaned: dict, doc: DocScore) -> None:
    kept = normalise_for_match(
        "\n".join([cleaned.get("title") or "", cleaned.get("text") or "", *(cleaned.get("captions") or [])])
    )
    body_text = cleaned.get("text") or ""
    body = normalise_for_match(body_text)
    for phrase in gold.get("must_keep") or []:
        (doc.keep_ok if normalise_for_match(phrase) in kept else doc.keep_missing).append(phrase)
    for phrase in gold.get("must_drop") or []:
        norm = normalise_for_match(phrase)
        leaked = phrase in body_text or bool(norm and norm in body)
        (doc.drop_leaked if leaked else doc.drop_ok).append(phrase)


def teaser_leaks(gold: dict, cleaned: dict, detections: list[dict]) -> list[dict]:
    """Detections whose evidence comes from furniture: it contains (or lies inside) a gold
    must_drop phrase, or it is found only in the text the cleaner dropped."""
    drops = [normalise_for_match(p) for p in gold.get("must_drop") or []]
    drops = [p for p in drops if len(p) >= 12]
    dropped = normalise_for_match("\n".join(d.get("text", "") for d in cleaned.get("dropped") or []))
    kept = normalise_for_match(
        "\n".join([cleaned.get("title") or "", cleaned.get("text") or "", *(cleaned.get("captions") or [])])
    )
    leaks = []
    for det in detections:
        evidence = normalise_for_match((det.get("evidence") or {}).get("text") or "")
        if not evidence:
            continue
        if any(p in evidence or evidence in p for p in drops) or (evidence in dropped and evidence not in kept):
            leaks.append(det)
    return leaks


# -- totals ----------------------------------------------------------------------------------


def totals(docs: list[DocScore]) -> Totals:
    tp = sum(d.tp for d in docs)
    fp = sum(d.fp for d in docs)
    fn = sum(d.fn for d in docs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    pairs = [p for d in docs for p in d.pairs]

    def acc(attr: str) -> float | None:
        return sum(getattr(p, attr) for p in pairs) / len(pairs) if pairs else None

    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    return Totals(
        tp=tp, fp=fp, fn=fn, precision=precision, recall=recall, f1=f1,
        kind=acc("kind_ok"), location=acc("location_ok"), date=acc("date_ok"),
        people=acc("people_ok"), orgs=acc("orgs_ok"),
        persons_p=ratio(sum(d.persons[0] for d in docs), sum(d.persons[1] for d in docs)),
        persons_r=ratio(sum(d.persons_found for d in docs), sum(d.persons[2] for d in docs)),
        countries_p=ratio(sum(d.countries[0] for d in docs), sum(d.countries[1] for d in docs)),
        countries_r=ratio(sum(d.countries_found for d in docs), sum(d.countries[2] for d in docs)),
        keep=(sum(len(d.keep_ok) for d in docs), sum(len(d.keep_ok) + len(d.keep_missing) for d in docs)),
        drop=(sum(len(d.drop_ok) for d in docs), sum(len(d.drop_ok) + len(d.drop_leaked) for d in docs)),
        teaser_leaks=sum(len(d.teaser_leaks) for d in docs),
        errors=sum(1 for d in docs if d.error),
        calibration=calibration([c for d in docs for c in d.confidences]),
    )


def calibration(points: list[tuple[float, bool]]) -> list[dict]:
    """Precision of the (scored) detections in each confidence bin."""
    rows = []
    for lo, hi in zip(CALIBRATION_BINS, CALIBRATION_BINS[1:]):
        inside = [ok for conf, ok in points if lo <= conf < hi]
        rows.append({
            "bin": f"{lo:.1f}-{min(hi, 1.0):.1f}",
            "detections": len(inside),
            "correct": sum(inside),
            "precision": (sum(inside) / len(inside)) if inside else None,
        })
    return rows
