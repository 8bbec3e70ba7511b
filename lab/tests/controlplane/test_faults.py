"""Fault injection: rates, seeds, bounds, and what each fault looks like to a boto3 client."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from awslab.controlplane.faults import FaultGate
from awslab.controlplane.faultspec import FaultSpec, parse_fault_spec
from awslab.controlplane.requestinfo import RequestInfo

from .helpers import make_subnet, make_vpc


def describe(action: str = "DescribeVpcs") -> RequestInfo:
    return RequestInfo("ec2", action, "111111111111", "ap-northeast-1", "111111111111", False, {})


def decisions(spec: str, count: int = 200) -> list[str | None]:
    gate = FaultGate(parse_fault_spec(spec))
    outcomes = []
    for index in range(count):
        intervention = gate.before(describe(f"Describe{index % 7}"))
        outcomes.append(intervention.kind if intervention else None)
    return outcomes


def test_spec_parsing() -> None:
    spec = parse_fault_spec("throttle=0.2,5xx=0.05,reset=0.01,notfound=0.3,seed=7,max=9,burst=1,services=ec2+sts")
    assert spec == FaultSpec(throttle=0.2, server_error=0.05, reset=0.01, notfound=0.3, seed=7, max_total=9,
                             burst=1, services=frozenset({"ec2", "sts"}))
    assert not parse_fault_spec("").active
    held = parse_fault_spec("hold=ec2:CreateVpc+iam:CreateRole,holdfor=2.5")
    assert held == FaultSpec(hold=frozenset({"ec2:CreateVpc", "iam:CreateRole"}), hold_seconds=2.5)
    assert held.active
    for bad in ("throttle=2", "bogus=1", "throttle", "hold=CreateVpc", "hold=ec2:", "holdfor=0", "holdfor=61"):
        with pytest.raises(ValueError):
            parse_fault_spec(bad)


def test_same_seed_same_faults_other_seed_other_faults() -> None:
    spec = "throttle=0.2,5xx=0.1,reset=0.05,seed=7,max=1000"
    first, second = decisions(spec), decisions(spec)
    assert first == second
    assert decisions(spec.replace("seed=7", "seed=8")) != first
    kinds = {kind for kind in first if kind}
    assert kinds == {"throttle", "5xx", "reset"}
    rate = sum(1 for kind in first if kind) / len(first)
    assert 0.2 < rate < 0.5


def test_faults_are_bounded_in_total_and_in_a_row() -> None:
    assert sum(1 for kind in decisions("throttle=1.0,max=5,burst=100") if kind) == 5
    outcomes = decisions("throttle=1.0,max=1000,burst=2", count=30)
    gate = FaultGate(parse_fault_spec("throttle=1.0,max=1000,burst=2"))
    same_action = [gate.before(describe()) for _ in range(9)]
    assert [item is not None for item in same_action] == [True, True, False] * 3
    assert outcomes.count(None) > 0


def test_injected_server_errors_are_retried_by_boto3(lab: Any) -> None:
    lab.configure(faults="5xx=1.0,burst=2,seed=3,services=ec2")
    answer = lab.client("ec2", retries={"mode": "standard", "total_max_attempts": 3}).describe_vpcs()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    injected = [entry for entry in lab.journal() if entry.injected]
    assert [entry.injected for entry in injected] == ["5xx", "5xx"]
    assert {entry.status for entry in injected} <= {500, 503}


def test_injected_connection_reset_reaches_the_client(lab: Any) -> None:
    lab.configure(faults="reset=1.0,burst=1,seed=3,services=ec2")
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        lab.client("ec2").describe_vpcs()
    assert [entry.error for entry in lab.journal()] == ["ConnectionReset"]
    assert lab.client("ec2").describe_vpcs()["Vpcs"]


def test_describe_right_after_create_can_miss_the_new_endpoint(lab: Any, ec2: Any) -> None:
    vpc_id = make_vpc(ec2, "10.60.0.0/16")
    subnet_id = make_subnet(ec2, vpc_id, "10.60.1.0/24")
    lab.configure(faults="notfound=1.0,burst=1,seed=5,services=ec2")
    created = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName="com.amazonaws.ap-northeast-1.sqs",
                                      VpcEndpointType="Interface", SubnetIds=[subnet_id])["VpcEndpoint"]
    endpoint_id = created["VpcEndpointId"]
    with pytest.raises(ClientError) as error:
        ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])
    assert error.value.response["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"
    assert endpoint_id in error.value.response["Error"]["Message"]
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["VpcEndpointId"] == endpoint_id
    for _ in range(3):  # once visible, it stays visible
        assert ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"]


def test_faults_limited_to_named_services(lab: Any) -> None:
    lab.configure(faults="throttle=1.0,services=ec2")
    assert lab.client("sts").get_caller_identity()["Account"] == "111111111111"
    with pytest.raises(ClientError) as error:
        lab.client("ec2").describe_vpcs()
    assert error.value.response["Error"]["Code"] == "RequestLimitExceeded"


def test_a_seed_replays_the_same_faults_against_the_server(lab: Any) -> None:
    def run() -> list[str | None]:
        lab.configure(faults="throttle=0.3,5xx=0.2,seed=11,services=ec2")
        ec2 = lab.client("ec2")
        outcomes: list[str | None] = []
        for _ in range(25):
            try:
                ec2.describe_vpcs()
                outcomes.append(None)
            except ClientError as error:
                outcomes.append(error.response["Error"]["Code"])
        return outcomes

    first = run()
    assert first == run()
    assert {"RequestLimitExceeded"} <= set(first) and None in first


def test_a_held_answer_is_made_and_journaled_at_once_but_leaves_only_later(lab: Any, ec2: Any) -> None:
    lab.configure(faults="hold=ec2:CreateVpc,holdfor=3")
    impatient = lab.client("ec2", read_timeout=1)
    with pytest.raises(ReadTimeoutError):
        impatient.create_vpc(CidrBlock="10.61.0.0/16")
    assert "10.61.0.0/16" in {vpc["CidrBlock"] for vpc in ec2.describe_vpcs()["Vpcs"]}  # the change was made
    created = [entry for entry in lab.journal() if entry.action == "CreateVpc"]
    assert [(entry.status, entry.injected) for entry in created] == [(200, "hold")]
    assert ec2.describe_vpcs()["Vpcs"]  # other actions are answered at once
    lab.configure(faults="")
    assert impatient.create_vpc(CidrBlock="10.62.0.0/16")["Vpc"]["VpcId"]
