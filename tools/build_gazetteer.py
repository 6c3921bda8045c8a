"""Rebuild the shipped gazetteer data (services/parley/data/gazetteer/) from ../shared/data.

    .venv/bin/python tools/build_gazetteer.py [--source DIR] [--out DIR]

Same as `python -m parley.logic.gazetteer.build`.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

from parley.logic.gazetteer.build import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
