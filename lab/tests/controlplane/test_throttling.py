"""EC2 throttling with AWS's token buckets, answered exactly as EC2 answers it."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from awslab.controlplane.requestinfo import RequestInfo
from awslab.controlplane.throttle import ThrottleGate, TokenBucket, bucket_for

from .helpers import make_subnet, make_vpc


def request(action: str, mutating: bool, **params: str) -> RequestInfo:
    return RequestInfo("ec2", action, "111111111111", "ap-northeast-1", "111111111111", mutating,
                       {key: [value] for key, value in params.items()})


def test_sixth_burst_of_create_vpc_endpoint_hits_the_limit_on_the_fifth(lab: Any, ec2: Any) -> None:
    vpc_id = make_vpc(ec2, "10.50.0.0/16")
    subnets = [make_subnet(ec2, vpc_id, f"10.50.{index}.0/24", zone) for index, zone in enumerate("acd", 1)]
    lab.configure(throttle="aws")
    outcomes = []
    for index in range(6):
        try:
            ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName="com.amazonaws.ap-northeast-1.sqs",
                                    VpcEndpointType="Interface", SubnetIds=[subnets[index % 3]],
                                    PrivateDnsEnabled=False)
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert outcomes[:5] == ["ok", "ok", "ok", "ok", "RequestLimitExceeded"]
    assert outcomes[5] == "RequestLimitExceeded"
    throttled = [entry.seq for entry in lab.journal() if entry.error == "RequestLimitExceeded"]
    assert len(throttled) == 2


def test_throttle_off_lets_the_same_burst_through(lab: Any, ec2: Any) -> None:
    vpc_id = make_vpc(ec2, "10.51.0.0/16")
    subnet_id = make_subnet(ec2, vpc_id, "10.51.1.0/24")
    for _ in range(6):
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName="com.amazonaws.ap-northeast-1.sqs",
                                VpcEndpointType="Interface", SubnetIds=[subnet_id], PrivateDnsEnabled=False)


def test_buckets_are_per_account(lab: Any, ec2: Any, ec2_b: Any) -> None:
    lab.configure(throttle="aws")
    for _ in range(4):
        ec2.delete_vpc_endpoints(VpcEndpointIds=["vpce-0123456789abcdef0"])
    with pytest.raises(ClientError):
        ec2.delete_vpc_endpoints(VpcEndpointIds=["vpce-0123456789abcdef0"])
    ec2_b.delete_vpc_endpoints(VpcEndpointIds=["vpce-0123456789abcdef0"])


def test_request_limit_exceeded_wire_shape(lab: Any) -> None:
    lab.configure(throttle="aws")
    signed = _signed_request(lab, "DeleteVpcEndpoints")
    responses = [requests.post(lab.url, data=signed["body"], headers=signed["headers"], timeout=10) for _ in range(5)]
    last = responses[-1]
    assert last.status_code == 503
    assert last.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>" in (
        last.text)
    assert "<RequestID>" in last.text


def _signed_request(lab: Any, action: str) -> dict[str, Any]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = f"Action={action}&Version=2016-11-15&VpcEndpointId.1=vpce-0123456789abcdef0"
    raw = AWSRequest(method="POST", url=lab.url, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("111111111111", "secret"), "ec2", "ap-northeast-1").add_auth(raw)
    return {"body": body, "headers": dict(raw.headers)}


@pytest.mark.parametrize("mode", ["standard", "legacy"])
def test_botocore_retries_request_limit_exceeded(lab: Any, mode: str) -> None:
    lab.configure(faults="throttle=1.0,burst=2,seed=1,services=ec2")
    ec2 = lab.client("ec2", retries={"mode": mode, "total_max_attempts": 3})
    answer = ec2.describe_vpcs()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    codes = [entry.error for entry in lab.journal()]
    assert codes == ["RequestLimitExceeded", "RequestLimitExceeded", None]


def test_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket(capacity=4, refill_per_second=0.3, tokens=4, updated=0.0)
    assert [bucket.take(0.0) for _ in range(5)] == [True, True, True, True, False]
    assert bucket.take(3.0) is False
    assert bucket.take(3.4) is True


def test_buckets_follow_the_ec2_documentation() -> None:
    assert bucket_for(request("CreateVpcEndpoint", True)) == ("CreateVpcEndpoint", (4, 0.3))
    assert bucket_for(request("AcceptVpcEndpointConnections", True))[1] == (10, 1)
    assert bucket_for(request("CreateNatGateway", True))[1] == (10, 1)
    assert bucket_for(request("RunInstances", True))[1] == (5, 2)
    assert bucket_for(request("CreateTags", True))[1] == (100, 10)
    assert bucket_for(request("DescribeVpcs", False)) == ("non-mutating", (100.0, 20.0))
    assert bucket_for(request("DescribeInstances", False)) == ("unfiltered-unpaginated", (50.0, 10.0))
    assert bucket_for(request("DescribeInstances", False, MaxResults="5"))[0] == "non-mutating"
    assert bucket_for(request("DescribeInstances", False, **{"InstanceId.1": "i-1"}))[0] == "non-mutating"
    assert bucket_for(request("CreateVpc", True)) == ("mutating", (50.0, 5.0))


def test_gate_ignores_other_services_and_refills_with_time() -> None:
    now = [0.0]
    gate = ThrottleGate(clock=lambda: now[0])  # type: ignore[arg-type]
    create = request("CreateVpcEndpoint", True)
    assert [gate.before(create) is None for _ in range(5)] == [True, True, True, True, False]
    now[0] = 3.5
    assert gate.before(create) is None
    sts = RequestInfo("sts", "GetCallerIdentity", "111111111111", "ap-northeast-1", "", False, {})
    assert all(gate.before(sts) is None for _ in range(500))
