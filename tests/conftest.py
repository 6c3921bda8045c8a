"""Fixtures shared by every test module (defined in tests/fixtures/):

- broker (bootstrap "127.0.0.1:PORT", session), embedded_broker (the EmbeddedBroker),
  topic_prefix (unique "t1a2b3c4d." per test)
- postgres (DSN, session), postgres_server (.dsn/.stop()/.kill()/.start()),
  postgres_database (DSN of a fresh database per test)
- kcat, promtool, docker_compose (paths of the external tools; installed if missing)
"""

try:  # pytest puts tests/ on sys.path when tests/ is not a package
    import fixtures as _fixtures_pkg  # noqa: F401
except ModuleNotFoundError as exc:  # tests/ is a package: the repo root is on sys.path
    if exc.name != "fixtures":
        raise
    from tests.fixtures.broker import broker, embedded_broker, topic_prefix  # noqa: F401
    from tests.fixtures.postgres import (  # noqa: F401
        postgres, postgres_database, postgres_server, postgres_session_server,
    )
    from tests.fixtures.tools import docker_compose, kcat, promtool  # noqa: F401
else:
    from fixtures.broker import broker, embedded_broker, topic_prefix  # noqa: F401
    from fixtures.postgres import (  # noqa: F401
        postgres, postgres_database, postgres_server, postgres_session_server,
    )
    from fixtures.tools import docker_compose, kcat, promtool  # noqa: F401
