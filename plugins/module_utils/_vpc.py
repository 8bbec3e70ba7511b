# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one VPC, its internet gateway and its subnets in one call, with exactly the planned tags.

It manages what amazon.aws.ec2_vpc_net (found by Name and block), ec2_vpc_igw and ec2_vpc_subnet (found by block)
manage with their purging defaults, in one module run instead of one per resource. Every resource is created with its
tags (TagSpecifications), so a run stopped at any point leaves nothing a rerun cannot find: an internet gateway
created but not attached is found by its tags and attached.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list as tag_list

from ._aws_call import aws_call, retry
from ._endpoint_results import tags_of, to_result
from ._layout_compare import describe_all
from ._vpc_layout import ec2_filter, vpc_attribute

# Right after a create, EC2 may not know the new VPC, gateway or subnet yet (eventual consistency).
NOT_YET_KNOWN = ["InvalidVpcID.NotFound", "InvalidInternetGatewayID.NotFound", "InvalidSubnetID.NotFound"]
DNS_ATTRIBUTES = (("dns_support", "enableDnsSupport"), ("dns_hostnames", "enableDnsHostnames"))
# Subnet attributes this collection keeps off: instances ask for a public address themselves.
SUBNET_ATTRIBUTES = (("MapPublicIpOnLaunch", "public addresses on launch"),
                     ("AssignIpv6AddressOnCreation", "IPv6 addresses on creation"))


@aws_call("create VPC {CidrBlock}")
@retry()
def _create_vpc(client, **params) -> dict[str, Any]:
    return client.create_vpc(**params)["Vpc"]


