"""The OpenAPI 3.1 document of the query API (GET /openapi.json), written by hand.

Stories and events are described by the topics' own JSON Schemas (schemas/events.stories.json
and schemas/events.meetings.json, draft 2020-12 like OpenAPI 3.1's schema objects): a row is
the message the sink stored. tests/api/test_api_schemathesis.py fuzzes the API against this
document with schemathesis, and the other tests check answers against it too.

The bearer scheme (and the 401 answers) appear only when the service has a token, so the
document says what the running service does.
"""
from __future__ import annotations

from typing import Any

from ..schemas import load_schemas
from .params import DEFAULT_LIMIT, KINDS, MAX_LIMIT, MAX_TEXT, STATUSES

NO_NUL = "^[^\\u0000]*$"
_ERROR = {"$ref": "#/components/schemas/Error"}


def _topic_schema(name: str) -> dict[str, Any]:
    schema = dict(load_schemas()[name])
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    return schema


def _text_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": NO_NUL}}


def _list_parameters(what: str) -> list[dict[str, Any]]:
    evidence = "any report's evidence" if what == "stories" else "the evidence sentence"
    people = "people" if what == "stories" else "participants"
    return [
        {"name": "country", "in": "query", "required": False, "style": "form", "explode": True,
         "description": "ISO 3166 alpha-3 code; repeat it to ask for several countries, all of which took part",
         "schema": {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z]{3}$"}}},
        _text_parameter("person", f"a name among the {people} contains this (case-insensitive)"),
        _text_parameter("organisation", "an organisation among the sides, the whole name (case-insensitive)"),
        {"name": "kind", "in": "query", "required": False, "style": "form", "explode": True,
         "description": "any of these kinds (repeat the parameter)",
         "schema": {"type": "array", "items": {"type": "string", "enum": list(KINDS)}}},
        {"name": "status", "in": "query", "required": False, "style": "form", "explode": True,
         "description": "any of these statuses (repeat the parameter)" + (
             "; a story's current status" if what == "stories" else ""),
         "schema": {"type": "array", "items": {"type": "string", "enum": list(STATUSES)}}},
        {"name": "from", "in": "query", "required": False,
         "description": "the meeting's date may fall on or after this day (a month or year counts whole); "
                        "a meeting of unknown date does not match",
         "schema": {"type": "string", "format": "date"}},
        {"name": "to", "in": "query", "required": False,
         "description": "the meeting's date may fall on or before this day",
         "schema": {"type": "string", "format": "date"}},
        _text_parameter("q", f"{evidence} contains this text (case-insensitive)"),
        {"name": "limit", "in": "query", "required": False, "description": "items per page",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
        {"name": "cursor", "in": "query", "required": False,
         "description": "where the page starts: take it from the `next` link of the previous page",
         "schema": {"type": "string", "pattern": "^[^\\u0000]*\\|[^\\u0000|]*$"}},
    ]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int, auth: bool) -> dict[str, Any]:
    texts = {400: "a parameter is wrong (the message says which and why)", 404: "no such item",
             503: "the database cannot be read now", 401: "missing or wrong bearer token"}
    chosen = list(codes) + ([401] if auth else [])
    return {str(code): _json(_ERROR, texts[code]) for code in chosen}


def _id_parameter(name: str, prefix: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "string", "pattern": f"^{prefix}-[0-9a-f]{{16}}$"}}


