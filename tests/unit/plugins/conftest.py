"""Fixtures for running privnet.aws modules against botocore's Stubber.

The Stubber validates every expected request against the real EC2 API model, so a wrong parameter name or shape
fails the test. Any call the test did not expect fails too, which is how check mode is shown to make no mutating
call.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

import botocore.session
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from botocore.stub import Stubber

REGION = "ap-northeast-1"
ACCOUNT = "123456789012"
CREATED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture(scope="session")
def botocore_session():
    """One session for the run: it caches the (large) EC2 API model between tests."""
    return botocore.session.get_session()


@pytest.fixture
def ec2_client(botocore_session):
    return botocore_session.create_client(
        "ec2", region_name=REGION, aws_access_key_id="AKIDTEST", aws_secret_access_key="secret-test"
    )


@pytest.fixture
def ec2(ec2_client, monkeypatch) -> Iterator[Stubber]:
    """A Stubber on the EC2 client every module under test gets from ``module.client("ec2")``."""
    monkeypatch.setattr(AnsibleAWSModule, "client", lambda self, service, retry_decorator=None, **kw: ec2_client)
    stubber = Stubber(ec2_client)
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


@pytest.fixture
def stubbers(botocore_session, monkeypatch) -> Iterator[Callable[..., tuple[Stubber, ...]]]:
    """``ec2, iam = stubbers("ec2", "iam")``: a Stubber per service on the clients a module under test gets."""
    clients: dict[str, Any] = {}
    active: dict[str, Stubber] = {}
    monkeypatch.setattr(AnsibleAWSModule, "client", lambda self, service, retry_decorator=None, **kw: clients[service])

    def make(*services: str) -> tuple[Stubber, ...]:
        for service in services:
            clients[service] = botocore_session.create_client(
                service, region_name=REGION, aws_access_key_id="AKIDTEST", aws_secret_access_key="secret-test")
            active[service] = Stubber(clients[service])
            active[service].activate()
        return tuple(active[service] for service in services)

    yield make
    for stubber in active.values():
        stubber.assert_no_pending_responses()
        stubber.deactivate()


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Record sleeps (retry backoff, wait polls) instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(cloud.time, "sleep", recorded.append)
    return recorded


@pytest.fixture
def run_module(capsys) -> Callable[..., dict[str, Any]]:
    """Run a module's main() with the given arguments and return its JSON result (``failed`` set on failure)."""

    def run(main: Callable[[], None], args: dict[str, Any], check_mode: bool = False, diff: bool = False):
        full_args = dict(args, region=REGION, _ansible_check_mode=check_mode, _ansible_diff=diff)
        with patch_module_args(full_args), pytest.raises(SystemExit):
            main()
        out = capsys.readouterr().out
        return json.loads(out)

    return run


def vpc_endpoint(
    endpoint_id: str = "vpce-0a1",
    state: str = "available",
    vpc_id: str = "vpc-1",
    service_name: str = f"com.amazonaws.{REGION}.sqs",
    endpoint_type: str = "Interface",
    **fields: Any,
) -> dict[str, Any]:
    """An AWS-shaped VpcEndpoint structure."""
    endpoint = {
        "VpcEndpointId": endpoint_id,
        "VpcEndpointType": endpoint_type,
        "VpcId": vpc_id,
        "ServiceName": service_name,
        "State": state,
        "PolicyDocument": json.dumps(
            {
                "Version": "2008-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
            }
        ),
        "RouteTableIds": [],
        "SubnetIds": [],
        "Groups": [],
        "PrivateDnsEnabled": False,
        "IpAddressType": "ipv4",
        "DnsOptions": {"DnsRecordIpType": "ipv4"},
        "NetworkInterfaceIds": [],
        "CreationTimestamp": CREATED,
        "Tags": [],
        "OwnerId": ACCOUNT,
    }
    endpoint.update(fields)
    return endpoint


def service_configuration(service_id: str = "vpce-svc-1", state: str = "Available", **fields: Any) -> dict[str, Any]:
    """An AWS-shaped ServiceConfiguration structure."""
    service = {
        "ServiceType": [{"ServiceType": "Interface"}],
        "ServiceId": service_id,
        "ServiceName": f"com.amazonaws.vpce.{REGION}.{service_id}",
        "ServiceState": state,
        "AcceptanceRequired": True,
        "ManagesVpcEndpoints": False,
        "NetworkLoadBalancerArns": [f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/net/app/1"],
        "SupportedIpAddressTypes": ["ipv4"],
        "BaseEndpointDnsNames": [f"{service_id}.{REGION}.vpce.amazonaws.com"],
        "Tags": [],
    }
    service.update(fields)
    return service


def connection(endpoint_id: str, state: str, service_id: str = "vpce-svc-1", owner: str = ACCOUNT) -> dict[str, Any]:
    return {
        "ServiceId": service_id,
        "VpcEndpointId": endpoint_id,
        "VpcEndpointOwner": owner,
        "VpcEndpointState": state,
        "CreationTimestamp": CREATED,
    }


@pytest.fixture
def aws_shapes():
    """Builders for AWS-shaped structures."""

    class Shapes:
        endpoint = staticmethod(vpc_endpoint)
        service = staticmethod(service_configuration)
        connection = staticmethod(connection)

    return Shapes
