"""The meetings table `parley up` and `parley process` print."""
from __future__ import annotations

from typing import Any, Iterable

from rich.console import Console
from rich.table import Table


def _people(event: dict[str, Any]) -> str:
    names = []
    for p in event.get("participants") or []:
        label = p.get("name") or " ".join(x for x in (p.get("country"), p.get("role")) if x) or p.get("org") or "?"
        names.append(label)
    return ", ".join(names)


def meetings_table(events: Iterable[dict[str, Any]], title: str = "Detected meetings") -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in ("source", "kind", "status", "sides", "participants", "where", "when", "conf."):
        table.add_column(column, overflow="fold")
    for e in sorted(events, key=lambda e: ((e.get("source") or {}).get("file") or "", e["evidence"]["start"])):
        source = e.get("source") or {}
        location = e.get("location") or {}
        date = e.get("date") or {}
        table.add_row(
            source.get("file") or source.get("url") or e["article_id"],
            e["kind"],
            e["status"],
            " ".join((e.get("countries") or []) + (e.get("orgs") or [])),
            _people(e),
            location.get("name") or "",
            date.get("value") or date.get("text") or "",
            f"{e.get('confidence', 0):.2f}",
        )
    return table


def wide_console(**kwargs) -> Console:
    """A console that keeps table rows readable when output goes to a file or a pipe."""
    import sys

    stream = kwargs.get("file") or (sys.stderr if kwargs.get("stderr") else sys.stdout)
    return Console(width=None if stream.isatty() else 160, **kwargs)


def print_meetings(events: list[dict[str, Any]], console: Console | None = None) -> None:
    console = console or wide_console()
    console.print(meetings_table(events, title=f"Detected meetings ({len(events)})"))


def stories_table(stories: Iterable[dict[str, Any]], title: str = "Stories") -> Table:
    """One row per story (a real meeting reported by one or more articles)."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in ("story", "kind", "status", "sides", "people", "where", "when", "reports", "timeline"):
        table.add_column(column, overflow="fold")
    for s in sorted(stories, key=lambda s: (s.get("first_published") or "", s["story_id"])):
        location = s.get("location") or {}
        date = s.get("date") or {}
        timeline = " → ".join(dict.fromkeys(t["status"] for t in s["timeline"]))
        table.add_row(
            s["story_id"], s["kind"], s["status"], " ".join((s.get("countries") or []) + (s.get("orgs") or [])),
            ", ".join(p.get("name") or p.get("role") or "?" for p in s.get("people") or []),
            location.get("name") or "", date.get("value") or date.get("text") or "",
            f"{s['report_count']} ({s['article_count']} articles)", timeline,
        )
    return table


def print_stories(stories: list[dict[str, Any]], console: Console | None = None) -> None:
    console = console or wide_console()
    console.print(stories_table(stories, title=f"Stories ({len(stories)})"))
