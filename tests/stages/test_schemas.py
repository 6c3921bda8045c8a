import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from parley import schemas
from parley.schemas import base_topic, check_schema, load_schemas, validator

SCHEMA_FILES = sorted((Path(__file__).resolve().parents[2] / "schemas").glob("*.json"))


def valid_raw_message() -> dict:
    return {
        "schema_version": 1,
        "article_id": "a-0123456789abcdef",
        "source": {"file": "batch.jsonl", "url": "https://ex.org/a", "name": "Example News"},
        "published_at": "2024-03-05",
        "ingested_at": "2026-11-29T23:40:00.123456Z",
        "title": "Ministers meet",
        "text": "The two ministers met in a harbour town.",
        "html": None,
    }


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_schema_file_is_a_valid_draft_2020_12_schema(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    check_schema(schema)
    Draft202012Validator.check_schema(schema)


def test_every_schema_file_is_loaded_under_its_topic_name():
    assert sorted(load_schemas()) == sorted(p.name.removesuffix(".json") for p in SCHEMA_FILES)
    assert "articles.raw" in load_schemas()


def test_validator_accepts_a_valid_raw_message():
    assert validator("articles.raw")(valid_raw_message()) == []


def test_validator_is_compiled_once_per_topic():
    assert validator("articles.raw") is validator("articles.raw")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda m: m.update(schema_version=2), "schema_version"),
        (lambda m: m.update(article_id="a-XYZ"), "article_id"),
        (lambda m: m.update(ingested_at="2026-11-29 23:40"), "ingested_at"),
        (lambda m: m.update(published_at="5 March 2024"), "published_at"),
        (lambda m: m.update(published_at="2024-02-30"), "published_at"),
        (lambda m: m["source"].pop("name"), "source"),
        (lambda m: m.update(text=None), "(root)"),
        (lambda m: m.update(text="   "), "(root)"),
        (lambda m: m.update(extra="field"), "(root)"),
        (lambda m: m.update(title=3), "title"),
    ],
)
def test_validator_names_the_field_that_is_wrong(change, where):
    message = valid_raw_message()
    change(message)
    errors = validator("articles.raw")(message)
    assert errors, "an invalid message passed"
    assert any(error.startswith(f"{where}:") for error in errors), errors


@pytest.mark.parametrize(
    "published_at", [None, "2024-03-05", "2024-03-05T10:00:00", "2024-03-05T10:00:00+03:00",
                     "2024-03-05T10:00:00.5Z"]
)
def test_published_at_may_be_null_a_date_or_a_datetime(published_at):
    message = valid_raw_message() | {"published_at": published_at}
    assert validator("articles.raw")(message) == []


def test_html_alone_is_a_valid_body():
    message = valid_raw_message() | {"text": None, "html": "<p>Talks</p>"}
    assert validator("articles.raw")(message) == []


def test_error_messages_stay_short_even_for_huge_values():
    message = valid_raw_message() | {"text": " " * 100_000}
    errors = validator("articles.raw")(message)
    assert errors and all(len(error) <= schemas.MAX_MESSAGE_CHARS for error in errors)


@pytest.mark.parametrize(
    "topic", ["articles.raw", "test-1f2e.articles.raw", "prod.articles.raw.v1", "articles.raw-retry"]
)
def test_namespaced_topic_names_map_to_their_base_schema(topic):
    assert base_topic(topic) == "articles.raw"


def test_a_topic_without_a_schema_is_a_key_error_listing_the_known_ones():
    with pytest.raises(KeyError, match="articles.raw"):
        validator("weather.reports")
    with pytest.raises(KeyError):
        base_topic("xarticles.rawx")


def test_schemas_dir_can_be_overridden_for_an_installed_copy(tmp_path, monkeypatch):
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
              "required": ["x"]}
    (tmp_path / "things.json").write_text(json.dumps(schema), encoding="utf-8")
    monkeypatch.setenv(schemas.SCHEMAS_DIR_ENV, str(tmp_path))
    schemas.reload_schemas()
    try:
        assert schemas.schema_names() == ["things"]
        assert validator("things")({"x": 1}) == []
        assert validator("things")({}) == ["(root): 'x' is a required property"]
    finally:
        monkeypatch.delenv(schemas.SCHEMAS_DIR_ENV)
        schemas.reload_schemas()
    assert "articles.raw" in schemas.schema_names()


