"""The query API over a real SQLite file and a real PostgreSQL database, filled by the sink's own
store: every filter, pagination by cursor, the single items, errors and the bearer token."""
from __future__ import annotations

import logging
import sqlite3
from urllib.parse import quote

import jsonschema
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from support.api_helpers import WITHOUT_TEXT, fill, get_json, served_api, store
from support.stories_helpers import event
from parley.api.openapi import document
from parley.config import Settings

TOKEN = "api-token-Qz7-secret"


def settings_of(database, token=None) -> Settings:
    url, path = database
    return Settings().with_(database_url=url, sqlite_path=path, api_token=token, bootstrap_servers="127.0.0.1:1")


@pytest.fixture
def filled(sink_database):
    """(settings, events, stories by id) of a database holding the sample events and stories."""
    events, stories = fill(*sink_database)
    return settings_of(sink_database), events, stories


@pytest.fixture
def api(filled):
    settings, events, stories = filled
    with served_api(settings) as served:
        served.events, served.stories = events, stories
        yield served


def conforms(body: dict, component: str) -> None:
    """`body` is valid against a component schema of the OpenAPI document."""
    doc = document(auth=False)
    registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(doc))
    jsonschema.Draft202012Validator({"$ref": f"urn:openapi#/components/schemas/{component}"},
                                    registry=registry).validate(body)


def ids(api, path: str) -> list[str]:
    status, body, _ = get_json(api.url + path)
    assert status == 200, body
    key = "story_id" if path.startswith("/stories") else "event_id"
    return [item[key] for item in body["items"]]


def story_id(api, kind: str, status: str | None = None) -> str:
    return next(s["story_id"] for s in api.stories.values() if s["kind"] == kind and status in (None, s["status"]))


def test_stories_are_listed_newest_first_and_match_the_document(api):
    status, body, headers = get_json(api.url + "/stories")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    conforms(body, "StoryList")
    assert body["count"] == 5 and body["next"] is None
    assert [s["last_published"] for s in body["items"]] == \
        ["2024-07-11", "2024-05-02", "2024-04-10", "2024-03-13T10:00:00Z", "2024-02-01"]
    summit = next(s for s in body["items"] if s["report_count"] == 2)
    assert summit == api.stories[summit["story_id"]]  # the stored events.stories message, unchanged


@pytest.mark.parametrize("query, expected", [
    ("country=ARM", ["meeting:occurred", "meeting:cancelled"]),
    ("country=usa&country=JPN", ["visit:planned"]),
    ("country=FRA&country=USA", ["multilateral:occurred", "call:occurred"]),
    ("person=gus%20PARK", ["visit:planned", "call:occurred"]),
    ("person=Lund", ["meeting:occurred"]),
    ("organisation=nato", ["multilateral:occurred"]),
    ("organisation=NAT", []),
    ("kind=call&kind=visit", ["visit:planned", "call:occurred"]),
    ("status=occurred", ["multilateral:occurred", "call:occurred", "meeting:occurred"]),
    ("status=planned", ["visit:planned"]),  # the summit's current status is occurred
    ("from=2024-04-20&to=2024-04-20", ["call:occurred"]),  # "April 2024" may fall on the 20th
    ("from=2024-03-12&to=2024-03-12", ["meeting:occurred"]),
    ("from=2024-03-13", ["multilateral:occurred", "visit:planned", "call:occurred"]),
    ("to=2024-04-01", ["call:occurred", "meeting:occurred"]),
    ("from=2024-01-01&to=2024-12-31", ["multilateral:occurred", "visit:planned", "call:occurred",
                                       "meeting:occurred"]),  # the undated cancellation matches no period
    ("from=2024-06-01&to=2024-05-01", []),
    ("q=BORDER", ["meeting:occurred"]),  # in the plan's evidence and the report's
    ("q=100%25", ["call:occurred"]),  # % is a character, not a wildcard
    ("q=%25", ["call:occurred"]),
    ("q=_", []),
    ("q=called%20off", ["meeting:cancelled"]),
    ("country=FRA&status=occurred&kind=call&q=tariffs", ["call:occurred"]),
    ("q=%27%3B%20DROP%20TABLE%20stories%3B%20--", []),
])
def test_story_filters(api, query, expected):
    status, body, _ = get_json(f"{api.url}/stories?{query}")
    assert status == 200, body
    assert [f"{s['kind']}:{s['status']}" for s in body["items"]] == expected
    assert get_json(api.url + "/stories")[1]["count"] == 5  # nothing was dropped


@pytest.mark.parametrize("query, expected", [
    ("", ["nato", "visit", "call", "summit-held", "summit-plan", "ministers"]),
    ("country=ARM&status=planned", ["summit-plan"]),
    ("person=carl", ["ministers"]),
    ("organisation=NATO", ["nato"]),
    ("kind=meeting", ["summit-held", "summit-plan", "ministers"]),
    ("from=2024-05-31&to=2024-07-10", ["nato", "visit"]),
    ("q=vienna", ["summit-held", "summit-plan"]),
    ("q=phone", ["call"]),
])
def test_event_filters(api, query, expected):
    files = {e["event_id"]: e["source"]["file"].removesuffix(".txt") for e in api.events}
    status, body, _ = get_json(f"{api.url}/events?{query}")
    assert status == 200, body
    conforms(body, "EventList")
    assert [files[e["event_id"]] for e in body["items"]] == expected


