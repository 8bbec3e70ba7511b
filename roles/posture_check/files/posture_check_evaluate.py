# Copyright: privnet.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security posture findings of one project from described AWS state (read on stdin as JSON, printed as JSON).

Input: {"project", "risky_ports", "endpoint_ports", "endpoint_source_group_ids", "full_access_allowed",
"accounts": [{"account", "vpcs", "security_groups", "subnets", "instances", "volumes", "endpoints", "services",
"roles"}]} with the snake_case output of the amazon.aws / privnet.aws info modules.
Output: {"findings": [{"check", "account", "resource", "detail"}], "counts": {...}}. Standard library only.
"""

from __future__ import annotations

import ipaddress
import json
import sys
from typing import Any

PROJECT_TAG = "privnet:project"
WORLD = {"0.0.0.0/0", "::/0"}
PRIVATELINK_PREFIX = "com.amazonaws.vpce."
LIVE_ENDPOINT_STATES = {"pendingacceptance", "pending", "available", "modifying"}
ADMIN_MANAGED_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")


def finding(check: str, account: str, resource: str, detail: str) -> dict[str, str]:
    return {"check": check, "account": account, "resource": resource, "detail": detail}


def tags_of(item: dict[str, Any]) -> dict[str, str]:
    tags = item.get("tags") or {}
    if isinstance(tags, list):
        return {t.get("key", t.get("Key")): t.get("value", t.get("Value")) for t in tags}
    return dict(tags)


def name_of(item: dict[str, Any], id_key: str) -> str:
    name = tags_of(item).get("Name")
    return f"{item.get(id_key)} ({name})" if name else str(item.get(id_key))


def rule_ports(rule: dict[str, Any]) -> tuple[int, int] | None:
    """(from, to) of a rule; None for every port (protocol -1)."""
    if str(rule.get("ip_protocol")) == "-1":
        return None
    return int(rule.get("from_port", 0)), int(rule.get("to_port", 65535))


def rule_sources(rule: dict[str, Any]) -> list[str]:
    return ([r["cidr_ip"] for r in rule.get("ip_ranges", [])]
            + [r["cidr_ipv6"] for r in rule.get("ipv6_ranges", [])])


def covers(ports: tuple[int, int] | None, port: int) -> bool:
    return ports is None or ports[0] <= port <= ports[1]


def check_security_groups(account: dict[str, Any], request: dict[str, Any], endpoint_groups: dict[str, dict],
                          private_cidrs: dict[str, list[str]]) -> list[dict[str, str]]:
    found = []
    acct = account["account"]
    for group in account.get("security_groups", []):
        resource = f"{group['group_id']} ({group.get('group_name', '')})"
        if group.get("group_name") == "default":
            if group.get("ip_permissions") or group.get("ip_permissions_egress"):
                found.append(finding("default_security_group_rules", acct, resource,
                                     "the VPC's default security group has rules (it must have none)"))
            continue
        for rule in group.get("ip_permissions", []):
            ports = rule_ports(rule)
            world = [s for s in rule_sources(rule) if s in WORLD]
            risky = [p for p in request["risky_ports"] if covers(ports, int(p))]
            if world and (risky or ports is None):
                found.append(finding("world_open_risky_port", acct, resource,
                                     f"{'/'.join(world)} may reach port(s) {risky or 'all'} "
                                     f"({rule.get('ip_protocol')} {ports or 'all'})"))
        if group["group_id"] in endpoint_groups:
            found += check_endpoint_group(acct, resource, group, endpoint_groups[group["group_id"]], request,
                                          private_cidrs.get(group.get("vpc_id", ""), []))
    return found


def check_endpoint_group(acct: str, resource: str, group: dict[str, Any], endpoint: dict[str, Any],
                         request: dict[str, Any], private_cidrs: list[str]) -> list[dict[str, str]]:
    """An endpoint's group admits only private subnets (or the given groups); AWS services only on 443."""
    found = []
    aws_service = not endpoint["service_name"].startswith(PRIVATELINK_PREFIX)
    private = [ipaddress.ip_network(c) for c in private_cidrs]
    allowed_groups = set(request["endpoint_source_group_ids"])
    for rule in group.get("ip_permissions", []):
        ports = rule_ports(rule)
        if aws_service and ports not in [(int(p), int(p)) for p in request["endpoint_ports"]]:
            found.append(finding("endpoint_group_port", acct, resource,
                                 f"endpoint group of {endpoint['vpc_endpoint_id']} admits "
                                 f"{rule.get('ip_protocol')} {ports or 'all'}, not only {request['endpoint_ports']}"))
        for source in rule_sources(rule):
            net = ipaddress.ip_network(source, strict=False)
            if not any(net.version == p.version and net.subnet_of(p) for p in private):
                found.append(finding("endpoint_group_source", acct, resource,
                                     f"endpoint group of {endpoint['vpc_endpoint_id']} admits {source}, "
                                     f"outside the private subnets {private_cidrs}"))
        for pair in rule.get("user_id_group_pairs", []):
            if pair.get("group_id") not in allowed_groups:
                found.append(finding("endpoint_group_source", acct, resource,
                                     f"endpoint group of {endpoint['vpc_endpoint_id']} admits group "
                                     f"{pair.get('group_id')}, not one of the given groups {sorted(allowed_groups)}"))
    return found


