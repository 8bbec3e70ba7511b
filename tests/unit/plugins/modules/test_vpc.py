"""privnet.aws.vpc against botocore's Stubber: one module run for the VPC, its gateway and its subnets.

Every mutating call a test does not expect fails it (the Stubber has no answer for it), so each test also shows
that nothing else is changed.
"""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.privnet.aws.plugins.modules import vpc

VPC_ID = "vpc-0123456789abcdef0"
IGW_ID = "igw-0123456789abcdef0"
CIDR = "10.0.0.0/16"
ZONE = "ap-northeast-1a"
TAGS = {"privnet:project": "demo"}
VPC_TAGS = {**TAGS, "Name": "demo"}
IGW_TAGS = {**TAGS, "Name": "demo-igw"}
PUBLIC = {"cidr": "10.0.0.0/24", "az": ZONE, "tags": {**TAGS, "Name": "demo-public-1", "privnet:tier": "public"}}
PRIVATE = {"cidr": "10.0.128.0/24", "az": ZONE, "tags": {**TAGS, "Name": "demo-private-1", "privnet:tier": "private"}}
ARGS = {"name": "demo", "cidr": CIDR, "tags": TAGS, "internet_gateway_tags": IGW_TAGS, "subnets": [PUBLIC, PRIVATE]}


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def in_vpc(name: str, *values: str) -> dict[str, Any]:
    return {"Name": name, "Values": list(values)}


def a_vpc(tags: dict[str, str] | None = None) -> dict[str, Any]:
    return {"VpcId": VPC_ID, "CidrBlock": CIDR, "State": "available", "Tags": tag_list(tags or VPC_TAGS)}


def a_gateway(tags: dict[str, str] | None = None, attached: bool = True) -> dict[str, Any]:
    attachments = [{"VpcId": VPC_ID, "State": "available"}] if attached else []
    return {"InternetGatewayId": IGW_ID, "Attachments": attachments, "Tags": tag_list(tags or IGW_TAGS)}


def a_subnet(spec: dict[str, Any], number: int, **fields: Any) -> dict[str, Any]:
    subnet = {"SubnetId": f"subnet-{number}", "VpcId": VPC_ID, "CidrBlock": spec["cidr"],
              "AvailabilityZone": spec["az"], "State": "available", "MapPublicIpOnLaunch": False,
              "AssignIpv6AddressOnCreation": False, "Tags": tag_list(spec["tags"])}
    subnet.update(fields)
    return subnet


def expect_vpc_found(ec2, vpcs: list[dict[str, Any]]) -> None:
    ec2.add_response("describe_vpcs", {"Vpcs": vpcs},
                     {"Filters": [in_vpc("tag:Name", "demo"), in_vpc("cidr-block", CIDR)]})


def expect_dns(ec2, support: bool = True, hostnames: bool = True) -> None:
    for attribute, key, value in (("enableDnsSupport", "EnableDnsSupport", support),
                                  ("enableDnsHostnames", "EnableDnsHostnames", hostnames)):
        ec2.add_response("describe_vpc_attribute", {"VpcId": VPC_ID, key: {"Value": value}},
                         {"VpcId": VPC_ID, "Attribute": attribute})


def expect_attached_gateways(ec2, gateways: list[dict[str, Any]]) -> None:
    ec2.add_response("describe_internet_gateways", {"InternetGateways": gateways},
                     {"Filters": [in_vpc("attachment.vpc-id", VPC_ID)]})


def expect_tagged_gateways(ec2, gateways: list[dict[str, Any]]) -> None:
    ec2.add_response("describe_internet_gateways", {"InternetGateways": gateways},
                     {"Filters": [in_vpc(f"tag:{key}", value) for key, value in IGW_TAGS.items()]})


def expect_subnets(ec2, subnets: list[dict[str, Any]]) -> None:
    ec2.add_response("describe_subnets", {"Subnets": subnets}, {"Filters": [in_vpc("vpc-id", VPC_ID)]})


def expect_reread(ec2, subnets: list[dict[str, Any]]) -> None:
    ec2.add_response("describe_vpcs", {"Vpcs": [a_vpc()]}, {"VpcIds": [VPC_ID]})
    ec2.add_response("describe_subnets", {"Subnets": subnets}, {"SubnetIds": [s["SubnetId"] for s in subnets]})


