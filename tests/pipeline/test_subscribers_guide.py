"""docs/subscribers.md works as written: its kcat command and the example aiokafka subscriber
read published stories from the embedded broker."""
from __future__ import annotations

import asyncio
import re
import shlex
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from support.faults import produce_records
from support.harness import settings_for
from support.stories_helpers import SUMMIT, event
from parley.logic.stories.book import StoryBook
from parley.topics import create_topics_sync

pytestmark = pytest.mark.broker

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "subscribers.md").read_text()


@pytest.fixture
def published(broker, topic_prefix, tmp_path) -> tuple[str, list[dict]]:
    settings = settings_for(broker, topic_prefix, tmp_path)
    create_topics_sync(settings)
    summit = SUMMIT
    book = StoryBook()
    messages = [c.to_message() for e in (event("plan", status="planned", published="2024-03-01", **summit),
                                          event("held", published="2024-03-13", **summit),
                                          event("call", kind="call", people=("Eva Stone", "Gus Park")))
                for c in book.add(e)]
    asyncio.run(produce_records(settings, [("events.stories", m["story_id"].encode(), orjson.dumps(m))
                                           for m in messages]))
    return topic_prefix, messages


def test_the_example_subscriber_prints_every_story_change(broker, published):
    prefix, messages = published
    run = subprocess.run([sys.executable, str(ROOT / "examples" / "subscribe_stories.py"), "--bootstrap", broker,
                          "--prefix", prefix, "--group", f"{prefix}guide", "--max", str(len(messages))],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert len(lines) == len(messages)
    assert sorted(line.split()[:2][1] for line in lines) == sorted(m["story_id"] for m in messages)
    assert any(line.startswith("status_changed") and " occurred " in line for line in lines), lines


def test_the_kcat_command_of_the_guide_reads_the_stories(broker, published, kcat):
    prefix, messages = published
    command = re.search(r"```bash\n(kcat .*?)\n```", GUIDE, re.S).group(1).replace("\\\n", " ")
    words = [w.replace("127.0.0.1:PORT", broker).replace("events.stories", f"{prefix}events.stories")
             for w in shlex.split(command)]
    words[0] = kcat
    out = subprocess.run(words, capture_output=True, text=True, timeout=60, check=True).stdout
    rows = [line.split("\t", 1) for line in out.splitlines() if line]
    # in order within a story (one partition per key); no order across stories
    assert sorted((key, orjson.loads(value)["change"]) for key, value in rows) == \
        sorted((m["story_id"], m["change"]) for m in messages)