def test_validation_does_not_modify_the_message():
    message = valid_raw_message()
    before = copy.deepcopy(message)
    validator("articles.raw")(message)
    assert message == before


# ---------------------------------------------------------------- fast path (jsonschema-rs)


def test_fast_path_answers_like_jsonschema_on_mutated_messages():
    pytest.importorskip("jsonschema_rs")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    assert schemas.validation_engine("articles.raw") == "jsonschema-rs+jsonschema"
    slow = Draft202012Validator(load_schemas()["articles.raw"],
                                format_checker=schemas.FORMAT_CHECKER)
    values = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
              | st.text(max_size=12) | st.just(1.0) | st.just("2024-02-30")
              | st.just("2024-03-05T10:00:00") | st.just("2026-11-29T23:40:00.123456Z")
              | st.just({"file": None, "url": None, "name": None}) | st.just(" "))
    fields = st.sampled_from(sorted(valid_raw_message()) + ["extra"])

    @settings(max_examples=400, deadline=None)
    @given(st.dictionaries(fields, values, max_size=4), st.lists(fields, max_size=2))
    def check(changes, removed):
        message = valid_raw_message() | changes
        for field in removed:
            message.pop(field, None)
        before = copy.deepcopy(message)
        errors = validator("articles.raw")(message)
        assert (errors == []) == slow.is_valid(message), (message, errors)
        assert message == before

    check()


def _pipeline_messages() -> dict[str, dict]:
    """Real messages of every JSON topic: a sample article through clean, tag and detect."""
    from parley.logic.clean import clean
    from parley.eval.corpus import raw_message
    from parley.logic.detect import detect
    from parley.logic.tag import tag

    sample = sorted((Path(schemas.__file__).parent / "data" / "samples").glob("*.txt"))[0]
    raw = raw_message(sample, published="2013-09-23")
    from parley.stages.detector import receipt

    cleaned = clean(raw)
    tagged = tag(cleaned)
    events = detect(tagged)
    return {"articles.raw": raw, "articles.clean": cleaned, "articles.tagged": tagged,
            "events.meetings": events[0], "articles.detected": receipt(tagged, events)}


def test_the_receipt_carries_the_cleaned_text_its_evidence_offsets_refer_to():
    messages = _pipeline_messages()
    detected, tagged = messages["articles.detected"], messages["articles.tagged"]
    assert detected["text"] == tagged["text"]
    assert validator("articles.detected")(detected) == []
    evidence = messages["events.meetings"]["evidence"]
    assert detected["text"][evidence["start"]:evidence["end"]] == evidence["text"]
    # optional: a receipt published before the field was added is still valid; a wrong type is not
    older = {k: v for k, v in detected.items() if k != "text"}
    assert validator("articles.detected")(older) == []
    assert any(e.startswith("text:") for e in validator("articles.detected")(detected | {"text": None}))


def test_fast_path_answers_like_jsonschema_on_mutated_pipeline_messages():
    """The tagged article is where the fast path matters (a hundred nested mentions): a
    mutation anywhere in it, also deep in a mention, must be judged as jsonschema judges it."""
    pytest.importorskip("jsonschema_rs")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    messages = _pipeline_messages()
    values = (st.none() | st.booleans() | st.integers(-2, 10**6) | st.text(max_size=8)
              | st.just("2024-02-30") | st.just("x:someone") | st.just([]) | st.just({}))

    def paths(node, prefix=()):
        if isinstance(node, dict):
            for k, v in node.items():
                yield prefix + (k,)
                yield from paths(v, prefix + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node[:3]):
                yield prefix + (i,)
                yield from paths(v, prefix + (i,))

    cases = [(name, p) for name, m in messages.items() for p in paths(m)]

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from(cases), values, st.booleans())
    def check(case, value, remove):
        name, path = case
        message = copy.deepcopy(messages[name])
        parent = message
        for part in path[:-1]:
            parent = parent[part]
        if remove and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
        slow = Draft202012Validator(load_schemas()[name], format_checker=schemas.FORMAT_CHECKER)
        assert (validator(name)(message) == []) == slow.is_valid(message), (name, path, value)

    for name, message in messages.items():
        assert schemas._fast_check(name)(message), name   # real messages take the fast path
    check()
