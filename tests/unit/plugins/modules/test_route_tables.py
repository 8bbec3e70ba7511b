"""privnet.aws.route_tables against botocore's Stubber: one read, exact routes, subnets and tags, no pause, check mode.

Every mutating call a test does not expect fails it (the Stubber has no answer for it), so each test also shows
that nothing else is changed.
"""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.privnet.aws.plugins.modules import route_tables

VPC_ID = "vpc-0123456789abcdef0"
IGW_ID = "igw-0123456789abcdef0"
TAGS = {"privnet:project": "demo"}
PUBLIC_TAGS = {**TAGS, "Name": "demo-public", "privnet:tier": "public"}
PRIVATE_TAGS = {**TAGS, "Name": "demo-private-1-a", "privnet:tier": "private"}
LOCAL = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}
INTERNET = {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW_ID, "Origin": "CreateRoute", "State": "active"}
S3_ENDPOINT = {"DestinationPrefixListId": "pl-61a54008", "GatewayId": "vpce-0a1", "Origin": "CreateRoute"}


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def table(table_id: str, tags: dict[str, str], subnets: list[str], routes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "RouteTableId": table_id,
        "VpcId": VPC_ID,
        "Routes": [LOCAL, *routes],
        "Associations": [{"Main": False, "SubnetId": subnet, "RouteTableId": table_id,
                          "RouteTableAssociationId": f"rtbassoc-{table_id[4:]}-{subnet[7:]}"} for subnet in subnets],
        "Tags": tag_list(tags),
    }


def main_table() -> dict[str, Any]:
    main = table("rtb-main", {}, [], [])
    main["Associations"] = [{"Main": True, "RouteTableId": "rtb-main", "RouteTableAssociationId": "rtbassoc-main"}]
    return main


ARGS = {
    "vpc_id": VPC_ID,
    "tables": [
        {"tags": PUBLIC_TAGS, "subnets": ["subnet-pub1", "subnet-pub2"],
         "routes": [{"dest": "0.0.0.0/0", "gateway_id": IGW_ID}]},
        {"tags": PRIVATE_TAGS, "subnets": ["subnet-prv1"]},
    ],
}


def converged() -> list[dict[str, Any]]:
    return [
        main_table(),
        table("rtb-pub", PUBLIC_TAGS, ["subnet-pub1", "subnet-pub2"], [INTERNET]),
        table("rtb-prv", PRIVATE_TAGS, ["subnet-prv1"], [S3_ENDPOINT]),
    ]


def expect_read(ec2, tables: list[dict[str, Any]]) -> None:
    ec2.add_response("describe_route_tables", {"RouteTables": tables},
                     {"Filters": [{"Name": "vpc-id", "Values": [VPC_ID]}]})


def expect_reread(ec2, tables: list[dict[str, Any]]) -> None:
    ec2.add_response("describe_route_tables", {"RouteTables": tables},
                     {"RouteTableIds": [item["RouteTableId"] for item in tables]})


def test_tables_as_planned_take_one_read_and_change_nothing(ec2, run_module):
    expect_read(ec2, converged())

    result = run_module(route_tables.main, copy.deepcopy(ARGS))

    assert result["changed"] is False
    assert result["changes"] == []
    assert [item["id"] for item in result["route_tables"]] == ["rtb-pub", "rtb-prv"]
    assert result["route_tables"][1]["tags"] == PRIVATE_TAGS


