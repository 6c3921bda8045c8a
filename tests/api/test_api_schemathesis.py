"""schemathesis fuzzes the query API against its own OpenAPI document (GET /openapi.json), on a
SQLite file and a PostgreSQL database holding stories, events and articles, with the bearer
token on: every check (server errors, status codes, content types, response schemas, valid
data accepted, invalid data refused, auth not ignored, methods not listed answered 405) in
all its phases (examples, coverage, fuzzing, stateful), deterministic and bounded
(30 examples per operation) so it takes seconds. /stream is left out: it never ends
(test_api_stream.py tests it)."""
from __future__ import annotations

import re
import subprocess
import sys

from support.api_helpers import fill, served_api
from parley.config import Settings

TOKEN = "fuzz-token-8xq"


def test_the_api_passes_schemathesis_against_its_openapi_document(sink_database, tmp_path):
    url, path = sink_database
    fill(url, path)
    settings = Settings().with_(database_url=url, sqlite_path=path, api_token=TOKEN, bootstrap_servers="127.0.0.1:1")
    with served_api(settings) as api:
        result = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{api.url}/openapi.json",
             "--checks", "all", "--exclude-path", "/stream", "--header", f"Authorization: Bearer {TOKEN}",
             "--max-examples", "30", "--generation-deterministic", "--workers", "1", "--request-timeout", "10",
             "--no-color"],
            capture_output=True, text=True, timeout=240, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    summary = re.search(r"(\d+) generated, (\d+) passed", output)
    assert summary and summary.group(1) == summary.group(2) and int(summary.group(1)) > 300, output[-3000:]
    assert "No issues found" in output
    print(f"schemathesis ({'postgres' if url else 'sqlite'}): {summary.group(0)}")
