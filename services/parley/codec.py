"""Message bytes <-> dicts, with the reasons a stage gives when it cannot read a message."""
from __future__ import annotations

from typing import Any

import orjson

from .logic.errors import Rejected


def encode(message: dict[str, Any]) -> bytes:
    return orjson.dumps(message)


def decode(value: bytes | None, *, schema: str | None = None) -> dict[str, Any]:
    """Parse one message value; raises Rejected naming what was wrong with it."""
    if value is None or len(value) == 0:
        raise Rejected("empty_message", "the message has no value")
    try:
        message = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected("not_utf8", "the message value is not UTF-8 text") from None
        raise Rejected("invalid_json", f"the message value is not JSON: {exc}") from None
    if not isinstance(message, dict):
        raise Rejected("not_an_object", f"expected a JSON object, got {type(message).__name__}")
    if schema is not None:
        from .schemas import validator

        errors = validator(schema)(message)
        if errors:
            raise Rejected("schema_invalid", f"not a valid {schema} message: {errors[0]}")
    return message


def key_of(message: dict[str, Any]) -> bytes:
    return str(message["article_id"]).encode()
