"""A leading YAML front-matter block (exported pages carry title and date there): read, then dropped."""

from __future__ import annotations

import json
import re

from ..stamps import parse_date
from .records import Parts
from .textnorm import render_free, translate

_FRONT_MATTER_FENCE = re.compile(r"---\s*")
_FRONT_MATTER_KEY = re.compile(r"([A-Za-z_][\w-]*)\s*:\s?(.*)")
_YAML_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def front_matter(t: str, lines: list[tuple[int, int]], parts: Parts) -> list[tuple[int, int]]:
    """Read and drop a leading `---` ... `---` block of `key: value` lines (YAML) or holding
    one JSON object (`---json` / `{ ... }` / `---`). A field whose value is prose that the
    body does not repeat (a lead kept in "description", "summary" or a key in any language)
    stays as the first paragraph."""
    first = 0
    while first < len(lines) and not t[lines[first][0]:lines[first][1]].strip():
        first += 1
    if first >= len(lines):
        return lines
    opening = t[lines[first][0]:lines[first][1]].lstrip("\ufeff")
    is_json = bool(_JSON_FENCE.fullmatch(opening))
    if not (is_json or _FRONT_MATTER_FENCE.fullmatch(opening)):
        return lines
    for end in range(first + 1, min(len(lines), first + 120)):
        if _FRONT_MATTER_FENCE.fullmatch(t[lines[end][0]:lines[end][1]]):
            break
    else:
        return lines
    block = [t[a:b] for a, b in lines[first + 1:end]]
    fields = _json_fields(block) if is_json or block[:1] and block[0].strip() == "{" else None
    if fields is None:
        top = [line for line in block if line.strip() and line[:1] not in (" ", "\t")]
        if not top or not all(_FRONT_MATTER_KEY.fullmatch(line) for line in top):
            return lines  # two rules around ordinary text, not a YAML block
        fields = _parse_front_matter(block)
    if not parts.title and fields.get("title"):
        parts.title = render_free(fields["title"])
    for key in ("date", "published_time", "published", "pubdate", "publishdate"):
        if fields.get(key) and parse_date(fields[key]):
            parts.dates["meta"] = parse_date(fields[key])
            break
    parts.drop("front_matter", t[lines[first][0]:lines[end][1]])
    lead = _lead(t, lines[first][0], lines[end][1], fields)
    return ([lead, (lead[1], lead[1])] if lead else []) + lines[end + 1:]


_JSON_FENCE = re.compile(r"---\s*json\s*|;;;\s*")
MIN_LEAD_WORDS = 12


def _json_fields(block: list[str]) -> dict[str, str] | None:
    """The scalar fields of a JSON object front matter (keys lower-cased), or None."""
    try:
        value = json.loads("\n".join(block))
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(k).lower(): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def _lead(t: str, start: int, end: int, fields: dict[str, str]) -> tuple[int, int] | None:
    """The raw span of a prose field the body does not repeat, or None."""
    title = (fields.get("title") or "").strip().casefold()
    for key, value in fields.items():
        value = value.strip()
        if (key == "title" or "\\" in value or len(value.split()) < MIN_LEAD_WORDS
                or value.rstrip("\"')»”’")[-1:] not in ".!?" or value.casefold() == title):
            continue
        where = t.find(value, start, end)
        if where < 0:
            continue  # written with escapes: its offsets would not be exact
        probe = translate(value)[:80]
        if probe in t[end:]:
            continue  # the body has it
        return where, where + len(value)
    return None


def _parse_front_matter(block: list[str]) -> dict[str, str]:
    """Top-level scalar keys of a small YAML mapping (quoted, folded and plain values)."""
    fields: dict[str, list[str]] = {}
    key = None
    for line in block:
        m = _FRONT_MATTER_KEY.fullmatch(line) if line[:1] not in (" ", "\t") else None
        if m:
            key = m.group(1).lower()
            fields[key] = [m.group(2)]
        elif key is not None and line.strip():
            fields[key].append(line)
    return {k: _yaml_scalar(v) for k, v in fields.items()}


_YAML_ESCAPES = {"n": "\n", "t": "\t", "_": "\u00a0", '"': '"', "\\": "\\", "/": "/", "0": "",
                 " ": " ", "N": "\u0085", "L": "\u2028", "P": "\u2029", "e": "", "a": "", "b": ""}


def _yaml_scalar(lines: list[str]) -> str:
    head = lines[0].strip()
    if head.startswith('"'):
        # Double-quoted: lines fold with a space, unless the line ends with an escaped break.
        out = ""
        for i, line in enumerate(lines):
            piece = line.strip() if i else line.strip()[1:]
            if out and not out.endswith("\\"):
                out += " "
            elif out.endswith("\\"):
                out = out[:-1]
            out += piece
        out = out[:-1] if out.endswith('"') else out
        return _YAML_ESCAPE.sub(_yaml_escape, out)
    if head.startswith("'"):
        out = " ".join(line.strip() for line in lines)[1:]
        out = out[:-1] if out.endswith("'") else out
        return out.replace("''", "'")
    return " ".join(line.strip() for line in lines if line.strip())


def _yaml_escape(m: re.Match) -> str:
    code = m.group(1)
    if len(code) > 1:
        try:
            return chr(int(code[1:], 16))
        except ValueError:
            return ""
    return _YAML_ESCAPES.get(code, code)
