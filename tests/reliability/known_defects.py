"""Tests that fail today because of a defect they found, and why. `make test` leaves them out (`-m "not
known_defect"`) and says how many; `make reliability` runs them. Remove an entry with the fix of its defect."""

from __future__ import annotations

KNOWN_DEFECTS: dict[str, str] = {}


def defect_of(nodeid: str) -> str | None:
    """The known defect a test id (or its parametrised family) stands for, if any."""
    for key, defect in KNOWN_DEFECTS.items():
        if nodeid.endswith(key) or f"/{key}[" in nodeid or nodeid.split("/")[-1].startswith(f"{key}["):
            return defect
    return None