@pytest.mark.parametrize("path", ["/stories", "/events", "/events?country=USA", "/stories?from=2024-01-01"])
def test_pages_follow_the_next_link_without_gap_or_repeat(api, path):
    everything = ids(api, path)
    for limit in (1, 2, 4):
        seen, link = [], path + ("&" if "?" in path else "?") + f"limit={limit}"
        while link:
            status, body, _ = get_json(api.url + link)
            assert status == 200, body
            assert body["count"] == len(body["items"]) <= limit
            seen += [i.get("story_id") or i.get("event_id") for i in body["items"]]
            link = body["next"]
            if link:
                assert link.startswith(path.split("?")[0] + "?") and "cursor=" in link
        assert seen == everything


def test_a_page_stays_put_when_newer_items_arrive(api, sink_database):
    first = get_json(api.url + "/events?limit=3")[1]
    store(*sink_database, events=[event("later", published="2025-01-01", people=("Finn Hale", "Gus Park"))])
    second = get_json(api.url + first["next"])[1]
    assert [e["event_id"] for e in first["items"] + second["items"]] == [e["event_id"] for e in api.events[::-1]][:6]


def test_a_story_with_its_reports_and_articles(api):
    summit = story_id(api, "meeting", "occurred")
    status, body, _ = get_json(f"{api.url}/stories/{summit}")
    assert status == 200
    conforms(body, "StoryDetail")
    assert body["story"] == api.stories[summit]
    assert [e["event_id"] for e in body["reports"]] == [t["event_id"] for t in body["story"]["timeline"]]
    assert [r["status"] for r in body["reports"]] == ["planned", "occurred"]
    assert [a["title"] for a in body["articles"]] == ["Report summit-plan.txt", "Report summit-held.txt"]
    assert body["reports"][1]["evidence"]["text"].startswith("Ana Lund and Boris Kane met in Vienna")


def test_an_event_with_its_story_and_article_and_an_article_with_its_events(api):
    held = next(e for e in api.events if e["source"]["file"] == "summit-held.txt")
    status, body, _ = get_json(f"{api.url}/events/{held['event_id']}")
    assert status == 200
    conforms(body, "EventDetail")
    assert body["event"] == held
    assert body["story_id"] == story_id(api, "meeting", "occurred")
    assert body["article"] == {"article_id": held["article_id"], "title": "Report summit-held.txt",
                               "source": {"file": "summit-held.txt", "url": "https://news.example/summit-held"},
                               "published_at": "2024-03-13T10:00:00Z", "ingested_at": "2024-03-13T10:00:00ZT08:00:00Z",
                               "mentions": 7, "event_ids": [held["event_id"]]}
    status, body, _ = get_json(f"{api.url}/articles/{held['article_id']}")
    assert status == 200
    conforms(body, "ArticleDetail")
    assert body["events"] == [held] and body["article"]["title"] == "Report summit-held.txt"


def test_an_article_comes_with_its_cleaned_text_and_the_evidence_offsets_point_into_it(api):
    for e in api.events:
        status, body, _ = get_json(f"{api.url}/articles/{e['article_id']}")
        assert status == 200
        conforms(body, "ArticleDetail")
        text = body["article"]["text"]
        if e["source"]["file"] == WITHOUT_TEXT:  # a receipt from before receipts carried the text
            assert text is None
            continue
        evidence = next(x for x in body["events"] if x["event_id"] == e["event_id"])["evidence"]
        assert text[evidence["start"]:evidence["end"]] == evidence["text"] == e["evidence"]["text"]
        assert text.count("\n\n") >= 2  # paragraphs as the cleaner joins them
    # the story and event details name the articles without their text (it can be long)
    summit = story_id(api, "meeting", "occurred")
    assert all("text" not in a for a in get_json(f"{api.url}/stories/{summit}")[1]["articles"])


def test_a_database_from_before_articles_text_answers_without_it(filled):
    settings, events, _ = filled
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute("ALTER TABLE articles DROP COLUMN text")
    else:
        with sqlite3.connect(settings.sqlite_path) as db:
            db.execute("ALTER TABLE articles DROP COLUMN text")
    held = next(e for e in events if e["source"]["file"] == "summit-held.txt")
    with served_api(settings) as api:
        status, body, _ = get_json(f"{api.url}/articles/{held['article_id']}")
    assert status == 200, body
    conforms(body, "ArticleDetail")
    assert body["article"]["text"] is None and body["article"]["title"] == "Report summit-held.txt"
    assert body["events"] == [held]


