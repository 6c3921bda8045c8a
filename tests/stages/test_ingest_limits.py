"""Ingest refuses what it cannot use: far publication dates, non-regular files, oversize input."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from parley.ingest.readers import Article, build_article, read_bytes
from parley.schemas import validator

validate_raw = validator("articles.raw")

BODY = "The foreign ministers met in Vienna."


@pytest.mark.parametrize("published", ["0001-01-02T00:00:00Z", "0001-01-01", "1899-12-31",
                                       "1899-12-31T23:59:59+00:00", "9999-12-31",
                                       "9999-12-31T23:00:00-05:00", "2999-01-01T00:00:00"])
def test_out_of_range_published_at_is_refused_with_a_clear_reason(published):
    [error] = list(read_bytes(json.dumps({"text": BODY, "published_at": published}).encode(),
                              name="x.json", fmt="json"))
    assert error.reason == "published_at_out_of_range"
    assert "published_at" in error.message and ("1900" in error.message or "future" in error.message)


def test_published_at_in_range_is_kept():
    today = datetime.now(timezone.utc)
    for value in ("1900-01-01", today.date().isoformat(),
                  (today + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M:%SZ")):
        article = build_article({"text": BODY, "published_at": value})
        assert isinstance(article, Article) and article.published_at
        assert validate_raw(article.to_message()) == []


# ------------------------------------------------ sizes: HTML up to 10 x max_chars (README)


def test_html_up_to_ten_times_max_chars_is_accepted_as_the_readme_says(tmp_path):
    from parley.ingest.readers import read_paths

    page = "<html><body><p>" + "word " * 1_000 + "</p></body></html>"   # ~5,000 chars
    article = build_article({"html": page}, max_chars=1_000)
    assert isinstance(article, Article) and article.html == page
    path = tmp_path / "page.html"
    path.write_text(page)
    [result] = list(read_paths([path], max_chars=1_000))
    assert isinstance(result, Article), result
    [error] = list(read_bytes(json.dumps({"html": "x" * 10_001}).encode(), fmt="json", max_chars=1_000))
    assert error.reason == "too_long" and "10,000" in error.message
    [error] = list(read_bytes(json.dumps({"text": "x" * 1_001}).encode(), fmt="json", max_chars=1_000))
    assert error.reason == "too_long"


# ------------------------------------------------ regular files only, bounded reads


@pytest.mark.timeout(20)
def test_a_link_to_dev_zero_is_skipped_not_read(tmp_path):
    from parley.ingest.readers import read_paths

    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    [error] = list(read_paths([link]))
    assert error.reason == "not_a_regular_file" and "device" in error.message


@pytest.mark.timeout(20)
def test_a_named_pipe_is_skipped_without_hanging(tmp_path):
    import os

    from parley.ingest.readers import read_paths

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    results = list(read_paths([fifo, tmp_path]))   # named, and met in a folder
    assert [(r.reason, "named pipe" in r.message) for r in results] == [("not_a_regular_file", True)]


def test_a_regular_file_over_the_cap_is_refused_without_reading_it_whole(tmp_path):
    from parley.ingest.readers import read_paths

    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 5_000)
    [error] = list(read_paths([path], max_chars=1_000))
    assert error.reason == "too_long"


def test_an_endless_stream_is_read_in_bounded_chunks(tmp_path):
    from parley.ingest.readers import read_stream

    with open("/dev/zero", "rb") as endless:
        [error] = list(read_stream(endless, name="<stdin>", fmt="txt", max_chars=1_000))
    assert error.reason == "too_long"
    with open("/dev/zero", "rb") as endless:   # no newline ever: one too long JSON line
        [error] = list(read_stream(endless, name="<stdin>", fmt="jsonl", max_chars=1_000))
    assert error.reason == "too_long"


def test_a_jsonl_line_over_the_cap_is_refused_and_the_next_line_read(tmp_path):
    from parley.ingest.readers import read_paths

    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"text": "' + b"z" * 200_000 + b'"}\n' + json.dumps({"text": BODY}).encode() + b"\n")
    first, second = list(read_paths([path], max_chars=1_000))
    assert (first.reason, first.line) == ("too_long", 1)
    assert isinstance(second, Article) and second.text == BODY


# ------------------------------------------------ HTTP: slow clients time out, bodies are capped


def test_a_slow_http_client_gets_408_and_the_connection_is_freed():
    import asyncio

    from aiohttp.test_utils import TestServer

    from parley.ingest.http_api import make_app

    published = []

    async def publish(messages):
        published.extend(messages)

    async def scenario():
        server = TestServer(make_app(publish, token=None, read_timeout=0.5))
        await server.start_server()
        try:
            reader, writer = await asyncio.open_connection(server.host, server.port)
            writer.write(b"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 1000\r\n\r\n{\"text\": \"")
            await writer.drain()
            response = await asyncio.wait_for(reader.read(), 10)   # the server answers and closes
            writer.close()
            return response
        finally:
            await server.close()

    response = asyncio.run(scenario())
    assert response.startswith(b"HTTP/1.1 408") and b"request_timeout" in response
    assert published == []


def test_the_ingest_worker_body_limit_lets_the_largest_allowed_article_through():
    from parley.ingest.http_api import DEFAULT_MAX_BODY_BYTES, body_limit

    assert body_limit(1_000_000) > 10 * 1_000_000
    assert body_limit(10) == DEFAULT_MAX_BODY_BYTES