def test_a_vpc_as_planned_takes_five_reads_and_changes_nothing(ec2, run_module):
    expect_vpc_found(ec2, [a_vpc()])
    expect_dns(ec2)
    expect_attached_gateways(ec2, [a_gateway()])
    expect_subnets(ec2, [a_subnet(PRIVATE, 2), a_subnet(PUBLIC, 1)])

    result = run_module(vpc.main, copy.deepcopy(ARGS))

    assert result["changed"] is False
    assert result["changes"] == []
    assert result["vpc"]["id"] == VPC_ID
    assert result["internet_gateway_id"] == IGW_ID
    assert [subnet["id"] for subnet in result["subnets"]] == ["subnet-1", "subnet-2"]
    assert result["subnets"][1]["tags"] == PRIVATE["tags"]


def test_an_empty_account_gets_everything_created_tagged_in_one_run_without_a_pause(ec2, run_module, sleeps):
    expect_vpc_found(ec2, [])
    ec2.add_response("create_vpc", {"Vpc": a_vpc()},
                     {"CidrBlock": CIDR, "TagSpecifications": [{"ResourceType": "vpc", "Tags": tag_list(VPC_TAGS)}]})
    expect_dns(ec2, hostnames=False)
    ec2.add_response("modify_vpc_attribute", {}, {"VpcId": VPC_ID, "EnableDnsHostnames": {"Value": True}})
    expect_attached_gateways(ec2, [])
    expect_tagged_gateways(ec2, [])
    ec2.add_response("create_internet_gateway", {"InternetGateway": a_gateway(attached=False)},
                     {"TagSpecifications": [{"ResourceType": "internet-gateway", "Tags": tag_list(IGW_TAGS)}]})
    ec2.add_response("attach_internet_gateway", {}, {"InternetGatewayId": IGW_ID, "VpcId": VPC_ID})
    expect_subnets(ec2, [])
    created = []
    for number, spec in enumerate((PUBLIC, PRIVATE), start=1):
        subnet = a_subnet(spec, number)
        ec2.add_response("create_subnet", {"Subnet": subnet},
                         {"VpcId": VPC_ID, "CidrBlock": spec["cidr"], "AvailabilityZone": ZONE,
                          "TagSpecifications": [{"ResourceType": "subnet", "Tags": tag_list(spec["tags"])}]})
        created.append(subnet)
    expect_reread(ec2, created)

    result = run_module(vpc.main, copy.deepcopy(ARGS))

    assert result["changed"] is True
    assert result["changes"] == [
        "create VPC demo 10.0.0.0/16",
        "set enableDnsHostnames of VPC demo to True",
        "create internet gateway of VPC demo",
        "attach internet gateway of VPC demo",
        f"create subnet demo-public-1 10.0.0.0/24 in {ZONE}",
        f"create subnet demo-private-1 10.0.128.0/24 in {ZONE}",
    ]
    assert [subnet["id"] for subnet in result["subnets"]] == ["subnet-1", "subnet-2"]
    assert sleeps == []


def test_drift_is_repaired_call_by_call_and_aws_tags_are_left_alone(ec2, run_module):
    expect_vpc_found(ec2, [a_vpc({**VPC_TAGS, "owner": "someone", "aws:cloudformation:stack-name": "kept"})])
    ec2.add_response("delete_tags", {}, {"Resources": [VPC_ID], "Tags": [{"Key": "owner"}]})
    ec2.add_response("describe_vpc_attribute", {"VpcId": VPC_ID, "EnableDnsSupport": {"Value": False}},
                     {"VpcId": VPC_ID, "Attribute": "enableDnsSupport"})
    ec2.add_response("modify_vpc_attribute", {}, {"VpcId": VPC_ID, "EnableDnsSupport": {"Value": True}})
    ec2.add_response("describe_vpc_attribute", {"VpcId": VPC_ID, "EnableDnsHostnames": {"Value": True}},
                     {"VpcId": VPC_ID, "Attribute": "enableDnsHostnames"})
    expect_attached_gateways(ec2, [a_gateway({**TAGS, "Name": "renamed"})])
    ec2.add_response("create_tags", {}, {"Resources": [IGW_ID], "Tags": [{"Key": "Name", "Value": "demo-igw"}]})
    public = a_subnet(PUBLIC, 1, MapPublicIpOnLaunch=True)
    private = a_subnet(PRIVATE, 2, Tags=tag_list({**TAGS, "Name": "demo-private-1"}))
    expect_subnets(ec2, [public, private])
    ec2.add_response("modify_subnet_attribute", {}, {"SubnetId": "subnet-1", "MapPublicIpOnLaunch": {"Value": False}})
    ec2.add_response("create_tags", {}, {"Resources": ["subnet-2"],
                                         "Tags": [{"Key": "privnet:tier", "Value": "private"}]})
    expect_reread(ec2, [a_subnet(PUBLIC, 1), a_subnet(PRIVATE, 2)])

    result = run_module(vpc.main, copy.deepcopy(ARGS))

    assert result["changes"] == [
        "remove tags owner of VPC demo",
        "set enableDnsSupport of VPC demo to True",
        "tag internet gateway of VPC demo with Name",
        "turn off public addresses on launch of subnet demo-public-1 10.0.0.0/24",
        "tag subnet demo-private-1 10.0.128.0/24 with privnet:tier",
    ]


