# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the *_layout_info modules share: one paginated read per resource kind, and the differences between what AWS
holds and a plan, one readable line each.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ._aws_call import aws_call, retry
from ._endpoint_results import tags_of, to_result

LIVE_INSTANCE_STATES = ("pending", "running", "stopping", "stopped")
# AWS's default outbound rule of a new VPC security group, as rules() reads it: all traffic to anywhere.
DEFAULT_EGRESS_RULE = ("-1", None, None, "0.0.0.0/0", None)


@aws_call("describe {action}")
@retry()
def describe_all(client, action: str, key: str, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return client.get_paginator(action).paginate(Filters=filters).build_full_result()[key]


def rules(permissions: list[dict[str, Any]]) -> list[tuple]:
    """(protocol, from, to, source, description) per source, as ec2_security_group compares them."""
    found = []
    for permission in permissions or []:
        ports = (permission.get("IpProtocol"), permission.get("FromPort"), permission.get("ToPort"))
        for item in permission.get("IpRanges") or []:
            found.append((*ports, item["CidrIp"], item.get("Description")))
        for item in permission.get("Ipv6Ranges") or []:
            found.append((*ports, item["CidrIpv6"], item.get("Description")))
        for item in permission.get("UserIdGroupPairs") or []:
            found.append((*ports, item.get("GroupId"), item.get("Description")))
        for item in permission.get("PrefixListIds") or []:
            found.append((*ports, item.get("PrefixListId"), item.get("Description")))
    return sorted(found, key=repr)


def _user_tags(resource: dict[str, Any]) -> dict[str, str]:
    return {key: value for key, value in tags_of(resource).items() if not key.startswith("aws:")}


class Comparison:
    """The differences found so far; each check adds one line when the actual value is not the wanted one."""

    def __init__(self) -> None:
        self.differences: list[str] = []

    def check(self, what: str, actual: Any, wanted: Any) -> bool:
        if actual != wanted:
            self.differences.append(f"{what}: {actual!r}, wanted {wanted!r}")
            return False
        return True

    def tags(self, what: str, resource: dict[str, Any], wanted: dict[str, str]) -> None:
        self.check(f"{what} tags", _user_tags(resource), wanted)

    def one(self, what: str, found: list[dict[str, Any]]) -> dict[str, Any] | None:
        if len(found) != 1:
            self.differences.append(f"{what}: {len(found)} found, wanted 1")
            return None
        return found[0]


def compare_instance(compare: Comparison, instances: list[dict[str, Any]], name: str, wanted: dict[str, Any],
                     tags: dict[str, str]) -> dict[str, Any] | None:
    """The one running instance named ``name`` as amazon.aws.ec2_instance_info returns it, or None.

    ``wanted``: instance_type, key_name, subnet_id, group_id (its only group), public (has a public address),
    profile (instance profile name, empty for none), role (the privnet:role tag). Tags are compared purged.
    """
    instance = compare.one(f"instance {name}", [item for item in instances if _name(item) == name])
    if instance is None:
        return None
    what = f"instance {name}"
    compare.check(f"{what} state", instance.get("State", {}).get("Name"), "running")
    compare.check(f"{what} type", instance.get("InstanceType"), wanted["instance_type"])
    compare.check(f"{what} key pair", instance.get("KeyName"), wanted["key_name"])
    compare.check(f"{what} subnet", instance.get("SubnetId"), wanted["subnet_id"])
    compare.check(f"{what} security groups", sorted(group["GroupId"] for group in instance.get("SecurityGroups") or []),
                  [wanted["group_id"]])
    compare.check(f"{what} public address", bool(instance.get("PublicIpAddress")), wanted["public"])
    profile = (instance.get("IamInstanceProfile") or {}).get("Arn", "")
    compare.check(f"{what} instance profile", profile.rsplit("/", 1)[-1] if profile else "", wanted["profile"])
    options = instance.get("MetadataOptions") or {}
    compare.check(
        f"{what} metadata options",
        (options.get("HttpEndpoint"), options.get("HttpTokens"), options.get("HttpPutResponseHopLimit")),
        ("enabled", "required", 1),
    )
    compare.tags(what, instance, {**tags, "Name": name, "privnet:role": wanted["role"]})
    return to_result(instance)


def _name(instance: dict[str, Any]) -> str | None:
    return next((tag["Value"] for tag in instance.get("Tags") or [] if tag["Key"] == "Name"), None)


def run_layout_info(argument_spec: dict[str, Any], services: tuple[str, ...], read: Callable, compare: Callable,
                    result: str) -> None:
    """The main() of a *_layout_info module: ``read(*clients, params)`` what exists, ``compare(found, params)`` it
    with the plan, and exit with in_sync, differences and the facts under ``result``."""
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        found = read(*(module.client(service) for service in services), module.params)
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    differences, facts = compare(found, module.params)
    module.exit_json(changed=False, in_sync=not differences, differences=differences, **{result: facts})
