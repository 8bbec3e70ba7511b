"""Run every test stage of the project, then print one summary table and a `N passed, N failed` line.

Stages run in order and all of them run even after a failure, so one report shows everything. Pytest stages are
counted test by test (from their JUnit XML); tool stages (linters, ansible-test sanity) count their own checks.
Stages that need the lab run in lanes: each lane has a lab of its own (its own state directory, SSH keys and control
sockets) and runs its stages one after another inside that lab's control-node environment; the lanes run at the
same time. Tests that read the lab's journal (no-mutation checks, crash points) need their lab to themselves: a
lane runs one stage at a time. After the table of stages comes the reliability summary the tests recorded
(tests/support/results.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "build" / "test-results"


@dataclass
class Outcome:
    stage: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Stage:
    name: str
    command: tuple[str, ...]
    kind: str  # "pytest", "sanity" or "tool"
    lane: str = ""  # the lab lane the stage runs in; "" for stages without a lab
    env: tuple[tuple[str, str], ...] = ()  # extra environment of the stage
    paths: tuple[str, ...] = ()  # the stage runs only when one of these exists

    def present(self) -> bool:
        return not self.paths or any((ROOT / p).exists() for p in self.paths)


def pytest_stage(name: str, *paths: str, lane: str = "", options: tuple[str, ...] = (),
                 env: tuple[tuple[str, str], ...] = ()) -> Stage:
    junit = RESULTS / f"{name}.xml"
    command = (str(VENV_BIN / "pytest"), "-q", "-rfE", f"--junitxml={junit}", *options, *paths)
    return Stage(name, command, "pytest", lane=lane, env=env, paths=paths)


RELIABILITY_OPTIONS = ("--durations=0", "-m", "not known_defect")


def chaos_stage(scenario: str, lane: str) -> Stage:
    """Fault runs and crash points of one scenario; one stage each, so the lanes can share them out."""
    return pytest_stage(f"chaos-{scenario}", "tests/reliability/test_faults.py", "tests/reliability/test_crashes.py",
                        lane=lane, options=RELIABILITY_OPTIONS, env=(("PRIVNET_CHAOS_SCENARIOS", scenario),))


def stages() -> list[Stage]:
    python_paths = [p for p in ("lab", "tests", "tools", "bench") if (ROOT / p).exists()]
    return [
        Stage("ruff", (str(VENV_BIN / "ruff"), "check", *python_paths), "tool"),
        Stage("yamllint", (str(VENV_BIN / "yamllint"), "--strict", "."), "tool"),
        Stage("ansible-lint", (str(VENV_BIN / "ansible-lint"), "--offline", "--profile", "production"), "tool"),
        Stage("sanity", ("bash", str(ROOT / "tools" / "sanity.sh")), "sanity"),
        pytest_stage("unit", "tests/unit"),
        pytest_stage("collection", "tests/collection"),
        pytest_stage("awx", "tests/awx", options=("--ignore=tests/awx/lab",)),
        pytest_stage("lab", "lab/tests"),
        pytest_stage("integration", "tests/integration", lane="A"),
        pytest_stage("roles", "tests/roles", lane="A"),
        pytest_stage("molecule", "tests/molecule", lane="A", options=("--durations=0",)),
        pytest_stage("awx-jobs", "tests/awx/lab", lane="B", options=("--durations=0",)),
        # Tests that fail on a defect they found are listed in tests/reliability/known_defects.py: left out here and
        # counted in the notes (`make reliability` runs them).
        pytest_stage("lifecycle", "tests/reliability/test_lifecycle_gateway_endpoint.py",
                     "tests/reliability/test_lifecycle_interface_endpoint.py",
                     "tests/reliability/test_lifecycle_privatelink.py", lane="B", options=RELIABILITY_OPTIONS),
        chaos_stage("interface_endpoint", lane="B"),
        pytest_stage("bad-inputs", "tests/reliability/test_bad_inputs_scenarios.py", lane="C",
                     options=RELIABILITY_OPTIONS),
        chaos_stage("gateway_endpoint", lane="C"),
        chaos_stage("privatelink", lane="C"),
    ]


def count_junit(path: Path) -> tuple[int, int, int]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


DESELECTED = re.compile(r"(\d+) deselected")
SANITY_RAN = re.compile(r"^Running sanity test ['\"]([^'\"]+)['\"]", re.M)
SANITY_FAILED = re.compile(r"The (\d+) sanity test\(s\) listed below \(out of (\d+)\) failed")


def count_sanity(output: str, returncode: int) -> tuple[int, int]:
    ran = len(SANITY_RAN.findall(output))
    match = SANITY_FAILED.search(output)
    if match:
        failed = int(match.group(1))
        return int(match.group(2)) - failed, failed
    if returncode != 0 or ran == 0:
        return max(ran - 1, 0), 1
    return ran, 0


def run_stage(stage: Stage, prefix: list[str], env: dict[str, str] | None = None) -> Outcome:
    outcome = Outcome(stage.name)
    label = f"[{stage.lane}] " if stage.lane else ""
    emit(f"\n{label}===== stage {stage.name}: {' '.join(stage.command)}\n")
    started = time.monotonic()
    stage_env = dict(env or os.environ, **dict(stage.env))
    process = subprocess.Popen([*prefix, *stage.command], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=stage_env)
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        emit(label + line)
        lines.append(line)
    returncode = process.wait()
    outcome.seconds = time.monotonic() - started
    output = "".join(lines)
    if stage.kind == "pytest":
        junit = RESULTS / f"{stage.name}.xml"
        if junit.exists():
            outcome.passed, outcome.failed, outcome.skipped = count_junit(junit)
        if returncode not in (0, 1) or (returncode == 1 and outcome.failed == 0):
            outcome.failed += 1
            outcome.notes.append(f"pytest exited {returncode}")
        if outcome.skipped:
            # `make test` runs everything: a skipped test is something that did not run, never a pass.
            outcome.notes.append(f"{outcome.skipped} skipped, counted as failed")
            outcome.failed += outcome.skipped
            outcome.skipped = 0
        if outcome.passed + outcome.failed == 0:
            outcome.failed = 1
            outcome.notes.append("no test ran")
        deselected = DESELECTED.search(output)
        if deselected and any("known_defect" in part for part in stage.command):
            outcome.notes.append(f"{deselected.group(1)} known defects not run (tests/reliability/known_defects.py)")
    elif stage.kind == "sanity":
        outcome.passed, outcome.failed = count_sanity(output, returncode)
    else:
        outcome.passed, outcome.failed = (1, 0) if returncode == 0 else (0, 1)
    return outcome


OUTPUT_LOCK = threading.Lock()


def emit(text: str) -> None:
    with OUTPUT_LOCK:
        sys.stdout.write(text)
        sys.stdout.flush()


def lane_environment(lane: str) -> dict[str, str]:
    """A lab of the lane's own, with its own SSH keys and control sockets."""
    home = Path(f"/run/awslab-lane-{lane.lower()}")
    ssh_dir = ROOT / "build" / "lanes" / lane.lower() / "ssh"
    control_dir = Path(f"/tmp/privnet-cp-{lane.lower()}")
    for path in (ssh_dir, control_dir):
        path.mkdir(parents=True, exist_ok=True)
    return dict(os.environ, AWSLAB_HOME=str(home), PRIVNET_SSH_DIR=str(ssh_dir),
                ANSIBLE_SSH_CONTROL_PATH_DIR=str(control_dir))


