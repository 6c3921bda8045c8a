"""Loading an annotated corpus folder (`*.txt` + `gold.jsonl`, see GOLD_FORMAT.md).

Each text becomes an `articles.raw` message exactly as ingest would send it (envelope per
docs/contracts.md), paired with its gold annotation.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from pathlib import Path

from parley.ids import article_id

GOLD_FILE = "gold.jsonl"


@dataclass
class CorpusDoc:
    name: str  # file name, e.g. "004_9cf215697159ce8b.txt"
    raw: dict  # the articles.raw message
    gold: dict | None  # its gold.jsonl record, None when the folder has none for it


def load_corpus(folder: Path | str) -> list[CorpusDoc]:
    """All `*.txt` of `folder`, sorted by name, as raw messages with their gold records."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {folder}")
    gold = load_gold(folder)
    docs = []
    for path in sorted(folder.glob("*.txt")):
        record = gold.get(path.name)
        published = record.get("published") if record else None
        docs.append(CorpusDoc(path.name, raw_message(path, published=published), record))
    return docs


def load_gold(folder: Path | str) -> dict[str, dict]:
    """gold.jsonl of `folder` keyed by `doc`; {} when there is none."""
    path = Path(folder) / GOLD_FILE
    if not path.exists():
        return {}
    records = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON: {exc}") from None
        records[record["doc"]] = record
    return records


def raw_message(path: Path, *, published: str | None = None, text: str | None = None) -> dict:
    """The articles.raw message for one text file (read from `path` unless `text` is given)."""
    if text is None:
        text = Path(path).read_bytes().decode("utf-8", errors="replace")
    try:
        identifier = article_id(None, text)
    except ValueError:  # a blank file: still a message, which the cleaner will refuse
        identifier = article_id(None, Path(path).name)
    return {
        "schema_version": 1,
        "article_id": identifier,
        "source": {"file": Path(path).name, "url": None, "name": None},
        "published_at": published,
        "ingested_at": now_iso(),
        "title": None,
        "text": text,
        "html": None,
    }


def now_iso() -> str:
    """Current UTC time as `YYYY-MM-DDTHH:MM:SS.ffffffZ`."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
