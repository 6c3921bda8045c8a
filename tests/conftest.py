"""Fixtures shared by every test module (defined in tests/fixtures/)."""

try:  # pytest puts tests/ on sys.path when tests/ is not a package
    import fixtures as _fixtures_pkg  # noqa: F401
except ModuleNotFoundError as exc:  # tests/ is a package: the repo root is on sys.path
    if exc.name != "fixtures":
        raise
    from tests.fixtures.broker import broker, embedded_broker, topic_prefix  # noqa: F401
else:
    from fixtures.broker import broker, embedded_broker, topic_prefix  # noqa: F401