def lab(action: str, lane: str, env: dict[str, str], *options: str) -> int:
    emit(f"\n[{lane}] ===== awslab {action} {' '.join(options)}\n")
    process = subprocess.run([str(VENV_BIN / "awslab"), action, *options], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    emit("".join(f"[{lane}] {line}\n" for line in process.stdout.splitlines()))
    return process.returncode


def run_lane(lane: str, port: int, lane_stages: list[Stage]) -> list[Outcome]:
    env = lane_environment(lane)
    if lab("up", lane, env, "--port", str(port)) != 0:
        return [Outcome(s.name, failed=1, notes=["the lab did not start"]) for s in lane_stages]
    prefix = [str(VENV_BIN / "awslab"), "exec", "--"]
    outcomes = []
    try:
        outcomes = [run_stage(s, prefix, env) for s in lane_stages]
    finally:
        if lab("down", lane, env) != 0:
            outcomes.append(Outcome(f"lab-down-{lane}", failed=1, notes=["awslab down failed"]))
    return outcomes


def run_lanes(lab_stages: list[Stage]) -> list[Outcome]:
    lanes = sorted({s.lane for s in lab_stages})
    results: dict[str, list[Outcome]] = {}

    def work(lane: str, port: int) -> None:
        results[lane] = run_lane(lane, port, [s for s in lab_stages if s.lane == lane])

    threads = [threading.Thread(target=work, args=(lane, 4566 + i)) for i, lane in enumerate(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [outcome for lane in lanes for outcome in results.get(lane, [])]


RELIABILITY_MEASURES = [  # (measure, label, what the number is)
    ("check_mode_mutations", "check-mode mutating calls", "sum"),
    ("drift_repaired", "drift cases repaired", "ok"),
    ("fault_run_converged", "fault runs converged", "ok"),
    ("crash_point_recovered", "crash points recovered", "ok"),
    ("duplicates_found", "duplicate resources found", "sum"),
    ("bad_input_rejected", "bad inputs rejected before mutation", "ok"),
    ("posture_findings", "posture findings", "sum"),
]


def print_reliability_summary(path: Path) -> None:
    """One line per measure. Negative controls (a check shown to fail on purpose) get a line of their own, so that
    their findings never add to the measure they control."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    measured = [r for r in rows if "negative control" not in r["case"]]
    controls = [r for r in rows if "negative control" in r["case"]]
    print("\n===== reliability summary (recorded by the tests)")
    print(f"{'measure':<38}{'result':>12}{'cases':>8}{'failed':>8}")
    for measure, label, kind in RELIABILITY_MEASURES:
        cases = [r for r in measured if r["measure"] == measure]
        failed = sum(1 for r in cases if not r["ok"])
        result = str(sum(r["value"] for r in cases)) if kind == "sum" else f"{len(cases) - failed}/{len(cases)}"
        print(f"{label:<38}{result if cases else 'not run':>12}{len(cases):>8}{failed:>8}")
    if controls:
        failed = sum(1 for r in controls if not r["ok"])
        label = "negative controls that caught drift"
        print(f"{label:<38}{f'{len(controls) - failed}/{len(controls)}':>12}{len(controls):>8}{failed:>8}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="run only these stages")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / "build" / "collections"))

    selected = [s for s in stages() if s.present() and (not args.only or s.name in args.only)]
    reliability_file = RESULTS / "reliability.jsonl"
    reliability_file.unlink(missing_ok=True)
    os.environ["PRIVNET_RESULTS_FILE"] = str(reliability_file)
    outcomes = [run_stage(s, []) for s in selected if not s.lane]
    outcomes += run_lanes([s for s in selected if s.lane])

    print("\n===== summary")
    print(f"{'stage':<14}{'passed':>8}{'failed':>8}{'seconds':>9}  notes")
    for o in outcomes:
        print(f"{o.stage:<14}{o.passed:>8}{o.failed:>8}{o.seconds:>9.1f}  {'; '.join(o.notes)}")
    passed = sum(o.passed for o in outcomes)
    failed = sum(o.failed for o in outcomes)
    print_reliability_summary(reliability_file)
    print(f"\n{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
