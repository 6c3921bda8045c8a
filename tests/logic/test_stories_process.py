"""`parley process --stories --output FILE.jsonl`: one story a line, each with its reports
(the full events, whose `source` names the article), and stories valid against the schema."""
from __future__ import annotations

from pathlib import Path

import orjson

from parley.cli import main
from parley.schemas import validator

DEV = Path(__file__).resolve().parents[1] / "corpus" / "dev"


def test_process_stories_writes_one_story_a_line_with_its_reports(tmp_path):
    out = tmp_path / "stories.jsonl"
    assert main(["process", "--stories", "-q", "-o", str(out), str(DEV / "D02.txt"), str(DEV / "F07.txt")]) == 0
    stories = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    check = validator("events.stories")
    for story in stories:
        reports = story.pop("reports")
        assert [r["event_id"] for r in reports] == [t["event_id"] for t in story["timeline"]]
        assert all(r["source"]["file"] in ("D02.txt", "F07.txt") for r in reports)
        assert check({**story, "change": "new", "changed": [], "merged_into": None}) == []
    assert sum(len(s["timeline"]) for s in stories) >= len(stories)
