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
