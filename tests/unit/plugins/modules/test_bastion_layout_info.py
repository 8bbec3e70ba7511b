"""privnet.aws.bastion_layout_info: the reads against botocore's Stubber, and every drift the comparison must see."""

from __future__ import annotations

import copy
import json
import urllib.parse
from typing import Any

import pytest
from ansible_collections.privnet.aws.plugins.module_utils._bastion_layout import EC2_TRUST, compare_hosts
from ansible_collections.privnet.aws.plugins.modules import bastion_layout_info

TAGS = {"privnet:project": "demo"}
POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*"}]}
PLAN = {
    "name": "demo",
    "project": "demo",
    "vpc_id": "vpc-1",
    "tags": TAGS,
    "admin_cidrs": ["198.51.100.7/32", "2001:db8::/64"],
    "public_subnet_id": "subnet-public",
    "private_subnet_ids": ["subnet-private-a", "subnet-private-c"],
    "private_instance_count": 2,
    "instance_type": "t3.micro",
    "private_instance_type": "t3.small",
    "key_name": "demo-key",
    "policy": POLICY,
}
ROLE_ARN = "arn:aws:iam::123456789012:role/demo-private"


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def group(group_id: str, name: str, inbound: list[dict[str, Any]]) -> dict[str, Any]:
    return {"GroupId": group_id, "GroupName": name, "VpcId": "vpc-1", "IpPermissions": inbound,
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            "Tags": tag_list({**TAGS, "Name": name})}


def instance(instance_id: str, name: str, subnet_id: str, group_id: str, role: str, **fields: Any) -> dict[str, Any]:
    described = {
        "InstanceId": instance_id, "ImageId": "ami-1", "InstanceType": "t3.micro", "KeyName": "demo-key",
        "SubnetId": subnet_id, "State": {"Name": "running"}, "PrivateIpAddress": "10.0.128.10",
        "SecurityGroups": [{"GroupId": group_id, "GroupName": "g"}],
        "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 1},
        "Placement": {"AvailabilityZone": "ap-northeast-1a"},
        "Tags": tag_list({**TAGS, "Name": name, "privnet:role": role}),
    }
    described.update(fields)
    return described


def converged() -> dict[str, Any]:
    """What read_hosts returns for the hosts the bastion role built from PLAN."""
    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}
    profile = {"Arn": "arn:aws:iam::123456789012:instance-profile/demo-private"}
    admins = dict(ssh, IpRanges=[{"CidrIp": "198.51.100.7/32"}], Ipv6Ranges=[{"CidrIpv6": "2001:db8::/64"}])
    from_bastion = dict(ssh, UserIdGroupPairs=[{"GroupId": "sg-bastion", "UserId": "123456789012"}])
    return {
        "groups": [
            group("sg-bastion", "demo-bastion", [admins]),
            group("sg-private", "demo-private", [from_bastion]),
        ],
        "role": {"RoleName": "demo-private", "Arn": ROLE_ARN, "AssumeRolePolicyDocument": copy.deepcopy(EC2_TRUST),
                 "Tags": tag_list(TAGS)},
        "attached_policies": [],
        "inline_policy": copy.deepcopy(POLICY),
        "instance_profile": {"InstanceProfileName": "demo-private", "Roles": [{"RoleName": "demo-private"}],
                             "Tags": tag_list(TAGS)},
        "instances": [
            instance("i-bastion", "demo-bastion", "subnet-public", "sg-bastion", "bastion",
                     PublicIpAddress="198.18.0.10"),
            instance("i-private-1", "demo-private-1", "subnet-private-a", "sg-private", "private",
                     InstanceType="t3.small", IamInstanceProfile=profile),
            instance("i-private-2", "demo-private-2", "subnet-private-c", "sg-private", "private",
                     InstanceType="t3.small", IamInstanceProfile=profile),
        ],
    }


def test_the_converged_hosts_have_no_difference_and_give_every_fact():
    differences, facts = compare_hosts(converged(), PLAN)

    assert differences == []
    assert facts["security_group_id"] == "sg-bastion"
    assert facts["private_security_group_id"] == "sg-private"
    assert facts["instance_role_arn"] == ROLE_ARN
    assert facts["bastion"]["instance_id"] == "i-bastion"
    assert facts["bastion"]["image_id"] == "ami-1"
    assert [host["tags"]["Name"] for host in facts["private_instances"]] == ["demo-private-1", "demo-private-2"]
    assert facts["private_instances"][0]["placement"]["availability_zone"] == "ap-northeast-1a"


def instance_named(hosts, name):
    return next(item for item in hosts["instances"] if {"Key": "Name", "Value": name} in item["Tags"])


