# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read a VPC laid out as privnet.aws.vpc_base builds it, in one call per resource kind, and compare it with a plan.

The comparison is at least as strict as the amazon.aws modules vpc_base converges with (``ec2_vpc_net``,
``ec2_vpc_igw``, ``ec2_vpc_subnet``, ``ec2_vpc_route_table``, ``ec2_security_group``, ``ec2_vpc_nat_gateway``, all
with their purging defaults): whatever they would change shows up as a difference.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ._aws_call import aws_call, retry
from ._endpoint_results import tags_of, to_result
from ._layout_compare import Comparison, describe_all

LIVE_NAT_STATES = ("pending", "available")


@aws_call("describe the {attribute} attribute of VPC {vpc_id}")
@retry()
def vpc_attribute(client, vpc_id: str, attribute: str) -> bool:
    answer = client.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)
    return bool(answer[attribute[0].upper() + attribute[1:]]["Value"])


def ec2_filter(name: str, *values: str) -> dict[str, Any]:
    return {"Name": name, "Values": list(values)}


def read_layout(client, name: str, cidr: str) -> dict[str, Any]:
    """Everything vpc_base manages in the VPC named ``name`` with block ``cidr`` (empty dict when there is none)."""
    vpcs = describe_all(client, "describe_vpcs", "Vpcs", [ec2_filter("tag:Name", name), ec2_filter("cidr-block", cidr)])
    if len(vpcs) != 1:
        return {"vpcs": vpcs}
    vpc_id = vpcs[0]["VpcId"]
    in_vpc = [ec2_filter("vpc-id", vpc_id)]
    return {
        "vpcs": vpcs,
        "dns_support": vpc_attribute(client, vpc_id, "enableDnsSupport"),
        "dns_hostnames": vpc_attribute(client, vpc_id, "enableDnsHostnames"),
        "internet_gateways": describe_all(
            client, "describe_internet_gateways", "InternetGateways", [ec2_filter("attachment.vpc-id", vpc_id)]
        ),
        "subnets": describe_all(client, "describe_subnets", "Subnets", in_vpc),
        "route_tables": describe_all(client, "describe_route_tables", "RouteTables", in_vpc),
        "default_groups": describe_all(
            client, "describe_security_groups", "SecurityGroups", in_vpc + [ec2_filter("group-name", "default")]
        ),
        "nat_gateways": describe_all(
            client, "describe_nat_gateways", "NatGateways", in_vpc + [ec2_filter("state", *LIVE_NAT_STATES)]
        ),
    }


def _created_routes(table: dict[str, Any]) -> list[tuple[str, str]]:
    """The routes ec2_vpc_route_table's purge_routes manages: IPv4 destinations it (or a person) created."""
    routes = []
    for route in table.get("Routes") or []:
        if route.get("DestinationCidrBlock") and route.get("Origin") == "CreateRoute":
            target = (route.get("GatewayId") or route.get("NatGatewayId") or route.get("InstanceId")
                      or route.get("NetworkInterfaceId") or "?")
            routes.append((route["DestinationCidrBlock"], target))
    return sorted(routes)


def _associated_subnets(table: dict[str, Any]) -> list[str]:
    return sorted(
        item["SubnetId"] for item in table.get("Associations") or [] if not item.get("Main") and item.get("SubnetId")
    )


def _table_by_tags(compare: Comparison, what: str, tables: list[dict[str, Any]], tags: dict[str, str]):
    """The one table whose tags include ``tags`` (how ec2_vpc_route_table's lookup=tag finds it)."""
    found = [table for table in tables if tags.items() <= tags_of(table).items()]
    table = compare.one(what, found)
    if table is not None:
        compare.tags(what, table, tags)
    return table


