"""The one exception a pipeline stage raises for input it refuses.

Services catch `Rejected` and dead-letter the message with `reason` as the
`parley-reason` header; any other exception is a bug, not bad input.
"""

from __future__ import annotations

import re

_REASON = re.compile(r"^[a-z][a-z0-9_]*$")


class Rejected(Exception):
    """Input a stage will not process. `reason`: short snake_case code; `detail`: one line."""

    def __init__(self, reason: str, detail: str = "") -> None:
        if not _REASON.match(reason):
            raise ValueError(f"reason must be a snake_case code, got {reason!r}")
        # One human line: headers and logs must not be broken by newlines or huge payloads.
        detail = " ".join(str(detail).split())[:500]
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def __reduce__(self):  # keep it picklable with both arguments
        return (type(self), (self.reason, self.detail))
