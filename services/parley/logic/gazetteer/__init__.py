"""Gazetteer of countries, people (with dated roles), places, organisations, groups and topics.

    from parley.logic import gazetteer
    gz = gazetteer.load()          # cached per process; compiled form cached on disk
    for start, end, entries in gz.scan(text): ...

Data: services/parley/data/gazetteer/ (rebuilt by tools/build_gazetteer.py),
plus folders named in PARLEY_GAZETTEER_EXTRA with files in the same format.
"""
from __future__ import annotations

import threading

from .loader import DATA_DIR, EXTRA_ENV, compile_gazetteer, data_files, load_cached
from .model import Gazetteer, Group, Person, Place
from .normalise import fold, norm_text

__all__ = ["load", "reset", "Gazetteer", "Person", "Place", "Group", "fold", "norm_text",
           "DATA_DIR", "EXTRA_ENV", "data_files", "compile_gazetteer"]

_lock = threading.Lock()
_loaded: dict[str, Gazetteer] = {}


def load(extra: str | None = None, use_cache: bool = True) -> Gazetteer:
    """The process-wide gazetteer (shipped data + PARLEY_GAZETTEER_EXTRA folders)."""
    import os
    key = os.environ.get(EXTRA_ENV, "") if extra is None else extra
    gz = _loaded.get(key)
    if gz is None:
        with _lock:
            gz = _loaded.get(key)
            if gz is None:
                gz = _loaded[key] = load_cached(key, use_cache=use_cache)
    return gz


def reset() -> None:
    """Forget the in-process gazetteer (tests, or after editing data files)."""
    _loaded.clear()
