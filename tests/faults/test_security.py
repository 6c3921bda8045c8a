"""Security settings and promises.

- SASL (PLAIN, SCRAM) and TLS settings from the environment reach every aiokafka client and
  faust's broker credentials;
- no secret (Kafka password, database password, ingest token) appears in a repr, a worker's
  log (even at DEBUG) or its /metrics, /healthz, /readyz output;
- HTTP endpoints bind to the configured address only;
- SQL is parameterised: injection strings are stored verbatim and execute nothing.
"""
from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import uuid
from pathlib import Path

import orjson
import pytest

from support.faults import produce_records, wait_ready
from support.harness import get, running_pipeline, settings_for
from parley.config import KafkaSecurity, Settings
from parley.broker import free_port
from parley.kafka import client_kwargs, consumer_kwargs, faust_broker_credentials, producer_kwargs
from parley.stages.sink_store import Batch, PostgresStore, SQLiteStore

KAFKA_PASSWORD = "kafka-pw-Zq7!secret"
DB_PASSWORD = "db-pw-Xy9-secret"
INGEST_TOKEN = "ingest-token-Wv3-secret"
SECRETS = (KAFKA_PASSWORD, DB_PASSWORD, INGEST_TOKEN)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> dict[str, str]:
    """A throw-away CA and a client certificate signed by it (openssl command line)."""
    d = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=parley-test-ca")
    openssl("req", *ec, "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=parley-client")
    openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "client.pem", "-days", "2")
    return {"cafile": str(d / "ca.pem"), "certfile": str(d / "client.pem"), "keyfile": str(d / "client.key")}


def settings_from(monkeypatch, **env: str) -> Settings:
    for name in ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD",
                 "KAFKA_SSL_CAFILE", "KAFKA_SSL_CERTFILE", "KAFKA_SSL_KEYFILE", "DATABASE_URL", "PARLEY_INGEST_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker-1.example:9093,broker-2.example:9093")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


# ---------------------------------------------------------------- SASL and TLS reach the clients


