# One image for every Parley service; the compose file picks the service by command:
#   parley topics create | parley worker {ingest,cleaner,tagger,detector,stories,sink,alerts,notifier}
# The JSON Schemas stay in /app/schemas (PARLEY_SCHEMAS_DIR): a non-editable install does
# not ship the repository's top-level schemas/ folder.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PARLEY_SCHEMAS_DIR=/app/schemas

WORKDIR /app
COPY pyproject.toml README.md ./
COPY services ./services
COPY schemas ./schemas
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin parley \
    && mkdir -p /data && chown parley /data

USER parley
# /metrics, /healthz, /readyz (every service); POST /articles (ingest only)
EXPOSE 9100 8080
ENTRYPOINT ["parley"]
CMD ["--help"]
