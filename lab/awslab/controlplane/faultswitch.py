"""The runtime fault switch: `awslab faults SPEC|off` writes the spec to a file in the state dir; the daemon checks
the file before every request it answers and applies a changed spec at once (only the fault gate is replaced:
throttling buckets and everything else keep their state). Writing the file needs the state dir's permissions, so
nothing that merely reaches the control plane over HTTP can switch faults.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from .faultspec import parse_fault_spec

LOG = logging.getLogger(__name__)
FAULTS_FILE_NAME = "faults.spec"


def faults_file(home: Path) -> Path:
    return home / FAULTS_FILE_NAME


def write_fault_spec(path: Path, spec: str) -> None:
    """Validate `spec` (ValueError when bad) and replace the switch file atomically ("" turns faults off)."""
    parse_fault_spec(spec)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(spec.strip() + "\n", encoding="utf-8")
    tmp.replace(path)


class FaultSwitch:
    """Watches the switch file; `poll()` calls `apply(spec)` once per change (file removed: back to `default`)."""

    def __init__(self, path: Path, default: str, apply: Callable[[str], None]) -> None:
        self.path = path
        self._default = default
        self._apply = apply
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None  # no file: the default applies

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def poll(self) -> None:
        if self._signature() == self._seen:
            return
        with self._lock:
            signature = self._signature()
            if signature == self._seen:
                return
            self._seen = signature
            try:
                spec = self.path.read_text(encoding="utf-8").strip() if signature else self._default
                parse_fault_spec(spec)
            except (OSError, ValueError) as error:
                LOG.error("fault switch %s ignored: %s", self.path, error)
                return
            LOG.info("fault switch: faults now %r", spec or "none")
            self._apply(spec)