@pytest.mark.parametrize(("protocol", "mechanism"), [
    ("SASL_PLAINTEXT", "PLAIN"), ("SASL_SSL", "PLAIN"), ("SASL_SSL", "SCRAM-SHA-256"), ("SASL_SSL", "SCRAM-SHA-512"),
])
def test_sasl_settings_from_the_environment_reach_aiokafka_and_faust(monkeypatch, certificates, protocol, mechanism):
    env = dict(KAFKA_SECURITY_PROTOCOL=protocol.lower(), KAFKA_SASL_MECHANISM=mechanism,
               KAFKA_SASL_USERNAME="parley-svc", KAFKA_SASL_PASSWORD=KAFKA_PASSWORD)
    if protocol == "SASL_SSL":
        env["KAFKA_SSL_CAFILE"] = certificates["cafile"]
    settings = settings_from(monkeypatch, **env)

    for kwargs in (client_kwargs(settings), producer_kwargs(settings), consumer_kwargs(settings, "g")):
        assert kwargs["security_protocol"] == protocol
        assert (kwargs["sasl_mechanism"], kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == (
            mechanism, "parley-svc", KAFKA_PASSWORD)
        assert isinstance(kwargs.get("ssl_context"), ssl.SSLContext) == (protocol == "SASL_SSL")

    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

    faust_auth = credentials_to_aiokafka_auth(faust_broker_credentials(settings))
    assert faust_auth["security_protocol"] == protocol
    assert (faust_auth["sasl_mechanism"], faust_auth["sasl_plain_username"], faust_auth["sasl_plain_password"]) == (
        mechanism, "parley-svc", KAFKA_PASSWORD)
    assert (faust_auth["ssl_context"] is not None) == (protocol == "SASL_SSL")
    _aiokafka_accepts(settings)


def test_tls_with_a_client_certificate_reaches_aiokafka_and_faust(monkeypatch, certificates):
    settings = settings_from(monkeypatch, KAFKA_SECURITY_PROTOCOL="SSL", KAFKA_SSL_CAFILE=certificates["cafile"],
                             KAFKA_SSL_CERTFILE=certificates["certfile"], KAFKA_SSL_KEYFILE=certificates["keyfile"])
    kwargs = client_kwargs(settings)
    assert kwargs["security_protocol"] == "SSL" and "sasl_mechanism" not in kwargs
    context = kwargs["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert any(c["subject"] == ((("commonName", "parley-test-ca"),),) for c in context.get_ca_certs())

    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

    faust_auth = credentials_to_aiokafka_auth(faust_broker_credentials(settings))
    assert faust_auth["security_protocol"] == "SSL" and isinstance(faust_auth["ssl_context"], ssl.SSLContext)
    _aiokafka_accepts(settings)


def test_plaintext_is_the_default_and_sends_no_credentials(monkeypatch):
    settings = settings_from(monkeypatch)
    kwargs = client_kwargs(settings)
    assert kwargs["security_protocol"] == "PLAINTEXT"
    assert not {"sasl_mechanism", "sasl_plain_password", "ssl_context"} & set(kwargs)
    assert faust_broker_credentials(settings) is None


def test_a_faust_stage_app_carries_the_credentials(monkeypatch, certificates):
    from parley.stages import StageSpec
    from parley.stages.shell import Stage, build_app

    settings = settings_from(monkeypatch, KAFKA_SECURITY_PROTOCOL="SASL_SSL", KAFKA_SASL_MECHANISM="SCRAM-SHA-256",
                             KAFKA_SASL_USERNAME="parley-svc", KAFKA_SASL_PASSWORD=KAFKA_PASSWORD,
                             KAFKA_SSL_CAFILE=certificates["cafile"])
    probe = StageSpec("probe", inputs=("articles.raw",), outputs=(), group="parley-probe", module=__name__)
    app, _health = build_app(Stage(probe, process=lambda *a: []), settings)
    credentials = app.conf.broker_credentials
    assert (credentials.username, credentials.password, credentials.mechanism.value) == (
        "parley-svc", KAFKA_PASSWORD, "SCRAM-SHA-256")
    assert credentials.protocol.value == "SASL_SSL"
    assert KAFKA_PASSWORD not in repr(credentials)


def _aiokafka_accepts(settings: Settings) -> None:
    """aiokafka validates security arguments when a client is built (no connection is made)."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.admin import AIOKafkaAdminClient

    async def build():
        producer = AIOKafkaProducer(**producer_kwargs(settings))
        consumer = AIOKafkaConsumer(**consumer_kwargs(settings, "g"))
        admin = AIOKafkaAdminClient(**client_kwargs(settings))
        for client in (producer.client, consumer._client, admin._client):
            assert client._security_protocol == settings.security.protocol
            if settings.security.protocol.startswith("SASL"):
                assert client._sasl_mechanism == settings.security.sasl_mechanism
                assert client._sasl_plain_password == KAFKA_PASSWORD

    asyncio.run(build())


# ---------------------------------------------------------------- no secret is shown


def test_no_secret_appears_in_the_settings_repr(monkeypatch):
    settings = settings_from(monkeypatch, KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT", KAFKA_SASL_USERNAME="u",
                             KAFKA_SASL_PASSWORD=KAFKA_PASSWORD, PARLEY_INGEST_TOKEN=INGEST_TOKEN,
                             DATABASE_URL=f"postgresql://parley:{DB_PASSWORD}@db.example:5432/parley")
    shown = repr(settings) + str(settings) + repr(settings.security)
    assert not [s for s in SECRETS if s in shown]
    # ...while the child-process environment still carries them
    assert {KAFKA_PASSWORD, INGEST_TOKEN} <= set(settings.env().values())


@pytest.fixture(scope="module")
def secret_workers(broker, postgres_session_server, tmp_path_factory):
    """The sink (PostgreSQL with a password in its URL) and ingest (token) at DEBUG, with a
    SASL password in the environment, their HTTP endpoints on 127.0.0.2."""
    import psycopg

    tmp = tmp_path_factory.mktemp("secrets")
    name = f"sec{uuid.uuid4().hex[:8]}"
    admin_dsn = postgres_session_server.dsn.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = postgres_session_server.dsn.replace("parley@", f"parley:{DB_PASSWORD}@", 1).rsplit("/", 1)[0] + f"/{name}"
    assert DB_PASSWORD in dsn
    settings = settings_for(broker, f"sec{uuid.uuid4().hex[:6]}.", tmp, database_url=dsn,
                            http_host="127.0.0.2", ingest_port=free_port("127.0.0.2"), ingest_token=INGEST_TOKEN)
    # The broker is plaintext, but the password is set: it must still never be shown.
    settings = settings.with_(log_level="DEBUG", security=KafkaSecurity(
        protocol="PLAINTEXT", sasl_username="parley-svc", sasl_password=KAFKA_PASSWORD))
    event = {"schema_version": 1, "event_id": "m-00000000000005e1", "article_id": "a-00000000000005e1",
             "source": {"file": None, "url": None, "name": None}, "published_at": None,
             "ingested_at": "2026-03-01T10:00:00.000000Z", "kind": "call", "status": "occurred",
             "participants": [], "countries": ["FRA", "KEN"], "orgs": [], "location": None, "date": None,
             "evidence": {"text": "spoke", "start": 0, "end": 5}, "confidence": 0.5,
             "detected_at": "2026-03-01T10:00:01.000000Z"}
    with running_pipeline(settings, tmp, names=("sink", "ingest")) as workers:
        wait_ready(workers, "sink", host="127.0.0.2")
        wait_ready(workers, "ingest", host="127.0.0.2")
        asyncio.run(produce_records(settings, [("events.meetings", b"a-00000000000005e1", orjson.dumps(event))]))
        answers = {}
        url = f"http://127.0.0.2:{settings.ingest_port}/articles"
        answers["wrong_token"] = _post(url, b'{"text": "Two envoys met."}', "Bearer wrong-" + INGEST_TOKEN)
        answers["right_token"] = _post(url, b'{"text": "Two envoys met in a port city."}', f"Bearer {INGEST_TOKEN}")
        _wait_for_row(dsn, "m-00000000000005e1")
        ports = {w.name: w.port() for w in workers.started}
        pages = {f"{n}{path}": get(f"http://127.0.0.2:{p}{path}")[1].decode(errors="replace")
                 for n, p in ports.items() for path in ("/metrics", "/healthz", "/readyz")}
        refused_on_loopback = {n: _refused("127.0.0.1", p) for n, p in ports.items()}
    logs = {p.stem: p.read_text(errors="replace") for p in Path(tmp).glob("*.log")}
    yield dict(logs=logs, pages=pages, answers=answers, refused=refused_on_loopback)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _post(url: str, body: bytes, authorization: str) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": authorization})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_for_row(dsn: str, event_id: str, timeout: float = 60.0) -> None:
    import time

    import psycopg

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(dsn) as conn:
            if conn.execute("SELECT 1 FROM meetings WHERE event_id = %s", (event_id,)).fetchone():
                return
        time.sleep(0.3)
    raise AssertionError(f"the sink did not write {event_id} within {timeout:.0f} s")


def _refused(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((host, port)) != 0


@pytest.mark.broker
@pytest.mark.postgres
def test_the_workers_did_their_work_with_the_secrets_set(secret_workers):
    assert secret_workers["answers"] == {"wrong_token": 401, "right_token": 202}
    assert secret_workers["logs"]["sink"] and secret_workers["logs"]["ingest"]


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.parametrize("secret", SECRETS, ids=["kafka_password", "database_password", "ingest_token"])
def test_no_secret_appears_in_a_worker_log_even_at_debug(secret_workers, secret):
    leaks = {name: log.count(secret) for name, log in secret_workers["logs"].items() if secret in log}
    assert leaks == {}


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.parametrize("secret", SECRETS, ids=["kafka_password", "database_password", "ingest_token"])
def test_no_secret_appears_in_metrics_or_health_output(secret_workers, secret):
    assert [page for page, body in secret_workers["pages"].items() if secret in body] == []
    assert "parley_ready" in secret_workers["pages"]["sink/metrics"]


@pytest.mark.broker
@pytest.mark.postgres
def test_http_endpoints_bind_to_the_configured_address_only(secret_workers):
    assert secret_workers["refused"] == {"sink": True, "ingest": True}


# ---------------------------------------------------------------- SQL is parameterised

INJECTIONS = [
    "Robert'); DROP TABLE meetings; --",
    "x' OR '1'='1",
    "'; DELETE FROM articles WHERE '1'='1",
    "$$; DROP TABLE articles; $$",
    "\\'; SELECT pg_sleep(10); --",
    "../../../../tmp/parley-pwned",
    "__import__('os').system('touch /tmp/parley-pwned')",
    "{{7*7}} ${7*7} %s %(x)s ? :name",
]


def _batch(i: int, text: str) -> Batch:
    article = {"article_id": f"a-{i:016x}", "title": text, "source": {"file": text, "url": text, "name": text},
               "published_at": None, "ingested_at": None, "mentions": 0, "event_ids": [f"m-{i:016x}"], "text": text}
    event = {"event_id": f"m-{i:016x}", "article_id": f"a-{i:016x}", "kind": "meeting", "status": "occurred",
             "countries": ["FRA"], "orgs": [text], "location": {"name": text}, "date": {"text": text, "value": text},
             "evidence": {"text": text, "start": 0, "end": len(text)}}
    return Batch(events=[event], articles=[article])


async def _write_all(store) -> None:
    await store.open()
    try:
        for i, text in enumerate(INJECTIONS):
            await store.write(_batch(i, text))
            await store.write(_batch(i, text))  # a replay: the upsert changes nothing
    finally:
        await store.close()


def _check_verbatim(rows_articles, rows_meetings) -> None:
    assert sorted(rows_articles) == sorted((f"a-{i:016x}", t, t, t) for i, t in enumerate(INJECTIONS))
    assert sorted(rows_meetings) == sorted((f"m-{i:016x}", t, t) for i, t in enumerate(INJECTIONS))
    assert not Path("/tmp/parley-pwned").exists()


def test_sqlite_store_keeps_injection_strings_verbatim(tmp_path):
    import sqlite3

    path = tmp_path / "sink.db"
    asyncio.run(_write_all(SQLiteStore(path)))
    with sqlite3.connect(path) as db:
        articles = db.execute("SELECT article_id, title, source_file, text FROM articles").fetchall()
        meetings = db.execute("SELECT event_id, location, date_value FROM meetings").fetchall()
    _check_verbatim(articles, meetings)


@pytest.mark.postgres
def test_postgres_store_keeps_injection_strings_verbatim(postgres_database):
    import psycopg

    asyncio.run(_write_all(PostgresStore(postgres_database)))
    with psycopg.connect(postgres_database) as conn:
        articles = conn.execute("SELECT article_id, title, source_file, text FROM articles").fetchall()
        meetings = conn.execute("SELECT event_id, location, date_value FROM meetings").fetchall()
    _check_verbatim(articles, meetings)
