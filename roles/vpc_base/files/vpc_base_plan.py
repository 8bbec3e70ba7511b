# Copyright: privnet.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan the vpc_base subnets: validate the inputs and derive blocks and zones.

Run on the controller by the role (pipe lookup) with one JSON argument, prints one JSON object:
{"errors": [...], "azs": [...], "public": [{cidr, az, name}], "private": [...]}.
Only the standard library is used, so the role needs neither netaddr nor a filter plugin.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from typing import Any

# AWS accepts VPC and subnet IPv4 blocks between /16 and /28.
AWS_MIN_PREFIX = 16
AWS_MAX_PREFIX = 28


def _parse(value: Any, label: str) -> tuple[ipaddress.IPv4Network | None, str | None]:
    if not isinstance(value, str):
        return None, f"{label}: expected an IPv4 CIDR string such as 10.0.0.0/16, got {value!r}"
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as error:
        return None, f"{label}: {value!r} is not a valid IPv4 CIDR ({error})"
    if "/" not in value:
        return None, f"{label}: {value!r} has no prefix length (write it as a.b.c.d/n)"
    if not AWS_MIN_PREFIX <= network.prefixlen <= AWS_MAX_PREFIX:
        return None, (
            f"{label}: {value} has prefix /{network.prefixlen}; AWS allows /{AWS_MIN_PREFIX} to /{AWS_MAX_PREFIX}"
        )
    return network, None


def vpc_base_network_errors(
    vpc_cidr: Any, public_cidrs: list[Any], private_cidrs: list[Any]
) -> list[str]:
    """Return one message per problem, each naming the offending variable (empty list when valid)."""
    errors: list[str] = []
    vpc, error = _parse(vpc_cidr, "vpc_base_cidr")
    if error:
        errors.append(error)
    subnets: list[tuple[str, ipaddress.IPv4Network]] = []
    tiers = (("vpc_base_public_subnet_cidrs", public_cidrs), ("vpc_base_private_subnet_cidrs", private_cidrs))
    for variable, cidrs in tiers:
        for index, cidr in enumerate(cidrs):
            label = f"{variable}[{index}]"
            network, error = _parse(cidr, label)
            if error:
                errors.append(error)
                continue
            assert network is not None
            if vpc is not None and not network.subnet_of(vpc):
                errors.append(f"{label}: {cidr} is outside vpc_base_cidr {vpc_cidr}")
            subnets.append((label, network))
    for position, (label, network) in enumerate(subnets):
        for other_label, other in subnets[position + 1:]:
            if network.overlaps(other):
                errors.append(f"{label}: {network} overlaps {other_label} {other}")
    return errors


def vpc_base_derive_subnets(vpc_cidr: str, prefix: int, count: int, offset: int) -> list[str]:
    """Return `count` consecutive /`prefix` blocks of `vpc_cidr`, starting at block number `offset`."""
    vpc = ipaddress.IPv4Network(vpc_cidr, strict=True)
    if prefix < vpc.prefixlen or prefix > AWS_MAX_PREFIX:
        raise ValueError(f"vpc_base_subnet_prefix: /{prefix} cannot be carved out of {vpc_cidr}")
    available = 2 ** (prefix - vpc.prefixlen)
    if offset + count > available:
        raise ValueError(
            f"vpc_base_subnet_prefix: {vpc_cidr} holds {available} /{prefix} blocks, {offset + count} are needed"
        )
    blocks = vpc.subnets(new_prefix=prefix)
    return [str(block) for index, block in enumerate(blocks) if offset <= index < offset + count]


def vpc_base_subnet_plan(cidrs: list[str], azs: list[str], name: str, tier: str) -> list[dict[str, str]]:
    """Spread subnet blocks over the zones in order; each entry gets its zone and Name tag."""
    if not azs:
        raise ValueError("vpc_base_azs: no availability zone to place subnets in")
    plan = []
    for index, cidr in enumerate(cidrs):
        zone = azs[index % len(azs)]
        plan.append({"cidr": cidr, "az": zone, "name": f"{name}-{tier}-{index + 1}-{zone}"})
    return plan


PROJECT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _input_errors(request: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    project = request.get("project")
    if not isinstance(project, str) or not PROJECT_PATTERN.match(project):
        errors.append(f"vpc_base_project: {project!r} must be 1-40 lower case letters, digits or hyphens")
    for variable in ("azs", "public_subnet_cidrs", "private_subnet_cidrs"):
        if not isinstance(request.get(variable), list):
            errors.append(f"vpc_base_{variable}: expected a list, got {request.get(variable)!r}")
    for variable, low, high in (("az_count", 1, 64), ("subnet_prefix", AWS_MIN_PREFIX, AWS_MAX_PREFIX)):
        value = request.get(variable)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors.append(f"vpc_base_{variable}: expected an integer from {low} to {high}, got {value!r}")
    if errors:
        return errors
    return vpc_base_network_errors(request["cidr"], request["public_subnet_cidrs"], request["private_subnet_cidrs"])


def _choose_azs(request: dict[str, Any], available: list[str]) -> tuple[list[str], list[str]]:
    requested: list[str] = request["azs"]
    if requested:
        unknown = [zone for zone in requested if zone not in available]
        if unknown:
            return [], [
                f"vpc_base_azs: unknown or unavailable availability zone(s) {', '.join(map(str, unknown))}; "
                f"available: {', '.join(available)}"
            ]
        return requested, []
    count: int = request["az_count"]
    if count > len(available):
        return [], [f"vpc_base_az_count: {count} zones asked, the region has {len(available)} ({', '.join(available)})"]
    return available[:count], []


def plan(request: dict[str, Any]) -> dict[str, Any]:
    """Validate the request; when `available_azs` is given also choose zones and derive the subnets."""
    result: dict[str, Any] = {"errors": _input_errors(request), "azs": [], "public": [], "private": []}
    available = request.get("available_azs")
    if result["errors"] or available is None:
        return result
    azs, errors = _choose_azs(request, available)
    if errors:
        result["errors"] = errors
        return result
    vpc_prefix = ipaddress.IPv4Network(request["cidr"]).prefixlen
    half = 2 ** (request["subnet_prefix"] - vpc_prefix) // 2
    try:
        public = request["public_subnet_cidrs"] or vpc_base_derive_subnets(
            request["cidr"], request["subnet_prefix"], len(azs), 0
        )
        private = request["private_subnet_cidrs"] or vpc_base_derive_subnets(
            request["cidr"], request["subnet_prefix"], len(azs), half
        )
    except ValueError as error:
        result["errors"] = [str(error)]
        return result
    result["errors"] = vpc_base_network_errors(request["cidr"], public, private)
    if not public or not private:
        result["errors"].append("vpc_base_public_subnet_cidrs / vpc_base_private_subnet_cidrs: no subnet planned")
    result["azs"] = azs
    result["public"] = vpc_base_subnet_plan(public, azs, request["name"], "public")
    result["private"] = vpc_base_subnet_plan(private, azs, request["name"], "private")
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(json.dumps({"errors": ["vpc_base_plan.py expects one JSON argument"]}))
        return 0
    print(json.dumps(plan(json.loads(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
