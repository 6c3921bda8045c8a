"""The cleaner's records: a raw line (rendered on demand), a paragraph, the side fields."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from .textnorm import Segs, render_line


class Line:
    """One non-blank raw line; rendered (markup, NFKC, spaces) only when `text` or `segs` is
    first read, so the lines of a furniture zone are never rendered at all."""

    __slots__ = ("_t", "_a", "_b", "_hints", "text", "segs", "raw", "hard_break", "indent")

    def __init__(self, t: str, a: int, b: int, hints: str, raw: str, hard_break: bool, indent: int = 0) -> None:
        self._t, self._a, self._b, self._hints = t, a, b, hints
        self.raw = raw  # the raw line, stripped, for the `dropped` record
        self.hard_break = hard_break
        self.indent = indent  # leading spaces of the raw line (tabs count as one)

    def __getattr__(self, name: str):
        # only called while the `text`/`segs` slots are still unset: render, then they are
        # plain attributes
        if name not in ("text", "segs"):
            raise AttributeError(name)
        self._render()
        return getattr(self, name)

    def blank_out(self) -> None:
        self.text, self.segs = "", []

    def _render(self) -> None:
        t, a, b, hints = self._t, self._a, self._b, self._hints
        raw_line = t[a:b]
        if (len(self.raw) == len(raw_line) and "  " not in raw_line
                and not (hints and any(c in raw_line for c in hints))
                and (raw_line.isascii() or unicodedata.is_normalized("NFKC", raw_line))):
            self.text, self.segs = raw_line, [(0, a, b - a)]  # the common case: nothing to do
        else:
            self.text, self.segs = render_line(t, a, b, hints)


@dataclass(slots=True)
class Paragraph:
    text: str
    segs: Segs


@dataclass
class Parts:
    title: str | None = None
    captions: list[str] = field(default_factory=list)
    credit: str | None = None
    agency: str | None = None
    dateline: str | None = None  # a dateline prefix of the first paragraph
    date_line: str | None = None  # a stand-alone date line: the dateline when there is no prefix
    updated: str | None = None
    dates: dict[str, str] = field(default_factory=dict)  # where -> ISO date, for published_at
    dropped: list[dict] = field(default_factory=list)

    def drop(self, kind: str, text: str) -> None:
        if not text:
            return
        if self.dropped and self.dropped[-1]["kind"] == kind:
            self.dropped[-1]["text"] += "\n" + text
        else:
            self.dropped.append({"kind": kind, "text": text})
