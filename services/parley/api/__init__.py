"""The read-only query API over the sink's database, its live stream and the analyst page.

`parley worker api` serves (on PARLEY_API_HOST:PARLEY_API_PORT, default 127.0.0.1:8090):

    GET /stories  /stories/{id}  /events  /events/{id}  /articles/{id}   the sink's rows (queries.py)
    GET /stream                  new and changed stories, Server-Sent Events from events.stories (stream.py)
    GET /openapi.json            the OpenAPI 3.1 document of all of it (openapi.py)
    GET /                        the analyst page (page.html: one static file, no build step)
    GET /healthz /readyz /metrics  like every service

Modules: params.py (query parameters -> filters, cursors; 400s), queries.py (SQL for SQLite
and PostgreSQL, every value bound as a parameter), stream.py, openapi.py, app.py (routes,
bearer token, JSON errors), worker.py (`parley worker api`).
"""
