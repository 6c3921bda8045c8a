"""Deterministic workloads for the fault tests: many good articles, and many kinds of bad input.

Good articles are copies of the vendored corpus articles (tests/corpus/seeds and dev), each
copy with its own URL, so each gets its own `article_id` (ids derive from the URL) and its own
meeting events. The meetings a copy must produce are those the pure pipeline finds in its
base article, re-keyed with the copy's article id by the detector's own `event_id` (the same
function the detector stage uses); `check_expectations` runs the full in-process pipeline
on a sample of copies to prove the shortcut gives the same ids.

Bad inputs are raw records (key, value bytes) produced straight onto a topic, bypassing
ingest validation, each with the stage that must dead-letter it and the reason it must give.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import orjson

from parley.ids import article_id
from parley.ingest.readers import Article, read_paths, utc_now_iso

REPO = Path(__file__).resolve().parents[2]
CORPORA = (REPO / "tests" / "corpus" / "seeds", REPO / "tests" / "corpus" / "dev")
# The seed articles also ship inside the package (for `parley up`): used when the test corpus
# folders are absent, so the workload never depends on files outside the repository.
PACKAGED_SAMPLES = REPO / "services" / "parley" / "data" / "samples"
WORKLOAD_HOST = "https://workload.parley.test"
SHORT = 2000  # characters: the fault tests stream copies of the shorter corpus articles


# ---------------------------------------------------------------- good articles


@lru_cache(maxsize=1)
def base_articles() -> tuple[dict, ...]:
    """The vendored corpus articles as articles.raw messages, in a fixed order."""
    folders = [str(p) for p in CORPORA if p.is_dir()] or [str(PACKAGED_SAMPLES)]
    messages = [r.to_message("2026-01-01T00:00:00.000000Z") for r in read_paths(folders) if isinstance(r, Article)]
    return tuple(sorted(messages, key=lambda m: (m["source"]["file"] or "", m["article_id"])))


@lru_cache(maxsize=1)
def _processed() -> dict[str, tuple[dict, tuple[dict, ...], list[str]]]:
    """Each base article's (message, events, schema errors) from the in-process pipeline.

    The schema errors are those the services would find in the messages the logic produced:
    a stage dead-letters such a message (schema_invalid), so its article never reaches the sink.
    """
    from parley.logic.pipeline import process
    from parley.schemas import validator

    out = {}
    for message in base_articles():
        result = process(message)
        errors = [f"articles.clean: {e}" for e in validator("articles.clean")(result.clean)]
        errors += [f"articles.tagged: {e}" for e in validator("articles.tagged")(result.tagged)]
        for event in result.events:
            errors += [f"events.meetings: {e}" for e in validator("events.meetings")(event)]
        out[message["article_id"]] = (message, tuple(result.events), errors)
    return out


def _base_events() -> dict[str, tuple[dict, ...]]:
    return {base_id: events for base_id, (_m, events, _e) in _processed().items()}


def unsound_bases() -> dict[str, list[str]]:
    """Corpus file -> schema errors, for the base articles the logic turns into invalid messages."""
    return {m["source"]["file"]: errors for m, _events, errors in _processed().values() if errors}


HASH_SEEDS = ("1", "2")


def event_ids_by_file() -> dict[str, list[str]]:
    """Corpus file -> sorted event ids of its base article, in this process."""
    return {m["source"]["file"]: sorted(e["event_id"] for e in events) for m, events, _e in _processed().values()}


@lru_cache(maxsize=1)
def hash_dependent_bases() -> dict[str, dict[str, list[str]]]:
    """Corpus files whose events differ between processes with other string-hash seeds.

    Every worker process has its own PYTHONHASHSEED: logic whose result depends on the order
    of a set of strings gives a replayed article other event ids in a restarted worker, so
    its meeting would be stored twice.
    """
    import os
    import subprocess
    import sys

    script = ("import json, sys; sys.path.insert(0, sys.argv[1]); from support import workload; "
              "print(json.dumps(workload.event_ids_by_file()))")
    mine = event_ids_by_file()
    differing: dict[str, dict[str, list[str]]] = {}
    for seed in HASH_SEEDS:
        out = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parents[1])], cwd=REPO,
                             env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True,
                             timeout=300, check=True).stdout
        for file, ids in orjson.loads(out).items():
            if ids != mine.get(file):
                differing.setdefault(file, {"here": mine.get(file)})[f"PYTHONHASHSEED={seed}"] = ids
    return differing


def sound_bases() -> tuple[dict, ...]:
    """The base articles the fault tests stream: every message they yield is accepted by the
    services, and their events do not depend on the process (see the two checks above,
    which tests/logic/test_properties.py asserts on their own)."""
    unstable = hash_dependent_bases()
    return tuple(m for m, _events, errors in _processed().values()
                 if not errors and m["source"]["file"] not in unstable)


@dataclass(frozen=True)
class GoodArticle:
    message: dict
    base_id: str

    @property
    def article_id(self) -> str:
        return self.message["article_id"]


def copy_of(base: dict, label: str, index: int) -> dict:
    url = f"{WORKLOAD_HOST}/{label}/{index:06d}/{base['source']['file'] or 'article'}"
    message = orjson.loads(orjson.dumps(base))
    message["article_id"] = article_id(url, None)
    message["source"]["url"] = url
    message["ingested_at"] = utc_now_iso()
    return message


def good_articles(n: int, *, seed: int, label: str, max_chars: int | None = None) -> list[GoodArticle]:
    """`n` distinct articles: corpus texts in a seeded order, each copy under its own URL.

    Only sound bases are used (see `unsound_bases`): a fault test must expect every article.
    `max_chars` keeps only the shorter texts: the fault tests stream thousands of articles,
    and a stage's cost (above all the JSON Schema check of the tagged message) grows with
    the text.
    """
    bases = [b for b in sound_bases() if max_chars is None or len(b["text"] or b["html"] or "") <= max_chars]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % len(bases) == 0:
            rng.shuffle(bases)
        base = bases[i % len(bases)]
        out.append(GoodArticle(copy_of(base, f"{label}-{seed}", i), base["article_id"]))
    return out


def expected_event_ids(article: GoodArticle) -> set[str]:
    """The event ids the pipeline must store for one copy (the base's events, re-keyed)."""
    from parley.logic.detect.event import event_id

    ids = set()
    for event in _base_events()[article.base_id]:
        location = event.get("location") or {}
        date = event.get("date") or {}
        ids.add(event_id(article.article_id, event["kind"], event["countries"], event["orgs"],
                         date.get("value"), location.get("name"), date.get("text")))
    return ids


def expected_events(articles: list[GoodArticle]) -> set[str]:
    return set().union(*(expected_event_ids(a) for a in articles)) if articles else set()


def check_expectations(articles: list[GoodArticle]) -> None:
    """Run the real in-process pipeline on one copy of each base: the re-keyed ids must be its ids."""
    from parley.logic.pipeline import process

    first_copies = {}
    for article in articles:
        first_copies.setdefault(article.base_id, article)
    for article in first_copies.values():
        direct = {e["event_id"] for e in process(article.message).events}
        assert direct == expected_event_ids(article), (
            f"re-keyed expectation differs from process() for {article.article_id} "
            f"(base {article.base_id}): {sorted(direct ^ expected_event_ids(article))}")


def messages_of(articles: list[GoodArticle]) -> list[dict]:
    return [a.message for a in articles]


# ---------------------------------------------------------------- bad input


@dataclass(frozen=True)
class BadInput:
    """One record a stage cannot handle, produced straight onto `topic` (a registry name)."""

    kind: str
    topic: str
    value: bytes | None
    stage: str
    reason: str
    key: bytes = field(default=b"")

    @property
    def record_key(self) -> bytes:
        # A key of its own, so its DLQ record can be matched back to the kind.
        return self.key or f"bad-{self.kind}".encode()


def _raw(**changes) -> dict:
    message = {
        "schema_version": 1,
        "article_id": "a-00000000000000b0",
        "source": {"file": None, "url": None, "name": "workload"},
        "published_at": "2026-03-01",
        "ingested_at": "2026-03-01T10:00:00.000000Z",
        "title": None,
        "text": "Officials of two neighbouring countries met in a border town to discuss trade.",
        "html": None,
    }
    message.update(changes)
    return message


def _without(message: dict, name: str) -> dict:
    return {k: v for k, v in message.items() if k != name}


def _json(value) -> bytes:
    return orjson.dumps(value)


def _clean_message() -> dict:
    from parley.logic.clean import clean

    return clean(_raw())


def _tagged_message() -> dict:
    from parley.logic.tag import tag

    return tag(_clean_message())


def _event_message() -> dict:
    return {
        "schema_version": 1, "event_id": "m-00000000000000e0", "article_id": "a-00000000000000b0",
        "source": {"file": None, "url": None, "name": "workload"}, "published_at": "2026-03-01",
        "ingested_at": "2026-03-01T10:00:00.000000Z", "kind": "meeting", "status": "occurred",
        "participants": [], "countries": ["FRA", "DEU"], "orgs": [], "location": None, "date": None,
        "evidence": {"text": "met", "start": 0, "end": 3}, "confidence": 0.5,
        "detected_at": "2026-03-01T10:00:01.000000Z",
    }


def bad_inputs(max_chars: int) -> list[BadInput]:
    """At least 20 kinds of bad input, for a pipeline whose cleaner limit is `max_chars`."""
    raw, clean, tagged, meetings = "articles.raw", "articles.clean", "articles.tagged", "events.meetings"
    cases = [
        # the bytes themselves
        BadInput("empty_value", raw, b"", "cleaner", "empty_message"),
        BadInput("tombstone", raw, None, "cleaner", "empty_message"),
        BadInput("binary_garbage", raw, bytes(range(256)) * 4, "cleaner", "not_utf8"),
        BadInput("latin1_json", raw, '{"text": "Caf\xe9 talks"}'.encode("latin-1"), "cleaner", "not_utf8"),
        BadInput("truncated_json", raw, _json(_raw())[:-20], "cleaner", "invalid_json"),
        BadInput("lone_surrogate_escape", raw, b'{"text": "\\ud800 talks"}', "cleaner", "invalid_json"),
        BadInput("json_nesting_bomb", raw, b"[" * 100_000 + b"]" * 100_000, "cleaner", "invalid_json"),
        BadInput("byte_order_mark", raw, b"\xef\xbb\xbf" + _json(_raw()), "cleaner", "invalid_json"),
        BadInput("nan_literal", raw, _json(_raw())[:-1] + b', "score": NaN}', "cleaner", "invalid_json"),
        BadInput("json_array", raw, _json([_raw()]), "cleaner", "not_an_object"),
        BadInput("json_string", raw, b'"just a string"', "cleaner", "not_an_object"),
        # the shape
        BadInput("missing_ingested_at", raw, _json(_without(_raw(), "ingested_at")), "cleaner", "schema_invalid"),
        BadInput("schema_version_2", raw, _json(_raw(schema_version=2)), "cleaner", "schema_invalid"),
        BadInput("path_as_article_id", raw, _json(_raw(article_id="../../etc/passwd")), "cleaner", "schema_invalid"),
        BadInput("text_is_a_number", raw, _json(_raw(text=42)), "cleaner", "schema_invalid"),
        BadInput("no_text_no_html", raw, _json(_raw(text=None, html=None)), "cleaner", "schema_invalid"),
        BadInput("whitespace_text", raw, _json(_raw(text=" \n\t ")), "cleaner", "schema_invalid"),
        BadInput("unknown_field", raw, _json(_raw(command="DROP TABLE meetings")), "cleaner", "schema_invalid"),
        BadInput("bad_published_at", raw, _json(_raw(published_at="yesterday")), "cleaner", "schema_invalid"),
        # the content
        BadInput("oversized_text", raw, _json(_raw(text="word " * (max_chars // 5 + 1))), "cleaner",
                 "text_too_large"),
        BadInput("oversized_html", raw, _json(_raw(text=None, html="<p>" + "x" * (10 * max_chars) + "</p>")),
                 "cleaner", "text_too_large"),
        BadInput("html_nesting_bomb", raw, _json(_raw(text=None, html="<div>" * 50_000 + "x" + "</div>" * 50_000)),
                 "cleaner", "no_body"),
        BadInput("html_script_only", raw,
                 _json(_raw(text=None, html="<html><head><script>alert(1)</script></head><body></body></html>")),
                 "cleaner", "no_body"),
        BadInput("boilerplate_only", raw, _json(_raw(text="Share this article\nRelated articles\nRead more")),
                 "cleaner", "no_body"),
        BadInput("control_characters", raw, _json(_raw(text="\x00\x01\x02\x03\x07\x1b")), "cleaner", "no_body"),
        # A table of max_chars rows (300,000 for the test's limit; the parser closes the cells
        # itself, so it fits the HTML limit) keeps the HTML extractor busy for ~12 s here: the
        # per-article time budget must cut it off. (150,000 closed rows took ~6 s once the
        # cleaner no longer ran htmldate's extensive search: too close to the 5 s budget.)
        BadInput("html_table_bomb", raw,
                 _json(_raw(text=None, html="<table>" + "<tr><td>1" * max_chars + "</table>")),
                 "cleaner", "time_budget_exceeded"),
        # later stages
        BadInput("clean_not_json", clean, b"{not json", "tagger", "invalid_json"),
        BadInput("clean_without_offset_map", clean, _json(_without(_clean_message(), "offset_map")), "tagger",
                 "schema_invalid"),
        BadInput("tagged_without_mentions", tagged, _json(_without(_tagged_message(), "mentions")), "detector",
                 "schema_invalid"),
        BadInput("event_without_event_id", meetings, _json(_without(_event_message(), "event_id")), "sink",
                 "schema_invalid"),
        BadInput("event_not_utf8", meetings, b"\xff\xfe\xfd", "sink", "not_utf8"),
    ]
    kinds = [c.kind for c in cases]
    assert len(kinds) == len(set(kinds)), "bad input kinds must be unique"
    return cases


# ---------------------------------------------------------------- refused at ingest


@dataclass(frozen=True)
class RefusedAtIngest:
    """Input the ingest readers refuse before anything is published, with their reason."""

    kind: str
    fmt: str
    data: bytes
    reason: str


def refused_at_ingest(max_chars: int) -> list[RefusedAtIngest]:
    return [
        RefusedAtIngest("jsonl_broken_line", "jsonl", b'{"text": "Talks were held."\n', "invalid_json"),
        RefusedAtIngest("jsonl_no_body", "jsonl", b'{"title": "Only a title"}\n', "missing_body"),
        RefusedAtIngest("jsonl_text_not_string", "jsonl", b'{"text": 12}\n', "wrong_type"),
        RefusedAtIngest("jsonl_text_too_long", "jsonl", _json({"text": "y" * (max_chars + 1)}) + b"\n", "too_long"),
        RefusedAtIngest("jsonl_scalar_line", "jsonl", b'"nope"\n', "not_an_object"),
    ]


def explain(articles: list[GoodArticle], tally) -> str:
    """Which base articles the lost or unexpected events belong to (for failure messages)."""
    lost, unexpected = set(tally.lost), set(tally.unexpected)
    by_base: dict[str, int] = {}
    for article in articles:
        if expected_event_ids(article) & lost:
            file = article.message["source"]["file"]
            by_base[file] = by_base.get(file, 0) + 1
    return (f"articles with lost events by corpus file: {dict(sorted(by_base.items()))}; "
            f"{len(unexpected)} unexpected ids")
