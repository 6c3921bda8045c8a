"""Dead-lettering: what a stage does with a message it cannot handle.

The DLQ record keeps the original key and value bytes unchanged, so that `parley dlq
--republish` can put it back on its original topic after a fix; headers say why it failed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .logic.errors import Rejected

MAX_DETAIL = 300


@dataclass(frozen=True)
class Failure:
    stage: str
    error_class: str
    reason: str
    detail: str

    @classmethod
    def from_exception(cls, stage: str, exc: BaseException) -> "Failure":
        if isinstance(exc, Rejected):
            reason = exc.reason
            detail = exc.detail or str(exc)
        else:
            # An unexpected exception is a bug in the logic: name it so it can be found.
            reason = f"bug_{type(exc).__name__.lower()}"
            detail = str(exc) or type(exc).__name__
        detail = " ".join(detail.split())[:MAX_DETAIL]
        return cls(stage=stage, error_class=type(exc).__name__, reason=reason, detail=detail)

    def headers(self, topic: str, partition: int | None, offset: int | None) -> list[tuple[str, bytes]]:
        return [
            ("parley-stage", self.stage.encode()),
            ("parley-error-class", self.error_class.encode()),
            ("parley-reason", self.reason.encode()),
            ("parley-detail", self.detail.encode("utf-8", "replace")),
            ("parley-topic", topic.encode()),
            ("parley-partition", str(-1 if partition is None else partition).encode()),
            ("parley-offset", str(-1 if offset is None else offset).encode()),
            ("parley-failed-at", datetime.now(timezone.utc).isoformat().encode()),
        ]


def decode_headers(headers) -> dict[str, str]:
    """DLQ headers as a str dict (headers arrive as a list of (name, bytes) pairs)."""
    out = {}
    for name, value in headers or ():
        if isinstance(name, bytes):
            name = name.decode("utf-8", "replace")
        out[name] = value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray)) else str(value)
    return out