def document(*, auth: bool) -> dict[str, Any]:
    """The OpenAPI document; `auth`: the service requires a bearer token."""
    secured = {"security": [{"bearer": []}]} if auth else {}
    nullable_text = {"type": ["string", "null"]}

    def listing(what: str, item: str, summary: str) -> dict[str, Any]:
        return {"get": {
            "operationId": f"list_{what}", "summary": summary, "tags": [what],
            "parameters": _list_parameters(what), **secured,
            "responses": {"200": _json({"$ref": f"#/components/schemas/{item}List"},
                                       "one page, newest first; `next` is the link to the next page, or null"),
                          **_errors(400, 503, auth=auth)}}}

    def single(what: str, name: str, prefix: str, schema: str, summary: str) -> dict[str, Any]:
        return {"get": {
            "operationId": f"get_{what}", "summary": summary, "tags": [f"{what}s" if what != "story" else "stories"],
            "parameters": [_id_parameter(name, prefix)], **secured,
            "responses": {"200": _json({"$ref": f"#/components/schemas/{schema}"}, "found"),
                          **_errors(400, 404, 503, auth=auth)}}}

    paths: dict[str, Any] = {
        "/stories": listing("stories", "Story", "Stories (one per real-world meeting) matching the filters"),
        "/stories/{story_id}": single("story", "story_id", "s", "StoryDetail",
                                      "A story with its reports (the stored events) and their articles"),
        "/events": listing("events", "Event", "Meeting events (one per report) matching the filters"),
        "/events/{event_id}": single("event", "event_id", "m", "EventDetail",
                                     "An event, the story that holds it and its article"),
        "/articles/{article_id}": single("article", "article_id", "a", "ArticleDetail",
                                         "An article's stored row (title, link, times, event ids, cleaned text) "
                                         "and its events"),
        "/stream": {"get": {
            "operationId": "stream_stories", "summary": "New and changed stories, as Server-Sent Events",
            "description": "`event: story` per events.stories message, `id` = partition:next offset for every "
                           "partition; resume with the Last-Event-ID header. `event: ready` first (its id is the "
                           "start). Comments (`: heartbeat`) keep the connection open. EventSource cannot send "
                           "headers: the token may come as `access_token` (RFC 6750 2.3) here.",
            "tags": ["stories"], **secured,
            "parameters": [
                {"name": "since", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["now", "beginning"], "default": "now"}},
                {"name": "Last-Event-ID", "in": "header", "required": False,
                 "schema": {"type": "string", "pattern": "^[0-9]+:[0-9]+(,[0-9]+:[0-9]+)*$"}},
                {"name": "access_token", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {"200": {"description": "the stream", "content": {"text/event-stream": {
                "schema": {"type": "string"}}}}, **_errors(400, 503, auth=auth)}}},
        "/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document", "tags": ["service"],
            "responses": {"200": _json({"type": "object"}, "the OpenAPI document")}}},
        "/": {"get": {
            "operationId": "page", "summary": "The analyst page (HTML, no external assets)", "tags": ["service"],
            "responses": {"200": {"description": "the page", "content": {"text/html": {
                "schema": {"type": "string"}}}}}}},
        "/healthz": {"get": {
            "operationId": "healthz", "summary": "Liveness", "tags": ["service"],
            "responses": {"200": _json({"type": "object", "required": ["status", "stage"], "properties": {
                "status": {"const": "ok"}, "stage": {"const": "api"}}}, "the process answers")}}},
        "/readyz": {"get": {
            "operationId": "readyz", "summary": "Readiness: the database can be read", "tags": ["service"],
            "responses": {code: _json({"$ref": "#/components/schemas/Readiness"}, text)
                          for code, text in (("200", "ready"), ("503", "not ready"))}}},
        "/metrics": {"get": {
            "operationId": "metrics", "summary": "Prometheus metrics", "tags": ["service"],
            "responses": {"200": {"description": "metrics in the Prometheus text format",
                                  "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    }
    article = {
        "type": "object", "additionalProperties": False,
        "required": ["article_id", "title", "source", "published_at", "ingested_at", "mentions", "event_ids"],
        "description": "The detector's receipt for the article as the sink stored it (its text only in "
                       "ArticleText, from GET /articles/{article_id}).",
        "properties": {
            "article_id": {"type": "string", "pattern": "^a-[0-9a-f]{16}$"},
            "title": nullable_text,
            "source": {"type": "object", "additionalProperties": False, "required": ["file", "url"],
                       "properties": {"file": nullable_text, "url": nullable_text}},
            "published_at": nullable_text, "ingested_at": nullable_text,
            "mentions": {"type": ["integer", "null"]},
            "event_ids": {"type": ["array", "null"], "items": {"type": "string"}},
        },
    }

    article_text = {
        **article, "required": article["required"] + ["text"],
        "description": "The detector's receipt for the article as the sink stored it, with the article's text.",
        "properties": {**article["properties"], "text": {
            "type": ["string", "null"],
            "description": "the cleaned text of the article, which the `evidence.start`/`end` of its events refer "
                           "to (offsets in Unicode code points); null when the receipt lacked it (stored before "
                           "receipts carried the text)"}},
    }

    def page_of(item: str) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False, "required": ["items", "count", "next"],
                "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
                               "count": {"type": "integer", "minimum": 0},
                               "next": {"type": ["string", "null"],
                                        "description": "path and query of the next page; null on the last"}}}

    def record(required: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False, "required": list(required), "properties": required}

    components = {
        "schemas": {
            "Story": _topic_schema("events.stories"),
            "Event": _topic_schema("events.meetings"),
            "Article": article,
            "ArticleText": article_text,
            "StoryList": page_of("Story"),
            "EventList": page_of("Event"),
            "StoryDetail": record({
                "story": {"$ref": "#/components/schemas/Story"},
                "reports": {"type": "array", "items": {"$ref": "#/components/schemas/Event"},
                            "description": "the stored events of the story's timeline, in its order"},
                "articles": {"type": "array", "items": {"$ref": "#/components/schemas/Article"}}}),
            "EventDetail": record({
                "event": {"$ref": "#/components/schemas/Event"},
                "story_id": {"type": ["string", "null"], "description": "the story holding it, once stored"},
                "article": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Article"}]}}),
            "ArticleDetail": record({
                "article": {"$ref": "#/components/schemas/ArticleText"},
                "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}),
            "Error": record({"error": {"type": "string"}, "message": {"type": "string"}}),
            "Readiness": {"type": "object", "required": ["ready", "stage", "checks"], "properties": {
                "ready": {"type": "boolean"}, "stage": {"const": "api"},
                "checks": {"type": "object", "additionalProperties": {"type": "boolean"}}}},
        },
    }
    if auth:
        components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer",
                                                    "description": "PARLEY_API_TOKEN"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Parley query API", "version": "1",
                 "description": "Read-only: the stories and meeting events the sink stored, and a live stream "
                                "of stories. See the README, Query API."},
        "paths": paths,
        "components": components,
    }
