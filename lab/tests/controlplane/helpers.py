"""Helpers for the control-plane tests: a client factory, polling, and small boto3 builders."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import boto3
from botocore.config import Config

from awslab.config import DEFAULT_REGION, LabConfig
from awslab.controlplane.scheduler import SCHEDULER
from awslab.controlplane.server import LabServer

ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
TEST_TIME_SCALE = 0.002
T = TypeVar("T")


class Lab:
    def __init__(self, server: LabServer) -> None:
        self.server = server

    @property
    def url(self) -> str:
        return self.server.endpoint_url

    def client(self, service: str, account: str = ACCOUNT_A, region: str = DEFAULT_REGION,
               retries: dict[str, Any] | None = None, read_timeout: float = 60) -> Any:
        config = Config(retries=retries or {"total_max_attempts": 1, "mode": "standard"}, read_timeout=read_timeout)
        return boto3.client(service, endpoint_url=self.url, region_name=region, aws_access_key_id=account,
                            aws_secret_access_key="secret", config=config)

    def configure(self, **options: Any) -> None:
        self.server.reconfigure(LabConfig(**{"time_scale": TEST_TIME_SCALE, **options}))

    def journal(self, since: int = 0) -> list[Any]:
        return self.server.journal.entries(since)

    @contextlib.contextmanager
    def clock_stopped(self) -> Iterator[None]:
        """No delayed transition happens inside the block (so intermediate states can be observed); they resume
        after it, on their scaled schedule."""
        SCHEDULER.pause()
        try:
            yield
        finally:
            SCHEDULER.resume()

    def step(self) -> None:
        """With the clock stopped: apply the next scheduled transition now."""
        assert SCHEDULER.step(), "no transition was scheduled"


def wait_for(probe: Callable[[], T], done: Callable[[T], bool], timeout: float = 20.0) -> T:
    """Poll probe() until done(result); fail with the last result after timeout."""
    deadline = time.monotonic() + timeout
    result = probe()
    while not done(result):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in {timeout}s; last value: {result!r}")
        time.sleep(0.01)
        result = probe()
    return result


def states_until(probe: Callable[[], str], final: str, timeout: float = 20.0) -> list[str]:
    """Every distinct state probe() reports until it reports final."""
    seen: list[str] = []

    def record() -> str:
        state = probe()
        if not seen or seen[-1] != state:
            seen.append(state)
        return state

    wait_for(record, lambda state: state == final, timeout)
    return seen


def make_vpc(ec2: Any, cidr: str = "10.0.0.0/16", dns: bool = True) -> str:
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    if dns:
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    return vpc_id


def make_subnet(ec2: Any, vpc_id: str, cidr: str, zone: str = "a") -> str:
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=f"{DEFAULT_REGION}{zone}")
    return str(subnet["Subnet"]["SubnetId"])


def route_table(ec2: Any, vpc_id: str) -> str:
    return ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]


def endpoint(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]


def endpoint_state(ec2: Any, endpoint_id: str) -> str:
    return str(endpoint(ec2, endpoint_id)["State"])


def make_nlb(lab: Any, subnet_id: str, name: str = "provider-nlb", account: str = "111111111111") -> str:
    elb = lab.client("elbv2", account)
    balancer = elb.create_load_balancer(Name=name, Subnets=[subnet_id], Type="network", Scheme="internal")
    return str(balancer["LoadBalancers"][0]["LoadBalancerArn"])


def make_service(lab: Any, ec2: Any, subnet_id: str, acceptance: bool = True, **extra: Any) -> dict[str, Any]:
    service = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[make_nlb(lab, subnet_id)], AcceptanceRequired=acceptance, **extra
    )["ServiceConfiguration"]
    wait_for(
        lambda: ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service["ServiceId"]])[
            "ServiceConfigurations"][0]["ServiceState"],
        lambda state: state == "Available",
    )
    return service
