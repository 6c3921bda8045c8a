"""Fixtures shared by every test module (defined in tests/support/fixtures/):

- broker (bootstrap "127.0.0.1:PORT", session), embedded_broker (the EmbeddedBroker),
  topic_prefix (unique "t1a2b3c4d." per test)
- postgres (DSN, session), postgres_server (.dsn/.stop()/.kill()/.start()),
  postgres_database (DSN of a fresh database per test)
- kcat, promtool, amtool, docker_compose, chromium (paths of the external tools; installed if missing)

pytest imports this file with tests/ on sys.path (default prepend import mode, tests/ is
not a package), so `support` is importable from here and from every test module.
"""

pytest_plugins = [
    "support.fixtures.broker",
    "support.fixtures.postgres",
    "support.fixtures.tools",
]
