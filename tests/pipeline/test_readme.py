"""The README's first-hour examples work on a fresh clone: their paths exist, the curl body is
an article the ingest API accepts, and the metrics it names are the ones the services export."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from parley import metrics
from parley.ingest.readers import build_article

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _code_spans() -> list[str]:
    return re.findall(r"`([^`\n]+)`", README)


def test_command_examples_use_paths_of_the_repository():
    commands = [s for s in _code_spans() if s.startswith(("./dev up ", "parley "))]
    assert any(c.startswith("./dev up --input ") for c in commands)
    for command in commands:
        words = shlex.split(command)
        for flag, value in zip(words, words[1:]):
            if flag == "--input":
                inside = not Path(value).is_absolute() and ".." not in Path(value).parts
                assert inside and (ROOT / value).exists(), \
                    f"README example {command!r}: {value} is not in the repository"


def test_paths_outside_the_repository_are_said_to_be_outside():
    for found in re.finditer(r"\.\./shared/\S+", README):
        around = README[max(0, found.start() - 200): found.end() + 200]
        assert re.search(r"(outside|next to) this\s+repository", around), \
            f"{found.group(0)} is not in a fresh clone and the README does not say so"


def test_the_curl_example_posts_an_article_the_ingest_api_accepts():
    block = re.search(r"```bash\n(curl [^`]*?/articles[^`]*?)```", README)
    assert block, "no curl example of POST /articles"
    body = re.search(r"-d '(\{.*?\})'", block.group(1), re.S)
    assert body, "the curl example has no JSON body"
    assert "Content-Type: application/json" in block.group(1)
    article = build_article(json.loads(body.group(1)))
    assert article.text and article.url


def test_the_readme_says_where_the_metrics_are():
    from prometheus_client import REGISTRY

    assert metrics  # imported for its metrics, registered in the default registry
    assert re.search(r"prints.{0,200}/metrics", README, re.S), "README does not say where /metrics is"
    exported = set()
    # the services' metrics, and those `parley up` serves itself (supervisor)
    for family in [*REGISTRY.collect(), *metrics.SUPERVISOR_REGISTRY.collect()]:
        exported.add(family.name)
        if family.type == "counter":
            exported.add(f"{family.name}_total")
    named = set(re.findall(r"`(parley_[a-z_]+)`", README))
    assert named, "README names no metric"
    for name in named:
        assert name in exported, f"README names {name}, which no service exports"