def check_instances(account: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    acct = account["account"]
    volumes = {v.get("id", v.get("volume_id")): v for v in account.get("volumes", [])}
    for instance in account.get("instances", []):
        resource = name_of(instance, "instance_id")
        metadata = instance.get("metadata_options") or {}
        if metadata.get("http_endpoint", "enabled") != "disabled" and metadata.get("http_tokens") != "required":
            found.append(finding("imdsv2_not_required", acct, resource,
                                 f"metadata http_tokens is {metadata.get('http_tokens')!r}, not 'required'"))
        if tags_of(instance).get("privnet:role") != "bastion" and instance.get("public_ip_address"):
            found.append(finding("private_host_public_ip", acct, resource,
                                 f"a private host has the public address {instance['public_ip_address']}"))
        for mapping in instance.get("block_device_mappings", []):
            volume_id = (mapping.get("ebs") or {}).get("volume_id")
            volume = volumes.get(volume_id)
            if volume is None or not volume.get("encrypted"):
                found.append(finding("volume_not_encrypted", acct, resource,
                                     f"volume {volume_id} ({mapping.get('device_name')}) is "
                                     f"{'not found' if volume is None else 'not encrypted'}"))
    return found


def is_full_access(policy: Any) -> bool:
    """The AWS default endpoint policy: Allow * on * for principal *."""
    document = json.loads(policy) if isinstance(policy, str) and policy else policy
    if not document:
        return True
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        principal = statement.get("Principal", "*")
        if (statement.get("Effect") == "Allow" and "*" in ([actions] if isinstance(actions, str) else actions)
                and "*" in ([resources] if isinstance(resources, str) else resources)
                and principal in ("*", {"AWS": "*"})):
            return True
    return False


def check_endpoints(account: dict[str, Any], request: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    allowed = set(request["full_access_allowed"])
    for endpoint in live_endpoints(account):
        if endpoint["service_name"].startswith(PRIVATELINK_PREFIX):
            continue  # endpoint services of NLBs do not support endpoint policies
        name = tags_of(endpoint).get("Name", "")
        if endpoint["vpc_endpoint_id"] in allowed or name in allowed:
            continue
        if is_full_access(endpoint.get("policy_document")):
            found.append(finding("endpoint_full_access_policy", account["account"],
                                 name_of(endpoint, "vpc_endpoint_id"),
                                 f"{endpoint['service_name']} endpoint has the full-access policy "
                                 f"(list it in posture_check_full_access_allowed if that is intended)"))
    return found


def live_endpoints(account: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in account.get("endpoints", []) if str(e.get("state", "")).lower() in LIVE_ENDPOINT_STATES]


def check_services(account: dict[str, Any], project: str) -> list[dict[str, str]]:
    found = []
    for service in account.get("services", []):
        if tags_of(service).get(PROJECT_TAG) != project:
            continue
        resource = name_of(service, "service_id")
        if not service.get("acceptance_required"):
            found.append(finding("service_acceptance_off", account["account"], resource,
                                 "the endpoint service does not require acceptance"))
        principals = service.get("allowed_principals") or []
        if "*" in principals:
            found.append(finding("service_any_principal", account["account"], resource,
                                 "the endpoint service allows the principal '*'"))
    return found


def wildcard_actions(document: Any) -> list[str]:
    document = json.loads(document) if isinstance(document, str) else document or {}
    statements = document.get("Statement", [])
    bad = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            bad.append(f"NotAction {statement['NotAction']}")
        actions = statement.get("Action", [])
        bad += [a for a in ([actions] if isinstance(actions, str) else actions) if a == "*" or a.endswith(":*")]
    return bad


def check_roles(account: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    for role in account.get("roles", []):
        for policy in role.get("inline", []):
            bad = wildcard_actions(policy.get("policy_document"))
            if bad:
                found.append(finding("role_wildcard_action", account["account"], role["role_name"],
                                     f"inline policy {policy.get('policy_name')} allows {bad}"))
        for managed in role.get("managed", []):
            if managed.endswith(ADMIN_MANAGED_POLICIES) or managed.endswith("FullAccess"):
                found.append(finding("role_wildcard_action", account["account"], role["role_name"],
                                     f"managed policy {managed} is attached"))
    return found


def evaluate(request: dict[str, Any]) -> dict[str, Any]:
    findings: list[dict[str, str]] = []
    for account in request["accounts"]:
        private_cidrs: dict[str, list[str]] = {}
        for subnet in account.get("subnets", []):
            if tags_of(subnet).get("privnet:tier") == "private":
                private_cidrs.setdefault(subnet["vpc_id"], []).append(subnet["cidr_block"])
        endpoint_groups = {group["group_id"]: endpoint for endpoint in live_endpoints(account)
                           if endpoint.get("vpc_endpoint_type") == "Interface"
                           for group in endpoint.get("groups", [])}
        findings += check_security_groups(account, request, endpoint_groups, private_cidrs)
        findings += check_instances(account)
        findings += check_endpoints(account, request)
        findings += check_services(account, request["project"])
        findings += check_roles(account)
    counts = {
        "accounts": len(request["accounts"]),
        "vpcs": sum(len(a.get("vpcs", [])) for a in request["accounts"]),
        "instances": sum(len(a.get("instances", [])) for a in request["accounts"]),
        "security_groups": sum(len(a.get("security_groups", [])) for a in request["accounts"]),
        "endpoints": sum(len(live_endpoints(a)) for a in request["accounts"]),
        "services": sum(len(a.get("services", [])) for a in request["accounts"]),
        "roles": sum(len(a.get("roles", [])) for a in request["accounts"]),
    }
    return {"findings": findings, "counts": counts}


if __name__ == "__main__":
    print(json.dumps(evaluate(json.loads(sys.stdin.read()))))
