"""The journal: one JSON line per API request, the basis for counting calls and proving check mode."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    time: float
    account: str
    region: str
    service: str
    action: str
    mutating: bool
    status: int
    error: str | None
    latency_ms: float
    injected: str | None = None

    @property
    def kind(self) -> str:
        return "mutating" if self.mutating else "read"


class Journal:
    """Appends entries to a JSON-lines file (when given a path) and numbers them from 1."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._seq = sum(1 for _ in read_entries(path)) if path and path.exists() else 0
        self._memory: list[JournalEntry] = []

    @property
    def position(self) -> int:
        return self._seq

    def record(self, **fields: object) -> JournalEntry:
        with self._lock:
            self._seq += 1
            entry = JournalEntry(seq=self._seq, time=round(time.time(), 6), **fields)  # type: ignore[arg-type]
            if self._path is not None:
                with self._path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
            else:
                self._memory.append(entry)
            return entry

    def entries(self, since: int = 0) -> list[JournalEntry]:
        if self._path is not None:
            return [entry for entry in read_entries(self._path) if entry.seq > since]
        with self._lock:
            return [entry for entry in self._memory if entry.seq > since]

    def reset_memory(self) -> None:
        with self._lock:
            self._memory.clear()


def read_entries(path: Path | None) -> Iterator[JournalEntry]:
    if path is None or not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                yield JournalEntry(**json.loads(line))


def summarize(entries: Iterable[JournalEntry]) -> dict[str, object]:
    """Counts by action and by mutating/read, plus errors by code."""
    by_action: Counter[str] = Counter()
    by_kind: Counter[str] = Counter({"mutating": 0, "read": 0})
    errors: Counter[str] = Counter()
    mutating_ok = 0
    total = 0
    for entry in entries:
        total += 1
        by_action[f"{entry.service}:{entry.action}"] += 1
        by_kind[entry.kind] += 1
        if entry.error:
            errors[entry.error] += 1
        elif entry.mutating and entry.status < 300:
            mutating_ok += 1
    return {
        "total": total,
        "by_kind": dict(by_kind),
        "mutating_succeeded": mutating_ok,
        "by_action": dict(sorted(by_action.items())),
        "errors": dict(sorted(errors.items())),
    }


def format_summary(summary: dict[str, object]) -> str:
    by_kind = summary["by_kind"]
    assert isinstance(by_kind, dict)
    lines = [
        f"total {summary['total']}  mutating {by_kind.get('mutating', 0)}  read {by_kind.get('read', 0)}  "
        f"mutating-succeeded {summary['mutating_succeeded']}",
    ]
    by_action = summary["by_action"]
    assert isinstance(by_action, dict)
    width = max((len(name) for name in by_action), default=10)
    for name, count in by_action.items():
        lines.append(f"  {name:<{width}}  {count}")
    errors = summary["errors"]
    assert isinstance(errors, dict)
    if errors:
        lines.append("errors:")
        for code, count in errors.items():
            lines.append(f"  {code:<{width}}  {count}")
    return "\n".join(lines)


def format_entry(entry: JournalEntry) -> str:
    stamp = time.strftime("%H:%M:%S", time.gmtime(entry.time)) + f".{int((entry.time % 1) * 1000):03d}"
    tail = f" {entry.error}" if entry.error else ""
    injected = f" [injected {entry.injected}]" if entry.injected else ""
    return (
        f"{entry.seq:>6} {stamp} {entry.account} {entry.region or '-':<15} {entry.service}:{entry.action} "
        f"{entry.kind} {entry.status}{tail} {entry.latency_ms:.1f}ms{injected}"
    )
