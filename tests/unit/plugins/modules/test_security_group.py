"""privnet.aws.security_group against botocore's Stubber: create without a pause, exact rules, tags, check mode.

Every call a test does not expect fails it (the Stubber has no answer for it), so each test also shows that nothing
else is changed.
"""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.privnet.aws.plugins.modules import security_group

VPC_ID = "vpc-0123456789abcdef0"
GROUP_ID = "sg-0123456789abcdef0"
TAGS = {"privnet:project": "demo", "Name": "demo-endpoints"}
HTTPS = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "10.0.128.0/24", "Description": "HTTPS"},
                      {"CidrIp": "10.0.129.0/24", "Description": "HTTPS"}]}
ALL_OUT = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
ARGS = {
    "name": "demo-endpoints",
    "description": "HTTPS to the endpoints",
    "vpc_id": VPC_ID,
    "rules": [{"proto": "tcp", "ports": [443], "cidr_ip": ["10.0.128.0/24", "10.0.129.0/24"], "rule_desc": "HTTPS"}],
    "rules_egress": [],
    "tags": TAGS,
}


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def group(ingress: list[dict[str, Any]], egress: list[dict[str, Any]], tags: dict[str, str] | None = None):
    tags = TAGS if tags is None else tags
    return {"GroupId": GROUP_ID, "GroupName": "demo-endpoints", "Description": "HTTPS to the endpoints",
            "VpcId": VPC_ID, "OwnerId": "123456789012", "IpPermissions": ingress, "IpPermissionsEgress": egress,
            "Tags": tag_list(tags)}


def expect_find(ec2, groups: list[dict[str, Any]]) -> None:
    ec2.add_response("describe_security_groups", {"SecurityGroups": groups},
                     {"Filters": [{"Name": "group-name", "Values": ["demo-endpoints"]},
                                  {"Name": "vpc-id", "Values": [VPC_ID]}]})


def expect_reread(ec2, found: dict[str, Any]) -> None:
    ec2.add_response("describe_security_groups", {"SecurityGroups": [found]}, {"GroupIds": [GROUP_ID]})


def expect_planned_rules_set(ec2) -> None:
    """The two HTTPS rules authorized, AWS's default outbound rule revoked, then the group read again."""
    ec2.add_response("authorize_security_group_ingress", {"Return": True},
                     {"GroupId": GROUP_ID, "IpPermissions": [one_rule(HTTPS, "10.0.128.0/24"),
                                                             one_rule(HTTPS, "10.0.129.0/24")]})
    ec2.add_response("revoke_security_group_egress", {"Return": True},
                     {"GroupId": GROUP_ID, "IpPermissions": [ALL_OUT]})
    expect_reread(ec2, group([HTTPS], []))


def one_rule(permission: dict[str, Any], cidr: str) -> dict[str, Any]:
    return {**permission, "IpRanges": [item for item in permission["IpRanges"] if item["CidrIp"] == cidr]}


def test_a_group_as_planned_takes_one_read_and_changes_nothing(ec2, run_module):
    expect_find(ec2, [group([HTTPS], [])])

    result = run_module(security_group.main, copy.deepcopy(ARGS))

    assert result["changed"] is False
    assert result["group_id"] == GROUP_ID
    assert "diff" not in result


def test_a_new_group_is_created_tagged_and_ruled_without_a_pause(ec2, run_module, sleeps):
    expect_find(ec2, [])
    ec2.add_response("create_security_group", {"GroupId": GROUP_ID},
                     {"GroupName": "demo-endpoints", "Description": "HTTPS to the endpoints", "VpcId": VPC_ID,
                      "TagSpecifications": [{"ResourceType": "security-group", "Tags": tag_list(TAGS)}]})
    expect_planned_rules_set(ec2)

    result = run_module(security_group.main, copy.deepcopy(ARGS))

    assert result["changed"] is True
    assert result["changes"] == [
        "create security group demo-endpoints",
        "authorize inbound tcp/443 10.0.128.0/24 (HTTPS); tcp/443 10.0.129.0/24 (HTTPS)",
        "revoke outbound -1/all 0.0.0.0/0",
    ]
    assert result["diff"][0]["before"] == {}
    assert result["diff"][0]["after"]["ip_permissions"][0]["from_port"] == 443
    assert sleeps == []


def test_the_default_outbound_rule_stays_when_it_is_planned(ec2, run_module):
    expect_find(ec2, [])
    ec2.add_response("create_security_group", {"GroupId": GROUP_ID},
                     {"GroupName": "demo-endpoints", "Description": "HTTPS to the endpoints", "VpcId": VPC_ID,
                      "TagSpecifications": [{"ResourceType": "security-group", "Tags": tag_list(TAGS)}]})
    expect_reread(ec2, group([], [ALL_OUT]))
    args = dict(copy.deepcopy(ARGS), rules=[], rules_egress=[{"proto": "all", "cidr_ip": ["0.0.0.0/0"]}])

    result = run_module(security_group.main, args)

    assert result["changes"] == ["create security group demo-endpoints"]


