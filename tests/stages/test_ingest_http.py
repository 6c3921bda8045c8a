import asyncio
import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.ids import article_id
from parley.ingest.http_api import add_routes, make_app
from parley.schemas import validator

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY = "Delegations from two coastal states held talks on fishing rights in a port city."

validate_raw = validator("articles.raw")


class Recorder:
    """A publish callable that records what it was given, or fails on demand."""

    def __init__(self):
        self.batches: list[list[dict]] = []
        self.fail = False

    async def __call__(self, messages: list[dict]) -> None:
        if self.fail:
            raise ConnectionError("broker unreachable")
        self.batches.append(messages)

    @property
    def messages(self) -> list[dict]:
        return [m for batch in self.batches for m in batch]


@pytest.fixture(scope="module")
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def start(loop, app: web.Application) -> TestClient:
    client = TestClient(TestServer(app), loop=loop)
    loop.run_until_complete(client.start_server())
    return client


@pytest.fixture(scope="module")
def service(loop):
    """One server for the module (hypothesis examples reuse it); publish is reset per test."""
    recorder = Recorder()
    client = start(loop, make_app(recorder, token=TOKEN, max_body_bytes=10_000, max_chars=2_000))
    yield client, recorder
    loop.run_until_complete(client.close())


@pytest.fixture
def api(service, loop):
    client, recorder = service
    recorder.batches.clear()
    recorder.fail = False

    def post(body, *, headers=None, content_type="application/json", path="/articles"):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        all_headers = {**AUTH, "Content-Type": content_type, **(headers or {})}
        all_headers = {k: v for k, v in all_headers.items() if v is not None}

        async def call():
            response = await client.post(path, data=body, headers=all_headers)
            text = await response.text()
            return response.status, (json.loads(text) if text else None), response.headers

        return loop.run_until_complete(call())

    post.recorder = recorder
    return post


def test_one_article_is_accepted_and_published(api):
    status, body, _ = api({"url": "https://ex.org/port-talks", "title": "Talks", "text": BODY})
    assert status == 202
    expected_id = article_id("https://ex.org/port-talks", None)
    assert body == {"accepted": 1, "article_ids": [expected_id], "errors": []}
    [message] = api.recorder.messages
    assert message["article_id"] == expected_id and message["source"]["file"] is None
    assert validate_raw(message) == []


def test_a_list_is_published_in_one_batch(api):
    status, body, _ = api([{"text": f"{BODY} {i}"} for i in range(3)])
    assert status == 202 and body["accepted"] == 3
    assert len(api.recorder.batches) == 1 and len(api.recorder.batches[0]) == 3
    assert len({m["ingested_at"] for m in api.recorder.messages}) == 1


def test_partial_errors_are_reported_by_index_and_the_rest_accepted(api):
    status, body, _ = api([{"text": BODY}, {"text": 12}, "nope", {"text": BODY + " more"}])
    assert status == 202 and body["accepted"] == 2
    assert [(e["index"], e["reason"]) for e in body["errors"]] == [
        (1, "wrong_type"), (2, "not_an_object")]
    assert body["errors"][0]["message"].startswith("item 1: field 'text' must be a string")
    assert len(api.recorder.messages) == 2


def test_nothing_valid_is_400_with_the_errors_and_nothing_published(api):
    status, body, _ = api([{"title": "no body"}])
    assert status == 400
    assert body["accepted"] == 0 and body["errors"][0]["reason"] == "missing_body"
    assert api.recorder.batches == []


@pytest.mark.parametrize(("raw", "code"), [(b"{oops", "invalid_json"), (b"[]", "empty"),
                                           (b"", "invalid_json")])
def test_malformed_json_or_empty_list_is_400(api, raw, code):
    status, body, _ = api(raw)
    assert (status, body["error"]) == (400, code)


def test_missing_token_is_401_with_a_challenge(api):
    status, body, headers = api({"text": BODY}, headers={"Authorization": None})
    assert status == 401 and body["error"] == "unauthorized"
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert api.recorder.batches == []


@pytest.mark.parametrize("value", [f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", TOKEN,
                                   f"Bearer {TOKEN[:-1]}"])
def test_wrong_token_is_401(api, value):
    status, body, _ = api({"text": BODY}, headers={"Authorization": value})
    assert status == 401
    assert TOKEN not in json.dumps(body)


def test_token_scheme_is_case_insensitive(api):
    status, _, _ = api({"text": BODY}, headers={"Authorization": f"bearer {TOKEN}"})
    assert status == 202


def test_body_over_the_limit_is_413(api):
    status, body, _ = api({"text": "x" * 20_000})
    assert (status, body["error"]) == (413, "body_too_large")
    assert api.recorder.batches == []


def test_chunked_body_over_the_limit_is_413(api, service, loop):
    client, _ = service

    async def chunks():
        for _ in range(20):
            yield b"x" * 1000

    async def call():
        response = await client.post("/articles", data=chunks(),
                                     headers={**AUTH, "Content-Type": "application/json"})
        return response.status

    assert loop.run_until_complete(call()) == 413


def test_article_over_max_chars_is_an_item_error(api):
    status, body, _ = api([{"text": "y" * 3_000}, {"text": BODY}])
    assert status == 202 and body["errors"][0]["reason"] == "too_long"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data", None])
