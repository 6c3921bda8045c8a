"""The message JSON Schemas (draft 2020-12) and validators compiled from them.

The schemas live in the repository's top-level `schemas/` folder (the authority for every
topic, see docs/contracts.md). An installed wheel has no such folder, so a packaged copy in
`services/_schemas/` is used when the top-level one is absent; `PARLEY_SCHEMAS_DIR`
overrides both.

    check = validator(topics.RAW)  # a registry name (parley.topics)
    errors = check(message)          # [] when valid, else "path: what is wrong" strings
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import orjson
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

SCHEMAS_DIR_ENV = "PARLEY_SCHEMAS_DIR"
REPO_SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
PACKAGED_SCHEMAS_DIR = Path(__file__).resolve().parent / "_schemas"

# Long enough to say what is wrong, short enough for a log line or a DLQ header even when
# the offending value is a whole article.
MAX_MESSAGE_CHARS = 300

Validate = Callable[[dict], list[str]]


def schemas_dir() -> Path:
    """The folder the schemas are read from (env override, repo, then packaged copy)."""
    override = os.environ.get(SCHEMAS_DIR_ENV)
    if override:
        return Path(override)
    for candidate in (REPO_SCHEMAS_DIR, PACKAGED_SCHEMAS_DIR):
        if candidate.is_dir() and any(candidate.glob("*.json")):
            return candidate
    raise FileNotFoundError(
        f"no schemas found in {REPO_SCHEMAS_DIR} or {PACKAGED_SCHEMAS_DIR}; "
        f"set {SCHEMAS_DIR_ENV} to the folder holding the *.json schemas"
    )


@functools.cache
def load_schemas() -> dict[str, dict]:
    """Every `*.json` schema by base topic name (articles.raw for articles.raw.json)."""
    folder = schemas_dir()
    schemas = {
        path.name.removesuffix(".json"): orjson.loads(path.read_bytes())
        for path in sorted(folder.glob("*.json"))
    }
    # A topic that carries another topic's messages says so with a top-level "$ref" to that
    # schema's file (stories.reports carries events.meetings messages): it gets that schema.
    for name, schema in schemas.items():
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.endswith(".json") and ref.removesuffix(".json") in schemas:
            schemas[name] = {**schemas[ref.removesuffix(".json")], "title": schema.get("title", name)}
    return schemas


def schema_names() -> list[str]:
    return sorted(load_schemas())


def base_topic(topic_name: str) -> str:
    """The schema name a (possibly prefixed or suffixed) topic name belongs to.

    Deployments namespace topics ("test-1f2e.articles.raw", "prod.articles.raw.v1"), so a
    schema name matches when it stands in the topic name between separators; the longest
    match wins.
    """
    names = load_schemas()
    if topic_name in names:
        return topic_name
    matches = [
        name
        for name in names
        if re.search(rf"(^|[._\-]){re.escape(name)}($|[._\-])", topic_name)
    ]
    if not matches:
        raise KeyError(f"no schema for topic {topic_name!r}; known: {', '.join(sorted(names))}")
    return max(matches, key=len)


def schema_for(topic_name: str) -> dict:
    return load_schemas()[base_topic(topic_name)]


def validator(topic_name: str) -> Validate:
    """A function returning the error messages of one message (empty list when valid)."""
    return _compiled_validator(base_topic(topic_name))


@functools.cache
def _compiled_validator(name: str) -> Validate:
    schema = load_schemas()[name]
    compiled = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    fast_check = _fast_check(name)

    def describe_errors(message: dict) -> list[str]:
        return [_describe(error) for error in sorted(compiled.iter_errors(message), key=_order)]

    if fast_check is None:
        validate = describe_errors
    else:
        def validate(message: dict) -> list[str]:
            # Most messages are valid: answer those from the generated code, and let
            # jsonschema explain the rest.
            if fast_check(message):
                return []
            return describe_errors(message)

    validate.__name__ = f"validate_{name.replace('.', '_')}"
    return validate


def validation_engine(topic_name: str) -> str:
    """"jsonschema-rs+jsonschema" when valid messages take the fast path, else "jsonschema"."""
    return "jsonschema-rs+jsonschema" if _fast_check(base_topic(topic_name)) else "jsonschema"


@functools.cache
def _fast_check(name: str) -> Callable[[dict], bool] | None:
    """A yes/no validator from jsonschema-rs (compiled, draft 2020-12), or None without it.

    It answers a tagged article (a hundred mentions) in about 0.2 ms where the pure-Python
    validators take 3 ms or more; a "no" is always re-checked by jsonschema, which words
    the errors, so only its "yes" has to agree with jsonschema (a property test checks it).
    """
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        compiled = jsonschema_rs.validator_for(load_schemas()[name], validate_formats=True,
                                               formats=_FAST_FORMATS)
    except Exception:  # a construct it cannot compile: jsonschema alone is still right
        return None
    return compiled.is_valid


def reload_schemas() -> None:
    """Forget loaded schemas and compiled validators (after the folder or env changed)."""
    load_schemas.cache_clear()
    _compiled_validator.cache_clear()
    _fast_check.cache_clear()


def check_schema(schema: dict) -> None:
    """Raise jsonschema.SchemaError if `schema` is not a valid draft 2020-12 schema."""
    Draft202012Validator.check_schema(schema)


def _order(error: ValidationError) -> tuple:
    return (list(map(str, error.absolute_path)), error.message)


def _describe(error: ValidationError) -> str:
    where = ".".join(str(part) for part in error.absolute_path) or "(root)"
    message = error.message
    if error.validator in ("anyOf", "oneOf") and error.context:
        # jsonschema's own message repeats the whole instance; the sub-errors say why.
        reasons = sorted({sub.message for sub in error.context})
        message = f"matches none of the allowed forms ({'; '.join(reasons)})"
    text = f"{where}: {message}"
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1] + "…"
    return text


def _never_raises(check: Callable[[object], bool]) -> Callable[[object], bool]:
    def safe(value: object) -> bool:
        try:
            return bool(check(value))
        except ValueError:
            return False
    return safe


# jsonschema's stock "date-time" check needs the optional rfc3339-validator package; these
# use the standard library and are what Parley means by the formats.
FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    date.fromisoformat(value)
    return True


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_datetime_with_offset(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return "T" in value.upper() and datetime.fromisoformat(value).tzinfo is not None


@FORMAT_CHECKER.checks("iso-datetime", raises=ValueError)
def _is_iso_datetime(value: object) -> bool:
    """An ISO datetime whose UTC offset may be absent (publishers often omit it)."""
    if not isinstance(value, str):
        return True
    return "T" in value.upper() and datetime.fromisoformat(value) is not None


_FAST_FORMATS = {
    name: _never_raises(function)
    for name, function in (("date", _is_date), ("date-time", _is_datetime_with_offset),
                           ("iso-datetime", _is_iso_datetime))
}