@pytest.mark.parametrize("path, status, words", [
    ("/stories/s-0000000000000000", 404, "no story s-0000000000000000"),
    ("/events/m-0000000000000000", 404, "no event"),
    ("/articles/a-0000000000000000", 404, "no article"),
    ("/stories/s-123", 400, "story ids look like s-0123456789abcdef"),
    ("/events/s-0000000000000000", 400, "not a event id"),
    ("/stories?limit=0", 400, "limit must be from 1 to 500"),
    ("/stories?limit=ten", 400, "not a whole number"),
    ("/events?kind=summit", 400, "kind 'summit' is not one of meeting, call, visit, multilateral"),
    ("/events?status=held", 400, "status 'held' is not one of"),
    ("/stories?country=TURK", 400, "not an ISO 3166 alpha-3 code"),
    ("/stories?from=2024-13-01", 400, "from '2024-13-01' is not a date; give YYYY-MM-DD"),
    ("/stories?to=20240301", 400, "is not a date"),
    ("/stories?countries=TUR", 400, "unknown parameter 'countries'"),
    ("/stories?q=", 400, "q is empty"),
    ("/stories?q=a%00b", 400, "NUL"),
    ("/stories?limit=2&limit=3", 400, "limit is given 2 times"),
    ("/stories?cursor=abc", 400, "cursor is not a position"),
    ("/stories/s-0000000000000000?x=1", 400, "unknown parameter 'x'"),
    ("/nothing", 404, "no route '/nothing'"),
])
def test_errors_are_json_with_a_clear_message(api, path, status, words):
    got, body, headers = get_json(api.url + path)
    assert got == status and headers["Content-Type"].startswith("application/json")
    conforms(body, "Error")
    assert words in body["message"], body


def test_the_api_is_read_only(api):
    import urllib.request

    request = urllib.request.Request(api.url + "/stories", data=b"{}", method="POST")
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("POST was accepted")
    except urllib.error.HTTPError as exc:
        assert exc.code == 405 and set(exc.headers["Allow"].split(",")) == {"GET", "HEAD"}
        assert b"read-only" in exc.read()


def test_the_database_is_opened_read_only(filled, tmp_path):
    settings, _, _ = filled
    if settings.database_url:
        import psycopg

        from parley.api.queries import PostgresReader

        async def write_through_the_reader():
            reader = PostgresReader(settings.database_url)
            try:
                await reader._all("DELETE FROM stories", [])
            finally:
                await reader.close()

        import asyncio

        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            asyncio.run(write_through_the_reader())
    else:
        from parley.api.queries import SQLiteReader

        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            SQLiteReader(settings.sqlite_path)._connect().execute("DELETE FROM stories")


def test_an_empty_or_missing_database_answers_empty_lists(sink_database, tmp_path):
    url, _ = sink_database
    settings = settings_of((url, str(tmp_path / "not-there.db")))
    with served_api(settings) as api:
        for path in ("/stories", "/events?country=USA", "/stories?q=x"):
            assert get_json(api.url + path)[:2] == (200, {"items": [], "count": 0, "next": None})
        assert get_json(api.url + "/stories/s-0000000000000000")[0] == 404
        assert get_json(api.url + "/articles/a-0000000000000000")[0] == 404


def test_the_token_is_required_on_data_and_nowhere_else(sink_database, caplog):
    fill(*sink_database)
    with caplog.at_level(logging.DEBUG), served_api(settings_of(sink_database, TOKEN)) as api:
        for path in ("/stories", "/events?country=ARM", "/stories/s-0000000000000000", "/stream"):
            status, body, headers = get_json(api.url + path)
            assert status == 401 and body["error"] == "unauthorized", path
            assert headers["WWW-Authenticate"] == 'Bearer realm="parley-api"'
            assert get_json(api.url + path, token="wrong-" + TOKEN)[0] == 401
            assert get_json(api.url + path, headers={"Authorization": TOKEN})[0] == 401  # no scheme
        assert get_json(api.url + "/stories", token=TOKEN)[1]["count"] == 5
        assert get_json(api.url + "/stories?access_token=" + quote(TOKEN))[0] == 401  # only /stream takes it
        for path in ("/healthz", "/openapi.json"):
            assert get_json(api.url + path)[0] == 200
        doc = get_json(api.url + "/openapi.json")[1]
        assert doc["components"]["securitySchemes"] == {
            "bearer": {"type": "http", "scheme": "bearer", "description": "PARLEY_API_TOKEN"}}
        assert doc["paths"]["/stories"]["get"]["security"] == [{"bearer": []}]
    assert TOKEN not in caplog.text


def test_health_readiness_and_metrics(api):
    assert get_json(api.url + "/healthz")[:2] == (200, {"status": "ok", "stage": "api"})
    assert get_json(api.url + "/readyz")[:2] == (200, {"ready": True, "stage": "api", "checks": {"database": True}})
    get_json(api.url + "/stories?kind=nope")
    import urllib.request

    text = urllib.request.urlopen(api.url + "/metrics", timeout=10).read().decode()
    assert 'parley_api_requests_total{route="/stories",status="400"}' in text
    assert "parley_api_streams" in text
