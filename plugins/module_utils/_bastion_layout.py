# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read the hosts privnet.aws.bastion runs in a VPC (groups, instance role, instances) in one call per resource kind
and compare them with the plan.

The comparison is at least as strict as the amazon.aws modules the role converges with (``ec2_security_group``,
``iam_role``, ``iam_policy``, ``iam_instance_profile``, ``ec2_instance``, all with their purging defaults): whatever
they would change shows up as a difference. The key pair is not read here: the role converges it on every run.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ._aws_call import aws_call, retry
from ._endpoint_compare import policy_changed
from ._layout_compare import (
    DEFAULT_EGRESS_RULE,
    LIVE_INSTANCE_STATES,
    Comparison,
    compare_instance,
    describe_all,
    rules,
)

IAM_MISSING = ("NoSuchEntity",)
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@aws_call("get IAM role {name}", missing_codes=IAM_MISSING)
@retry()
def _get_role(client, name: str) -> dict[str, Any] | None:
    return client.get_role(RoleName=name)["Role"]


@aws_call("list the managed policies of IAM role {name}", missing_codes=IAM_MISSING, missing_value=list)
@retry()
def _attached_policies(client, name: str) -> list[str]:
    pages = client.get_paginator("list_attached_role_policies").paginate(RoleName=name).build_full_result()
    return sorted(item["PolicyArn"] for item in pages["AttachedPolicies"])


@aws_call("get inline policy {policy_name} of IAM role {name}", missing_codes=IAM_MISSING)
@retry()
def _inline_policy(client, name: str, policy_name: str) -> Any:
    return client.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]


@aws_call("get IAM instance profile {name}", missing_codes=IAM_MISSING)
@retry()
def _instance_profile(client, name: str) -> dict[str, Any] | None:
    return client.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]


def read_hosts(ec2, iam, params: dict[str, Any]) -> dict[str, Any]:
    """Everything the bastion role manages but the key pair: six read calls."""
    name, project, vpc_id = params["name"], params["project"], params["vpc_id"]
    instances = describe_all(ec2, "describe_instances", "Reservations", [
        {"Name": "tag:privnet:project", "Values": [project]},
        {"Name": "instance-state-name", "Values": list(LIVE_INSTANCE_STATES)},
    ])
    return {
        "groups": describe_all(ec2, "describe_security_groups", "SecurityGroups", [
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": [f"{name}-bastion", f"{name}-private"]},
        ]),
        "role": _get_role(iam, f"{name}-private"),
        "attached_policies": _attached_policies(iam, f"{name}-private"),
        "inline_policy": _inline_policy(iam, f"{name}-private", f"{name}-private"),
        "instance_profile": _instance_profile(iam, f"{name}-private"),
        "instances": [instance for reservation in instances for instance in reservation["Instances"]],
    }


def _ssh_from(*sources: str) -> list[tuple]:
    return sorted((("tcp", 22, 22, source, None) for source in sources), key=repr)


def _compare_group(compare: Comparison, groups: list[dict[str, Any]], name: str, tags: dict[str, str], sources):
    group = compare.one(f"security group {name}", [item for item in groups if item.get("GroupName") == name])
    if group is None:
        return None
    compare.check(f"security group {name} inbound rules", rules(group.get("IpPermissions")), _ssh_from(*sources))
    compare.check(f"security group {name} outbound rules", rules(group.get("IpPermissionsEgress")),
                  [DEFAULT_EGRESS_RULE])
    compare.tags(f"security group {name}", group, {**tags, "Name": name})
    return group["GroupId"]


def _compare_role(compare: Comparison, hosts: dict[str, Any], plan: dict[str, Any], tags: dict[str, str]):
    name = f"{plan['name']}-private"
    role = hosts["role"]
    if role is None:
        compare.differences.append(f"IAM role {name}: missing")
        return ""
    if policy_changed(role.get("AssumeRolePolicyDocument"), EC2_TRUST):
        compare.differences.append(f"IAM role {name} trust policy: not EC2 only")
    compare.check(f"IAM role {name} managed policies", hosts["attached_policies"], [])
    compare.tags(f"IAM role {name}", role, tags)
    wanted_policy = plan["policy"] or None
    if (hosts["inline_policy"] is None) != (wanted_policy is None) or (
        wanted_policy is not None and policy_changed(hosts["inline_policy"], wanted_policy)
    ):
        compare.differences.append(f"IAM role {name} inline policy {name}: not the planned one")
    profile = hosts["instance_profile"]
    if profile is None:
        compare.differences.append(f"instance profile {name}: missing")
    else:
        roles = [item["RoleName"] for item in profile.get("Roles") or []]
        compare.check(f"instance profile {name} roles", roles, [name])
        compare.tags(f"instance profile {name}", profile, tags)
    return role["Arn"]


def compare_hosts(hosts: dict[str, Any], plan: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """(differences, facts); the facts are complete only when there is no difference.

    ``plan``: name, tags (every resource's tags but Name), admin_cidrs, public_subnet_id, private_subnet_ids,
    private_instance_count, instance_type, private_instance_type, key_name, policy (the normalised inline policy of
    the private hosts' role, empty for none).
    """
    compare = Comparison()
    name, tags = plan["name"], dict(plan["tags"])
    bastion_group = _compare_group(compare, hosts["groups"], f"{name}-bastion", tags, plan["admin_cidrs"])
    private_group = _compare_group(
        compare, hosts["groups"], f"{name}-private", tags, [bastion_group] if bastion_group else []
    )
    role_arn = _compare_role(compare, hosts, plan, tags)
    common = {"key_name": plan["key_name"]}
    bastion = compare_instance(compare, hosts["instances"], f"{name}-bastion", {
        **common, "instance_type": plan["instance_type"], "subnet_id": plan["public_subnet_id"],
        "group_id": bastion_group, "public": True, "profile": "", "role": "bastion"}, tags)
    private = []
    for index in range(plan["private_instance_count"]):
        subnets = plan["private_subnet_ids"]
        private.append(compare_instance(compare, hosts["instances"], f"{name}-private-{index + 1}", {
            **common, "instance_type": plan["private_instance_type"],
            "subnet_id": subnets[index % len(subnets)] if subnets else None,
            "group_id": private_group, "public": False, "profile": f"{name}-private", "role": "private"}, tags))
    facts = {
        "security_group_id": bastion_group or "",
        "private_security_group_id": private_group or "",
        "instance_role_arn": role_arn,
        "bastion": bastion or {},
        "private_instances": [item for item in private if item],
    }
    return compare.differences, facts
