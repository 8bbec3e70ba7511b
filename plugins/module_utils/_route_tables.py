# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the route tables of one VPC in one read: each found by its tags, with exactly the planned IPv4 routes,
subnet associations and tags.

It manages what amazon.aws.ec2_vpc_route_table manages with ``lookup: tag``, ``purge_routes``, ``purge_subnets`` and
``purge_tags``. Two things are different. It reads every table of the VPC once, where ec2_vpc_route_table reads the
tags of each table. And it does not pause 5 s after each change: the tables are read again once, at the end.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list as tag_list

from ._aws_call import aws_call, retry
from ._endpoint_results import tags_of, to_result
from ._layout_compare import describe_all

# Right after a create, EC2 may not know the new table or subnet yet (eventual consistency).
NOT_YET_KNOWN = ["InvalidRouteTableID.NotFound", "InvalidSubnetID.NotFound", "InvalidAssociationID.NotFound"]
TARGET_KEYS = ("GatewayId", "NatGatewayId")


@aws_call("create a route table in VPC {VpcId}")
@retry()
def _create_table(client, **params) -> dict[str, Any]:
    return client.create_route_table(**params)["RouteTable"]


@aws_call("{action} route {DestinationCidrBlock} of route table {RouteTableId}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _route_call(client, action: str, **params) -> None:
    getattr(client, f"{action}_route")(**params)


@aws_call("associate subnet {SubnetId} with route table {RouteTableId}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _associate(client, **params) -> None:
    client.associate_route_table(**params)


@aws_call("move association {AssociationId} to route table {RouteTableId}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _replace_association(client, **params) -> None:
    client.replace_route_table_association(**params)


@aws_call("remove association {AssociationId}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _disassociate(client, **params) -> None:
    client.disassociate_route_table(**params)


@aws_call("remove tags of route table {table_id}")
@retry()
def _delete_tags(client, table_id: str, tags: list[dict[str, str]]) -> None:
    client.delete_tags(Resources=[table_id], Tags=tags)


@aws_call("describe route tables {ids}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _describe_tables(client, ids: list[str]) -> list[dict[str, Any]]:
    return client.describe_route_tables(RouteTableIds=ids)["RouteTables"]


def _target(spec: dict[str, Any]) -> tuple[str, str]:
    """(boto3 key, id) of a planned route's target: a gateway, or a NAT gateway given either way."""
    if spec.get("nat_gateway_id"):
        return "NatGatewayId", spec["nat_gateway_id"]
    gateway = spec.get("gateway_id") or ""
    return ("NatGatewayId" if gateway.startswith("nat-") else "GatewayId"), gateway


def _created_routes(table: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The IPv4 routes someone created (not local, propagated or a gateway endpoint's prefix list): dest -> target."""
    routes = {}
    for route in table.get("Routes") or []:
        if route.get("DestinationCidrBlock") and route.get("Origin") == "CreateRoute":
            key = next((key for key in TARGET_KEYS if route.get(key)), "other")
            routes[route["DestinationCidrBlock"]] = (key, route.get(key, ""))
    return routes


def _subnet_associations(table: dict[str, Any]) -> dict[str, str]:
    """subnet id -> association id, for the table's explicit subnet associations."""
    return {
        item["SubnetId"]: item["RouteTableAssociationId"]
        for item in table.get("Associations") or []
        if not item.get("Main") and item.get("SubnetId")
    }


class RouteTables:
    """The tables of one VPC as read once, changed in place as the converge goes so later tables see earlier moves."""

    def __init__(self, client, vpc_id: str, check_mode: bool) -> None:
        self.client = client
        self.vpc_id = vpc_id
        self.check_mode = check_mode
        self.tables = describe_all(client, "describe_route_tables", "RouteTables", [
            {"Name": "vpc-id", "Values": [vpc_id]}])
        self.changes: list[str] = []

    def _change(self, description: str) -> bool:
        """Record a change; True when it is to be made (not in check mode)."""
        self.changes.append(description)
        return not self.check_mode

    def converge(self, plan: dict[str, Any]) -> dict[str, Any] | None:
        """Make one table match ``plan`` (tags, routes, subnets); the table, or None when check mode would create it."""
        name = plan["tags"].get("Name", "")
        found = [table for table in self.tables if plan["tags"].items() <= tags_of(table).items()]
        if len(found) > 1:
            ids = ", ".join(table["RouteTableId"] for table in found)
            raise AnsibleEC2Error(message=f"The tags of route table {name} match {len(found)} tables ({ids}); "
                                          "they must identify one")
        table = found[0] if found else None
        if table is None:
            if not self._change(f"create route table {name}"):
                self._predict_new(plan, name)
                return None
            table = _create_table(self.client, VpcId=self.vpc_id, TagSpecifications=[
                {"ResourceType": "route-table", "Tags": tag_list(plan["tags"])}])
            table.setdefault("Associations", [])
            self.tables.append(table)
        self._remove_extra_tags(table, plan["tags"], name)
        self._routes(table, plan["routes"], name)
        self._subnets(table, plan["subnets"], name)
        return table

    def _predict_new(self, plan: dict[str, Any], name: str) -> None:
        for spec in plan["routes"]:
            self._change(f"add route {spec['dest']} to route table {name}")
        for subnet_id in plan["subnets"]:
            self._change(f"associate subnet {subnet_id} with route table {name}")

    def _remove_extra_tags(self, table: dict[str, Any], wanted: dict[str, str], name: str) -> None:
        """Found by its tags, the table has every wanted one: only tags not planned (but aws: ones) can differ."""
        extra = sorted(key for key in tags_of(table) if key not in wanted and not key.startswith("aws:"))
        if extra and self._change(f"remove tags {', '.join(extra)} of route table {name}"):
            _delete_tags(self.client, table["RouteTableId"], [{"Key": key} for key in extra])

    def _routes(self, table: dict[str, Any], planned: list[dict[str, Any]], name: str) -> None:
        current = _created_routes(table)
        table_id = table["RouteTableId"]
        for spec in planned:
            key, target = _target(spec)
            dest = spec["dest"]
            if dest not in current:
                if self._change(f"add route {dest} to route table {name}"):
                    _route_call(self.client, "create", RouteTableId=table_id, DestinationCidrBlock=dest,
                                **{key: target})
            elif current[dest] != (key, target):
                if self._change(f"point route {dest} of route table {name} at {target}"):
                    _route_call(self.client, "replace", RouteTableId=table_id, DestinationCidrBlock=dest,
                                **{key: target})
        for dest in sorted(set(current) - {spec["dest"] for spec in planned}):
            if self._change(f"remove route {dest} of route table {name}"):
                _route_call(self.client, "delete", RouteTableId=table_id, DestinationCidrBlock=dest)

    def _subnets(self, table: dict[str, Any], subnet_ids: list[str], name: str) -> None:
        table_id = table["RouteTableId"]
        for subnet_id in subnet_ids:
            holder = next((other for other in self.tables if subnet_id in _subnet_associations(other)), None)
            if holder is table:
                continue
            if holder is None:
                if self._change(f"associate subnet {subnet_id} with route table {name}"):
                    _associate(self.client, RouteTableId=table_id, SubnetId=subnet_id)
            else:
                association_id = _subnet_associations(holder)[subnet_id]
                if self._change(f"move subnet {subnet_id} from route table {holder['RouteTableId']} to {name}"):
                    _replace_association(self.client, AssociationId=association_id, RouteTableId=table_id)
                holder["Associations"] = [item for item in holder["Associations"]
                                          if item.get("RouteTableAssociationId") != association_id]
            table["Associations"].append({"Main": False, "SubnetId": subnet_id, "RouteTableAssociationId": ""})
        for subnet_id, association_id in sorted(_subnet_associations(table).items()):
            if subnet_id in subnet_ids:
                continue
            if self._change(f"remove subnet {subnet_id} from route table {name}"):
                _disassociate(self.client, AssociationId=association_id)
            table["Associations"] = [item for item in table["Associations"]
                                     if item.get("RouteTableAssociationId") != association_id]


def converge_route_tables(client, vpc_id: str, plans: list[dict[str, Any]], check_mode: bool) -> dict[str, Any]:
    """changed, changes (one line each) and route_tables (in the order of ``plans``; a placeholder with an empty id
    for a table check mode would create)."""
    tables = RouteTables(client, vpc_id, check_mode)
    converged = [tables.converge(plan) for plan in plans]
    ids = [table["RouteTableId"] for table in converged if table is not None]
    if tables.changes and not check_mode and ids:
        fresh = {table["RouteTableId"]: table for table in _describe_tables(client, ids)}
        converged = [fresh[table["RouteTableId"]] for table in converged]
    results = []
    for plan, table in zip(plans, converged, strict=True):
        placeholder = {"route_table_id": "", "vpc_id": vpc_id, "tags": dict(plan["tags"])}
        result = to_result(table) if table is not None else placeholder
        result["id"] = result["route_table_id"]
        results.append(result)
    return {"changed": bool(tables.changes), "changes": tables.changes, "route_tables": results}
