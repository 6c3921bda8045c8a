"""Read articles from files, folders, streams and bytes into `articles.raw` messages.

Every input record becomes either an `Article` or an `InputError`; one bad record (or one
unreadable file) never stops the rest of the batch. Error messages name the file and line
and say what to do, because they are read by whoever prepared the input.

Formats, chosen by file extension (or `fmt` for streams and bytes):
- `.txt`: the whole file is the article text, no metadata.
- `.html`/`.htm`: the whole page is the article `html`.
- `.json`: one object, or an array of objects.
- `.jsonl`: one object per line (blank lines are skipped).
Objects have `url`, `title`, `text` and/or `html`, `published_at`, and `source` (an outlet
name, or an object `{name, url}`); other fields are ignored.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from fnmatch import fnmatch
from pathlib import Path
from typing import BinaryIO, Union
from urllib.parse import urlsplit

import orjson

from parley.ids import article_id

SCHEMA_VERSION = 1
DEFAULT_MAX_CHARS = 1_000_000
# HTML may hold HTML_FACTOR times max_chars characters (markup weighs several times the text
# it carries); the cleaner applies the same limit and checks the extracted text against
# max_chars (parley.logic.clean.extract). README "Limits" says the same.
HTML_FACTOR = 10
# UTF-8 takes at most 4 bytes a character: a file (or JSONL line) larger than this many bytes
# per allowed character cannot be within the limits, and is refused without being read whole.
_BYTES_PER_CHAR = 4
# A .json document holds one article or an array of them: it may weigh a few articles.
_JSON_DOCUMENT_ARTICLES = 4
_CHUNK = 1 << 20
FORMATS = ("auto", "json", "jsonl", "txt", "html")
EXTENSION_FORMATS = {".txt": "txt", ".json": "json", ".jsonl": "jsonl", ".html": "html", ".htm": "html"}
# Files a corpus folder holds beside its articles (see corpus/GOLD_FORMAT.md); only
# skipped when met inside a folder, a file named explicitly is always read.
DEFAULT_EXCLUDE = ("gold.jsonl", "*.md", ".*")

# A publication date before this, or more than a day after now (UTC), is refused: such a
# date is a typo or a placeholder ("0001-01-01"), and the logic could not reason from it.
EARLIEST_PUBLISHED = date(1900, 1, 1)
FUTURE_SLACK = timedelta(days=1)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}", re.ASCII)
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?", re.ASCII
)
_JSON_TYPE_NAMES = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


@dataclass(frozen=True)
class Article:
    """One valid input article; `to_message()` is its `articles.raw` message."""

    article_id: str
    title: str | None
    text: str | None
    html: str | None
    url: str | None
    published_at: str | None
    source_name: str | None
    file: str | None

    def to_message(self, ingested_at: str | None = None) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "article_id": self.article_id,
            "source": {"file": self.file, "url": self.url, "name": self.source_name},
            "published_at": self.published_at,
            "ingested_at": ingested_at or utc_now_iso(),
            "title": self.title,
            "text": self.text,
            "html": self.html,
        }


@dataclass(frozen=True)
class InputError:
    """One input record (or file) that could not be read, and why.

    `line` is the 1-based line of a `.jsonl` record, or the 0-based index of an item in a
    `.json` array; None for a whole file.
    """

    file: str
    line: int | None
    reason: str
    message: str
    # The refused input as read (the JSON line, the array item re-encoded, the file), for
    # the dead-letter topic; None when nothing was read.
    raw: bytes | None = field(default=None, repr=False, compare=False)


ReadResult = Union[Article, InputError]


class RecordProblem(Exception):
    """A record is unusable: `reason` is a short snake_case code, `detail` says what to do."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def utc_now_iso() -> str:
    """Now in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (the `ingested_at` format)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------------------- paths


def read_paths(
    paths: Iterable[str | Path],
    max_chars: int = DEFAULT_MAX_CHARS,
    *,
    exclude: Iterable[str] = DEFAULT_EXCLUDE,
) -> Iterator[ReadResult]:
    """Read files and folders (recursively, in sorted order); `-` reads standard input."""
    exclude = tuple(exclude)
    for raw_path in paths:
        if str(raw_path) == "-":
            yield from read_stream(sys.stdin.buffer, max_chars=max_chars)
            continue
        path = Path(raw_path)
        if path.is_dir():
            for file in _files_under(path, exclude):
                yield from read_file(file, max_chars)
        else:
            yield from read_file(path, max_chars)


def read_file(path: str | Path, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[ReadResult]:
    path = Path(path)
    shown = str(path)
    if not os.path.lexists(path):
        yield _file_error(shown, "not_found", "no such file; check the path")
        return
    fmt = EXTENSION_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(EXTENSION_FORMATS))
        yield _file_error(shown, "unknown_extension",
                          f"cannot tell the format from the extension {path.suffix or '(none)'!r}; "
                          f"rename it to one of {known}")
        return
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer; only regular files
        # are read (a link to /dev/zero would never end, a pipe could hang the run).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        yield _file_error(shown, "not_found", "no such file; check the path")
        return
    except OSError as exc:
        yield _file_error(shown, "unreadable", f"cannot read the file ({exc.strerror or exc}); "
                                                "check its permissions")
        return
    with os.fdopen(fd, "rb") as stream:
        mode = os.fstat(stream.fileno()).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a named pipe" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode)
                    or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "a directory"
                    if stat.S_ISDIR(mode) else "not a regular file")
            yield _file_error(shown, "not_a_regular_file",
                              f"is {kind}, not a regular file; skipped (give a regular file)")
            return
        try:
            if fmt == "jsonl":
                yield from _read_jsonl_lines(_bounded_lines(stream, _jsonl_line_cap(max_chars)),
                                             shown, path.name, max_chars)
                return
            cap = _file_cap(fmt, max_chars)
            data = _read_capped(stream, cap)
        except OSError as exc:
            yield _file_error(shown, "unreadable", f"cannot read the file ({exc.strerror or exc}); "
                                                    "check its permissions")
            return
    if data is None:
        if fmt in ("txt", "html"):
            # Cannot be within the limit even at one byte per character.
            limit = max_chars * (HTML_FACTOR if fmt == "html" else 1)
            yield _too_long_error(shown, None, "text" if fmt == "txt" else "html", limit)
        else:
            yield _file_error(shown, "too_long",
                              f"is over {cap:,} bytes, more than a .json file may hold; "
                              "split it or write it as .jsonl (one article a line)")
        return
    yield from read_bytes(data, name=shown, fmt=fmt, max_chars=max_chars, file_name=path.name)


def _file_cap(fmt: str, max_chars: int) -> int:
    """The most bytes a file of this format can take and still be within the limits."""
    if fmt == "txt":
        return _BYTES_PER_CHAR * max_chars
    if fmt == "html":
        return _BYTES_PER_CHAR * HTML_FACTOR * max_chars
    return _JSON_DOCUMENT_ARTICLES * _jsonl_line_cap(max_chars)


def _jsonl_line_cap(max_chars: int) -> int:
    # text + html + title, JSON-escaped (\uXXXX is 6 bytes for a character), plus room.
    return 6 * (HTML_FACTOR + 2) * max_chars + 65536


def _read_capped(stream: BinaryIO, cap: int) -> bytes | None:
    """At most `cap` bytes read in bounded chunks; None when the stream holds more."""
    chunks, size = [], 0
    while True:
        chunk = stream.read(min(_CHUNK, cap + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            return None


class _LineTooLong(bytes):
    """A line over the cap (its first bytes only): reported, never parsed."""


def _bounded_lines(stream: BinaryIO, cap: int) -> Iterator[bytes]:
    """The stream's lines; a line longer than `cap` bytes comes as one `_LineTooLong`."""
    while True:
        line = stream.readline(cap + 1)
        if not line:
            return
        if len(line) > cap and not line.endswith(b"\n"):
            yield _LineTooLong(line[:200])
            # Skip the rest of it, chunk by chunk, but not forever: a stream that never ends
            # its line (/dev/zero) is given up after `cap` more bytes.
            skipped = 0
            while line and not line.endswith(b"\n"):
                if skipped > cap:
                    return
                line = stream.readline(_CHUNK)
                skipped += len(line)
            continue
        yield line


