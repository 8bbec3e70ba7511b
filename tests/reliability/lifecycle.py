"""The lifecycle steps of a scenario (check mode, secrets in -vvv output, posture, teardown) shared by the
test_lifecycle_* modules, and what they look for in the lab."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenarios import SECOND_ACCOUNT_KEYS, Scenario
from support.journal import Journal
from support.playbooks import PlaybookRun, run_playbook
from support.resources import client, tagged_resources
from support.results import record

# What may never appear in a run's output: private key material and credential values.
PRIVATE_KEY_HEADER = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
CREDENTIAL_ASSIGNMENT = re.compile(
    r"(aws_secret_access_key|aws_session_token|secret_key|session_token|SecretAccessKey|SessionToken)"
    r"""["']?\s*[:=]\s*["']?([A-Za-z0-9/+=_-]{8,})""", re.I)
MASKED = {"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "********"}
# IMDSv1 re-enabled by hand: every option given, since the lab (moto) resets the options a call leaves out, where
# AWS keeps them (amazon.aws's ec2_instance then cannot repair: it sends the missing ones as null).
IMDSV1_OPTIONS = {"HttpTokens": "optional", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1,
                  "HttpProtocolIpv6": "disabled", "InstanceMetadataTags": "disabled"}


@dataclass
class Lifecycle:
    """One scenario's runs; keys and known_hosts live in workdir/ssh for the whole module."""

    scenario: Scenario
    workdir: Path
    journal: Journal
    runs: int = 0
    torn_down: bool = False
    notes: dict[str, Any] = field(default_factory=dict)

    def run(self, playbook: str, extra_vars: dict[str, Any], *args: str) -> PlaybookRun:
        self.runs += 1
        run = run_playbook(playbook, extra_vars, self.workdir, *args, timeout=1200)
        log = self.workdir / f"{self.runs:02d}-{Path(playbook).stem}{''.join(a for a in args if a.startswith('-'))}.log"
        log.write_text(run.output)
        return run

    def converge(self, *args: str, private_hosts: bool) -> PlaybookRun:
        playbook, extra_vars = self.scenario.converge_run(private_hosts)
        return self.run(playbook, extra_vars, *args)

    def teardown(self, *args: str) -> PlaybookRun:
        return self.run(self.scenario.teardown, self.scenario.extra_vars, *args)

    def posture(self, *args: str, **extra_vars: Any) -> PlaybookRun:
        accounts = [{}] + ([self.scenario.extra_vars["privatelink_provider_aws"]]
                           if len(self.scenario.accounts) > 1 else [])
        return self.run("playbooks/posture_check.yml",
                        {"posture_check_project": self.scenario.project, "posture_check_accounts": accounts,
                         **extra_vars}, *args)

    def mutations(self, mark: int) -> dict[str, int]:
        return self.journal.mutating_calls_since(mark)

    def leftovers(self) -> list[str]:
        return project_leftovers(self.scenario)


def project_leftovers(scenario: Scenario) -> list[str]:
    """Every live resource of the scenario's project, in every account it touches."""
    found = [f"{account}:{item}" for account in scenario.accounts
             for item in tagged_resources(scenario.project, account)]
    s3 = client("s3")
    names = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    found += [f"s3:{name}" for name in scenario.buckets if name in names]
    if scenario.queues:
        urls = client("sqs").list_queues(QueueNamePrefix=scenario.project).get("QueueUrls", [])
        found += [f"sqs:{url}" for url in urls]
    if scenario.tables:
        tables = client("dynamodb").list_tables().get("TableNames", [])
        found += [f"dynamodb:{name}" for name in tables if name.startswith(scenario.project)]
    for account in scenario.accounts:
        elb = client("elbv2", account)
        found += [f"{account}:nlb:{lb['LoadBalancerName']}" for lb in elb.describe_load_balancers()["LoadBalancers"]
                  if lb["LoadBalancerName"].startswith(scenario.project)]
        found += [f"{account}:target_group:{tg['TargetGroupName']}"
                  for tg in elb.describe_target_groups()["TargetGroups"]
                  if tg["TargetGroupName"].startswith(scenario.project)]
        services = client("ec2", account).describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
        found += [f"{account}:endpoint_service:{s['ServiceId']}" for s in services
                  if any(t["Key"] == "privnet:project" and t["Value"] == scenario.project for t in s.get("Tags", []))
                  and s.get("ServiceState", "").lower() not in ("deleted", "deleting")]
    return sorted(set(found))


def secrets_in(output: str, ssh_dir: Path) -> list[str]:
    """What in `output` is private key material or a credential value (described, never the value itself)."""
    leaks = []
    if PRIVATE_KEY_HEADER.search(output):
        leaks.append("a private key header (BEGIN ... PRIVATE KEY)")
    for key_file in sorted(ssh_dir.glob("*.pem")) if ssh_dir.is_dir() else []:
        body = [line for line in key_file.read_text().splitlines() if line and not line.startswith("-----")]
        if any(line in output for line in body):
            leaks.append(f"a line of the private key {key_file.name}")
    known = {os.environ.get("AWS_SECRET_ACCESS_KEY", ""), os.environ.get("AWS_SESSION_TOKEN", ""),
             SECOND_ACCOUNT_KEYS["secret_key"]}
    if any(value in output for value in known if value):
        leaks.append("a lab credential value (secret access key or session token)")
    for match in CREDENTIAL_ASSIGNMENT.finditer(output):
        if match.group(2) not in MASKED:
            leaks.append(f"a value assigned to {match.group(1)}")
    return sorted(set(leaks))


def wait_until(condition: Callable[[], bool], timeout: float = 120, delay: float = 2) -> bool:
    """Poll `condition` until true or `timeout` seconds passed (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(delay)
    return condition()




FINDINGS_LINE = re.compile(r"(\d+) finding\(s\) for project")
FINDING_CHECK = re.compile(r'\\?"check\\?":\s*\\?"([a-z0-9_]+)')


def posture_findings(run: PlaybookRun) -> tuple[int | None, list[str]]:
    """(number of findings the role reported, the checks that found something) from a posture_check run."""
    counts = FINDINGS_LINE.findall(run.output)
    tail = run.output[run.output.find("Fail when the posture has findings"):]
    return (int(counts[-1]) if counts else None), sorted(set(FINDING_CHECK.findall(tail)))


@dataclass
class Steps:
    """The lifecycle steps every scenario module runs, each recording its row before asserting."""

    life: Lifecycle

    @property
    def name(self) -> str:
        return self.life.scenario.name

    def check_mode_on_empty_account(self) -> None:
        assert self.life.leftovers() == [], "the account still holds the project's resources"
        mark = self.life.journal.mark()
        run = self.life.converge("--check", "--diff", private_hosts=False)
        mutations = self.life.mutations(mark)
        record("check_mode_mutations", self.name, "empty account", sum(mutations.values()),
               run.succeeded and run.changed > 0 and not mutations)
        assert mutations == {}, f"check mode made mutating calls: {mutations}"
        assert run.succeeded, f"check mode failed on an empty account:\n{run.failure_text[:4000]}"
        assert run.changed > 0, "check mode reported nothing to create on an empty account"

    def check_mode_on_converged_account(self) -> None:
        mark = self.life.journal.mark()
        run = self.life.converge("--check", "--diff", private_hosts=False)
        mutations = self.life.mutations(mark)
        record("check_mode_mutations", self.name, "converged account", sum(mutations.values()),
               run.succeeded and run.changed == 0 and not mutations)
        assert mutations == {}, f"check mode made mutating calls: {mutations}"
        assert run.succeeded, run.failure_text[:4000]
        assert run.changed == 0, f"check mode predicts changes on a converged account:\n{changed_tasks(run)}"

    def no_secrets(self, run: PlaybookRun) -> None:
        assert run.succeeded, f"the -vvv converge failed:\n{run.failure_text[:4000]}"
        leaks = secrets_in(run.output, self.life.workdir / "ssh")
        assert list((self.life.workdir / "ssh").glob("*.pem")), "no private key was saved: nothing to look for"
        assert leaks == [], f"the -vvv output of {self.name} shows {leaks}"

    def posture_clean(self) -> None:
        mark = self.life.journal.mark()
        run = self.life.posture()
        mutations = self.life.mutations(mark)
        count, checks = posture_findings(run)
        record("posture_findings", self.name, "after converge", -1 if count is None else count,
               run.succeeded and count == 0 and not mutations)
        assert mutations == {}, f"the posture check made mutating calls: {mutations}"
        assert count == 0 and run.succeeded, f"posture findings {checks}:\n{run.failure_text[:4000]}"

    def teardown_leaves_nothing(self) -> None:
        run = self.life.teardown()
        self.life.torn_down = run.succeeded
        assert run.succeeded, run.failure_text[:4000]
        wait_until(lambda: not self.life.leftovers(), timeout=60)
        leftovers = self.life.leftovers()
        assert leftovers == [], f"teardown left {leftovers}"

    def teardown_again_changes_nothing(self) -> None:
        mark = self.life.journal.mark()
        run = self.life.teardown()
        mutations = self.life.mutations(mark)
        assert run.succeeded, run.failure_text[:4000]
        assert mutations == {}, f"a second teardown made mutating calls: {mutations}"
        assert run.changed == 0, changed_tasks(run)


def check_drift_repaired(scenario: str, case: str, made: bool, fixed: bool, repair: PlaybookRun,
                         detail: str = "") -> None:
    """Record and assert one drift case: it took effect, and the repairing converge changed it back with a diff and
    ran the checks on the private host."""
    private_hosts = [host for host in repair.recap if host != "localhost"]
    diff_shown = repair.changed > 0 and "+++ after" in repair.output
    record("drift_repaired", scenario, case, int(fixed),
           made and fixed and repair.succeeded and diff_shown and bool(private_hosts))
    assert made, f"the drift '{case}' did not take effect in the lab"
    assert repair.succeeded, f"the repairing converge or its checks failed:\n{repair.failure_text[:4000]}"
    assert private_hosts, "the repairing converge did not run the checks on the private host"
    assert diff_shown, "the repair reported no change or diff"
    assert fixed, f"'{case}' was not repaired {detail}"


def changed_tasks(run: PlaybookRun) -> str:
    """The tasks of a run that reported changed (for failure messages)."""
    lines = run.output.splitlines()
    tasks, current = [], ""
    for line in lines:
        if line.startswith("TASK ["):
            current = line
        elif line.startswith("changed:") and current:
            tasks.append(f"{current.strip('* ')} {line[:120]}")
    return "\n".join(tasks[:40])
