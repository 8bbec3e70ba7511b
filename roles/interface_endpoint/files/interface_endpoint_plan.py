# Copyright: privnet.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan the interface_endpoint endpoints: validate the inputs and decide subnets, DNS and policy per service.

Run on the controller by the role (pipe lookup) with one JSON argument, prints one JSON object:
{"errors": [...], "region", "account_id", "partition", "vpc_id", "source_cidrs", "endpoints": [...]}.
Called twice: first with the variables only (no AWS facts: format checks before any API call), then with what
DescribeSubnets, DescribeVpcs and DescribeVpcEndpointServices answered. Every message names the variable at fault.
Only the standard library is used, so the role needs neither netaddr nor a filter plugin.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from typing import Any

SHORT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$")
FULL_NAME = re.compile(r"^com\.amazonaws\.(?P<region>[a-z]{2}(-[a-z]+)+-\d)\.(?P<service>.+)$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")
SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
POLICY_KEYWORDS = ("scoped", "full")
ENTRY_KEYS = {"name", "private_dns_enabled", "policy"}

# IAM action prefix of a service, where it differs from the first label of the endpoint service name.
IAM_PREFIXES = {
    "ecr.api": "ecr",
    "ecr.dkr": "ecr",
    "monitoring": "cloudwatch",
    "ecs-agent": "ecs",
    "ecs-telemetry": "ecs",
    "git-codecommit": "codecommit",
    "email-smtp": "ses",
    "execute-api": "execute-api",
    "secretsmanager": "secretsmanager",
}


def iam_prefix(service: str) -> str:
    return IAM_PREFIXES.get(service, service.split(".")[0])


def endpoint_name(name: str, service: str) -> str:
    return f"{name}-{service.replace('.', '-')}"


