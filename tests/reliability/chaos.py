"""Helpers of the fault and crash tests (issue 11): the scenarios as these tests drive them, the lab's runtime fault
switch, playbook runs killed at a point chosen from the lab's journal, and the clean reference state.

Projects and VPC blocks of their own (rel-chaos-* for fault runs, rel-crash-* for crash runs, 10.50-10.69), so these
runs never meet another test's resources. The private-host part of a converge is left out with `--limit localhost`
(the scenario plays on the private hosts then match no host) where the test only needs the AWS side; localhost is
then listed explicitly (ansible-playbook refuses a --limit that only the implicit localhost matches once the dynamic
inventory lists hosts), with the interpreter the implicit one would have.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support import snapshot
from support.journal import AWSLAB
from support.paths import ROOT
from support.playbooks import PlaybookRun, playbook_command, playbook_env, run_playbook
from support.resources import tagged_resources

SECOND_ACCOUNT = "222222222222"
LAB_ADMIN_CIDRS = ["198.19.128.1/32"]
LOCALHOST_INVENTORY = ROOT / "build" / "chaos-localhost.ini"
# Which scenarios the fault and crash tests run (comma-separated; default all). `make test` may narrow it.
SCENARIOS_ENV = "PRIVNET_CHAOS_SCENARIOS"
PLAYBOOK_TIMEOUT = 900
# What the fault runs inject: throttling 20%, 500/503 5%, NotFound on 30% of the describes naming a resource just
# created; `max` high enough never to cap a converge (a few hundred calls).
FAULT_SPEC = "throttle=0.2,5xx=0.05,notfound=0.3,max=1000,seed={seed}"
KILL_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Scenario:
    name: str
    short: str
    project_var: str
    # variable -> third octet-free VPC block prefix, e.g. {"gwe_vpc_cidr": 50}: 10.50.0.0/16
    vpc_blocks: dict[str, int]
    fixed_vars: dict[str, Any] = field(default_factory=dict)
    provider_account: str | None = None

    @property
    def playbook(self) -> str:
        return f"playbooks/{self.name}.yml"

    @property
    def teardown_playbook(self) -> str:
        return f"playbooks/{self.name}_teardown.yml"

    @property
    def accounts(self) -> tuple[str | None, ...]:
        return (None, self.provider_account) if self.provider_account else (None,)

    def project(self, family: str) -> str:
        return f"rel-{family}-{self.short}"

    def cidrs(self, offset: int) -> list[str]:
        return [f"10.{block + offset}.0.0/16" for block in self.vpc_blocks.values()]

    def extra_vars(self, family: str, offset: int) -> dict[str, Any]:
        project = self.project(family)
        values: dict[str, Any] = {self.project_var: project}
        values.update({var: f"10.{block + offset}.0.0/16" for var, block in self.vpc_blocks.items()})
        for key, value in self.fixed_vars.items():
            values[key] = value.replace("<project>", project) if isinstance(value, str) else value
        return values

    def aliases(self, family: str, offset: int) -> dict[str, str]:
        """Text replaced in snapshots, so runs of other projects with other VPC blocks compare equal."""
        return {self.project(family): "<project>",
                **{f"10.{block + offset}.": f"<vpc {var}>." for var, block in self.vpc_blocks.items()}}


SCENARIOS: dict[str, Scenario] = {
    "gateway_endpoint": Scenario(
        "gateway_endpoint", "gw", "gwe_project", {"gwe_vpc_cidr": 50},
        {"gwe_admin_cidrs": LAB_ADMIN_CIDRS}),
    "interface_endpoint": Scenario(
        "interface_endpoint", "if", "interface_scenario_project", {"interface_scenario_vpc_cidr": 51},
        {"interface_scenario_admin_cidrs": LAB_ADMIN_CIDRS, "interface_scenario_queue_name": "<project>-demo"}),
    # The cross-account variant: the provider (VPC B, NLB, endpoint service) in the lab's second account.
    "privatelink": Scenario(
        "privatelink", "pl", "privatelink_project", {"privatelink_vpc_a_cidr": 52, "privatelink_vpc_b_cidr": 53},
        {"privatelink_admin_cidrs": LAB_ADMIN_CIDRS,
         "privatelink_provider_aws": {"access_key": SECOND_ACCOUNT, "secret_key": "awslab-secret-key"}},
        provider_account=SECOND_ACCOUNT),
}
# VPC block offsets: fault runs use 10.50-10.53, crash runs 10.60-10.63.
FAULT_OFFSET = 0
CRASH_OFFSET = 10


def selected_scenarios() -> list[str]:
    wanted = [name.strip() for name in os.environ.get(SCENARIOS_ENV, "").split(",") if name.strip()]
    unknown = set(wanted) - set(SCENARIOS)
    if unknown:
        raise ValueError(f"{SCENARIOS_ENV}: unknown scenarios {sorted(unknown)} (known: {sorted(SCENARIOS)})")
    return wanted or list(SCENARIOS)


def only_aws_side() -> tuple[str, ...]:
    """ansible-playbook arguments that run the localhost plays only (the AWS side of a scenario)."""
    LOCALHOST_INVENTORY.parent.mkdir(parents=True, exist_ok=True)
    LOCALHOST_INVENTORY.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    return ("-i", str(ROOT / "inventory" / "aws_ec2.yml"), "-i", str(LOCALHOST_INVENTORY), "--limit", "localhost")


# --- the lab: fault switch and journal ----------------------------------------------------------------------


def fault_spec(seed: int) -> str:
    return FAULT_SPEC.format(seed=seed)


def set_faults(spec: str) -> str:
    """Switch the running lab's fault injection (`awslab faults SPEC|off`); returns what the lab reports."""
    done = subprocess.run([AWSLAB, "faults", spec or "off"], capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"awslab faults {spec or 'off'} -> {done.returncode}: {done.stderr.strip()}")
    return done.stdout.strip()


