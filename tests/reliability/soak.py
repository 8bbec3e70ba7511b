"""`make soak`: many fault runs (and optionally crash runs) with a new seed each, bounded by count and by time;
prints each run and the success rate. Run against a lab that is up, as the control node:

    .venv/bin/awslab exec -- .venv/bin/python tests/reliability/soak.py --runs 12 --minutes 90

Fault run (per scenario, seed s): lab faults chaos.FAULT_SPEC (seed s) on, converge (AWS side),
faults off; success = the converge succeeded, faults were injected, the normalized state equals the clean run's and
holds no duplicate; then teardown with faults on (seed s+1); success also needs nothing left after it.
Crash run (--crashes): the converge is killed after a random number of journal calls (from seed s), rerun, and
checked the same way (no duplicate, state equal to the clean run), then torn down.
The lab's faults are switched off at the end whatever happens.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from chaos import (  # noqa: E402 - after the path set-up above
    FAULT_OFFSET,
    SCENARIOS,
    CrashPoint,
    Scenario,
    clean_reference,
    converge,
    fault_spec,
    injected_counts,
    leftovers,
    only_aws_side,
    run_until,
    set_faults,
    state,
    teardown,
)
from support import snapshot  # noqa: E402
from support.journal import Journal  # noqa: E402


@dataclass
class Outcome:
    scenario: str
    kind: str
    seed: int
    ok: bool
    detail: str
    seconds: float


class AfterCalls(CrashPoint):
    """Kill once the run has made `calls` API calls (any action)."""

    def __init__(self, calls: int) -> None:
        super().__init__(f"after {calls} calls", "*", calls)

    @property
    def fault_spec(self) -> str:
        return ""  # any call will do: nothing to hold back

    def reached(self, entries: list[dict[str, object]]) -> bool:
        return len(entries) >= self.occurrence


def fault_run(scenario: Scenario, seed: int, workdir: Path) -> tuple[bool, str]:
    reference = clean_reference(scenario, workdir / "reference")
    journal = Journal()
    mark = journal.mark()
    set_faults(fault_spec(seed))
    try:
        run = converge(scenario, "chaos", FAULT_OFFSET, workdir / "converge", *only_aws_side())
    finally:
        set_faults("off")
    injected = injected_counts(journal.entries_since(mark))
    after = state(scenario, "chaos", FAULT_OFFSET)
    problems = [] if run.succeeded else [f"converge failed: {run.failure_text[-600:]}"]
    problems += [f"duplicates {snapshot.duplicates(after)}"] if snapshot.duplicates(after) else []
    problems += snapshot.differences(reference, after)[:5]
    problems += [] if sum(injected.values()) else ["no fault injected"]
    set_faults(fault_spec(seed + 1))
    try:
        torn = teardown(scenario, "chaos", FAULT_OFFSET, workdir / "teardown")
    finally:
        set_faults("off")
    left = leftovers(scenario, "chaos", FAULT_OFFSET)
    problems += [] if torn.succeeded else [f"teardown failed: {torn.failure_text[-600:]}"]
    problems += [f"left after teardown: {left[:5]}"] if left else []
    if left:
        teardown(scenario, "chaos", FAULT_OFFSET, workdir / "cleanup")
    return not problems, f"injected {injected}; " + ("; ".join(problems) or "converged, same state, nothing left")


def crash_run(scenario: Scenario, seed: int, workdir: Path) -> tuple[bool, str]:
    reference = clean_reference(scenario, workdir / "reference")
    calls = random.Random(seed).randint(10, 300)
    problems = []
    try:
        killed = run_until(scenario, "chaos", FAULT_OFFSET, workdir / "crash", AfterCalls(calls), *only_aws_side())
        rerun = converge(scenario, "chaos", FAULT_OFFSET, workdir / "crash", *only_aws_side())
        after = state(scenario, "chaos", FAULT_OFFSET)
        problems += [] if rerun.succeeded else [f"rerun failed: {rerun.failure_text[-600:]}"]
        problems += [f"duplicates {snapshot.duplicates(after)}"] if snapshot.duplicates(after) else []
        problems += snapshot.differences(reference, after)[:5]
        where = f"killed after call {killed.calls}" if killed.killed else f"run ended before call {calls}"
    finally:
        torn = teardown(scenario, "chaos", FAULT_OFFSET, workdir / "crash")
    problems += [] if torn.succeeded else [f"teardown failed: {torn.failure_text[-600:]}"]
    return not problems, f"{where}; " + ("; ".join(problems) or "recovered, same state")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=12, help="most runs in total (default 12)")
    parser.add_argument("--minutes", type=float, default=90, help="start no run after this many minutes (default 90)")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 10000, help="first seed (default: clock)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated (default all)")
    parser.add_argument("--crashes", action="store_true", help="alternate fault runs with crash runs")
    args = parser.parse_args()
    names = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    kinds = ["faults", "crash"] if args.crashes else ["faults"]
    deadline = time.monotonic() + args.minutes * 60
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="privnet-soak-") as tmp:
        try:
            for index in range(args.runs):
                if time.monotonic() >= deadline:
                    print(f"time bound of {args.minutes} min reached after {index} runs")
                    break
                name, kind, seed = names[index % len(names)], kinds[(index // len(names)) % len(kinds)], \
                    args.seed + 2 * index
                started = time.monotonic()
                body = fault_run if kind == "faults" else crash_run
                try:
                    ok, detail = body(SCENARIOS[name], seed, Path(tmp) / f"run{index}")
                except Exception as error:  # noqa: BLE001 - one broken run is a failed run, the soak goes on
                    ok, detail = False, f"{type(error).__name__}: {str(error)[-600:]}"
                outcome = Outcome(name, kind, seed, ok, detail, time.monotonic() - started)
                outcomes.append(outcome)
                print(f"[{index + 1}] {name} {kind} seed={seed} {'OK' if ok else 'FAILED'} "
                      f"({outcome.seconds:.0f}s): {detail}", flush=True)
        finally:
            set_faults("off")
    passed = sum(outcome.ok for outcome in outcomes)
    rate = 100.0 * passed / len(outcomes) if outcomes else 0.0
    print(f"soak: {passed}/{len(outcomes)} runs succeeded ({rate:.0f}%)")
    for name in names:
        mine = [outcome for outcome in outcomes if outcome.scenario == name]
        if mine:
            print(f"  {name}: {sum(o.ok for o in mine)}/{len(mine)}")
    return 0 if outcomes and passed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
