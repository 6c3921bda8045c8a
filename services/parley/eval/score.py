"""THE scorer: detected meetings, tags and cleaning against gold (GOLD_FORMAT.md, "Scoring").

Meetings follow the reference scorer (../shared/eval/score.py) rule for rule, so that
`parley eval` prints the figures it prints (tests/eval/test_eval_agrees_with_reference.py):

- A detection may be paired with a gold meeting when its country set (`countries`, or the
  participants' countries when that is empty) equals the gold set and its status is one of
  the gold statuses. Within an article, pairs come from an optimal assignment (Hungarian
  method, gold meetings as rows) with weight 1000 for a required gold meeting, 500 for an
  optional one, plus one per agreeing field: kind, location, date, and each gold person found.
- Precision, recall and F1 count only required gold meetings: a detection assigned to an
  optional gold meeting is ignored, every other unassigned detection (a duplicate too) is a
  false positive.
- For the true-positive pairs each field is an accuracy over the pairs whose gold field is
  filled (`None` on a `Pair` = not scored): kind always (equal); location when the gold has
  one (the detected `location.name` and the gold location, lower-cased and NFKC-normalised,
  contain one another; missing = wrong); date when the gold has one (the detected
  `date.value` starts with it, or is a `YYYY-MM` it starts with); people when the gold lists
  some (each gold person is one of the detected participants: `same_person`); orgs when the
  gold lists some (a subset of the detected `orgs`, lower-cased).

Tagging (not scored by the reference; a choice, documented here): persons = distinct `name`s
of person mentions in the body (not title or captions) against gold `persons`, compared by
`tagged_person`, which also tolerates transliterated surnames ("Mammedyarov"/"Mammadyarov",
"Rahmonov"/"Rahmon"); countries = codes of the body's country mentions plus the countries of
its person and role mentions, against gold `countries`.

Cleaning: every `must_keep` phrase must be in the cleaned title, text or captions; no
`must_drop` phrase may be in the cleaned text (both compared after the cleaner's own
normalisation: quotes, spaces, markup, case).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from parley.logic.clean.textnorm import normalise_for_match

# Assignment weights (the reference's): required before optional, then agreement.
W_REQUIRED = 1000
W_OPTIONAL = 500

FIELDS = ("kind", "location", "date", "people", "orgs")
CALIBRATION_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0000001)

# Words dropped from names before they are compared (the reference's list).
HONORIFICS = frozenset({
    "king", "queen", "prince", "princess", "sheikh", "emir", "president", "prime", "minister", "dr",
    "mr", "mrs", "ms", "sir", "lord", "his", "her", "majesty", "of", "ii", "iii", "iv", "v", "vi",
    "vii", "viii", "x", "the",
})
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")


# -- records ---------------------------------------------------------------------------------


@dataclass
class Pair:
    """A true positive. A field is True/False when scored, None when the gold leaves it empty."""

    gold: dict
    detected: dict
    kind_ok: bool
    location_ok: bool | None
    date_ok: bool | None
    people_ok: bool | None
    orgs_ok: bool | None

    def wrong(self) -> list[str]:
        return [name for name in FIELDS if getattr(self, name + "_ok") is False]


@dataclass
class DocScore:
    doc: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    ignored: int = 0  # detections assigned to optional gold meetings
    stray: int = 0  # detections of an article without gold (not scored)
    events: list[dict] = field(default_factory=list)  # every detection of the article
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
    stray: int = 0

    def figures(self) -> dict:
        """The meeting figures under the reference scorer's `--json` keys and rounding."""
        r = lambda x: None if x is None else round(x, 3)  # noqa: E731
        return {
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": r(self.precision), "recall": r(self.recall), "f1": r(self.f1),
            "location_acc": r(self.location), "date_acc": r(self.date), "people_acc": r(self.people),
            "kind_acc": r(self.kind), "orgs_acc": r(self.orgs), "stray_events": self.stray,
        }


# -- reading detections ----------------------------------------------------------------------


