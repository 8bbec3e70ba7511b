"""privnet.aws.vpc_layout_info: the reads against botocore's Stubber, and every drift the comparison must see."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ansible_collections.privnet.aws.plugins.module_utils._vpc_layout import compare_layout
from ansible_collections.privnet.aws.plugins.modules import vpc_layout_info

TAGS = {"privnet:project": "demo", "team": "net"}
PLAN = {
    "name": "demo",
    "cidr": "10.0.0.0/16",
    "tags": TAGS,
    "public_subnets": [{"name": "demo-public-1-a", "cidr": "10.0.0.0/24", "az": "ap-northeast-1a"}],
    "private_subnets": [
        {"name": "demo-private-1-a", "cidr": "10.0.128.0/24", "az": "ap-northeast-1a"},
        {"name": "demo-private-2-c", "cidr": "10.0.129.0/24", "az": "ap-northeast-1c"},
    ],
    "nat_gateway": False,
    "restrict_default_security_group": True,
}
VPC_ID = "vpc-0123456789abcdef0"
IGW_ID = "igw-0123456789abcdef0"


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def subnet(index: int, planned: dict[str, str], tier: str) -> dict[str, Any]:
    return {
        "SubnetId": f"subnet-{index:017d}",
        "VpcId": VPC_ID,
        "CidrBlock": planned["cidr"],
        "AvailabilityZone": planned["az"],
        "MapPublicIpOnLaunch": False,
        "AssignIpv6AddressOnCreation": False,
        "State": "available",
        "Tags": tag_list({**TAGS, "Name": planned["name"], "privnet:tier": tier}),
    }


def route_table(index: int, name: str, tier: str, subnet_ids: list[str], routes: list[dict[str, str]]):
    local = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable"}
    return {
        "RouteTableId": f"rtb-{index:017d}",
        "VpcId": VPC_ID,
        "Routes": [local, *routes],
        "Associations": [{"Main": False, "SubnetId": subnet_id, "RouteTableId": f"rtb-{index:017d}",
                          "RouteTableAssociationId": f"rtbassoc-{index}{n}"} for n, subnet_id in enumerate(subnet_ids)],
        "Tags": tag_list({**TAGS, "Name": name, "privnet:tier": tier}),
    }


def converged() -> dict[str, Any]:
    """What read_layout returns for the VPC vpc_base built from PLAN."""
    public = [subnet(1, PLAN["public_subnets"][0], "public")]
    private = [subnet(2 + n, planned, "private") for n, planned in enumerate(PLAN["private_subnets"])]
    internet = {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW_ID, "Origin": "CreateRoute", "State": "active"}
    endpoint_route = {"DestinationPrefixListId": "pl-61a54008", "GatewayId": "vpce-0123", "Origin": "CreateRoute"}
    main_table = route_table(9, "", "", [], [])
    main_table["Associations"] = [{"Main": True, "RouteTableId": main_table["RouteTableId"]}]
    main_table["Tags"] = []
    return {
        "vpcs": [{"VpcId": VPC_ID, "CidrBlock": "10.0.0.0/16", "State": "available",
                  "Tags": tag_list({**TAGS, "Name": "demo", "aws:cloudformation:stack-name": "ignored"})}],
        "dns_support": True,
        "dns_hostnames": True,
        "internet_gateways": [{"InternetGatewayId": IGW_ID, "Tags": tag_list({**TAGS, "Name": "demo-igw"}),
                               "Attachments": [{"VpcId": VPC_ID, "State": "available"}]}],
        "subnets": public + private,
        "route_tables": [
            main_table,
            route_table(1, "demo-public", "public", [public[0]["SubnetId"]], [internet]),
            route_table(2, "demo-private-1-a", "private", [private[0]["SubnetId"]], [endpoint_route]),
            route_table(3, "demo-private-2-c", "private", [private[1]["SubnetId"]], []),
        ],
        "default_groups": [{"GroupId": "sg-0default", "GroupName": "default", "IpPermissions": [],
                            "IpPermissionsEgress": [], "Tags": tag_list({**TAGS, "Name": "demo-default"})}],
        "nat_gateways": [],
    }


def test_the_converged_layout_has_no_difference_and_gives_every_fact():
    differences, facts = compare_layout(converged(), PLAN)

    assert differences == []
    assert facts["vpc_id"] == VPC_ID
    assert facts["igw_id"] == IGW_ID
    assert [item["id"] for item in facts["public_subnets"]] == ["subnet-00000000000000001"]
    assert [item["cidr_block"] for item in facts["private_subnets"]] == ["10.0.128.0/24", "10.0.129.0/24"]
    assert facts["private_subnets"][0]["tags"]["Name"] == "demo-private-1-a"
    assert facts["public_route_table_id"] == "rtb-00000000000000001"
    assert facts["private_route_table_ids"] == ["rtb-00000000000000002", "rtb-00000000000000003"]
    assert facts["nat_gateway_id"] == ""


def drop_route(layout, table_index):
    layout["route_tables"][table_index]["Routes"] = layout["route_tables"][table_index]["Routes"][:1]


def add_route(layout, table_index):
    layout["route_tables"][table_index]["Routes"].append(
        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW_ID, "Origin": "CreateRoute"})


DRIFTS = {
    "no VPC": (lambda layout: layout.update(vpcs=[]), "VPC demo 10.0.0.0/16: 0 found"),
    "two VPCs": (lambda layout: layout["vpcs"].append(dict(layout["vpcs"][0], VpcId="vpc-2")), "2 found"),
    "DNS host names off": (lambda layout: layout.update(dns_hostnames=False), "VPC DNS host names"),
    "VPC tag removed": (lambda layout: layout["vpcs"][0]["Tags"].pop(0), "VPC tags"),
    "extra tag on a subnet": (lambda layout: layout["subnets"][1]["Tags"].append({"Key": "x", "Value": "y"}),
                              "private subnet demo-private-1-a 10.0.128.0/24 tags"),
    "gateway detached": (lambda layout: layout.update(internet_gateways=[]), "internet gateway attached"),
    "subnet missing": (lambda layout: layout["subnets"].pop(2), "10.0.129.0/24: missing"),
    "public addresses on launch": (lambda layout: layout["subnets"][0].update(MapPublicIpOnLaunch=True),
                                   "public addresses on launch"),
    "subnet in another zone": (lambda layout: layout["subnets"][2].update(AvailabilityZone="ap-northeast-1d"),
                               "zone"),
    "internet route deleted": (lambda layout: drop_route(layout, 1), "public route table routes"),
    "internet route on a private table": (lambda layout: add_route(layout, 3), "route table demo-private-2-c routes"),
    "private association removed": (lambda layout: layout["route_tables"][2].update(Associations=[]),
                                    "route table demo-private-1-a subnets"),
    "private table missing": (lambda layout: layout["route_tables"].pop(3), "route table demo-private-2-c: 0 found"),
    "rule in the default group": (
        lambda layout: layout["default_groups"][0]["IpPermissionsEgress"].append({"IpProtocol": "-1"}),
        "default security group outbound rules"),
    "unwanted NAT gateway": (lambda layout: layout["nat_gateways"].append(
        {"NatGatewayId": "nat-1", "State": "available", "SubnetId": "subnet-00000000000000001",
         "Tags": tag_list(TAGS)}), "NAT gateways of the project"),
}


@pytest.mark.parametrize("case", DRIFTS)
def test_every_drift_vpc_base_repairs_is_a_difference(case):
    change, expected = DRIFTS[case]
    layout = converged()
    change(layout)

    differences = compare_layout(layout, PLAN)[0]

    assert any(expected in line for line in differences), differences


def test_a_gateway_endpoint_route_on_a_private_table_is_not_a_difference():
    layout = converged()
    assert any(route.get("DestinationPrefixListId") for route in layout["route_tables"][2]["Routes"])

    assert compare_layout(layout, PLAN)[0] == []


def test_a_wanted_nat_gateway_must_carry_the_private_default_routes():
    plan = dict(PLAN, nat_gateway=True)
    layout = converged()
    layout["nat_gateways"] = [{"NatGatewayId": "nat-1", "State": "available", "SubnetId": "subnet-00000000000000001",
                               "Tags": tag_list({**TAGS, "Name": "demo-nat"})}]
    assert any("route table demo-private-1-a routes" in line for line in compare_layout(layout, plan)[0])

    for index in (2, 3):
        layout["route_tables"][index]["Routes"].append(
            {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "Origin": "CreateRoute"})
    differences, facts = compare_layout(layout, plan)
    assert differences == []
    assert facts["nat_gateway_id"] == "nat-1"


def test_the_default_group_is_left_alone_unless_restricted():
    layout = converged()
    layout["default_groups"][0]["IpPermissions"] = [{"IpProtocol": "-1"}]

    assert compare_layout(layout, dict(PLAN, restrict_default_security_group=False))[0] == []


def expect_describe(ec2, operation: str, key: str, items: list, filters: list) -> None:
    ec2.add_response(operation, {key: items}, {"Filters": filters})


def test_the_module_reads_one_call_per_kind_and_reports_in_sync(ec2, run_module):
    layout = converged()
    in_vpc = [{"Name": "vpc-id", "Values": [VPC_ID]}]
    expect_describe(ec2, "describe_vpcs", "Vpcs", layout["vpcs"],
                    [{"Name": "tag:Name", "Values": ["demo"]}, {"Name": "cidr-block", "Values": ["10.0.0.0/16"]}])
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        key = attribute[0].upper() + attribute[1:]
        ec2.add_response("describe_vpc_attribute", {"VpcId": VPC_ID, key: {"Value": True}},
                         {"VpcId": VPC_ID, "Attribute": attribute})
    expect_describe(ec2, "describe_internet_gateways", "InternetGateways", layout["internet_gateways"],
                    [{"Name": "attachment.vpc-id", "Values": [VPC_ID]}])
    expect_describe(ec2, "describe_subnets", "Subnets", layout["subnets"], in_vpc)
    expect_describe(ec2, "describe_route_tables", "RouteTables", layout["route_tables"], in_vpc)
    expect_describe(ec2, "describe_security_groups", "SecurityGroups", layout["default_groups"],
                    in_vpc + [{"Name": "group-name", "Values": ["default"]}])
    expect_describe(ec2, "describe_nat_gateways", "NatGateways", [],
                    in_vpc + [{"Name": "state", "Values": ["pending", "available"]}])

    result = run_module(vpc_layout_info.main, copy.deepcopy(PLAN))

    assert result["changed"] is False
    assert result["in_sync"] is True, result["differences"]
    assert result["layout"]["private_route_table_ids"] == ["rtb-00000000000000002", "rtb-00000000000000003"]


def test_the_module_stops_reading_when_there_is_no_vpc(ec2, run_module):
    expect_describe(ec2, "describe_vpcs", "Vpcs", [],
                    [{"Name": "tag:Name", "Values": ["demo"]}, {"Name": "cidr-block", "Values": ["10.0.0.0/16"]}])

    result = run_module(vpc_layout_info.main, copy.deepcopy(PLAN))

    assert result["in_sync"] is False
    assert result["differences"] == ["VPC demo 10.0.0.0/16: 0 found, wanted 1"]
    assert result["layout"] == {}
