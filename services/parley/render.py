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
