"""Lifecycle of the gateway endpoint scenario (playbooks/gateway_endpoint.yml) on the lab, one converge shared by the
tests of this module, in file order: check mode on an empty account, converge with -vvv (private host included)
without secrets in its output, posture, check mode on the converged account, drift made by hand through the API
then repaired by a converge (whose checks on the private host pass), teardown and teardown again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from lifecycle import IMDSV1_OPTIONS, Lifecycle, Steps, check_drift_repaired, posture_findings
from scenarios import ADMIN_CIDRS, GATEWAY
from support.playbooks import PlaybookRun
from support.resources import client
from support.results import record

SCENARIO = GATEWAY
PROJECT_FILTER = [{"Name": "tag:privnet:project", "Values": [GATEWAY.project]}]
CASES = ["S3 prefix-list route deleted", "endpoint removed from a route table",
         "endpoint policy replaced with full access", "0.0.0.0/0 SSH rule added to the bastion group",
         "IMDSv1 re-enabled on an instance"]


@dataclass(frozen=True)
class State:
    """What the drift cases look at, read from the API."""

    tables: dict[str, list[dict[str, Any]]]  # private route table id -> routes
    endpoints: dict[str, dict[str, Any]]  # "s3" / "dynamodb" -> endpoint
    bastion_group: dict[str, Any]
    private_instance: dict[str, Any]


def read_state() -> State:
    ec2 = client("ec2")
    tables = ec2.describe_route_tables(
        Filters=PROJECT_FILTER + [{"Name": "tag:privnet:tier", "Values": ["private"]}])["RouteTables"]
    endpoints = ec2.describe_vpc_endpoints(
        Filters=PROJECT_FILTER + [{"Name": "vpc-endpoint-state", "Values": ["available", "pending"]}])["VpcEndpoints"]
    groups = ec2.describe_security_groups(
        Filters=PROJECT_FILTER + [{"Name": "group-name", "Values": [f"{GATEWAY.project}-bastion"]}])["SecurityGroups"]
    reservations = ec2.describe_instances(Filters=PROJECT_FILTER + [
        {"Name": "tag:privnet:role", "Values": ["private"]},
        {"Name": "instance-state-name", "Values": ["pending", "running"]}])["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    assert len(groups) == 1 and len(instances) == 1 and len(tables) == 2 and len(endpoints) == 2
    return State(tables={t["RouteTableId"]: t["Routes"] for t in tables},
                 endpoints={e["ServiceName"].rsplit(".", 1)[-1]: e for e in endpoints},
                 bastion_group=groups[0], private_instance=instances[0])


def routes_to(state: State, service: str) -> dict[str, bool]:
    """Route table id -> whether it routes the service's prefix list to its endpoint."""
    endpoint_id = state.endpoints[service]["VpcEndpointId"]
    return {table: any(r.get("GatewayId") == endpoint_id and r.get("DestinationPrefixListId") for r in routes)
            for table, routes in state.tables.items()}


def is_full_access(policy: str) -> bool:
    statements = json.loads(policy or "{}").get("Statement", [])
    return any(s.get("Effect") == "Allow" and s.get("Action") in ("*", ["*"]) and s.get("Resource") in ("*", ["*"])
               for s in statements)


def world_ssh(group: dict[str, Any]) -> bool:
    return any(p.get("FromPort") == 22 and any(r["CidrIp"] == "0.0.0.0/0" for r in p.get("IpRanges", []))
               for p in group["IpPermissions"])