def compare_layout(layout: dict[str, Any], plan: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """(differences, facts): the facts are only complete when there is no difference.

    ``plan``: name, cidr, tags (every resource's tags but Name), public_subnets and private_subnets (lists of
    name/cidr/az), nat_gateway (bool), restrict_default_security_group (bool).
    """
    compare = Comparison()
    tags = dict(plan["tags"])
    vpc = compare.one(f"VPC {plan['name']} {plan['cidr']}", layout.get("vpcs") or [])
    if vpc is None:
        return compare.differences, {}
    compare.check("VPC state", vpc.get("State"), "available")
    compare.tags("VPC", vpc, {**tags, "Name": plan["name"]})
    compare.check("VPC DNS support", layout["dns_support"], True)
    compare.check("VPC DNS host names", layout["dns_hostnames"], True)
    facts: dict[str, Any] = {"vpc_id": vpc["VpcId"], "vpc_cidr": vpc["CidrBlock"]}

    igw = compare.one("internet gateway attached to the VPC", layout["internet_gateways"])
    if igw is not None:
        compare.tags("internet gateway", igw, {**tags, "Name": f"{plan['name']}-igw"})
        facts["igw_id"] = igw["InternetGatewayId"]

    subnets_by_cidr = {subnet["CidrBlock"]: subnet for subnet in layout["subnets"]}
    for tier in ("public", "private"):
        facts[f"{tier}_subnets"] = []
        for planned in plan[f"{tier}_subnets"]:
            what = f"{tier} subnet {planned['name']} {planned['cidr']}"
            subnet = subnets_by_cidr.get(planned["cidr"])
            if subnet is None:
                compare.differences.append(f"{what}: missing")
                continue
            compare.check(f"{what} zone", subnet.get("AvailabilityZone"), planned["az"])
            compare.check(f"{what} public addresses on launch", subnet.get("MapPublicIpOnLaunch"), False)
            compare.check(f"{what} IPv6 addresses on creation", subnet.get("AssignIpv6AddressOnCreation", False), False)
            compare.tags(what, subnet, {**tags, "Name": planned["name"], "privnet:tier": tier})
            result = to_result(subnet)
            result["id"] = subnet["SubnetId"]
            facts[f"{tier}_subnets"].append(result)

    project = tags.get("privnet:project")
    nat_gateways = [nat for nat in layout["nat_gateways"] if tags_of(nat).get("privnet:project") == project]
    nat_gateway_id = ""
    if plan["nat_gateway"]:
        nat = compare.one("NAT gateway", nat_gateways)
        if nat is not None:
            compare.check("NAT gateway state", nat.get("State"), "available")
            first_public = facts["public_subnets"][0]["id"] if facts["public_subnets"] else None
            compare.check("NAT gateway subnet", nat.get("SubnetId"), first_public)
            compare.tags("NAT gateway", nat, {**tags, "Name": f"{plan['name']}-nat"})
            nat_gateway_id = nat["NatGatewayId"]
    else:
        compare.check("NAT gateways of the project", [nat["NatGatewayId"] for nat in nat_gateways], [])
    facts["nat_gateway_id"] = nat_gateway_id

    tables = layout["route_tables"]
    public = _table_by_tags(
        compare, "public route table", tables, {**tags, "Name": f"{plan['name']}-public", "privnet:tier": "public"}
    )
    if public is not None:
        compare.check("public route table routes", _created_routes(public), [("0.0.0.0/0", facts.get("igw_id"))])
        compare.check(
            "public route table subnets",
            _associated_subnets(public),
            sorted(subnet["id"] for subnet in facts["public_subnets"]),
        )
        facts["public_route_table_id"] = public["RouteTableId"]
    facts["private_route_table_ids"] = []
    private_routes = [("0.0.0.0/0", nat_gateway_id)] if plan["nat_gateway"] else []
    for subnet in facts["private_subnets"]:
        name = subnet["tags"].get("Name")
        wanted_tags = {**tags, "Name": name, "privnet:tier": "private"}
        table = _table_by_tags(compare, f"route table {name}", tables, wanted_tags)
        if table is None:
            continue
        compare.check(f"route table {name} routes", _created_routes(table), private_routes)
        compare.check(f"route table {name} subnets", _associated_subnets(table), [subnet["id"]])
        facts["private_route_table_ids"].append(table["RouteTableId"])

    if plan["restrict_default_security_group"]:
        group = compare.one("default security group", layout["default_groups"])
        if group is not None:
            compare.check("default security group inbound rules", group.get("IpPermissions") or [], [])
            compare.check("default security group outbound rules", group.get("IpPermissionsEgress") or [], [])
            compare.tags("default security group", group, {**tags, "Name": f"{plan['name']}-default"})
    return compare.differences, facts
