"""Ingest: turn files, streams and HTTP requests into `articles.raw` messages.

No Kafka here: callers hand the messages to a producer (`publish`).
"""

from parley.ingest.readers import (
    DEFAULT_MAX_CHARS,
    Article,
    InputError,
    ReadResult,
    RecordProblem,
    build_article,
    read_bytes,
    read_file,
    read_paths,
    read_stream,
    utc_now_iso,
)

__all__ = [
    "DEFAULT_MAX_CHARS",
    "Article",
    "InputError",
    "ReadResult",
    "RecordProblem",
    "build_article",
    "read_bytes",
    "read_file",
    "read_paths",
    "read_stream",
    "utc_now_iso",
]