class Planner:
    def __init__(self, request: dict[str, Any]) -> None:
        self.request = request
        self.errors: list[str] = []

    def error(self, message: str) -> None:
        self.errors.append(message)

    # -- the variables alone ---------------------------------------------------------------------------------
    def check_scalars(self) -> None:
        request = self.request
        if request.get("state") not in ("present", "absent"):
            self.error(f"interface_endpoint_state: {request.get('state')!r} is not one of present, absent")
        project = request.get("project")
        if not isinstance(project, str) or not NAME.match(project):
            self.error(f"interface_endpoint_project: {project!r} must be lower case letters, digits and hyphens "
                       "(at most 63 characters)")
        name = request.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            self.error(f"interface_endpoint_name: {name!r} must be lower case letters, digits and hyphens "
                       "(at most 63 characters)")
        region = request.get("region") or ""
        if region and not REGION.match(region):
            self.error(f"interface_endpoint_region: {region!r} is not a region name such as ap-northeast-1")
        if not isinstance(request.get("private_dns_enabled"), bool):
            self.error("interface_endpoint_private_dns_enabled: must be true or false")
        self._check_policy(request.get("policy"), "interface_endpoint_policy")

    def _check_policy(self, policy: Any, label: str) -> None:
        if isinstance(policy, str) and policy in POLICY_KEYWORDS:
            return
        if isinstance(policy, dict) and isinstance(policy.get("Statement"), list) and policy["Statement"]:
            return
        self.error(f"{label}: expected 'scoped', 'full' or a policy document with a non-empty Statement list, "
                   f"got {policy!r}")

    def check_network_inputs(self) -> None:
        request = self.request
        subnet_ids = request.get("subnet_ids")
        if not isinstance(subnet_ids, list) or not subnet_ids:
            self.error("interface_endpoint_subnet_ids: the list is empty; give the private subnets the endpoints go "
                       "into (vpc_base_private_subnet_ids fits)")
        else:
            for index, subnet_id in enumerate(subnet_ids):
                if not isinstance(subnet_id, str) or not SUBNET_ID.match(subnet_id):
                    self.error(f"interface_endpoint_subnet_ids[{index}]: {subnet_id!r} is not a subnet id")
            if len(set(subnet_ids)) != len(subnet_ids):
                self.error("interface_endpoint_subnet_ids: lists a subnet twice")
        for index, cidr in enumerate(request.get("source_cidrs") or []):
            label = f"interface_endpoint_source_cidrs[{index}]"
            try:
                network = ipaddress.IPv4Network(str(cidr), strict=True)
            except ValueError as error:
                self.error(f"{label}: {cidr!r} is not a valid IPv4 CIDR ({error})")
                continue
            if network.prefixlen == 0:
                self.error(f"{label}: {cidr} opens the endpoints to every address; give the clients' CIDRs")
        for index, group_id in enumerate(request.get("source_security_group_ids") or []):
            if not isinstance(group_id, str) or not GROUP_ID.match(group_id):
                self.error(f"interface_endpoint_source_security_group_ids[{index}]: {group_id!r} is not a security "
                           "group id")

    def services(self, region: str) -> list[dict[str, Any]]:
        """Expand presets and normalise names: [{service, service_name, private_dns_enabled, policy, label}]."""
        entries = self.request.get("services")
        presets = self.request.get("presets") or {}
        if not isinstance(entries, list) or not entries:
            self.error("interface_endpoint_services: the list is empty; name at least one service, e.g. sqs")
            return []
        wanted: list[dict[str, Any]] = []
        for index, entry in enumerate(entries):
            label = f"interface_endpoint_services[{index}]"
            options: dict[str, Any] = {}
            if isinstance(entry, dict):
                unknown = sorted(set(entry) - ENTRY_KEYS)
                if unknown:
                    allowed = ", ".join(sorted(ENTRY_KEYS))
                    self.error(f"{label}: unknown key(s) {', '.join(unknown)} (allowed: {allowed})")
                options = {key: entry[key] for key in ("private_dns_enabled", "policy") if key in entry}
                if "private_dns_enabled" in options and not isinstance(options["private_dns_enabled"], bool):
                    self.error(f"{label}.private_dns_enabled: must be true or false")
                if "policy" in options:
                    self._check_policy(options["policy"], f"{label}.policy")
                entry = entry.get("name")
            if not isinstance(entry, str) or not entry:
                self.error(f"{label}: expected a service name such as sqs, a preset ({', '.join(sorted(presets))}) "
                           f"or a dict with a name, got {entry!r}")
                continue
            names = presets.get(entry, [entry])
            for name in names:
                service = self._short_name(name, region, label)
                if service is not None:
                    wanted.append({"service": service, "label": label, **options})
        seen: dict[str, dict[str, Any]] = {}
        for item in wanted:
            first = seen.get(item["service"])
            if first is None:
                seen[item["service"]] = item
            elif {k: v for k, v in first.items() if k != "label"} != {k: v for k, v in item.items() if k != "label"}:
                self.error(f"{item['label']}: service {item['service']} is already listed in {first['label']} "
                           "with other options")
        return list(seen.values())

    def _short_name(self, name: str, region: str, label: str) -> str | None:
        if name.startswith("com.amazonaws.vpce.") or ".vpce-svc-" in name or name.startswith("vpce-svc-"):
            self.error(f"{label}: {name} is an endpoint service (PrivateLink); the privatelink role connects to those")
            return None
        full = FULL_NAME.match(name)
        if full:
            if region and full.group("region") != region:
                self.error(f"{label}: {name} is a service of region {full.group('region')}, but the endpoints are "
                           f"created in {region}; interface endpoints reach services of their own region only")
                return None
            name = full.group("service")
        elif name.startswith("com.amazonaws.") or name.startswith("aws."):
            self.error(f"{label}: {name!r} is not a service name of the form com.amazonaws.<region>.<service>")
            return None
        if not SHORT_NAME.match(name):
            self.error(f"{label}: {name!r} is not a service name (for example sqs, ecr.api, "
                       "com.amazonaws.<region>.sqs)")
            return None
        return name

    # -- with the AWS facts ----------------------------------------------------------------------------------
    def subnets(self, region: str) -> tuple[list[dict[str, Any]], str, str, str, str]:
        """The requested subnets as DescribeSubnets answered, and the region, account, partition and VPC they imply."""
        found = {s["subnet_id"]: s for s in self.request.get("subnets") or []}
        wanted = self.request.get("subnet_ids") or []
        missing = [s for s in wanted if s not in found]
        if missing:
            self.error(f"interface_endpoint_subnet_ids: {', '.join(missing)} not found in this account and region")
        subnets = [found[s] for s in wanted if s in found]
        if not subnets:
            return [], region, "", "aws", self.request.get("vpc_id") or ""
        arn = subnets[0].get("subnet_arn") or ""
        parts = arn.split(":")
        partition = parts[1] if len(parts) > 5 else "aws"
        actual_region = parts[3] if len(parts) > 5 else region
        account = str(subnets[0].get("owner_id") or (parts[4] if len(parts) > 5 else ""))
        if region and actual_region and region != actual_region:
            self.error(f"interface_endpoint_region: {region} differs from the region of the subnets "
                       f"({actual_region}); set the region of the AWS modules and this variable alike")
        vpcs = sorted({s["vpc_id"] for s in subnets})
        vpc_id = self.request.get("vpc_id") or ""
        if vpc_id and vpcs != [vpc_id]:
            self.error(f"interface_endpoint_subnet_ids: every subnet must be in interface_endpoint_vpc_id {vpc_id}; "
                       f"found VPC(s) {', '.join(vpcs)}")
        elif not vpc_id and len(vpcs) > 1:
            self.error(f"interface_endpoint_subnet_ids: the subnets are in several VPCs ({', '.join(vpcs)})")
        by_zone: dict[str, str] = {}
        for subnet in subnets:
            other = by_zone.setdefault(subnet["availability_zone"], subnet["subnet_id"])
            if other != subnet["subnet_id"]:
                self.error(f"interface_endpoint_subnet_ids: {other} and {subnet['subnet_id']} are both in "
                           f"{subnet['availability_zone']}; an endpoint takes one subnet per availability zone")
        return subnets, actual_region or region, account, partition, vpc_id or (vpcs[0] if vpcs else "")

    def details(self, region: str) -> dict[str, dict[str, Any]]:
        """DescribeVpcEndpointServices details by service name, Interface entries preferred."""
        details: dict[str, dict[str, Any]] = {}
        for detail in self.request.get("service_details") or []:
            types = [t.get("service_type") for t in detail.get("service_type") or []]
            name = detail.get("service_name", "")
            if name not in details or "Interface" in types:
                details[name] = {**detail, "types": types}
        return details

    def policy(self, option: Any, service: str, account: str, partition: str) -> tuple[dict[str, Any] | None, bool]:
        """(policy document, reset to the AWS default)."""
        if option == "full":
            return None, True
        if isinstance(option, dict):
            return option, False
        principal = f"arn:{partition}:iam::{account}:root" if account else None
        if principal is None:
            return None, False
        return {
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "PrincipalsOfThisAccountOnly",
                "Effect": "Allow",
                "Principal": {"AWS": principal},
                "Action": f"{iam_prefix(service)}:*",
                "Resource": "*",
            }],
        }, False

    def plan(self) -> dict[str, Any]:
        request = self.request
        self.check_scalars()
        region = request.get("region") or ""
        if request.get("state") != "present":
            return {"errors": self.errors, "region": region, "account_id": "", "partition": "aws",
                    "vpc_id": request.get("vpc_id") or "", "source_cidrs": [], "endpoints": [], "service_names": []}
        if request.get("network") != "later":
            self.check_network_inputs()
        have_facts = request.get("subnets") is not None
        account, partition, vpc_id, subnets = "", "aws", request.get("vpc_id") or "", []
        if have_facts:
            subnets, region, account, partition, vpc_id = self.subnets(region)
        services = self.services(region)
        endpoints: list[dict[str, Any]] = []
        source_cidrs = list(request.get("source_cidrs") or [])
        if not source_cidrs and not request.get("source_security_group_ids"):
            source_cidrs = sorted({s["cidr_block"] for s in subnets})
        result = {"errors": self.errors, "region": region, "account_id": account, "partition": partition,
                  "vpc_id": vpc_id, "source_cidrs": source_cidrs, "endpoints": endpoints,
                  "service_names": [f"com.amazonaws.{region}.{s['service']}" for s in services] if region else []}
        if request.get("service_details") is None:
            return result
        details = self.details(region)
        vpc = request.get("vpc")
        for item in services:
            endpoints.append(self._endpoint(item, details, subnets, vpc, region, account, partition))
        return result

    def _endpoint(self, item: dict[str, Any], details: dict[str, dict[str, Any]], subnets: list[dict[str, Any]],
                  vpc: dict[str, Any] | None, region: str, account: str, partition: str) -> dict[str, Any]:
        """One endpoint's plan. Without subnets and VPC (not looked up yet) only the service itself is checked."""
        request = self.request
        service, label = item["service"], item["label"]
        service_name = f"com.amazonaws.{region}.{service}"
        detail = details.get(service_name)
        private_dns = item.get("private_dns_enabled", request.get("private_dns_enabled"))
        dns_label = f"{label}.private_dns_enabled" if "private_dns_enabled" in item else \
            "interface_endpoint_private_dns_enabled"
        option = item.get("policy", request.get("policy"))
        policy_label = f"{label}.policy" if "policy" in item else "interface_endpoint_policy"
        planned: dict[str, Any] = {"service": service, "service_name": service_name,
                                   "name": endpoint_name(request["name"], service), "private_dns_enabled": private_dns,
                                   "subnet_ids": [], "availability_zones": [], "skipped_subnet_ids": [],
                                   "private_dns_name": "", "policy": None, "reset_policy": False}
        if detail is None:
            self.error(f"{label}: {service_name} is not offered in {region} (DescribeVpcEndpointServices does not "
                       "list it); check the service name")
            return planned
        if "Interface" not in detail["types"]:
            self.error(f"{label}: {service_name} offers no Interface endpoint (types: {', '.join(detail['types'])}); "
                       "use a gateway endpoint (gateway_endpoint role) for it")
            return planned
        zones = set(detail.get("availability_zones") or [])
        for subnet in subnets:
            key = "subnet_ids" if subnet["availability_zone"] in zones else "skipped_subnet_ids"
            planned[key].append(subnet["subnet_id"])
            if key == "subnet_ids":
                planned["availability_zones"].append(subnet["availability_zone"])
        if subnets and not planned["subnet_ids"]:
            self.error(f"interface_endpoint_subnet_ids: none of the subnets is in a zone {service_name} supports "
                       f"({', '.join(sorted(zones)) or 'none'}); the subnets are in "
                       f"{', '.join(sorted({s['availability_zone'] for s in subnets}))}")
        planned["private_dns_name"] = detail.get("private_dns_name") or ""
        if private_dns and not planned["private_dns_name"]:
            self.error(f"{dns_label}: {service_name} has no private DNS name; set private_dns_enabled: false for "
                       f"it (a dict entry in interface_endpoint_services) and use the endpoint's own DNS names")
        if private_dns and vpc is not None and not (vpc.get("enable_dns_support") and vpc.get("enable_dns_hostnames")):
            self.error(f"{dns_label}: private DNS needs enableDnsSupport and enableDnsHostnames on VPC "
                       f"{vpc.get('id', '(unknown)')}")
        supported = detail.get("vpc_endpoint_policy_supported", True)
        if supported:
            planned["policy"], planned["reset_policy"] = self.policy(option, service, account, partition)
        elif isinstance(option, dict):
            self.error(f"{policy_label}: {service_name} does not support endpoint policies")
        return planned


def main(argv: list[str]) -> int:
    request = json.loads(argv[1]) if len(argv) > 1 else {}
    print(json.dumps(Planner(request).plan(), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
