"""Make ``ansible_collections.privnet.aws`` importable when pytest runs from the repository root.

ansible-test runs these tests from ``<dir>/ansible_collections/privnet/aws`` with its own collection loader; there
the import already works and nothing is changed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_COLLECTIONS = REPO_ROOT / "build" / "collections"


def _ensure_collection_importable() -> None:
    try:
        if importlib.util.find_spec("ansible_collections.privnet.aws") is not None:
            return
    except ModuleNotFoundError:
        pass
    link = BUILD_COLLECTIONS / "ansible_collections" / "privnet" / "aws"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO_ROOT, target_is_directory=True)
    sys.path.insert(0, str(BUILD_COLLECTIONS))
    sys.modules.pop("ansible_collections", None)


_ensure_collection_importable()