def norm(text: str | None) -> str:
    """NFKC, spaces collapsed, lower-cased."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().lower()


def stem(name: str) -> str:
    """Basename without extension: an article ingested as 004_x.json scores as gold doc 004_x.txt."""
    return os.path.splitext(os.path.basename(name))[0]


def doc_of(event: dict) -> str:
    """The article a meeting event belongs to, as the stem of its file name (`source.file` for
    parley's events; the other spellings are the reference's)."""
    for key in ("doc", "source_file"):
        if isinstance(event.get(key), str):
            return stem(event[key])
    for key in ("source", "article"):
        value = event.get(key)
        if isinstance(value, str):
            return stem(value)
        if isinstance(value, dict):
            for sub in ("file", "path", "name", "uri", "url", "source", "doc"):
                if isinstance(value.get(sub), str):
                    return stem(value[sub])
            if isinstance(value.get("source"), dict):
                return doc_of({"source": value["source"]})
    return stem(str(event.get("article_id", "")))


def countries_of(det: dict) -> tuple[str, ...]:
    codes = det.get("countries")
    if not codes:
        codes = [p.get("country") for p in det.get("participants") or [] if isinstance(p, dict)]
    return tuple(sorted({c for c in codes if c}))


def people_of(det: dict) -> set[str]:
    out = set()
    for p in det.get("participants") or []:
        if isinstance(p, dict) and p.get("name"):
            out.add(norm(p["name"]))
        elif isinstance(p, str):
            out.add(norm(p))
    for p in det.get("people") or []:
        out.add(norm(p))
    return out


def _sub(det: dict, name: str, sub: str):
    value = det.get(name)
    return value.get(sub) if isinstance(value, dict) else value


def _confidence(det: dict) -> float:
    try:
        return float(det.get("confidence", 0.0))
    except (TypeError, ValueError):
        return 0.0


# -- names -----------------------------------------------------------------------------------


def fold(name: str | None, german: bool = False) -> tuple[str, ...]:
    """Accent- and case-folded name words without titles: 'Queen Elizabeth II' -> ('elizabeth',).
    german=True spells umlauts out first ('Schröder' -> 'schroeder'). A name made only of
    titles keeps them."""
    text = unicodedata.normalize("NFKD", (name or "").translate(_GERMAN) if german else (name or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = _WORD.findall(text)
    return tuple(w for w in words if w not in HONORIFICS) or tuple(words)


def same_person(a: str, b: str) -> bool:
    """Two spellings of one person: same last word, or one name's words within the other's
    (after `fold`, with and without umlauts spelled out)."""
    for ta in {fold(a), fold(a, True)}:
        for tb in {fold(b), fold(b, True)}:
            if ta and tb and (ta[-1] == tb[-1] or set(ta) <= set(tb) or set(tb) <= set(ta)):
                return True
    return False


# -- field rules (gold meeting, detection) ---------------------------------------------------


def statuses(gold: dict) -> list:
    status = gold.get("status")
    return status if isinstance(status, list) else [status]


def compatible(gold: dict, det: dict) -> bool:
    """May be paired: equal country sets, detected status among the gold ones."""
    return countries_of(det) == tuple(sorted(gold.get("countries") or [])) and det.get("status") in statuses(gold)


def kind_ok(gold: dict, det: dict) -> bool:
    return det.get("kind") == gold.get("kind")


def location_ok(gold: dict, det: dict) -> bool:
    """The detected place name and the gold one contain one another ("New York City" ~ "New York")."""
    got, want = norm(_sub(det, "location", "name") or ""), norm(gold.get("location"))
    return bool(got) and (want in got or got in want)


def date_ok(gold: dict, det: dict) -> bool:
    """The detected date starts with the gold date, or is a month the gold day starts with."""
    got, want = str(_sub(det, "date", "value") or ""), gold.get("date") or ""
    return got.startswith(want) or (len(got) >= 7 and want.startswith(got))


def people_ok(gold: dict, det: dict) -> bool:
    """Every gold person is among the detected participants (extra detected people are fine)."""
    got = people_of(det)
    return all(any(same_person(person, name) for name in got) for person in gold.get("people") or [])


def orgs_ok(gold: dict, det: dict) -> bool:
    """Every gold organisation is among the detected `orgs`."""
    got = {norm(o) for o in det.get("orgs") or [] if isinstance(o, str)}
    return {norm(o) for o in gold.get("orgs") or []} <= got


def compare(gold: dict, det: dict) -> Pair:
    """The field checks of a true positive; a field the gold leaves empty is not scored."""
    return Pair(
        gold=gold,
        detected=det,
        kind_ok=kind_ok(gold, det),
        location_ok=location_ok(gold, det) if gold.get("location") else None,
        date_ok=date_ok(gold, det) if gold.get("date") else None,
        people_ok=people_ok(gold, det) if gold.get("people") else None,
        orgs_ok=orgs_ok(gold, det) if gold.get("orgs") else None,
    )


def agreement(gold: dict, det: dict) -> int:
    """Secondary fields of `det` that agree with `gold`: kind, place, date, one per gold person."""
    got = people_of(det)
    return (int(kind_ok(gold, det))
            + int(bool(gold.get("location")) and location_ok(gold, det))
            + int(bool(gold.get("date")) and date_ok(gold, det))
            + sum(any(same_person(person, name) for name in got) for person in gold.get("people") or []))


def weight(gold: dict, det: dict) -> int:
    """Assignment weight of a (gold, detection) pair; 0 = may not be paired."""
    if not compatible(gold, det):
        return 0
    return (W_OPTIONAL if gold.get("optional") else W_REQUIRED) + agreement(gold, det)


# -- meetings --------------------------------------------------------------------------------


def score_meetings(gold_meetings: list[dict], detections: list[dict], doc: DocScore | None = None) -> DocScore:
    """Pair the detections of one article with its gold meetings and count TP/FP/FN."""
    doc = doc if doc is not None else DocScore(doc="")
    doc.events = list(detections)
    weights = ([[weight(g, d) for d in detections] for g in gold_meetings]
               if gold_meetings and detections else [])
    pairs = assign(weights) if weights else {}
    for gi, gold in enumerate(gold_meetings):
        if gold.get("optional"):
            doc.ignored += gi in pairs
            continue
        if gi not in pairs:
            doc.fn += 1
            doc.misses.append(gold)
            continue
        det = detections[pairs[gi]]
        doc.tp += 1
        doc.pairs.append(compare(gold, det))
        doc.confidences.append((_confidence(det), True))
    used = set(pairs.values())
    for di, det in enumerate(detections):
        if di not in used:
            doc.fp += 1
            doc.false.append(det)
            doc.confidences.append((_confidence(det), False))
    return doc


def assign(weights: list[list[float]]) -> dict[int, int]:
    """Maximum-weight assignment of rows to columns (weight <= 0 = not allowed), as {row: col}.

    Hungarian algorithm (Kuhn-Munkres, O(n^3)) on the square matrix padded with zeros; the
    reference's code step for step, so that ties are broken the same way.
    """
    rows = len(weights)
    cols = len(weights[0]) if rows else 0
    n = max(rows, cols)
    if n == 0:
        return {}
    top = max((w for row in weights for w in row), default=0)
    # cost = top - weight; padded cells weigh 0 (as a forbidden pair)
    cost = [[top - (weights[i][j] if i < rows and j < cols else 0) for j in range(n)] for i in range(n)]
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (n + 1)
    p = [0] * (n + 1)  # p[j]: row matched to column j (1-based), 0 = none
    way = [0] * (n + 1)
    for i in range(1, n + 1):
        p[0], j0 = i, 0
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
        i = p[j] - 1
        if i < rows and j - 1 < cols and weights[i][j - 1] > 0:
            result[i] = j - 1
    return result


# -- tagging and cleaning ------------------------------------------------------------------

TAG_NAME_SIMILARITY = 85  # rapidfuzz ratio at which two surnames are one (Sergei/Sergey...)
# Letters NFKD does not decompose to ASCII.
_FOLD_EXTRA = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
                             "þ": "th", "ð": "d", "ħ": "h", "Ø": "o", "Ł": "l", "Đ": "d", "Æ": "ae"})
_TAG_TITLES = frozenset(
    "mr mrs ms dr sir madam king queen prince princess sheikh sheik president minister prime "
    "secretary general chancellor his her majesty excellency hon honourable honorable jr sr "
    "ambassador senator pope emir sultan lord lady gen col h.e. he".split()
)
_TAG_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")  # hyphens split: "el-Sisi" = "el Sisi"


def _tag_name_tokens(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name.translate(_FOLD_EXTRA))
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_FOLD_EXTRA).casefold()
    return [t for t in _TAG_TOKEN.findall(text) if t not in _TAG_TITLES]


def tagged_person(a: str, b: str) -> bool:
    """A tagged person's name against a gold `persons` name: their surnames agree, allowing
    transliteration and word order ("Kishida Fumio" / "Fumio Kishida")."""
    ta, tb = _tag_name_tokens(a), _tag_name_tokens(b)
    if not ta or not tb:
        return False
    for surname, other in ((ta[-1], tb), (tb[-1], ta)):
        if any(t == surname or (len(t) > 3 and fuzz.ratio(t, surname) >= TAG_NAME_SIMILARITY) for t in other):
            return True
    return False


def score_tagging(gold: dict, tagged: dict, doc: DocScore) -> None:
    body = [m for m in tagged.get("mentions") or [] if not m.get("field")]
    predicted_people = sorted({m.get("name") for m in body if m.get("type") == "person" and m.get("name")})
    gold_people = gold.get("persons") or []
    correct = sum(1 for p in predicted_people if any(tagged_person(p, g) for g in gold_people))
    found = sum(1 for g in gold_people if any(tagged_person(p, g) for p in predicted_people))
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
        normalised = normalise_for_match(phrase)
        leaked = phrase in body_text or bool(normalised and normalised in body)
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

    def acc(name: str) -> float | None:
        scored = [ok for p in pairs if (ok := getattr(p, name + "_ok")) is not None]
        return sum(scored) / len(scored) if scored else None

    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    return Totals(
        tp=tp, fp=fp, fn=fn, precision=precision, recall=recall, f1=f1,
        kind=acc("kind"), location=acc("location"), date=acc("date"), people=acc("people"), orgs=acc("orgs"),
        persons_p=ratio(sum(d.persons[0] for d in docs), sum(d.persons[1] for d in docs)),
        persons_r=ratio(sum(d.persons_found for d in docs), sum(d.persons[2] for d in docs)),
        countries_p=ratio(sum(d.countries[0] for d in docs), sum(d.countries[1] for d in docs)),
        countries_r=ratio(sum(d.countries_found for d in docs), sum(d.countries[2] for d in docs)),
        keep=(sum(len(d.keep_ok) for d in docs), sum(len(d.keep_ok) + len(d.keep_missing) for d in docs)),
        drop=(sum(len(d.drop_ok) for d in docs), sum(len(d.drop_ok) + len(d.drop_leaked) for d in docs)),
        teaser_leaks=sum(len(d.teaser_leaks) for d in docs),
        errors=sum(1 for d in docs if d.error),
        calibration=calibration([c for d in docs for c in d.confidences]),
        stray=sum(d.stray for d in docs),
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
