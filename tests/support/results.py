"""Records one row of the reliability summary that `make test` prints at the end (tools/run_tests.py reads them)."""

from __future__ import annotations

import json
from typing import Literal

from .paths import results_file

Measure = Literal["check_mode_mutations", "drift_repaired", "fault_run_converged", "crash_point_recovered",
                  "duplicates_found", "bad_input_rejected", "posture_findings"]


def record(measure: Measure, scenario: str, case: str, value: int, ok: bool) -> None:
    """Append a row. `value` is the measured count (mutating calls, findings, duplicates, or 1/0 for a case)."""
    path = results_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    row = {"measure": measure, "scenario": scenario, "case": case, "value": value, "ok": ok}
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
