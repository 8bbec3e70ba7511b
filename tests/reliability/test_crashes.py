"""Crashes (issue 11): ansible-playbook killed (SIGKILL, our own child by PID) in the middle of a converge, then run
again: exactly one of each resource, the same resources as a clean converge, and verify passes.

Chained, per scenario: run 1 is killed at crash point 1, run 2 (a rerun) at point 2, ... each point chosen in the
lab's journal as the moment a given create call has been answered by the lab but before the playbook saw the answer
(so before the call that follows it: its tagging, rules, association or wait); then a complete run with the
private-host checks (verify). Point k counts as recovered when the next run got past it (reached the next point, or
the complete run succeeded) with no duplicate resource. The final state must hold exactly the resources of a clean
converge (chaos.clean_reference).

Also, per scenario: a converge killed right after ImportKeyPair (the bastion role makes the private key locally, then
imports its public half) is rerun, and that rerun must get past the key pair; it is killed in turn after launching an
instance, and a teardown of that crashed state must leave nothing, tagged or not, in every account the scenario uses.
A finalizer tears the project down whatever happened. The kill points watch the lab's journal, so these tests must
be the lab's only user while they run (as in make test's lane).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from chaos import (
    CRASH_OFFSET,
    SCENARIOS,
    CrashPoint,
    Scenario,
    clean_reference,
    converge,
    leftovers,
    only_aws_side,
    run_until,
    selected_scenarios,
    set_faults,
    state,
    teardown,
)
from support import snapshot
from support.results import record

# In converge order. The lab's journal of a clean converge shows which call follows each of these. An occurrence
# counts the calls of the run that is to be killed (reruns skip what earlier runs created).
CRASH_POINTS: dict[str, list[CrashPoint]] = {
    "gateway_endpoint": [
        CrashPoint("CreateVpc, before its DNS attributes", "ec2:CreateVpc"),
        CrashPoint("CreateInternetGateway, before its attachment", "ec2:CreateInternetGateway"),
        CrashPoint("CreateRouteTable, before its association", "ec2:CreateRouteTable"),
        CrashPoint("CreateVpcEndpoint, before its wait", "ec2:CreateVpcEndpoint"),
        CrashPoint("CreateSecurityGroup, before its ingress rule", "ec2:CreateSecurityGroup"),
        CrashPoint("CreateInstanceProfile, before AddRoleToInstanceProfile", "iam:CreateInstanceProfile"),
        CrashPoint("RunInstances, before ModifyInstanceAttribute", "ec2:RunInstances"),
        CrashPoint("CreateBucket, before PutBucketTagging", "s3:CreateBucket"),
    ],
    "interface_endpoint": [
        CrashPoint("CreateSubnet, before its route table", "ec2:CreateSubnet", 2),
        CrashPoint("CreateSecurityGroup (endpoint group), before its rules", "ec2:CreateSecurityGroup"),
        CrashPoint("CreateVpcEndpoint, before its wait", "ec2:CreateVpcEndpoint"),
        CrashPoint("CreateRole, before PutRolePolicy", "iam:CreateRole"),
        CrashPoint("RunInstances (private host), before ModifyInstanceAttribute", "ec2:RunInstances", 2),
        CrashPoint("CreateQueue, before TagQueue", "sqs:CreateQueue"),
    ],
    "privatelink": [
        CrashPoint("CreateVpc (VPC B), before its DNS attributes", "ec2:CreateVpc"),
        CrashPoint("RunInstances (application), before ModifyInstanceAttribute", "ec2:RunInstances"),
        CrashPoint("CreateLoadBalancer, before its listener", "elasticloadbalancing:CreateLoadBalancer"),
        CrashPoint("CreateVpcEndpointServiceConfiguration, before its permissions",
                   "ec2:CreateVpcEndpointServiceConfiguration"),
        CrashPoint("CreateVpcEndpoint, before the provider accepts it", "ec2:CreateVpcEndpoint"),
    ],
}
# The teardown after a crashed converge. The first run is killed right after ImportKeyPair (the key pair's private key
# lives only on the control node: a crash around its making must not lose it); its rerun must get past that point (it
# is killed in turn once it launches an instance), then the teardown runs on that crashed state.
KEY_PAIR_POINT = CrashPoint("ImportKeyPair, before the instances", "ec2:ImportKeyPair")
RERUN_POINT = CrashPoint("RunInstances, before ModifyInstanceAttribute", "ec2:RunInstances")


@pytest.fixture(params=selected_scenarios())
def scenario(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Scenario]:
    """The scenario; afterwards nothing of its crash-run project is left, whatever happened."""
    chosen = SCENARIOS[request.param]
    set_faults("off")
    try:
        yield chosen
    finally:
        if leftovers(chosen, "crash", CRASH_OFFSET):
            teardown(chosen, "crash", CRASH_OFFSET, tmp_path / "finalizer-teardown")


def identities(snap: snapshot.Snapshot) -> list[str]:
    return sorted(f"{kind}:{snapshot.identity(kind, item)}" for kind, items in snap.items() for item in items)


def test_converge_recovers_from_crashes(scenario: Scenario, tmp_path: Path) -> None:
    reference = clean_reference(scenario, tmp_path)
    points = CRASH_POINTS[scenario.name]
    assert len(points) >= 5
    workdir = tmp_path / "crash"  # one working directory: the saved private key must survive the crashes
    for index, point in enumerate(points):
        killed = run_until(scenario, "crash", CRASH_OFFSET, workdir, point, *only_aws_side())
        previous = points[index - 1] if index else None
        if previous is not None:
            duplicates = snapshot.duplicates(state(scenario, "crash", CRASH_OFFSET))
            got_past = killed.killed or killed.run.succeeded
            _record_point(scenario, previous, got_past and not duplicates, duplicates)
            assert got_past, (
                f"the rerun after a crash at {previous.label} failed before reaching {point.label}:\n"
                f"{killed.run.failure_text[-6000:] or killed.output[-6000:]}")
            assert not duplicates, f"duplicates after the rerun that followed {previous.label}: {duplicates}"
        # Occurrences count the calls of this run: a rerun skips what earlier runs created.
        assert killed.killed, (
            f"run {index + 1} never reached {point.label} (a wrong crash point):\n{killed.output[-3000:]}")

    final = converge(scenario, "crash", CRASH_OFFSET, workdir)
    after = state(scenario, "crash", CRASH_OFFSET)
    duplicates = snapshot.duplicates(after)
    missing_or_extra = _identity_differences(reference, after)
    recovered = final.succeeded and not duplicates and not missing_or_extra
    _record_point(scenario, points[-1], recovered, duplicates)
    assert final.succeeded, (
        f"the complete run (with verify on the private hosts) after the crashes failed:\n{final.failure_text[-6000:]}")
    assert not duplicates, f"duplicates after the complete run: {duplicates}"
    assert not missing_or_extra, "resources differ from a clean converge:\n" + "\n".join(missing_or_extra)


def _record_point(scenario: Scenario, point: CrashPoint, recovered: bool, duplicates: dict[str, int]) -> None:
    record("crash_point_recovered", scenario.name, point.label, 1 if recovered else 0, recovered)
    record("duplicates_found", scenario.name, f"after crash at {point.label}", sum(duplicates.values()),
           not duplicates)


def _identity_differences(reference: snapshot.Snapshot, actual: snapshot.Snapshot) -> list[str]:
    want, got = identities(reference), identities(actual)
    missing = [f"missing {item}" for item in sorted(set(want) - set(got))]
    extra = [f"extra   {item}" for item in sorted(set(got) - set(want))]
    return missing + extra


def test_teardown_after_a_crashed_converge_removes_everything(scenario: Scenario, tmp_path: Path) -> None:
    workdir = tmp_path / "crash"
    first = run_until(scenario, "crash", CRASH_OFFSET, workdir, KEY_PAIR_POINT, *only_aws_side())
    assert first.killed, f"the converge ended before reaching {KEY_PAIR_POINT.label}:\n{first.output[-4000:]}"
    rerun = run_until(scenario, "crash", CRASH_OFFSET, workdir, RERUN_POINT, *only_aws_side())
    duplicates = snapshot.duplicates(state(scenario, "crash", CRASH_OFFSET))
    _record_point(scenario, KEY_PAIR_POINT, rerun.killed and not duplicates, duplicates)
    before = snapshot.summary(state(scenario, "crash", CRASH_OFFSET))

    torn = teardown(scenario, "crash", CRASH_OFFSET, workdir)
    left = leftovers(scenario, "crash", CRASH_OFFSET)
    clean = torn.succeeded and not left
    record("crash_point_recovered", scenario.name, "teardown after a crashed converge", 1 if clean else 0, clean)
    assert before.get("vpcs"), f"the crashed converge built nothing, so the teardown proves nothing: {before}"
    assert torn.succeeded, f"teardown after a crashed converge failed:\n{torn.failure_text[-6000:]}"
    assert not left, f"left after the teardown that followed a crashed converge: {left}"
    assert rerun.killed, (
        f"the rerun after a crash at {KEY_PAIR_POINT.label} failed before reaching {RERUN_POINT.label}:\n"
        f"{rerun.run.failure_text[-3000:] or rerun.output[-3000:]}")
    assert not duplicates, f"duplicates after the rerun that followed {KEY_PAIR_POINT.label}: {duplicates}"
