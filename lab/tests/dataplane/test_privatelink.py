"""Must show: curl from a private instance in VPC A reaches an application behind an NLB in VPC B through a
PrivateLink endpoint, only after the provider accepts the connection."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from scenario import key_pair, make_vpc, private_host, run_instance, ssh, wait_endpoint, wait_running

PROVIDER = "111111111111"
CONSUMER = "222222222222"
APP = """#!/bin/sh
mkdir -p /srv/app
echo "hello from the privatelink app" > /srv/app/index.html
cd /srv/app && nohup python3 -m http.server 8080 >/var/log/app.log 2>&1 &
"""


def _provider(lab, tmp: Path) -> tuple[str, str]:
    """VPC B: an application on a private instance behind an internal NLB, published as an endpoint service."""
    ec2 = lab.client("ec2")
    elb = lab.client("elbv2")
    vpc = make_vpc(ec2, "10.1.0.0/16", with_igw=False)
    ec2.authorize_security_group_ingress(
        GroupId=vpc.sg_private,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}
        ],
    )
    key_name, _key = key_pair(ec2, tmp, "provider-key")
    app = run_instance(ec2, vpc.private_subnet, [vpc.sg_private], key_name, user_data=APP)
    assert wait_running(ec2, app["InstanceId"]) == "running"
    nlb = elb.create_load_balancer(Name="app-nlb", Type="network", Scheme="internal", Subnets=[vpc.private_subnet])[
        "LoadBalancers"
    ][0]
    tg = elb.create_target_group(Name="app-tg", Protocol="TCP", Port=8080, VpcId=vpc.vpc_id, TargetType="instance")[
        "TargetGroups"
    ][0]
    elb.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": app["InstanceId"], "Port": 8080}])
    elb.create_listener(
        LoadBalancerArn=nlb["LoadBalancerArn"],
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )
    dead = elb.create_target_group(Name="dead-tg", Protocol="TCP", Port=9999, VpcId=vpc.vpc_id, TargetType="instance")[
        "TargetGroups"
    ][0]  # nothing listens on 9999: real health checks fail
    elb.register_targets(TargetGroupArn=dead["TargetGroupArn"], Targets=[{"Id": app["InstanceId"], "Port": 9999}])
    elb.create_listener(
        LoadBalancerArn=nlb["LoadBalancerArn"],
        Protocol="TCP",
        Port=81,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": dead["TargetGroupArn"]}],
    )
    service = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb["LoadBalancerArn"]], AcceptanceRequired=True
    )["ServiceConfiguration"]
    return service["ServiceId"], service["ServiceName"]


def _health_until(elb, tg_arn: str, wanted: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        health = elb.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
        state = health[0]["TargetHealth"]["State"]
        if state == wanted or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


def test_nlb_target_health_comes_from_real_tcp_checks(clean_lab, tmp_path: Path) -> None:
    lab = clean_lab
    _provider(lab, tmp_path)
    lab.converge()
    elb = lab.client("elbv2")
    groups = {tg["TargetGroupName"]: tg["TargetGroupArn"] for tg in elb.describe_target_groups()["TargetGroups"]}
    assert _health_until(elb, groups["app-tg"], "healthy") == "healthy"
    assert _health_until(elb, groups["dead-tg"], "unhealthy") == "unhealthy"


def _curl_until(key: Path, private: str, bastion: str, url: str, timeout: float = 20) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while True:
        result = ssh(key, private, f"curl -sS -m 5 {url}", jump=bastion)
        if result.returncode == 0 or time.monotonic() > deadline:
            return result.returncode, result.stdout + result.stderr
        time.sleep(0.5)


@pytest.mark.parametrize("consumer", [PROVIDER, CONSUMER], ids=["same-account", "cross-account"])
def test_privatelink_only_after_acceptance(clean_lab, tmp_path: Path, consumer: str) -> None:
    lab = clean_lab
    service_id, service_name = _provider(lab, tmp_path)
    if consumer != PROVIDER:
        lab.client("ec2").modify_vpc_endpoint_service_permissions(
            ServiceId=service_id, AddAllowedPrincipals=[f"arn:aws:iam::{consumer}:root"]
        )
    vpc, key, bastion, private = private_host(lab, tmp_path, "consumer-key", account=consumer)
    ec2 = lab.client("ec2", consumer)
    sg = ec2.create_security_group(GroupName="pl-endpoint", Description="endpoint", VpcId=vpc.vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}],
    )
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=service_name,
        SubnetIds=[vpc.private_subnet],
        SecurityGroupIds=[sg],
    )["VpcEndpoint"]
    endpoint_id = endpoint["VpcEndpointId"]
    assert wait_endpoint(ec2, endpoint_id, "pendingAcceptance")["State"] == "pendingAcceptance"
    lab.converge()
    url = f"http://{endpoint['DnsEntries'][0]['DnsName']}/"

    pending = ssh(key, private, f"curl -sS -m 5 {url}", jump=bastion)
    assert pending.returncode != 0
    assert "hello from the privatelink app" not in pending.stdout

    lab.client("ec2").accept_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=[endpoint_id])
    assert wait_endpoint(ec2, endpoint_id, "available")["State"] == "available"
    lab.converge()
    code, output = _curl_until(key, private, bastion, url)
    assert code == 0, output
    assert output == "hello from the privatelink app\n"
