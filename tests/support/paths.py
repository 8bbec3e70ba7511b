"""Where the repository, its virtualenv and its test results are."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS_DIR = ROOT / "build" / "test-results"
COLLECTIONS_PATH = str(ROOT / "build" / "collections")


def results_file() -> Path:
    return Path(os.environ.get("PRIVNET_RESULTS_FILE", RESULTS_DIR / "reliability.jsonl"))