def journal_file() -> Path:
    return Path(os.environ.get("AWSLAB_HOME", "/run/awslab")) / "journal.jsonl"


class JournalTail:
    """Reads the entries the lab appends to its journal file after the moment this is created."""

    def __init__(self) -> None:
        self._path = journal_file()
        self._offset = self._path.stat().st_size if self._path.exists() else 0
        self._partial = ""
        self.entries: list[dict[str, Any]] = []

    def poll(self) -> list[dict[str, Any]]:
        if not self._path.exists():  # the lab writes its journal with its first call
            return []
        with self._path.open(encoding="utf-8") as handle:
            handle.seek(self._offset)
            chunk = handle.read()
            self._offset = handle.tell()
        lines = (self._partial + chunk).split("\n")
        self._partial = lines.pop()
        new = [json.loads(line) for line in lines if line.strip()]
        self.entries += new
        return new


def injected_counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in entries:
        if entry.get("injected"):
            counts[entry["injected"]] = counts.get(entry["injected"], 0) + 1
    return counts


# --- playbook runs killed at a journal point -------------------------------------------------------------------


@dataclass(frozen=True)
class CrashPoint:
    """Kill the run as soon as the journal shows the `occurrence`-th successful `service:Action` of this run. The lab
    journals the call, then holds its answer back (fault `hold`) while the run is killed, so the playbook never sees
    it, even when the same module process makes its next call a few milliseconds later."""

    label: str
    action: str
    occurrence: int = 1

    @property
    def fault_spec(self) -> str:
        return f"hold={self.action}"

    def reached(self, entries: list[dict[str, Any]]) -> bool:
        hits = [e for e in entries if f"{e['service']}:{e['action']}" == self.action and 200 <= e["status"] < 300]
        return len(hits) >= self.occurrence


@dataclass
class KilledRun:
    killed: bool
    returncode: int
    output: str
    calls: int  # journal entries of this run (at the kill)
    entries: list[dict[str, Any]]

    @property
    def run(self) -> PlaybookRun:
        return PlaybookRun(self.returncode, self.output)


def run_until(scenario: Scenario, family: str, offset: int, workdir: Path, point: CrashPoint,
              *args: str) -> KilledRun:
    """Run the scenario's converge and SIGKILL ansible-playbook (our own child, by PID) once the journal reaches
    `point`; then its workers and module processes too (by PID: ansible's workers run in sessions of their own), as
    when the control node dies, so nothing of the killed run calls the API afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    vars_file = workdir / "extra_vars.json"
    vars_file.write_text(json.dumps(scenario.extra_vars(family, offset)))
    log = workdir / f"killed-run-{time.monotonic_ns()}.log"
    if point.fault_spec:
        set_faults(point.fault_spec)
    tail = JournalTail()
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(  # noqa: S603 - the venv's ansible-playbook on our own playbook
            playbook_command(scenario.playbook, vars_file, *args), cwd=ROOT, env=playbook_env(workdir / "ssh"),
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        killed = False
        deadline = time.monotonic() + PLAYBOOK_TIMEOUT
        try:
            while process.poll() is None and time.monotonic() < deadline:
                tail.poll()
                if point.reached(tail.entries):
                    killed = True
                    break
                time.sleep(KILL_POLL_SECONDS)
        finally:
            kill_run(process.pid)
            if point.fault_spec:
                set_faults("off")
        process.wait(timeout=60)
    tail.poll()
    calls_at_kill = _calls_until(tail.entries, point) if killed else len(tail.entries)
    return KilledRun(killed, process.returncode, log.read_text(encoding="utf-8", errors="replace"), calls_at_kill,
                     tail.entries)


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, session id) of every process."""
    table = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(stat_file.parent.name)] = (int(fields[1]), int(fields[3]))
    return table


