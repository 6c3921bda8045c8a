"""`parley export FILE.jsonl`: the meetings stored by the sink, as JSON Lines
(`--stories`: the stories, one a line, each with its reports as full events).

Says what it looked for when it cannot run: the output folder, the SQLite file
(PARLEY_SQLITE_PATH) or the PostgreSQL database (DATABASE_URL, never printed: it may hold a password).
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..config import Settings
from ..stages.sink_store import DatabaseError, DatabaseUrlError, read_meetings, read_stories, write_jsonl


def stories_with_reports(stories: list[dict], events: list[dict]) -> list[dict]:
    """The stories that are not merged into another, each with `reports`: the full events
    of its timeline (as on events.meetings), like `parley process --stories` writes them."""
    by_id = {e["event_id"]: e for e in events}
    return [{**story, "reports": [by_id[t["event_id"]] for t in story["timeline"] if t["event_id"] in by_id]}
            for story in stories if story.get("change") != "merged"]


def export(settings: Settings, output: str, *, stories: bool = False) -> int:
    folder = Path(output).parent
    if not folder.is_dir():
        print(f"cannot write {output}: folder {folder} does not exist; create it or choose another path",
              file=sys.stderr)
        return 2
    if not settings.database_url and not Path(settings.sqlite_path).is_file():
        print(f"no meetings database at {Path(settings.sqlite_path).resolve()} (PARLEY_SQLITE_PATH, "
              f"default parley.db in the current folder); run `parley up` here first, set PARLEY_SQLITE_PATH "
              f"to the sink's SQLite file, or set DATABASE_URL to its PostgreSQL database", file=sys.stderr)
        return 2
    try:
        events = read_meetings(settings.database_url, settings.sqlite_path)
        records = stories_with_reports(read_stories(settings.database_url, settings.sqlite_path), events) \
            if stories else events
    except (DatabaseError, DatabaseUrlError) as exc:  # their messages hold no password
        print(f"parley export: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a user-facing command: say where, not a traceback
        where = "the PostgreSQL database of DATABASE_URL" if settings.database_url \
            else f"the SQLite file {settings.sqlite_path} (PARLEY_SQLITE_PATH)"
        print(f"cannot read the meetings from {where}: {type(exc).__name__}: {exc}".splitlines()[0],
              file=sys.stderr)
        return 1
    count = write_jsonl(records, output)
    print(f"wrote {count} {'stories' if stories else 'meetings'} to {output}")
    return 0