def test_drifted_rules_and_tags_are_repaired(ec2, run_module):
    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    https_other_description = {**one_rule(HTTPS, "10.0.128.0/24"),
                               "IpRanges": [{"CidrIp": "10.0.128.0/24", "Description": "old"}]}
    expect_find(ec2, [group([ssh, https_other_description], [ALL_OUT], {**TAGS, "owner": "someone"})])
    ec2.add_response("delete_tags", {}, {"Resources": [GROUP_ID], "Tags": [{"Key": "owner"}]})
    ec2.add_response("revoke_security_group_ingress", {"Return": True},
                     {"GroupId": GROUP_ID, "IpPermissions": [ssh, https_other_description]})
    expect_planned_rules_set(ec2)

    result = run_module(security_group.main, copy.deepcopy(ARGS))

    assert result["changes"] == [
        "remove tags owner",
        "revoke inbound tcp/22 0.0.0.0/0; tcp/443 10.0.128.0/24 (old)",
        "authorize inbound tcp/443 10.0.128.0/24 (HTTPS); tcp/443 10.0.129.0/24 (HTTPS)",
        "revoke outbound -1/all 0.0.0.0/0",
    ]
    assert len(result["diff"][0]["before"]["ip_permissions"]) == 2


def test_group_sources_ipv6_and_port_ranges_become_their_own_permissions(ec2, run_module):
    expect_find(ec2, [group([], [], {"Name": "demo-endpoints"})])
    ec2.add_response("authorize_security_group_ingress", {"Return": True}, {"GroupId": GROUP_ID, "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [{"GroupId": "sg-bastion"}]},
        {"IpProtocol": "tcp", "FromPort": 8000, "ToPort": 8080, "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/64"}]},
    ]})
    expect_reread(ec2, group([], [], {"Name": "demo-endpoints"}))
    args = dict(copy.deepcopy(ARGS), tags={"Name": "demo-endpoints"}, rules=[
        {"proto": "tcp", "ports": [22], "group_id": "sg-bastion"},
        {"proto": "tcp", "ports": ["8000-8080"], "cidr_ipv6": ["2001:db8::/64"]},
    ])

    result = run_module(security_group.main, args)

    assert result["changed"] is True


def test_check_mode_predicts_a_new_group_and_makes_no_call_but_the_read(ec2, run_module):
    expect_find(ec2, [])

    result = run_module(security_group.main, copy.deepcopy(ARGS), check_mode=True)

    assert result["changed"] is True
    assert result["changes"][0] == "create security group demo-endpoints"
    assert "group_id" not in result
    assert "diff" not in result


def test_check_mode_on_a_drifted_group_reports_without_changing(ec2, run_module):
    expect_find(ec2, [group([], [ALL_OUT], {**TAGS, "owner": "x"})])

    result = run_module(security_group.main, copy.deepcopy(ARGS), check_mode=True)

    assert result["changed"] is True
    assert result["group_id"] == GROUP_ID
    assert len(result["changes"]) == 3


def test_bad_ports_are_refused_before_any_call(ec2, run_module):
    args = dict(copy.deepcopy(ARGS), rules=[{"proto": "tcp", "ports": ["443-80", "http"], "cidr_ip": ["10.0.0.0/8"]},
                                            {"proto": "udp", "cidr_ip": ["10.0.0.0/8"]}])

    result = run_module(security_group.main, args)

    assert result["failed"] is True
    assert result["msg"] == ("rules[0].ports: '443-80' is not a port or a range like 8000-8080; "
                             "rules[0].ports: 'http' is not a port or a range like 8000-8080; "
                             "rules[1].ports is required for proto udp")


def test_a_rule_needs_exactly_one_kind_of_source(ec2, run_module):
    args = dict(copy.deepcopy(ARGS), rules=[{"proto": "tcp", "ports": [22]}])

    result = run_module(security_group.main, args)

    assert result["failed"] is True
    assert "cidr_ip" in result["msg"] and "group_id" in result["msg"]


def test_a_group_without_tags_is_created_without_a_tag_specification(ec2, run_module):
    expect_find(ec2, [])
    ec2.add_response("create_security_group", {"GroupId": GROUP_ID},
                     {"GroupName": "demo-endpoints", "Description": "HTTPS to the endpoints", "VpcId": VPC_ID})
    expect_reread(ec2, group([], [ALL_OUT], {}))
    args = dict(copy.deepcopy(ARGS), tags={}, rules=[], rules_egress=[{"proto": "all", "cidr_ip": ["0.0.0.0/0"]}])

    result = run_module(security_group.main, args)

    assert result["changes"] == ["create security group demo-endpoints"]