def test_non_json_content_type_is_415(api, content_type):
    status, body, _ = api({"text": BODY}, content_type=content_type)
    assert (status, body["error"]) == (415, "unsupported_media_type")


def test_json_with_charset_and_plus_json_types_are_accepted(api):
    assert api({"text": BODY}, content_type="application/json; charset=utf-8")[0] == 202
    assert api({"text": BODY}, content_type="application/vnd.parley+json")[0] == 202


def test_ndjson_body_reports_bad_lines_by_index(api):
    lines = b'{"text": "First."}\n{broken\n\n{"text": "Third."}\n'
    status, body, _ = api(lines, content_type="application/x-ndjson")
    assert status == 202 and body["accepted"] == 2
    assert [(e["index"], e["reason"]) for e in body["errors"]] == [(1, "invalid_json")]


def test_publish_failure_is_503_and_says_so(api):
    api.recorder.fail = True
    status, body, headers = api({"text": BODY})
    assert (status, body["error"]) == (503, "publish_failed")
    assert "retry" in body["message"] and headers["Retry-After"]


def test_publish_failure_is_logged_without_the_token(api, caplog):
    api.recorder.fail = True
    with caplog.at_level("DEBUG"):
        api({"text": BODY})
    assert "publish" in caplog.text and TOKEN not in caplog.text


def test_no_token_configured_means_no_auth(loop):
    recorder = Recorder()
    client = start(loop, make_app(recorder, token=None))

    async def call():
        response = await client.post("/articles", json={"text": BODY})
        return response.status

    try:
        assert loop.run_until_complete(call()) == 202
    finally:
        loop.run_until_complete(client.close())


def test_routes_can_be_added_to_an_existing_app_beside_other_routes(loop):
    app = web.Application()

    async def healthz(request):
        return web.Response(text="ok")

    app.router.add_get("/healthz", healthz)
    recorder = Recorder()
    add_routes(app, recorder, token=TOKEN, max_body_bytes=100)
    assert make_app(recorder, token=None, app=web.Application()) is not None
    client = start(loop, app)

    async def calls():
        health = await client.get("/healthz")
        small = await client.post("/articles", json={"text": BODY[:40]}, headers=AUTH)
        large = await client.post("/articles", json={"text": BODY * 3}, headers=AUTH)
        return health.status, small.status, large.status

    try:
        assert loop.run_until_complete(calls()) == (200, 202, 413)
    finally:
        loop.run_until_complete(client.close())


def test_token_is_not_in_the_handler_repr():
    app = make_app(Recorder(), token=TOKEN)
    assert all(TOKEN not in repr(route.handler) for route in app.router.routes())


# ---------------------------------------------------------------- fuzz: never a 500

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=6,
)
article_like = st.fixed_dictionaries(
    {},
    optional={name: json_values | st.text(max_size=40)
              for name in ("url", "title", "text", "html", "published_at", "source")},
)
def dumps(value) -> bytes:
    # The stdlib writes what orjson refuses (integers over 64 bits, lone surrogates): the
    # server must cope with those too.
    return json.dumps(value).encode("utf-8")


bodies = (
    st.binary(max_size=3000)
    | json_values.map(dumps)
    | st.lists(article_like, max_size=4).map(dumps)
    | article_like.map(dumps)
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies, content_type=st.sampled_from(["application/json", "application/x-ndjson",
                                                  "text/plain"]))
def test_arbitrary_bodies_never_cause_a_server_error(api, body, content_type):
    status, response, _ = api(body, content_type=content_type)
    assert status in (202, 400, 413, 415), (status, response)
    if status == 202:
        assert response["accepted"] == len(response["article_ids"]) > 0
    for message in api.recorder.messages:
        assert validate_raw(message) == []
    api.recorder.batches.clear()


def test_on_refused_is_called_once_per_refused_article(loop):
    refused: list[str] = []
    client = start(loop, make_app(Recorder(), token=None, on_refused=refused.append))

    async def call():
        response = await client.post("/articles", json=[{"text": BODY}, {"text": 1}, {}])
        return response.status

    try:
        assert loop.run_until_complete(call()) == 202
    finally:
        loop.run_until_complete(client.close())
    assert refused == ["wrong_type", "missing_body"]


# ---------------------------------------------------------------- fuzz: malformed headers

header_values = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
                        max_size=80)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(authorization=st.one_of(header_values, header_values.map(lambda v: f"Bearer {v}"),
                               st.just(f"Bearer {TOKEN}")),
       content_type=st.one_of(header_values, st.sampled_from(["application/json", "application/x-ndjson",
                                                               "application/json; charset=latin-1",
                                                               "application/+json", "application/json;;;"])))
def test_arbitrary_authorization_and_content_type_headers_never_cause_a_server_error(api, authorization,
                                                                                     content_type):
    status, response, _ = api({"text": BODY}, headers={"Authorization": authorization}, content_type=content_type)
    assert status in (202, 400, 401, 413, 415), (status, response)
    if authorization != f"Bearer {TOKEN}" and authorization.partition(" ")[2].strip() != TOKEN:
        assert status == 401
    api.recorder.batches.clear()


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_on_the_ingest_path_are_refused(service, loop, method):
    client, recorder = service

    async def call():
        response = await client.request(method, "/articles", headers=AUTH)
        return response.status

    assert loop.run_until_complete(call()) == 405
    assert recorder.batches == []