def _files_under(folder: Path, exclude: tuple[str, ...]) -> list[Path]:
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).parts
        if any(fnmatch(part, pattern) for part in relative for pattern in exclude):
            continue
        if path.is_file():
            files.append(path)
    return sorted(files)


# ---------------------------------------------------------------------------- streams and bytes


def read_stream(
    stream: BinaryIO,
    name: str = "<stdin>",
    fmt: str = "auto",
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Iterator[ReadResult]:
    """Read a binary stream. JSON Lines are streamed one line at a time.

    `auto`: a stream starting with `[` is a JSON array; one starting with `{` is JSON Lines
    when its first line is a whole JSON value, otherwise one (pretty-printed) JSON object;
    anything else is plain text.
    """
    _check_format(fmt)
    if fmt not in ("auto", "jsonl"):
        data = _read_capped(stream, _file_cap(fmt, max_chars))
        if data is None:
            yield _file_error(name, "too_long", f"is over {_file_cap(fmt, max_chars):,} bytes, "
                                                "over the limits; split it")
            return
        yield from read_bytes(data, name=name, fmt=fmt, max_chars=max_chars)
        return
    line_cap = _jsonl_line_cap(max_chars)
    if fmt == "jsonl":
        yield from _read_jsonl_lines(_bounded_lines(stream, line_cap), name, None, max_chars)
        return
    first_line, number = stream.readline(line_cap), 1
    while first_line and not first_line.strip():
        first_line, number = stream.readline(line_cap), number + 1
    if first_line.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{" and _is_json(first_line):
        lines = itertools.chain([first_line], _bounded_lines(stream, line_cap))
        yield from _read_jsonl_lines(lines, name, None, max_chars, first_number=number)
        return
    cap = _file_cap("json", max_chars)
    rest = _read_capped(stream, max(0, cap - len(first_line)))
    if rest is None:
        yield _file_error(name, "too_long", f"is over {cap:,} bytes, over the limits; split it "
                                            "or send JSON Lines (one article a line)")
        return
    yield from read_bytes(first_line + rest, name=name, fmt="auto", max_chars=max_chars)


def read_bytes(
    data: bytes,
    name: str = "<bytes>",
    fmt: str = "auto",
    max_chars: int = DEFAULT_MAX_CHARS,
    *,
    file_name: str | None = None,
) -> Iterator[ReadResult]:
    """Read in-memory bytes. `name` is used in messages, `file_name` goes to source.file."""
    _check_format(fmt)
    if fmt == "auto":
        fmt = _sniff_format(data)
    if fmt == "jsonl":
        yield from _read_jsonl_lines(io.BytesIO(data), name, file_name, max_chars)
    elif fmt == "json":
        yield from _read_json_document(data, name, file_name, max_chars)
    else:
        yield from _read_whole_body(data, fmt, name, file_name, max_chars)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")


def _sniff_format(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        first_line = data.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        return "jsonl" if _is_json(first_line) else "json"
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "txt"


def _is_json(line: bytes) -> bool:
    try:
        orjson.loads(line.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        return False
    return True


# ---------------------------------------------------------------------------- formats


def _read_whole_body(
    data: bytes, fmt: str, name: str, file_name: str | None, max_chars: int
) -> Iterator[ReadResult]:
    body_field = "html" if fmt == "html" else "text"
    try:
        body = _decode_html(data) if fmt == "html" else _decode(data)
    except RecordProblem as problem:
        yield InputError(name, None, problem.reason, f"{name}: {problem.detail}", data)
        return
    try:
        article = build_article({body_field: body}, file_name=file_name, max_chars=max_chars)
    except RecordProblem as problem:
        yield InputError(name, None, problem.reason, f"{name}: {problem.detail}", data)
        return
    yield article


def _read_json_document(
    data: bytes, name: str, file_name: str | None, max_chars: int
) -> Iterator[ReadResult]:
    try:
        document = _parse_json(data)
    except RecordProblem as problem:
        yield InputError(name, None, problem.reason, f"{name}: {problem.detail} — fix the file",
                         data)
        return
    if isinstance(document, list):
        if not document:
            yield InputError(name, None, "empty_array", f"{name}: the JSON array is empty; "
                                                        "put article objects in it", data)
        for index, item in enumerate(document):
            yield _article_or_error(item, name, index, f"item {index}", file_name, max_chars,
                                    "fix or remove that item", lambda item=item: orjson.dumps(item))
    else:
        yield _article_or_error(document, name, None, None, file_name, max_chars, "fix the file",
                                lambda: data)


def _read_jsonl_lines(
    stream: Iterable[bytes], name: str, file_name: str | None, max_chars: int,
    *, first_number: int = 1,
) -> Iterator[ReadResult]:
    for number, line in enumerate(stream, start=first_number):
        where = f"line {number}"
        if isinstance(line, _LineTooLong):
            yield InputError(name, number, "too_long",
                             f"{name} {where}: the line is too large for any article within the "
                             f"limit of {max_chars:,} characters — split or shorten it")
            continue
        if number == first_number:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        try:
            record = _parse_json(line)
        except RecordProblem as problem:
            yield InputError(name, number, problem.reason,
                             f"{name} {where}: {problem.detail} — fix or remove that line",
                             line.rstrip(b"\r\n"))
            continue
        yield _article_or_error(record, name, number, where, file_name, max_chars,
                                "fix or remove that line", lambda line=line: line.rstrip(b"\r\n"))


def _article_or_error(
    record: object,
    name: str,
    line: int | None,
    where: str | None,
    file_name: str | None,
    max_chars: int,
    remedy: str,
    raw: Callable[[], bytes],
) -> ReadResult:
    try:
        return build_article(record, file_name=file_name, max_chars=max_chars)
    except RecordProblem as problem:
        location = f"{name} {where}" if where else name
        return InputError(name, line, problem.reason, f"{location}: {problem.detail} — {remedy}",
                          raw())


def _parse_json(data: bytes) -> object:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordProblem("not_utf8", _utf8_detail(data, exc)) from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RecordProblem("invalid_json", f"not valid JSON ({exc})") from None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordProblem("not_utf8", _utf8_detail(data, exc)) from None


def _decode_html(data: bytes) -> str:
    """UTF-8, or the charset the page declares in a <meta> tag."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
        raise RecordProblem("not_utf8", _utf8_detail(data, exc)) from None


def _utf8_detail(data: bytes, exc: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    return (f"not valid UTF-8 (byte {exc.start}, line {line}: {data[exc.start:exc.start + 1]!r}); "
            "save it as UTF-8")


# ---------------------------------------------------------------------------- records


def build_article(
    record: object, *, file_name: str | None = None, max_chars: int = DEFAULT_MAX_CHARS
) -> Article:
    """Check one input object and turn it into an `Article`; raise RecordProblem if unusable."""
    if not isinstance(record, dict):
        raise RecordProblem("not_an_object",
                            f"expected a JSON object with 'text' or 'html', got {_json_type(record)}")
    url = _optional_string(record, "url")
    title = _optional_string(record, "title")
    text = _optional_string(record, "text")
    html = _optional_string(record, "html")
    source_name, source_url = _source(record.get("source"))
    published_at = _published_at(record.get("published_at"))

    if text is None and html is None:
        raise RecordProblem("missing_body", "has neither 'text' nor 'html'; add the article body")
    for field, value in (("text", text), ("html", html), ("title", title)):
        limit = HTML_FACTOR * max_chars if field == "html" else max_chars
        if value is not None and len(value) > limit:
            raise RecordProblem("too_long", _too_long_detail(field, len(value), limit))
    text = _blank_to_none(text)
    html = _blank_to_none(html)
    if text is None and html is None:
        raise RecordProblem("empty_text", "the article body ('text'/'html') is empty; "
                                          "add the article body")
    url = _blank_to_none(url)
    if url is not None:
        _check_url(url)
    return Article(
        article_id=article_id(url, text if text is not None else html),
        title=_blank_to_none(title),
        text=text,
        html=html,
        url=url or source_url,
        published_at=published_at,
        source_name=source_name,
        file=file_name,
    )


def _optional_string(record: dict, field: str) -> str | None:
    value = record.get(field)
    if value is None or isinstance(value, str):
        return _without_nul(value)
    raise RecordProblem("wrong_type", f"field '{field}' must be a string, got {_json_type(value)}")


def _source(value: object) -> tuple[str | None, str | None]:
    """(outlet name, outlet url) from a name string or a {name, url} object."""
    if value is None or isinstance(value, str):
        return _blank_to_none(_without_nul(value)), None
    if isinstance(value, dict):
        return (_blank_to_none(_optional_string_in(value, "source.name")),
                _blank_to_none(_optional_string_in(value, "source.url")))
    raise RecordProblem("wrong_type", "field 'source' must be a name string or an object "
                                      f"{{\"name\", \"url\"}}, got {_json_type(value)}")


def _optional_string_in(source: dict, dotted: str) -> str | None:
    value = source.get(dotted.split(".", 1)[1])
    if value is None or isinstance(value, str):
        return _without_nul(value)
    raise RecordProblem("wrong_type", f"field '{dotted}' must be a string, got {_json_type(value)}")


def _published_at(value: object) -> str | None:
    """An ISO date stays `YYYY-MM-DD`; a datetime keeps its offset, UTC is written `Z`."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordProblem("wrong_type",
                            f"field 'published_at' must be an ISO date string, got {_json_type(value)}")
    stripped = value.strip()
    if not stripped:
        return None
    try:
        # The regexes keep out forms fromisoformat also takes (week dates, bare hours...)
        # that nobody means as a publication date; fromisoformat then checks the ranges.
        if _ISO_DATE.fullmatch(stripped):
            day = date.fromisoformat(stripped)
            _check_published_range(value, datetime(day.year, day.month, day.day))
            return day.isoformat()
        if _ISO_DATETIME.fullmatch(stripped):
            moment = datetime.fromisoformat(stripped.upper())
            _check_published_range(value, moment)
            return _format_datetime(moment)
        raise ValueError(stripped)
    except ValueError:
        raise RecordProblem("bad_published_at",
                            f"field 'published_at' is {_preview(value)}, not an ISO date "
                            "(YYYY-MM-DD) or datetime (YYYY-MM-DDTHH:MM:SS[+HH:MM]); "
                            "fix it or set it to null") from None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _check_published_range(given: str, moment: datetime) -> None:
    """Refuse a publication date before 1900 or more than a day in the future."""
    if moment.date() < EARLIEST_PUBLISHED:
        raise RecordProblem("published_at_out_of_range",
                            f"field 'published_at' is {_preview(given)}, before "
                            f"{EARLIEST_PUBLISHED.isoformat()}; fix it or set it to null")
    latest = _now() + FUTURE_SLACK
    try:
        if moment.tzinfo is None:  # a naive datetime (or a date) is read as UTC
            too_late = moment > latest.replace(tzinfo=None)
        else:
            too_late = moment.astimezone(timezone.utc) > latest
    except OverflowError:  # e.g. 9999-12-31T23:00-05:00
        too_late = True
    if too_late:
        raise RecordProblem("published_at_out_of_range",
                            f"field 'published_at' is {_preview(given)}, more than a day in the "
                            "future; fix it or set it to null")


def _format_datetime(value: datetime) -> str:
    offset = value.utcoffset()
    text = value.replace(tzinfo=None).isoformat()
    if offset is None:
        return text
    if not offset:
        return text + "Z"
    seconds = int(offset.total_seconds())
    if seconds % 60:
        raise ValueError("offsets with seconds are not ISO 8601 datetimes Parley accepts")
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        parts = None
    if parts is None or not parts.scheme or not parts.netloc:
        raise RecordProblem("bad_url", f"field 'url' is {_preview(url)}, not an absolute URL "
                                       "(https://host/path); fix it or leave it out")


def _without_nul(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; no article needs one.
    if value is not None and "\x00" in value:
        return value.replace("\x00", "")
    return value


def _blank_to_none(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None


def _json_type(value: object) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _preview(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _too_long_detail(field: str, length: int | None, max_chars: int) -> str:
    size = f"{length:,} characters" if length is not None else "too large"
    return f"'{field}' is {size}, over the limit of {max_chars:,}; split or shorten the article"


def _too_long_error(name: str, line: int | None, field: str, max_chars: int) -> InputError:
    return InputError(name, line, "too_long", f"{name}: {_too_long_detail(field, None, max_chars)}")


def _file_error(name: str, reason: str, detail: str) -> InputError:
    return InputError(name, None, reason, f"{name}: {detail}")