def apply_drift(state: State) -> None:
    """The changes people make by hand, through the EC2 API (as the AWS CLI or console would)."""
    ec2 = client("ec2")
    first_table, second_table = sorted(state.tables)
    s3_prefix_list = next(r["DestinationPrefixListId"] for r in state.tables[first_table]
                          if r.get("GatewayId") == state.endpoints["s3"]["VpcEndpointId"])
    ec2.delete_route(RouteTableId=first_table, DestinationPrefixListId=s3_prefix_list)
    ec2.modify_vpc_endpoint(VpcEndpointId=state.endpoints["dynamodb"]["VpcEndpointId"],
                            RemoveRouteTableIds=[second_table])
    ec2.modify_vpc_endpoint(VpcEndpointId=state.endpoints["s3"]["VpcEndpointId"], ResetPolicy=True)
    ec2.authorize_security_group_ingress(GroupId=state.bastion_group["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.modify_instance_metadata_options(InstanceId=state.private_instance["InstanceId"], **IMDSV1_OPTIONS)


def drift_present(case: str, before: State, state: State) -> bool:
    """Whether `case`'s drift shows in `state` (before: the converged state)."""
    first_table, second_table = sorted(state.tables)
    if case == CASES[0]:
        return not routes_to(state, "s3")[first_table]
    if case == CASES[1]:
        return second_table not in state.endpoints["dynamodb"]["RouteTableIds"] \
            or not routes_to(state, "dynamodb")[second_table]
    if case == CASES[2]:
        return is_full_access(state.endpoints["s3"]["PolicyDocument"])
    if case == CASES[3]:
        return world_ssh(state.bastion_group)
    if case == CASES[4]:
        return state.private_instance["MetadataOptions"]["HttpTokens"] != "required"
    raise AssertionError(case)


def repaired(case: str, before: State, state: State) -> bool:
    """Whether `state` is back to the converged `before` for `case`'s resource."""
    if drift_present(case, before, state):
        return False
    if case in CASES[:2]:
        service = "s3" if case == CASES[0] else "dynamodb"
        return all(routes_to(state, service).values()) \
            and sorted(state.endpoints[service]["RouteTableIds"]) == sorted(state.tables)
    if case == CASES[2]:
        policies = [json.loads(s.endpoints["s3"]["PolicyDocument"]) for s in (state, before)]
        return policies[0] == policies[1]
    if case == CASES[3]:
        return [(p["FromPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in state.bastion_group["IpPermissions"]] \
            == [(22, ADMIN_CIDRS)]
    return state.private_instance["InstanceId"] == before.private_instance["InstanceId"]


@dataclass(frozen=True)
class Drift:
    before: State
    drifted: State
    posture: PlaybookRun
    repair: PlaybookRun
    after: State


@pytest.fixture(scope="module")
def converged(life: Lifecycle) -> PlaybookRun:
    return life.converge("-vvv", private_hosts=True)


@pytest.fixture(scope="module")
def drift(life: Lifecycle, converged: PlaybookRun) -> Drift:
    assert converged.succeeded, "no converged scenario to drift"
    before = read_state()
    apply_drift(before)
    drifted = read_state()
    posture = life.posture()
    repair = life.converge("--diff", private_hosts=True)
    return Drift(before, drifted, posture, repair, read_state())


def test_check_mode_on_empty_account(steps: Steps) -> None:
    steps.check_mode_on_empty_account()


def test_converge_output_has_no_secrets(steps: Steps, converged: PlaybookRun) -> None:
    assert "TASK [privnet.aws.aws_cli" in converged.output, "the -vvv converge did not configure the private host"
    steps.no_secrets(converged)


def test_posture_has_no_findings(steps: Steps, converged: PlaybookRun) -> None:
    assert converged.succeeded
    steps.posture_clean()


def test_check_mode_on_converged_account_changes_nothing(steps: Steps, converged: PlaybookRun) -> None:
    assert converged.succeeded
    steps.check_mode_on_converged_account()


def test_posture_check_fails_on_drift(drift: Drift) -> None:
    count, checks = posture_findings(drift.posture)
    found = {"world_open_risky_port", "imdsv2_not_required", "endpoint_full_access_policy"} <= set(checks)
    record("posture_findings", SCENARIO.name, "drifted (negative control)", -1 if count is None else count,
           not drift.posture.succeeded and found)
    assert not drift.posture.succeeded, "the posture check passed on a drifted account"
    assert found, f"findings {checks}"


@pytest.mark.parametrize("case", CASES)
def test_drift_is_repaired(drift: Drift, case: str) -> None:
    check_drift_repaired(SCENARIO.name, case, drift_present(case, drift.before, drift.drifted),
                         repaired(case, drift.before, drift.after), drift.repair)


def test_teardown_leaves_nothing(steps: Steps) -> None:
    steps.teardown_leaves_nothing()


def test_teardown_again_changes_nothing(steps: Steps) -> None:
    steps.teardown_again_changes_nothing()