def kill_run(pid: int) -> None:
    """SIGKILL ansible-playbook `pid` first, then every process of its tree and of its workers' sessions."""
    before = _processes()
    tree = {pid}
    grew = True
    while grew:
        children = {child for child, (parent, _sid) in before.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    sessions = {before[member][1] for member in tree if member in before}
    _kill(pid)
    for member, (_parent, sid) in _processes().items():
        if member != pid and (member in tree or sid in sessions):
            _kill(member)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _calls_until(entries: list[dict[str, Any]], point: CrashPoint) -> int:
    seen = 0
    for index, entry in enumerate(entries, start=1):
        if f"{entry['service']}:{entry['action']}" == point.action and 200 <= entry["status"] < 300:
            seen += 1
            if seen == point.occurrence:
                return index
    return len(entries)


# --- converge, teardown, state ---------------------------------------------------------------------------------


def converge(scenario: Scenario, family: str, offset: int, workdir: Path, *args: str) -> PlaybookRun:
    return run_playbook(scenario.playbook, scenario.extra_vars(family, offset), workdir, *args,
                        timeout=PLAYBOOK_TIMEOUT)


def teardown(scenario: Scenario, family: str, offset: int, workdir: Path) -> PlaybookRun:
    return run_playbook(scenario.teardown_playbook, scenario.extra_vars(family, offset), workdir,
                        timeout=PLAYBOOK_TIMEOUT)


def state(scenario: Scenario, family: str, offset: int) -> snapshot.Snapshot:
    snap = snapshot.snapshot(scenario.project(family), scenario.accounts, scenario.cidrs(offset))
    return snapshot.replace_text(snap, scenario.aliases(family, offset))


def leftovers(scenario: Scenario, family: str, offset: int) -> list[str]:
    """Everything of the project still there: tagged resources in every account, and anything (tagged or not) the
    snapshot finds in the project's VPC blocks or under its name."""
    project = scenario.project(family)
    found = [f"{account or 'default'}/{item}" for account in scenario.accounts
             for item in tagged_resources(project, account)]
    found += [f"{kind}:{json.dumps(item, sort_keys=True)}"
              for kind, items in state(scenario, family, offset).items() for item in items]
    return found


def teardown_finalizer(scenario: Scenario, family: str, offset: int, workdir: Path) -> Iterator[None]:
    """Generator body of a fixture: faults off and the scenario torn down whatever the test did."""
    try:
        yield
    finally:
        try:
            set_faults("off")
        finally:
            teardown(scenario, family, offset, workdir / "final-teardown")


_REFERENCES: dict[str, snapshot.Snapshot] = {}


def clean_reference(scenario: Scenario, workdir: Path, on_built: Callable[[snapshot.Snapshot], None] | None = None
                    ) -> snapshot.Snapshot:
    """The state a clean converge (no faults, AWS side only) builds, normalized; built once per session and
    scenario (project rel-chaos-*, fault VPC blocks), then torn down."""
    if scenario.name in _REFERENCES:
        return _REFERENCES[scenario.name]
    set_faults("off")
    try:
        run = converge(scenario, "chaos", FAULT_OFFSET, workdir / "clean", *only_aws_side())
        assert run.succeeded, f"clean converge of {scenario.name} failed:\n{run.failure_text[-4000:]}"
        reference = state(scenario, "chaos", FAULT_OFFSET)
        (workdir / "reference-state.json").write_text(json.dumps(reference, indent=1, sort_keys=True))
        built = snapshot.summary(reference)
        assert all(built.get(kind) for kind in ("vpcs", "subnets", "route_tables", "security_groups", "instances",
                                                "vpc_endpoints")), f"the snapshot misses what was built: {built}"
        if on_built is not None:
            on_built(reference)
    finally:
        torn = teardown(scenario, "chaos", FAULT_OFFSET, workdir / "clean-teardown")
    assert torn.succeeded, f"teardown after the clean converge of {scenario.name} failed:\n{torn.failure_text[-4000:]}"
    _REFERENCES[scenario.name] = reference
    return reference
