"""Faults (issue 11): with the lab injecting throttling (20%), 500/503 (5%) and not-found-after-create (30% of the
describes that name a resource just created), each scenario converges to the same normalized state as a clean run,
with no duplicate resource, and its teardown (faults still on) leaves nothing.

Per scenario: a clean converge -> snapshot -> teardown (the reference, chaos.clean_reference); then faults on,
converge, faults off, snapshot and duplicates; faults on again (next seed), teardown, faults off, nothing left.
The journal must show injected faults of each kind asked for (a fault run with no fault proves nothing).
The AWS side only (`--limit localhost`): the private-host checks add nothing to what faults can break.
A finalizer switches faults off and tears down whatever is left, whatever happened.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from chaos import (
    FAULT_OFFSET,
    SCENARIOS,
    Scenario,
    clean_reference,
    converge,
    fault_spec,
    injected_counts,
    leftovers,
    only_aws_side,
    selected_scenarios,
    set_faults,
    state,
    teardown,
)
from support import snapshot
from support.journal import Journal
from support.results import record

# Seeds of the fault runs (PRIVNET_CHAOS_SEED overrides; the soak passes a new one per run).
DEFAULT_SEED = 11


@pytest.fixture(params=selected_scenarios())
def scenario(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Scenario]:
    """The scenario; afterwards faults are off and nothing of its fault-run project is left, whatever happened."""
    chosen = SCENARIOS[request.param]
    try:
        yield chosen
    finally:
        set_faults("off")
        if leftovers(chosen, "chaos", FAULT_OFFSET):
            teardown(chosen, "chaos", FAULT_OFFSET, tmp_path / "finalizer-teardown")


def test_fault_run_converges_to_the_clean_state(scenario: Scenario, tmp_path: Path) -> None:
    seed = int(os.environ.get("PRIVNET_CHAOS_SEED", DEFAULT_SEED))
    reference = clean_reference(scenario, tmp_path)
    journal = Journal()

    mark = journal.mark()
    set_faults(fault_spec(seed))
    try:
        run = converge(scenario, "chaos", FAULT_OFFSET, tmp_path / "faulty", *only_aws_side())
    finally:
        set_faults("off")
    converge_faults = injected_counts(journal.entries_since(mark))
    after = state(scenario, "chaos", FAULT_OFFSET)
    duplicates = snapshot.duplicates(after)
    differences = snapshot.differences(reference, after)
    converged = run.succeeded and not differences
    record("fault_run_converged", scenario.name, f"converge seed={seed} injected={converge_faults}",
           1 if converged else 0, converged and sum(converge_faults.values()) > 0)
    record("duplicates_found", scenario.name, f"fault run seed={seed}", len(duplicates), not duplicates)

    assert converge_faults.get("throttle", 0) > 0 and converge_faults.get("5xx", 0) > 0, (
        f"the lab injected too little to prove anything: {converge_faults}")
    assert run.succeeded, f"converge under faults ({converge_faults}) failed:\n{run.failure_text[-6000:]}"
    assert not duplicates, f"duplicates after the fault run: {duplicates}"
    assert not differences, "state after the fault run differs from the clean run:\n" + "\n".join(differences)

    mark = journal.mark()
    set_faults(fault_spec(seed + 1))
    try:
        torn = teardown(scenario, "chaos", FAULT_OFFSET, tmp_path / "faulty-teardown")
    finally:
        set_faults("off")
    teardown_faults = injected_counts(journal.entries_since(mark))
    left = leftovers(scenario, "chaos", FAULT_OFFSET)
    clean = torn.succeeded and not left
    record("fault_run_converged", scenario.name, f"teardown seed={seed + 1} injected={teardown_faults}",
           1 if clean else 0, clean and sum(teardown_faults.values()) > 0)
    assert sum(teardown_faults.values()) > 0, f"no fault injected during the teardown: {teardown_faults}"
    assert torn.succeeded, f"teardown under faults ({teardown_faults}) failed:\n{torn.failure_text[-6000:]}"
    assert not left, f"left after the teardown under faults: {left}"
