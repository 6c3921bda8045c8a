"""The cleaner is not ready when it cannot extract HTML (e.g. lxml_html_clean missing)."""
from __future__ import annotations

import asyncio
import builtins
import logging

from parley.config import Settings
from parley.http import Health
from parley.stages import cleaner


def _without_trafilatura(monkeypatch) -> None:
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.split(".")[0] in ("trafilatura", "justext", "lxml_html_clean"):
            raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_html_extraction_check_passes_when_extraction_works():
    stage = cleaner.make_stage(Settings())
    assert stage.checks["html_extraction"]() is True


def test_missing_html_cleaner_module_makes_the_cleaner_not_ready(monkeypatch, caplog):
    _without_trafilatura(monkeypatch)
    with caplog.at_level(logging.ERROR, logger="parley.stage.cleaner"):
        stage = cleaner.make_stage(Settings())
    health = Health("cleaner", checks=dict(stage.checks))
    results = asyncio.run(health.readiness())
    assert results == {"html_extraction": False}
    # asked again: still false, and the reason was logged once only
    assert asyncio.run(health.readiness())["html_extraction"] is False
    reasons = [r for r in caplog.records if "HTML extraction" in r.getMessage()]
    assert len(reasons) == 1 and "lxml_html_clean" in reasons[0].getMessage()


def test_lxml_html_clean_is_a_declared_dependency():
    import pathlib
    import tomllib

    root = pathlib.Path(__file__).resolve().parents[2]
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.lower().replace("-", "_").startswith("lxml_html_clean") for d in deps)
