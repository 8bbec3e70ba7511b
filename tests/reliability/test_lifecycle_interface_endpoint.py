"""Lifecycle of the interface endpoint scenario (playbooks/interface_endpoint.yml) on the lab, one converge shared by
the tests of this module, in file order: check mode on an empty account, converge with -vvv without secrets in its
output, posture, check mode on the converged account, drift of the SQS endpoint and its group made by hand through
the API then repaired by a converge whose checks on the private host pass, teardown and teardown again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from lifecycle import Lifecycle, Steps, check_drift_repaired, wait_until
from scenarios import INTERFACE
from support.playbooks import PlaybookRun
from support.resources import client

SCENARIO = INTERFACE
PROJECT_FILTER = [{"Name": "tag:privnet:project", "Values": [INTERFACE.project]}]
FULL_ACCESS = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
CASES = ["private DNS disabled", "a subnet removed from an interface endpoint",
         "the 443 rule removed from the endpoint group", "endpoint policy replaced with full access (interface)"]


@dataclass(frozen=True)
class State:
    endpoint: dict[str, Any]  # the SQS endpoint
    group: dict[str, Any]  # the endpoints' security group


def read_state() -> State:
    ec2 = client("ec2")
    endpoints = ec2.describe_vpc_endpoints(Filters=PROJECT_FILTER + [
        {"Name": "service-name", "Values": ["com.amazonaws.ap-northeast-1.sqs"]},
        {"Name": "vpc-endpoint-state", "Values": ["available", "pending"]}])["VpcEndpoints"]
    groups = ec2.describe_security_groups(Filters=PROJECT_FILTER + [
        {"Name": "group-name", "Values": [f"{INTERFACE.project}-endpoints"]}])["SecurityGroups"]
    assert len(endpoints) == 1 and len(groups) == 1, (endpoints, groups)
    return State(endpoints[0], groups[0])


def https_rules(group: dict[str, Any]) -> list[tuple[str, int, int, list[str]]]:
    return sorted((p["IpProtocol"], p.get("FromPort", -1), p.get("ToPort", -1),
                   sorted(r["CidrIp"] for r in p.get("IpRanges", []))) for p in group["IpPermissions"])


def settle(endpoint_id: str) -> None:
    """Wait (bounded) until a modified endpoint is available again, as a person would before the next change."""
    ec2 = client("ec2")
    wait_until(lambda: ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["State"]
               == "available", timeout=120)


def apply_drift(state: State) -> None:
    ec2 = client("ec2")
    endpoint_id = state.endpoint["VpcEndpointId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PrivateDnsEnabled=False)
    settle(endpoint_id)
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, RemoveSubnetIds=[sorted(state.endpoint["SubnetIds"])[-1]])
    settle(endpoint_id)
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PolicyDocument=json.dumps(FULL_ACCESS))
    settle(endpoint_id)
    ec2.revoke_security_group_ingress(GroupId=state.group["GroupId"], IpPermissions=state.group["IpPermissions"])


def drift_present(case: str, state: State, before: State) -> bool:
    if case == CASES[0]:
        return not state.endpoint["PrivateDnsEnabled"]
    if case == CASES[1]:
        return sorted(state.endpoint["SubnetIds"]) != sorted(before.endpoint["SubnetIds"])
    if case == CASES[2]:
        return not any(rule[1] == 443 for rule in https_rules(state.group))
    if case == CASES[3]:
        return json.loads(state.endpoint.get("PolicyDocument") or "{}") == FULL_ACCESS
    raise AssertionError(case)


def repaired(case: str, state: State, before: State) -> bool:
    if state.endpoint["VpcEndpointId"] != before.endpoint["VpcEndpointId"]:
        return False
    if case == CASES[0]:
        return state.endpoint["PrivateDnsEnabled"] is True
    if case == CASES[1]:
        return sorted(state.endpoint["SubnetIds"]) == sorted(before.endpoint["SubnetIds"])
    if case == CASES[2]:
        return https_rules(state.group) == https_rules(before.group)
    if case == CASES[3]:
        return json.loads(state.endpoint["PolicyDocument"]) == json.loads(before.endpoint["PolicyDocument"])
    raise AssertionError(case)


@dataclass(frozen=True)
class Drift:
    before: State
    drifted: State
    repair: PlaybookRun
    after: State


@pytest.fixture(scope="module")
def converged(life: Lifecycle) -> PlaybookRun:
    return life.converge("-vvv", private_hosts=False)


@pytest.fixture(scope="module")
def drift(life: Lifecycle, converged: PlaybookRun) -> Drift:
    assert converged.succeeded, "no converged scenario to drift"
    before = read_state()
    assert https_rules(before.group) and before.endpoint["PrivateDnsEnabled"], before
    apply_drift(before)
    drifted = read_state()
    repair = life.converge("--diff", private_hosts=True)
    return Drift(before, drifted, repair, read_state())


def test_check_mode_on_empty_account(steps: Steps) -> None:
    steps.check_mode_on_empty_account()


def test_converge_output_has_no_secrets(steps: Steps, converged: PlaybookRun) -> None:
    steps.no_secrets(converged)


def test_posture_has_no_findings(steps: Steps, converged: PlaybookRun) -> None:
    assert converged.succeeded
    steps.posture_clean()


def test_check_mode_on_converged_account_changes_nothing(steps: Steps, converged: PlaybookRun) -> None:
    assert converged.succeeded
    steps.check_mode_on_converged_account()


@pytest.mark.parametrize("case", CASES)
def test_drift_is_repaired(drift: Drift, case: str) -> None:
    check_drift_repaired(SCENARIO.name, case, drift_present(case, drift.drifted, drift.before),
                         repaired(case, drift.after, drift.before), drift.repair, detail=f": {drift.after}")


def test_teardown_leaves_nothing(steps: Steps) -> None:
    steps.teardown_leaves_nothing()


def test_teardown_again_changes_nothing(steps: Steps) -> None:
    steps.teardown_again_changes_nothing()