@aws_call("set {attribute} of VPC {vpc_id}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _set_vpc_attribute(client, vpc_id: str, attribute: str, value: bool) -> None:
    client.modify_vpc_attribute(VpcId=vpc_id, **{attribute[0].upper() + attribute[1:]: {"Value": value}})


@aws_call("create an internet gateway")
@retry()
def _create_internet_gateway(client, **params) -> dict[str, Any]:
    return client.create_internet_gateway(**params)["InternetGateway"]


@aws_call("attach internet gateway {InternetGatewayId} to VPC {VpcId}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _attach_internet_gateway(client, **params) -> None:
    client.attach_internet_gateway(**params)


@aws_call("create subnet {CidrBlock} in {AvailabilityZone}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _create_subnet(client, **params) -> dict[str, Any]:
    return client.create_subnet(**params)["Subnet"]


@aws_call("turn off {attribute} of subnet {subnet_id}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _turn_off_subnet_attribute(client, subnet_id: str, attribute: str) -> None:
    client.modify_subnet_attribute(SubnetId=subnet_id, **{attribute: {"Value": False}})


@aws_call("{action} tags of {resource_id}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _tag_call(client, action: str, resource_id: str, tags: list[dict[str, str]]) -> None:
    getattr(client, f"{action}_tags")(Resources=[resource_id], Tags=tags)


@aws_call("wait until {what} is available")
def _wait_available(client, waiter: str, what: str, **params) -> None:
    client.get_waiter(waiter).wait(**params, WaiterConfig={"Delay": 2, "MaxAttempts": 60})


@aws_call("describe VPC {vpc_id}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _describe_vpc(client, vpc_id: str) -> dict[str, Any]:
    return client.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]


@aws_call("describe subnets {ids}")
@retry(catch_extra_error_codes=NOT_YET_KNOWN)
def _describe_subnets(client, ids: list[str]) -> list[dict[str, Any]]:
    return client.describe_subnets(SubnetIds=ids)["Subnets"]


def _subnet_label(spec: dict[str, Any]) -> str:
    name = spec["tags"].get("Name")
    return f"subnet {name} {spec['cidr']}" if name else f"subnet {spec['cidr']}"


def _with_id(resource: dict[str, Any], id_key: str) -> dict[str, Any]:
    result = to_result(resource)
    result["id"] = resource.get(id_key, "")
    return result


class Network:
    """One VPC with its gateway and subnets; ``changes`` lists what was (in check mode: would be) changed."""

    def __init__(self, client, params: dict[str, Any], check_mode: bool) -> None:
        self.client = client
        self.params = params
        self.check_mode = check_mode
        self.changes: list[str] = []
        self.vpc_tags = {**params["tags"], "Name": params["name"]}

    def _change(self, description: str) -> bool:
        """Record a change; True when it is to be made (not in check mode)."""
        self.changes.append(description)
        return not self.check_mode

    def _tags(self, what: str, resource: dict[str, Any], resource_id: str, wanted: dict[str, str]) -> None:
        """Exactly ``wanted`` on the resource; tags with the aws: prefix are left alone."""
        current = {key: value for key, value in tags_of(resource).items() if not key.startswith("aws:")}
        differing = {key: value for key, value in wanted.items() if current.get(key) != value}
        extra = sorted(set(current) - set(wanted))
        if differing and self._change(f"tag {what} with {', '.join(sorted(differing))}"):
            _tag_call(self.client, "create", resource_id, tag_list(differing))
        if extra and self._change(f"remove tags {', '.join(extra)} of {what}"):
            _tag_call(self.client, "delete", resource_id, [{"Key": key} for key in extra])

    def converge(self) -> dict[str, Any]:
        vpc = self._vpc()
        if vpc is None:
            return self._predicted()
        vpc_id = vpc["VpcId"]
        for option, attribute in DNS_ATTRIBUTES:
            wanted = self.params[option]
            if vpc_attribute(self.client, vpc_id, attribute) != wanted \
                    and self._change(f"set {attribute} of VPC {self.params['name']} to {wanted}"):
                _set_vpc_attribute(self.client, vpc_id, attribute, wanted)
        gateway_id = self._internet_gateway(vpc_id) if self.params["internet_gateway"] else ""
        in_vpc = [ec2_filter("vpc-id", vpc_id)]
        existing = {subnet["CidrBlock"]: subnet
                    for subnet in describe_all(self.client, "describe_subnets", "Subnets", in_vpc)}
        subnets = [self._subnet(vpc_id, existing.get(spec["cidr"]), spec) for spec in self.params["subnets"]]
        if self.changes and not self.check_mode:
            vpc = _describe_vpc(self.client, vpc_id)
            fresh = {subnet["SubnetId"]: subnet for subnet in
                     _describe_subnets(self.client, [subnet["id"] for subnet in subnets])} if subnets else {}
            subnets = [_with_id(fresh[subnet["id"]], "SubnetId") for subnet in subnets]
        return {"vpc": _with_id(vpc, "VpcId"), "internet_gateway_id": gateway_id, "subnets": subnets}

    def _vpc(self) -> dict[str, Any] | None:
        name, cidr = self.params["name"], self.params["cidr"]
        found = describe_all(self.client, "describe_vpcs", "Vpcs", [ec2_filter("tag:Name", name),
                                                                    ec2_filter("cidr-block", cidr)])
        if len(found) > 1:
            ids = ", ".join(vpc["VpcId"] for vpc in found)
            raise AnsibleEC2Error(message=f"{len(found)} VPCs are named {name} with block {cidr} ({ids}); "
                                          "there must be at most one")
        if found:
            self._tags(f"VPC {name}", found[0], found[0]["VpcId"], self.vpc_tags)
            return found[0]
        if not self._change(f"create VPC {name} {cidr}"):
            return None
        vpc = _create_vpc(self.client, CidrBlock=cidr,
                          TagSpecifications=[{"ResourceType": "vpc", "Tags": tag_list(self.vpc_tags)}])
        if vpc.get("State") != "available":
            _wait_available(self.client, "vpc_available", f"VPC {vpc['VpcId']}", VpcIds=[vpc["VpcId"]])
        return vpc

    def _internet_gateway(self, vpc_id: str) -> str:
        wanted = self.params["internet_gateway_tags"]
        what = f"internet gateway of VPC {self.params['name']}"
        attached = describe_all(self.client, "describe_internet_gateways", "InternetGateways",
                                [ec2_filter("attachment.vpc-id", vpc_id)])
        if attached:
            self._tags(what, attached[0], attached[0]["InternetGatewayId"], wanted)
            return attached[0]["InternetGatewayId"]
        # One created by a run stopped before it attached it carries the planned tags and no attachment.
        tagged = describe_all(self.client, "describe_internet_gateways", "InternetGateways",
                              [ec2_filter(f"tag:{key}", value) for key, value in wanted.items()]) if wanted else []
        detached = next((gateway for gateway in tagged if not gateway.get("Attachments")), None)
        if detached is None:
            if not self._change(f"create {what}"):
                return ""
            tagging = {"TagSpecifications": [{"ResourceType": "internet-gateway", "Tags": tag_list(wanted)}]}
            detached = _create_internet_gateway(self.client, **(tagging if wanted else {}))
        else:
            self._tags(what, detached, detached["InternetGatewayId"], wanted)
        gateway_id = detached["InternetGatewayId"]
        if self._change(f"attach {what}"):
            _attach_internet_gateway(self.client, InternetGatewayId=gateway_id, VpcId=vpc_id)
        return gateway_id

    def _subnet(self, vpc_id: str, subnet: dict[str, Any] | None, spec: dict[str, Any]) -> dict[str, Any]:
        what = _subnet_label(spec)
        if subnet is None:
            if not self._change(f"create {what} in {spec['az']}"):
                return {"id": "", "subnet_id": "", "vpc_id": vpc_id, "cidr_block": spec["cidr"],
                        "availability_zone": spec["az"], "tags": dict(spec["tags"])}
            subnet = _create_subnet(self.client, VpcId=vpc_id, CidrBlock=spec["cidr"], AvailabilityZone=spec["az"],
                                    TagSpecifications=[{"ResourceType": "subnet", "Tags": tag_list(spec["tags"])}])
            if subnet.get("State") != "available":
                _wait_available(self.client, "subnet_available", what, SubnetIds=[subnet["SubnetId"]])
            return _with_id(subnet, "SubnetId")
        if subnet.get("AvailabilityZone") != spec["az"]:
            raise AnsibleEC2Error(message=f"The {what} is in zone {subnet.get('AvailabilityZone')}, planned in "
                                          f"{spec['az']}; a subnet cannot move: remove it or plan its zone")
        for attribute, description in SUBNET_ATTRIBUTES:
            if subnet.get(attribute) and self._change(f"turn off {description} of {what}"):
                _turn_off_subnet_attribute(self.client, subnet["SubnetId"], attribute)
        self._tags(what, subnet, subnet["SubnetId"], spec["tags"])
        return _with_id(subnet, "SubnetId")

    def _predicted(self) -> dict[str, Any]:
        """Check mode without the VPC: everything in it would be created too."""
        if self.params["internet_gateway"]:
            self._change(f"create internet gateway of VPC {self.params['name']}")
        for spec in self.params["subnets"]:
            self._change(f"create {_subnet_label(spec)} in {spec['az']}")
        return {"vpc": {}, "internet_gateway_id": "", "subnets": []}


def converge_vpc(client, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """changed, changes (one line each), vpc, internet_gateway_id and subnets (in the order of the plan)."""
    network = Network(client, params, check_mode)
    result = network.converge()
    return {"changed": bool(network.changes), "changes": network.changes, **result}