DRIFTS = {
    "world SSH on the bastion group": (
        lambda hosts: hosts["groups"][0]["IpPermissions"][0]["IpRanges"].append({"CidrIp": "0.0.0.0/0"}),
        "security group demo-bastion inbound rules"),
    "a rule description": (
        lambda hosts: hosts["groups"][0]["IpPermissions"][0]["IpRanges"][0].update(Description="by hand"),
        "security group demo-bastion inbound rules"),
    "egress removed from the private group": (lambda hosts: hosts["groups"][1].update(IpPermissionsEgress=[]),
                                              "security group demo-private outbound rules"),
    "private group missing": (lambda hosts: hosts["groups"].pop(1), "security group demo-private: 0 found"),
    "role missing": (lambda hosts: hosts.update(role=None), "IAM role demo-private: missing"),
    "trust widened": (lambda hosts: hosts["role"]["AssumeRolePolicyDocument"]["Statement"][0].update(
        Principal={"AWS": "*"}), "trust policy"),
    "managed policy attached": (lambda hosts: hosts.update(attached_policies=["arn:aws:iam::aws:policy/Admin"]),
                                "managed policies"),
    "inline policy widened": (lambda hosts: hosts["inline_policy"]["Statement"][0].update(Action="*"),
                              "inline policy"),
    "inline policy removed": (lambda hosts: hosts.update(inline_policy=None), "inline policy"),
    "profile without the role": (lambda hosts: hosts["instance_profile"].update(Roles=[]), "instance profile"),
    "IMDSv1 re-enabled": (lambda hosts: instance_named(hosts, "demo-private-1")["MetadataOptions"].update(
        HttpTokens="optional"), "instance demo-private-1 metadata options"),
    "private host stopped": (lambda hosts: instance_named(hosts, "demo-private-2").update(State={"Name": "stopped"}),
                             "instance demo-private-2 state"),
    "private host terminated": (lambda hosts: hosts["instances"].pop(2), "instance demo-private-2: 0 found"),
    "bastion tag removed": (lambda hosts: instance_named(hosts, "demo-bastion")["Tags"].pop(0),
                            "instance demo-bastion tags"),
    "another group on the bastion": (lambda hosts: instance_named(hosts, "demo-bastion")["SecurityGroups"].append(
        {"GroupId": "sg-other"}), "instance demo-bastion security groups"),
    "public address on a private host": (
        lambda hosts: instance_named(hosts, "demo-private-1").update(PublicIpAddress="198.18.0.11"),
        "instance demo-private-1 public address"),
}


@pytest.mark.parametrize("case", DRIFTS)
def test_every_drift_the_bastion_role_repairs_is_a_difference(case):
    change, expected = DRIFTS[case]
    hosts = converged()
    change(hosts)

    differences = compare_hosts(hosts, PLAN)[0]

    assert any(expected in line for line in differences), differences


def test_no_inline_policy_wanted_means_none_may_be_there():
    plan = dict(PLAN, policy={})
    assert any("inline policy" in line for line in compare_hosts(converged(), plan)[0])

    hosts = converged()
    hosts["inline_policy"] = None
    assert compare_hosts(hosts, plan)[0] == []


def test_the_module_reads_six_times_and_reports_in_sync(stubbers, run_module):
    ec2, iam = stubbers("ec2", "iam")
    hosts = converged()
    ec2.add_response("describe_instances", {"Reservations": [{"Instances": hosts["instances"]}]}, {"Filters": [
        {"Name": "tag:privnet:project", "Values": ["demo"]},
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}]})
    ec2.add_response("describe_security_groups", {"SecurityGroups": hosts["groups"]}, {"Filters": [
        {"Name": "vpc-id", "Values": ["vpc-1"]}, {"Name": "group-name", "Values": ["demo-bastion", "demo-private"]}]})
    # On the wire IAM sends policies URL-encoded; botocore decodes them into dicts after the call.
    role = dict(hosts["role"], Path="/", RoleId="AROAEXAMPLEEXAMPLE1", CreateDate="2026-01-01T00:00:00Z",
                AssumeRolePolicyDocument=urllib.parse.quote(json.dumps(EC2_TRUST)))
    iam.add_response("get_role", {"Role": role}, {"RoleName": "demo-private"})
    iam.add_response("list_attached_role_policies", {"AttachedPolicies": []}, {"RoleName": "demo-private"})
    names = {"RoleName": "demo-private", "PolicyName": "demo-private"}
    iam.add_response("get_role_policy", dict(names, PolicyDocument=urllib.parse.quote(json.dumps(POLICY))), names)
    profile = {"InstanceProfileName": "demo-private", "InstanceProfileId": "AIPAEXAMPLEEXAMPLE1", "Path": "/",
               "Arn": "arn:aws:iam::123456789012:instance-profile/demo-private", "CreateDate": "2026-01-01T00:00:00Z",
               "Roles": [copy.deepcopy(role)], "Tags": tag_list(TAGS)}
    iam.add_response("get_instance_profile", {"InstanceProfile": profile}, {"InstanceProfileName": "demo-private"})

    result = run_module(bastion_layout_info.main, copy.deepcopy(PLAN))

    assert result["changed"] is False
    assert result["in_sync"] is True, result["differences"]
    assert result["hosts"]["private_security_group_id"] == "sg-private"


def test_a_missing_role_is_a_difference_not_a_failure(stubbers, run_module):
    ec2, iam = stubbers("ec2", "iam")
    ec2.add_response("describe_instances", {"Reservations": []})
    ec2.add_response("describe_security_groups", {"SecurityGroups": []})
    for operation in ("get_role", "list_attached_role_policies", "get_role_policy", "get_instance_profile"):
        iam.add_client_error(operation, service_error_code="NoSuchEntity", http_status_code=404)

    result = run_module(bastion_layout_info.main, copy.deepcopy(PLAN))

    assert result["in_sync"] is False
    assert "IAM role demo-private: missing" in result["differences"]
    assert "instance demo-bastion: 0 found, wanted 1" in result["differences"]
