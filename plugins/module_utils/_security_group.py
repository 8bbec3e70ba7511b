# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one VPC security group: found by name in its VPC, with exactly the planned rules (descriptions included),
both ways, and tags.

It manages what amazon.aws.ec2_security_group manages with ``purge_rules``, ``purge_rules_egress`` and
``purge_tags``, for the rule forms this collection writes. It does not pause 3 s after creating a group to read it
back: a new group is known to hold AWS's one default outbound rule, and the group is read once, at the end.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list as tag_list

from ._aws_call import aws_call, retry
from ._endpoint_results import tags_of, to_result
from ._layout_compare import DEFAULT_EGRESS_RULE, describe_all, rules

NOT_YET_KNOWN = ["InvalidGroup.NotFound"]
PROTOCOLS = {"all": "-1", "-1": "-1", "tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "icmpv6"}


@aws_call("create security group {GroupName} in VPC {VpcId}")
@retry()
def _create(client, **params) -> str:
    return client.create_security_group(**params)["GroupId"]


@aws_call("{action} {direction} rules of security group {GroupId}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _rule_call(client, action: str, direction: str, **params) -> None:
    suffix = "ingress" if direction == "inbound" else "egress"
    getattr(client, f"{action}_security_group_{suffix}")(**params)


@aws_call("{action} tags of security group {group_id}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _tag_call(client, action: str, group_id: str, tags: list[dict[str, str]]) -> None:
    getattr(client, f"{action}_tags")(Resources=[group_id], Tags=tags)


@aws_call("describe security group {group_id}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _describe(client, group_id: str) -> dict[str, Any]:
    return client.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _port_ranges(spec: dict[str, Any]) -> list[tuple[int | None, int | None]]:
    if PROTOCOLS[spec["proto"]] == "-1":
        return [(None, None)]
    ranges = []
    for port in spec.get("ports") or []:
        low, high = (str(port).split("-", 1) + [""])[:2]
        ranges.append((int(low), int(high or low)))
    return ranges


def planned_rules(specs: list[dict[str, Any]]) -> list[tuple]:
    """(protocol, from, to, source, description) per port range and source, as _layout_compare.rules reads AWS's."""
    found = set()
    for spec in specs:
        sources = _as_list(spec.get("cidr_ip")) + _as_list(spec.get("cidr_ipv6")) + _as_list(spec.get("group_id"))
        for low, high in _port_ranges(spec):
            for source in sources:
                found.add((PROTOCOLS[spec["proto"]], low, high, source, spec.get("rule_desc")))
    return sorted(found, key=repr)


def _permission(rule: tuple) -> dict[str, Any]:
    protocol, low, high, source, description = rule
    permission: dict[str, Any] = {"IpProtocol": protocol}
    if low is not None:
        permission.update(FromPort=low, ToPort=high)
    item = {"Description": description} if description else {}
    if source.startswith("sg-"):
        permission["UserIdGroupPairs"] = [{"GroupId": source, **item}]
    elif ":" in source:
        permission["Ipv6Ranges"] = [{"CidrIpv6": source, **item}]
    else:
        permission["IpRanges"] = [{"CidrIp": source, **item}]
    return permission


def _describe_rule(rule: tuple) -> str:
    protocol, low, high, source, description = rule
    ports = "all" if low is None else (str(low) if low == high else f"{low}-{high}")
    return f"{protocol}/{ports} {source}" + (f" ({description})" if description else "")


class SecurityGroup:
    def __init__(self, client, params: dict[str, Any], check_mode: bool) -> None:
        self.client = client
        self.params = params
        self.check_mode = check_mode
        self.changes: list[str] = []

    def _change(self, description: str) -> bool:
        """Record a change; True when it is to be made (not in check mode)."""
        self.changes.append(description)
        return not self.check_mode

    def find(self) -> dict[str, Any] | None:
        filters = [{"Name": "group-name", "Values": [self.params["name"]]},
                   {"Name": "vpc-id", "Values": [self.params["vpc_id"]]}]
        groups = describe_all(self.client, "describe_security_groups", "SecurityGroups", filters)
        return groups[0] if groups else None

    def converge(self) -> dict[str, Any]:
        found = self.find()
        name = self.params["name"]
        tags = self.params["tags"]
        if found is None:
            if not self._change(f"create security group {name}"):
                self._rules("inbound", None, [])
                self._rules("outbound", None, [DEFAULT_EGRESS_RULE])
                return self.result(None, None)
            tagging = {"TagSpecifications": [{"ResourceType": "security-group", "Tags": tag_list(tags)}]}
            if not tags:
                tagging = {}  # AWS refuses a tag specification without tags
            group_id = _create(self.client, GroupName=name, Description=self.params["description"],
                               VpcId=self.params["vpc_id"], **tagging)
            ingress, egress = [], [DEFAULT_EGRESS_RULE]
        else:
            group_id = found["GroupId"]
            ingress, egress = rules(found.get("IpPermissions")), rules(found.get("IpPermissionsEgress"))
            self._tags(group_id, tags_of(found), tags)
        self._rules("inbound", group_id, ingress)
        self._rules("outbound", group_id, egress)
        after = _describe(self.client, group_id) if self.changes and not self.check_mode else found
        return self.result(found, after)

    def _tags(self, group_id: str, current: dict[str, str], wanted: dict[str, str]) -> None:
        extra = sorted(key for key in current if key not in wanted and not key.startswith("aws:"))
        missing = {key: value for key, value in wanted.items() if current.get(key) != value}
        if extra and self._change(f"remove tags {', '.join(extra)}"):
            _tag_call(self.client, "delete", group_id, [{"Key": key} for key in extra])
        if missing and self._change(f"set tags {', '.join(sorted(missing))}"):
            _tag_call(self.client, "create", group_id, tag_list(missing))

    def _rules(self, direction: str, group_id: str | None, current: list[tuple]) -> None:
        wanted = planned_rules(self.params["rules" if direction == "inbound" else "rules_egress"])
        stale = [rule for rule in current if rule not in wanted]
        new = [rule for rule in wanted if rule not in current]
        # Revoke first: a rule whose description changed is revoked (AWS ignores descriptions there) and added again.
        if stale and self._change(f"revoke {direction} {'; '.join(map(_describe_rule, stale))}"):
            _rule_call(self.client, "revoke", direction, GroupId=group_id, IpPermissions=list(map(_permission, stale)))
        if new and self._change(f"authorize {direction} {'; '.join(map(_describe_rule, new))}"):
            _rule_call(self.client, "authorize", direction, GroupId=group_id, IpPermissions=list(map(_permission, new)))

    def result(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
        result: dict[str, Any] = {"changed": bool(self.changes), "changes": self.changes}
        if after is not None:
            result.update(to_result(after))
        if self.changes and not self.check_mode:
            result["diff"] = [{"before": to_result(before), "after": to_result(after)}]
        return result


def converge_security_group(client, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """The module's result: changed, changes, the group as EC2 describes it (snake_case; nothing for a group check
    mode would create) and, when anything changed outside check mode, diff (before and after)."""
    return SecurityGroup(client, params, check_mode).converge()
