"""Run every test stage of the project, then print one summary table and a `N passed, N failed` line.

Stages run in order and all of them run even after a failure, so one report shows everything. Pytest stages are
counted test by test (from their JUnit XML); tool stages (linters, ansible-test sanity) count their own checks.
Stages that need the lab run between `awslab up` and `awslab down`, inside the lab's control-node environment.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
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
    needs_lab: bool = False
    paths: tuple[str, ...] = ()  # the stage runs only when one of these exists

    def present(self) -> bool:
        return not self.paths or any((ROOT / p).exists() for p in self.paths)


def pytest_stage(name: str, *paths: str, needs_lab: bool = False) -> Stage:
    junit = RESULTS / f"{name}.xml"
    command = (str(VENV_BIN / "pytest"), "-q", "-rfE", f"--junitxml={junit}", *paths)
    return Stage(name, command, "pytest", needs_lab, paths)


def stages() -> list[Stage]:
    python_paths = [p for p in ("lab", "tests", "tools", "bench") if (ROOT / p).exists()]
    return [
        Stage("ruff", (str(VENV_BIN / "ruff"), "check", *python_paths), "tool"),
        Stage("yamllint", (str(VENV_BIN / "yamllint"), "--strict", "."), "tool"),
        Stage("ansible-lint", (str(VENV_BIN / "ansible-lint"), "--offline", "--profile", "production"), "tool"),
        Stage("sanity", ("bash", str(ROOT / "tools" / "sanity.sh")), "sanity"),
        pytest_stage("unit", "tests/unit"),
        pytest_stage("collection", "tests/collection"),
        Stage("awx", (str(VENV_BIN / "pytest"), "-q", "-rfE", f"--junitxml={RESULTS / 'awx.xml'}", "tests/awx",
                      "--ignore=tests/awx/lab"), "pytest", False, ("tests/awx",)),
        pytest_stage("lab", "lab/tests"),
        pytest_stage("integration", "tests/integration", needs_lab=True),
        pytest_stage("roles", "tests/roles", needs_lab=True),
        Stage("molecule", (str(VENV_BIN / "pytest"), "-q", "-rfE", f"--junitxml={RESULTS / 'molecule.xml'}",
                           "--durations=0", "tests/molecule"), "pytest", True, ("molecule",)),
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


def run_stage(stage: Stage, prefix: list[str]) -> Outcome:
    outcome = Outcome(stage.name)
    print(f"\n===== stage {stage.name}: {' '.join(stage.command)}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen([*prefix, *stage.command], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(line)
        lines.append(line)
    returncode = process.wait()
    outcome.seconds = time.monotonic() - started
    output = "".join(lines)
    if stage.kind == "pytest":
        junit = Path(stage.command[3].split("=", 1)[1])
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
    elif stage.kind == "sanity":
        outcome.passed, outcome.failed = count_sanity(output, returncode)
    else:
        outcome.passed, outcome.failed = (1, 0) if returncode == 0 else (0, 1)
    return outcome


def lab(action: str) -> int:
    print(f"\n===== awslab {action}", flush=True)
    return subprocess.call([str(VENV_BIN / "awslab"), action], cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="run only these stages")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / "build" / "collections"))

    selected = [s for s in stages() if s.present() and (not args.only or s.name in args.only)]
    outcomes = [run_stage(s, []) for s in selected if not s.needs_lab]
    lab_stages = [s for s in selected if s.needs_lab]
    if lab_stages:
        if lab("up") != 0:
            outcomes += [Outcome(s.name, failed=1, notes=["the lab did not start"]) for s in lab_stages]
        else:
            try:
                prefix = [str(VENV_BIN / "awslab"), "exec", "--"]
                outcomes += [run_stage(s, prefix) for s in lab_stages]
            finally:
                if lab("down") != 0:
                    outcomes.append(Outcome("lab-down", failed=1, notes=["awslab down failed"]))

    print("\n===== summary")
    print(f"{'stage':<14}{'passed':>8}{'failed':>8}{'seconds':>9}  notes")
    for o in outcomes:
        print(f"{o.stage:<14}{o.passed:>8}{o.failed:>8}{o.seconds:>9.1f}  {'; '.join(o.notes)}")
    passed = sum(o.passed for o in outcomes)
    failed = sum(o.failed for o in outcomes)
    print(f"\n{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