def test_a_gateway_left_detached_by_a_stopped_run_is_attached_not_made_again(ec2, run_module):
    expect_vpc_found(ec2, [a_vpc()])
    expect_dns(ec2)
    expect_attached_gateways(ec2, [])
    expect_tagged_gateways(ec2, [a_gateway(attached=False)])
    ec2.add_response("attach_internet_gateway", {}, {"InternetGatewayId": IGW_ID, "VpcId": VPC_ID})
    subnets = [a_subnet(PUBLIC, 1), a_subnet(PRIVATE, 2)]
    expect_subnets(ec2, subnets)
    expect_reread(ec2, subnets)

    result = run_module(vpc.main, copy.deepcopy(ARGS))

    assert result["changes"] == ["attach internet gateway of VPC demo"]
    assert result["internet_gateway_id"] == IGW_ID


def test_check_mode_without_the_vpc_predicts_everything_and_calls_nothing_else(ec2, run_module):
    expect_vpc_found(ec2, [])

    result = run_module(vpc.main, copy.deepcopy(ARGS), check_mode=True)

    assert result["changed"] is True
    assert result["changes"] == [
        "create VPC demo 10.0.0.0/16",
        "create internet gateway of VPC demo",
        f"create subnet demo-public-1 10.0.0.0/24 in {ZONE}",
        f"create subnet demo-private-1 10.0.128.0/24 in {ZONE}",
    ]
    assert result["vpc"] == {}
    assert result["subnets"] == []


def test_check_mode_with_the_vpc_predicts_a_missing_subnet_with_an_empty_id(ec2, run_module):
    expect_vpc_found(ec2, [a_vpc()])
    expect_dns(ec2)
    expect_attached_gateways(ec2, [a_gateway()])
    expect_subnets(ec2, [a_subnet(PUBLIC, 1)])

    result = run_module(vpc.main, copy.deepcopy(ARGS), check_mode=True)

    assert result["changes"] == [f"create subnet demo-private-1 10.0.128.0/24 in {ZONE}"]
    assert [subnet["id"] for subnet in result["subnets"]] == ["subnet-1", ""]
    assert result["subnets"][1]["cidr_block"] == PRIVATE["cidr"]


def test_two_vpcs_with_the_name_and_block_fail_the_run(ec2, run_module):
    expect_vpc_found(ec2, [a_vpc(), {**a_vpc(), "VpcId": "vpc-twin"}])

    result = run_module(vpc.main, copy.deepcopy(ARGS))

    assert result["failed"] is True
    assert f"2 VPCs are named demo with block {CIDR} ({VPC_ID}, vpc-twin)" in result["msg"]


def test_a_subnet_in_another_zone_than_planned_fails_the_run(ec2, run_module):
    expect_vpc_found(ec2, [a_vpc()])
    expect_dns(ec2)
    expect_attached_gateways(ec2, [a_gateway()])
    expect_subnets(ec2, [a_subnet(PUBLIC, 1, AvailabilityZone="ap-northeast-1c"), a_subnet(PRIVATE, 2)])

    result = run_module(vpc.main, copy.deepcopy(ARGS))

    assert result["failed"] is True
    assert "subnet demo-public-1 10.0.0.0/24 is in zone ap-northeast-1c, planned in ap-northeast-1a" in result["msg"]


def test_a_block_listed_twice_fails_before_any_call(ec2, run_module):
    result = run_module(vpc.main, {**copy.deepcopy(ARGS), "subnets": [PUBLIC, PUBLIC]})

    assert result["failed"] is True
    assert result["msg"] == "subnets: each block may be listed once, got 10.0.0.0/24, 10.0.0.0/24"
