"""The lab's journal: every API call the lab answered, read through `awslab mark` and `awslab journal`."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from typing import Any

from .paths import VENV_BIN

AWSLAB = str(VENV_BIN / "awslab")


class Journal:
    """The journal of the lab AWSLAB_HOME points at."""

    def mark(self) -> int:
        out = subprocess.run([AWSLAB, "mark"], capture_output=True, text=True, check=True)
        return int(out.stdout.strip())

    def entries_since(self, mark: int) -> list[dict[str, Any]]:
        out = subprocess.run([AWSLAB, "journal", "--json", "--since", str(mark)],
                             capture_output=True, text=True, check=True)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    def mutating_calls_since(self, mark: int) -> dict[str, int]:
        """`service:Action` -> count of mutating calls attempted since the mark, failed ones included. DryRun
        probes (answered `DryRunOperation`) change nothing and are left out."""
        calls = Counter(f"{e['service']}:{e['action']}" for e in self.entries_since(mark)
                        if e["mutating"] and e.get("error") != "DryRunOperation")
        return dict(calls)

    def read_calls_since(self, mark: int) -> int:
        return sum(1 for e in self.entries_since(mark) if not e["mutating"])