def test_an_empty_vpc_gets_its_tables_created_tagged_routed_and_associated_without_a_pause(ec2, run_module, sleeps):
    expect_read(ec2, [main_table()])
    created = []
    for table_id, plan in (("rtb-pub", ARGS["tables"][0]), ("rtb-prv", ARGS["tables"][1])):
        ec2.add_response(
            "create_route_table", {"RouteTable": table(table_id, plan["tags"], [], [])},
            {"VpcId": VPC_ID, "TagSpecifications": [{"ResourceType": "route-table", "Tags": tag_list(plan["tags"])}]})
        if table_id == "rtb-pub":
            ec2.add_response("create_route", {"Return": True},
                             {"RouteTableId": "rtb-pub", "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW_ID})
        for subnet in plan["subnets"]:
            ec2.add_response("associate_route_table", {"AssociationId": f"rtbassoc-{subnet}"},
                             {"RouteTableId": table_id, "SubnetId": subnet})
        created.append(table(table_id, plan["tags"], plan["subnets"], [INTERNET] if table_id == "rtb-pub" else []))
    expect_reread(ec2, created)

    result = run_module(route_tables.main, copy.deepcopy(ARGS))

    assert result["changed"] is True
    assert result["changes"][0] == "create route table demo-public"
    assert [item["id"] for item in result["route_tables"]] == ["rtb-pub", "rtb-prv"]
    assert sleeps == []


def test_drift_is_repaired_call_by_call(ec2, run_module):
    public = table("rtb-pub", {**PUBLIC_TAGS, "owner": "someone"}, ["subnet-pub1"],
                   [{**INTERNET, "GatewayId": "igw-other"}])
    private = table("rtb-prv", PRIVATE_TAGS, ["subnet-prv1", "subnet-pub2"],
                    [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "Origin": "CreateRoute",
                      "State": "blackhole"}, S3_ENDPOINT])
    expect_read(ec2, [main_table(), public, private])
    ec2.add_response("delete_tags", {}, {"Resources": ["rtb-pub"], "Tags": [{"Key": "owner"}]})
    ec2.add_response("replace_route", {},
                     {"RouteTableId": "rtb-pub", "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW_ID})
    ec2.add_response("replace_route_table_association", {"NewAssociationId": "rtbassoc-new"},
                     {"AssociationId": "rtbassoc-prv-pub2", "RouteTableId": "rtb-pub"})
    ec2.add_response("delete_route", {}, {"RouteTableId": "rtb-prv", "DestinationCidrBlock": "0.0.0.0/0"})
    expect_reread(ec2, converged()[1:])

    result = run_module(route_tables.main, copy.deepcopy(ARGS))

    assert result["changed"] is True
    assert result["changes"] == [
        "remove tags owner of route table demo-public",
        "point route 0.0.0.0/0 of route table demo-public at " + IGW_ID,
        "move subnet subnet-pub2 from route table rtb-prv to demo-public",
        "remove route 0.0.0.0/0 of route table demo-private-1-a",
    ]


def test_an_unplanned_subnet_is_disassociated_and_aws_tags_are_left_alone(ec2, run_module):
    private = table("rtb-prv", PRIVATE_TAGS, ["subnet-prv1", "subnet-old"], [])
    private["Tags"].append({"Key": "aws:cloudformation:stack-name", "Value": "left-alone"})
    public = table("rtb-pub", PUBLIC_TAGS, ["subnet-pub1", "subnet-pub2"], [INTERNET])
    expect_read(ec2, [public, private])
    ec2.add_response("disassociate_route_table", {}, {"AssociationId": "rtbassoc-prv-old"})
    expect_reread(ec2, [public, private])

    result = run_module(route_tables.main, copy.deepcopy(ARGS))

    assert result["changes"] == ["remove subnet subnet-old from route table demo-private-1-a"]


def test_a_table_whose_tags_differ_is_not_found_and_a_new_one_is_made(ec2, run_module):
    expect_read(ec2, [table("rtb-pub", {**PUBLIC_TAGS, "privnet:tier": "other"}, [], [])])
    plan = {"vpc_id": VPC_ID, "tables": [{"tags": PUBLIC_TAGS}]}
    ec2.add_response("create_route_table", {"RouteTable": table("rtb-new", PUBLIC_TAGS, [], [])},
                     {"VpcId": VPC_ID,
                      "TagSpecifications": [{"ResourceType": "route-table", "Tags": tag_list(PUBLIC_TAGS)}]})
    expect_reread(ec2, [table("rtb-new", PUBLIC_TAGS, [], [])])

    result = run_module(route_tables.main, plan)

    assert result["changes"] == ["create route table demo-public"]
    assert result["route_tables"][0]["id"] == "rtb-new"


def test_check_mode_predicts_every_change_and_makes_none(ec2, run_module):
    public = table("rtb-pub", PUBLIC_TAGS, ["subnet-pub1"], [])
    expect_read(ec2, [main_table(), public])

    result = run_module(route_tables.main, copy.deepcopy(ARGS), check_mode=True)

    assert result["changed"] is True
    assert result["changes"] == [
        "add route 0.0.0.0/0 to route table demo-public",
        "associate subnet subnet-pub2 with route table demo-public",
        "create route table demo-private-1-a",
        "associate subnet subnet-prv1 with route table demo-private-1-a",
    ]
    assert result["route_tables"][0]["id"] == "rtb-pub"
    assert result["route_tables"][1]["id"] == ""


def test_tags_that_match_two_tables_fail_before_any_change(ec2, run_module):
    expect_read(ec2, [table("rtb-a", PUBLIC_TAGS, [], []), table("rtb-b", PUBLIC_TAGS, [], [])])

    result = run_module(route_tables.main, copy.deepcopy(ARGS))

    assert result["failed"] is True
    assert "demo-public match 2 tables (rtb-a, rtb-b)" in result["msg"]


def test_a_table_without_a_name_is_refused_before_any_call(ec2, run_module):
    plan = copy.deepcopy(ARGS)
    plan["tables"][1]["tags"] = dict(TAGS)

    result = run_module(route_tables.main, plan)

    assert result["failed"] is True
    assert result["msg"] == "tables[1].tags must include a non-empty Name"


def test_a_route_needs_exactly_one_target(ec2, run_module):
    plan = copy.deepcopy(ARGS)
    plan["tables"][0]["routes"] = [{"dest": "0.0.0.0/0"}]

    result = run_module(route_tables.main, plan)

    assert result["failed"] is True
    assert "gateway_id" in result["msg"] and "nat_gateway_id" in result["msg"]


def test_a_subnet_held_by_an_earlier_table_is_released_then_associated_with_its_own(ec2, run_module):
    public = table("rtb-pub", PUBLIC_TAGS, ["subnet-pub1", "subnet-pub2", "subnet-prv1"], [INTERNET])
    private = table("rtb-prv", PRIVATE_TAGS, [], [])
    expect_read(ec2, [public, private])
    ec2.add_response("disassociate_route_table", {}, {"AssociationId": "rtbassoc-pub-prv1"})
    ec2.add_response("associate_route_table", {"AssociationId": "rtbassoc-new"},
                     {"RouteTableId": "rtb-prv", "SubnetId": "subnet-prv1"})
    expect_reread(ec2, converged()[1:])

    result = run_module(route_tables.main, copy.deepcopy(ARGS))

    assert result["changes"] == [
        "remove subnet subnet-prv1 from route table demo-public",
        "associate subnet subnet-prv1 with route table demo-private-1-a",
    ]
