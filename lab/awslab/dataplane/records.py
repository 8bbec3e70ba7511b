"""What the data plane created, written down *before* it is created, so teardown works after a crash."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Record:
    kind: str  # netns | pid | path
    value: str
    extra: str = ""


class Records:
    """Append-only log in <state_dir>/dataplane/records.jsonl; fsync'd before the resource is made."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / "dataplane"
        self.file = self.dir / "records.jsonl"
        self._lock = threading.Lock()

    def add(self, kind: str, value: str, extra: str = "") -> None:
        with self._lock:
            self.dir.mkdir(parents=True, exist_ok=True)
            with open(self.file, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"kind": kind, "value": value, "extra": extra}) + "\n")
                handle.flush()
                os.fsync(handle.fileno())

    def all(self) -> list[Record]:
        try:
            lines = self.file.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        records = []
        for line in lines:
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line after a crash
            records.append(Record(data["kind"], data["value"], data.get("extra", "")))
        return records

    def of_kind(self, kind: str) -> list[Record]:
        seen: dict[str, Record] = {}
        for record in self.all():
            if record.kind == kind:
                seen[record.value] = record
        return list(seen.values())
