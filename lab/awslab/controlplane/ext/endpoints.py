"""VPC endpoints as AWS runs them.

- States: pending -> available after a scaled delay; to a service with acceptance required pendingAcceptance
  (see endpoint_connections); deleting -> deleted -> gone from listings.
- Interface endpoints: one ENI per subnet, addressed inside the subnet, in distinct AZs, the VPC's default security
  group when none is given; DnsEntries shaped as AWS shapes them (regional, zonal, private DNS name when enabled);
  private DNS needs enableDnsSupport + enableDnsHostnames and no conflicting endpoint in the VPC.
- Custom services: must exist and allow the caller's account (else InvalidServiceName, as AWS answers).
- ClientToken idempotency; ModifyVpcEndpoint honours every parameter; DeleteVpcEndpoints reports unknown ids;
  the vpc-endpoint-id filter works; DryRun answers DryRunOperation.
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import durations
from ._common import (
    create_eni_in_subnet,
    default_security_group_id,
    delete_eni,
    ec2_error,
    ec2_event,
    later,
)
from .endpoint_services import find_service, principal_allowed

AWS_PREFIX = "com.amazonaws."
_moto_create: Callable[..., Any] | None = None  # moto's own CreateVpcEndpoint model call, set by install()
GONE_STATES = ("deleting", "deleted")
_TOKEN_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class TargetService:
    """What an endpoint connects to: an AWS service or a custom endpoint service (with its owner)."""

    name: str
    short_name: str
    private_dns_name: str | None
    config: Any | None = None
    owner: Any | None = None

    @property
    def custom(self) -> bool:
        return self.config is not None

    @property
    def acceptance_required(self) -> bool:
        return bool(self.config is not None and self.config.acceptance_required)


def short_service_name(service_name: str, region: str) -> str:
    """com.amazonaws.<region>.sqs -> sqs; ...ecr.dkr -> dkr.ecr; ...vpce.<region>.vpce-svc-x -> vpce-svc-x."""
    for prefix in (f"{AWS_PREFIX}vpce.{region}.", f"{AWS_PREFIX}{region}."):
        if service_name.startswith(prefix):
            return ".".join(reversed(service_name[len(prefix):].split(".")))
    return service_name.rsplit(".", 1)[-1]


def resolve_service(backend: Any, service_name: str) -> TargetService:
    region = backend.region_name
    found = find_service(region, service_name)
    if found is not None:
        owner, config = found
        if principal_allowed(config, owner.account_id, backend.account_id) and config.service_state == "Available":
            verified = getattr(config, "_lab_dns_state", None) == "verified"
            return TargetService(service_name, config.id, config.private_dns_name if verified else None,
                                 config, owner)
    else:
        for service in backend._collect_default_endpoint_services(backend.account_id, region):
            if service["ServiceName"] == service_name:
                return TargetService(service_name, short_service_name(service_name, region),
                                     service.get("PrivateDnsName"))
    raise ec2_error("InvalidServiceName", f"The Vpc Endpoint Service '{service_name}' does not exist")


def dns_entries(backend: Any, endpoint: Any) -> list[dict[str, str]]:
    if (endpoint.vpc_endpoint_type or "").lower() != "interface":
        return []
    region = backend.region_name
    token = endpoint._lab_dns_token
    short = endpoint._lab_short_name
    zone = f"Z{region.replace('-', '').upper()[:10]}VPCE"
    entries = [{"DnsName": f"{endpoint.id}-{token}.{short}.{region}.vpce.amazonaws.com", "HostedZoneId": zone}]
    for subnet_id in endpoint.subnet_ids or []:
        az = backend.get_subnet(subnet_id).availability_zone
        entries.append({"DnsName": f"{endpoint.id}-{token}-{az}.{short}.{region}.vpce.amazonaws.com",
                        "HostedZoneId": zone})
    if endpoint.private_dns_enabled and endpoint._lab_private_dns_name:
        entries.append({"DnsName": endpoint._lab_private_dns_name, "HostedZoneId": endpoint._lab_private_zone})
    return entries


def refresh_dns(backend: Any, endpoint: Any) -> None:
    endpoint.dns_entries = dns_entries(backend, endpoint)


def check_subnets(backend: Any, vpc_id: str, subnet_ids: list[str], existing: list[str]) -> None:
    zones: dict[str, str] = {}
    for subnet_id in existing + subnet_ids:
        subnet = backend.get_subnet(subnet_id)
        if subnet.vpc_id != vpc_id:
            raise ec2_error("InvalidParameter", f"The subnet ID '{subnet_id}' does not belong to the VPC '{vpc_id}'.")
        zone = subnet.availability_zone
        if zone in zones and zones[zone] != subnet_id:
            raise ec2_error(
                "DuplicateSubnetsInSameZone",
                f"Found another VPC endpoint subnet in the availability zone of {subnet_id}. VPC endpoint subnets "
                "should be in different availability zones supported by the VPC endpoint service.",
            )
        zones[zone] = subnet_id


def check_private_dns(backend: Any, endpoint_id: str | None, vpc_id: str, service: TargetService) -> None:
    vpc = backend.get_vpc(vpc_id)
    if not (_truthy(vpc.enable_dns_support) and _truthy(vpc.enable_dns_hostnames)):
        raise ec2_error(
            "InvalidParameter",
            f"Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to "
            f"true for {vpc_id}",
        )
    if service.custom and not service.private_dns_name:
        raise ec2_error("InvalidParameter", f"Private DNS can't be enabled because the service {service.name} does "
                        "not provide a verified private DNS name.")
    for other in backend.vpc_end_points.values():
        if (other.id != endpoint_id and other.vpc_id == vpc_id and other.service_name == service.name
                and other.private_dns_enabled and other.state not in GONE_STATES
                and (other.vpc_endpoint_type or "").lower() == "interface"):
            raise ec2_error(
                "InvalidParameter",
                f"private-dns-enabled cannot be set because there is already a conflicting DNS domain for "
                f"{service.private_dns_name} in the VPC {vpc_id}",
            )


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def add_interface(backend: Any, endpoint: Any, subnet_id: str) -> None:
    eni = create_eni_in_subnet(backend, subnet_id, list(endpoint.security_group_ids),
                               f"VPC Endpoint Interface {endpoint.id}", "vpc_endpoint")
    endpoint.network_interface_ids.append(eni.id)
    endpoint.subnet_ids.append(subnet_id)


def remove_interface(backend: Any, endpoint: Any, subnet_id: str) -> None:
    for eni_id in list(endpoint.network_interface_ids):
        eni = backend.enis.get(eni_id)
        if eni is None or eni.subnet.id == subnet_id:
            delete_eni(backend, eni_id)
            endpoint.network_interface_ids.remove(eni_id)
    endpoint.subnet_ids = [existing for existing in endpoint.subnet_ids if existing != subnet_id]


def add_gateway_route(backend: Any, endpoint: Any, route_table_id: str) -> None:
    if endpoint.destination_prefix_list_id:
        backend.create_route(route_table_id, None, gateway_id=endpoint.id,
                             destination_prefix_list_id=endpoint.destination_prefix_list_id)
    endpoint.route_table_ids.append(route_table_id)


def remove_gateway_route(backend: Any, endpoint: Any, route_table_id: str) -> None:
    if endpoint.destination_prefix_list_id:
        try:
            backend.delete_route(route_table_id, None, destination_prefix_list_id=endpoint.destination_prefix_list_id)
        except Exception:  # noqa: BLE001 - the route may already be gone with its table
            pass
    endpoint.route_table_ids = [existing for existing in endpoint.route_table_ids if existing != route_table_id]


def transition(backend: Any, endpoint: Any, expected: tuple[str, ...], new_state: str) -> Any:
    """A scheduler job: move the endpoint to new_state if it still exists in one of the expected states."""

    def job() -> Any:
        if backend.vpc_end_points.get(endpoint.id) is endpoint and endpoint.state in expected:
            endpoint.state = new_state
            return ec2_event(f"Transition:VpcEndpoint:{new_state}", backend)
        return None

    return job


def schedule_available(backend: Any, endpoint: Any, aws_seconds: float) -> None:
    later(aws_seconds, transition(backend, endpoint, ("pending",), "available"))


def start_deletion(backend: Any, endpoint: Any) -> None:
    endpoint.state = "deleting"
    for eni_id in list(endpoint.network_interface_ids):
        delete_eni(backend, eni_id)
    tables = list(endpoint.route_table_ids)
    for route_table_id in tables:
        remove_gateway_route(backend, endpoint, route_table_id)
    endpoint.route_table_ids = tables  # AWS still lists them on the deleting endpoint
    interface = (endpoint.vpc_endpoint_type or "").lower() == "interface"
    delay = durations.INTERFACE_ENDPOINT_DELETE if interface else durations.GATEWAY_ENDPOINT_DELETE
    later(delay, transition(backend, endpoint, ("deleting",), "deleted"))

    def forget() -> Any:
        if backend.vpc_end_points.get(endpoint.id) is endpoint and endpoint.state == "deleted":
            del backend.vpc_end_points[endpoint.id]
            return ec2_event("Transition:VpcEndpoint:gone", backend)
        return None

    later(delay + durations.DELETED_ENDPOINT_LISTED, forget)


def _fingerprint(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


def create_endpoint(backend: Any, params: dict[str, Any]) -> Any:
    token = params.get("ClientToken")
    fingerprint = _fingerprint({k: v for k, v in params.items() if k != "TagSpecifications"})
    if token:
        for existing in backend.vpc_end_points.values():
            if getattr(existing, "_lab_client_token", None) == token:
                if existing._lab_fingerprint != fingerprint:
                    raise ec2_error("IdempotentParameterMismatch",
                                    "The client token you have provided is associated with a resource that has "
                                    "different parameters.")
                return existing
    vpc_id = params["VpcId"]
    backend.get_vpc(vpc_id)
    endpoint_type = params.get("VpcEndpointType") or "Gateway"
    interface = endpoint_type.lower() == "interface"
    service = resolve_service(backend, params["ServiceName"])
    subnet_ids = list(params.get("SubnetIds") or []) if interface else []
    route_table_ids = [] if interface else list(params.get("RouteTableIds") or [])
    private_dns = params.get("PrivateDnsEnabled")
    if private_dns is None:
        private_dns = interface and not service.custom
    private_dns = bool(private_dns) and interface
    check_subnets(backend, vpc_id, subnet_ids, [])
    if private_dns:
        if service.acceptance_required:
            raise ec2_error("InvalidParameter", "Private DNS can only be enabled after the endpoint connection is "
                            f"accepted by the owner of {service.name}.")
        check_private_dns(backend, None, vpc_id, service)
    group_ids = list(params.get("SecurityGroupIds") or [])
    if interface and not group_ids:
        default_group = default_security_group_id(backend, vpc_id)
        group_ids = [default_group] if default_group else []
    for group_id in group_ids:
        backend.get_security_group_from_id(group_id) or _missing_group(group_id)

    assert _moto_create is not None, "install() first"
    endpoint = _moto_create(
        backend, vpc_id=vpc_id, service_name=service.name, endpoint_type=endpoint_type,
        policy_document=params.get("PolicyDocument"), route_table_ids=[], subnet_ids=[],
        client_token=token, security_group_ids=group_ids, tags=params.get("Tags"), private_dns_enabled=private_dns,
    )
    endpoint.vpc_endpoint_type = "Interface" if interface else endpoint_type
    endpoint.subnet_ids = []
    endpoint.network_interface_ids = []
    endpoint.route_table_ids = []
    endpoint.private_dns_enabled = private_dns
    endpoint.requester_managed = False
    endpoint.ip_address_type = "ipv4" if interface else None
    endpoint.dns_options = {"DnsRecordIpType": "ipv4"} if interface else None
    endpoint._lab_client_token = token
    endpoint._lab_fingerprint = fingerprint
    endpoint._lab_dns_token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(8))
    endpoint._lab_short_name = service.short_name
    endpoint._lab_private_dns_name = service.private_dns_name
    endpoint._lab_private_zone = "Z" + secrets.token_hex(6).upper()
    endpoint._lab_service_id = service.config.id if service.custom else None
    for subnet_id in subnet_ids:
        add_interface(backend, endpoint, subnet_id)
    for route_table_id in route_table_ids:
        add_gateway_route(backend, endpoint, route_table_id)
    refresh_dns(backend, endpoint)
    if service.acceptance_required:
        endpoint.state = "pendingAcceptance"
    else:
        endpoint.state = "pending"
        delay = durations.INTERFACE_ENDPOINT_CREATE if interface else durations.GATEWAY_ENDPOINT_CREATE
        schedule_available(backend, endpoint, delay)
    return endpoint


def _missing_group(group_id: str) -> None:
    raise ec2_error("InvalidGroup.NotFound", f"The security group '{group_id}' does not exist")


def modify_endpoint(backend: Any, params: dict[str, Any]) -> None:
    endpoint = backend.get_vpc_end_point(params["VpcEndpointId"])
    if endpoint.state in GONE_STATES:
        raise ec2_error("IncorrectState", f"The VPC endpoint {endpoint.id} is in state {endpoint.state}.")
    interface = (endpoint.vpc_endpoint_type or "").lower() == "interface"
    reprovision = False
    if params.get("ResetPolicy"):
        from moto.ec2.models.vpcs import VPCEndPoint

        endpoint.policy_document = json.dumps(VPCEndPoint.DEFAULT_POLICY)
    elif params.get("PolicyDocument"):
        endpoint.policy_document = params["PolicyDocument"]
    add_subnets = [s for s in params.get("AddSubnetIds") or [] if s not in endpoint.subnet_ids]
    remove_subnets = list(params.get("RemoveSubnetIds") or [])
    if (add_subnets or remove_subnets) and not interface:
        raise ec2_error("InvalidParameter", "Subnets can only be modified on an interface endpoint.")
    remaining = [s for s in endpoint.subnet_ids if s not in remove_subnets]
    check_subnets(backend, endpoint.vpc_id, add_subnets, remaining)
    add_groups = list(params.get("AddSecurityGroupIds") or [])
    remove_groups = list(params.get("RemoveSecurityGroupIds") or [])
    for group_id in add_groups:
        backend.get_security_group_from_id(group_id) or _missing_group(group_id)
    add_tables = [t for t in params.get("AddRouteTableIds") or [] if t not in endpoint.route_table_ids]
    remove_tables = list(params.get("RemoveRouteTableIds") or [])
    if (add_tables or remove_tables) and interface:
        raise ec2_error("InvalidParameter", "Route tables can only be modified on a gateway endpoint.")
    for table_id in add_tables:
        backend.get_route_table(table_id)
    private_dns = params.get("PrivateDnsEnabled")
    if private_dns is not None and bool(private_dns) != bool(endpoint.private_dns_enabled):
        if not interface:
            raise ec2_error("InvalidParameter", "Private DNS applies to interface endpoints only.")
        if private_dns:
            service = resolve_service(backend, endpoint.service_name)
            if service.custom and endpoint.state != "available":
                raise ec2_error("InvalidParameter", "Private DNS can only be enabled after the endpoint connection "
                                f"is accepted by the owner of {service.name}.")
            check_private_dns(backend, endpoint.id, endpoint.vpc_id, service)
            endpoint._lab_private_dns_name = service.private_dns_name
        endpoint.private_dns_enabled = bool(private_dns)
        reprovision = True

    groups = [g for g in endpoint.security_group_ids if g not in remove_groups]
    groups += [g for g in add_groups if g not in groups]
    endpoint.security_group_ids = groups
    for subnet_id in remove_subnets:
        remove_interface(backend, endpoint, subnet_id)
    for subnet_id in add_subnets:
        add_interface(backend, endpoint, subnet_id)
        reprovision = True
    for eni_id in endpoint.network_interface_ids:
        eni = backend.enis.get(eni_id)
        if eni is not None:
            eni._group_set = [backend.get_security_group_from_id(g) for g in groups]
    for table_id in remove_tables:
        remove_gateway_route(backend, endpoint, table_id)
    for table_id in add_tables:
        add_gateway_route(backend, endpoint, table_id)
    refresh_dns(backend, endpoint)
    if reprovision and endpoint.state == "available":
        endpoint.state = "pending"
        schedule_available(backend, endpoint, durations.ENDPOINT_MODIFY)


def install() -> None:
    from moto.core.responses import ActionResult
    from moto.ec2 import exceptions as ec2_exceptions
    from moto.ec2.models.vpcs import VPCBackend, VPCEndPoint
    from moto.ec2.responses import EC2Response
    from moto.ec2.utils import add_tag_specification

    def not_found_init(self: Any, vpc_end_point_id: str) -> None:
        ec2_exceptions.EC2ClientError.__init__(self, "InvalidVpcEndpointId.NotFound",
                                               f"The Vpc Endpoint Id '{vpc_end_point_id}' does not exist")

    ec2_exceptions.InvalidVpcEndPointIdError.__init__ = not_found_init
    global _moto_create
    _moto_create = VPCBackend.create_vpc_endpoint
    VPCEndPoint.vpc_endpoint_id = property(lambda self: self.id)
    VPCEndPoint.vpc_endpoint_state = property(lambda self: self.state)

    def create_vpc_endpoint(self: Any) -> Any:
        self.error_on_dryrun()
        params = {
            "VpcId": self._get_param("VpcId"),
            "ServiceName": self._get_param("ServiceName"),
            "VpcEndpointType": self._get_param("VpcEndpointType"),
            "PolicyDocument": self._get_param("PolicyDocument"),
            "RouteTableIds": sorted(self._get_param("RouteTableIds", [])),
            "SubnetIds": sorted(self._get_param("SubnetIds", [])),
            "SecurityGroupIds": sorted(self._get_param("SecurityGroupIds", [])),
            "PrivateDnsEnabled": self._get_bool_param("PrivateDnsEnabled"),
            "ClientToken": self._get_param("ClientToken"),
            "Tags": add_tag_specification(self._get_param("TagSpecifications", [])),
        }
        endpoint = create_endpoint(self.ec2_backend, params)
        return ActionResult({"VpcEndpoint": endpoint, "ClientToken": params["ClientToken"]})

    def modify_vpc_endpoint(self: Any) -> Any:
        self.error_on_dryrun()
        modify_endpoint(self.ec2_backend, {
            "VpcEndpointId": self._get_param("VpcEndpointId"),
            "ResetPolicy": self._get_bool_param("ResetPolicy"),
            "PolicyDocument": self._get_param("PolicyDocument"),
            "AddRouteTableIds": self._get_param("AddRouteTableIds", []),
            "RemoveRouteTableIds": self._get_param("RemoveRouteTableIds", []),
            "AddSubnetIds": self._get_param("AddSubnetIds", []),
            "RemoveSubnetIds": self._get_param("RemoveSubnetIds", []),
            "AddSecurityGroupIds": self._get_param("AddSecurityGroupIds", []),
            "RemoveSecurityGroupIds": self._get_param("RemoveSecurityGroupIds", []),
            "PrivateDnsEnabled": self._get_bool_param("PrivateDnsEnabled"),
        })
        return ActionResult({"Return": True})

    def delete_vpc_endpoints(self: Any) -> Any:
        self.error_on_dryrun()
        backend = self.ec2_backend
        unsuccessful = []
        for endpoint_id in self._get_param("VpcEndpointIds", []):
            endpoint = backend.vpc_end_points.get(endpoint_id)
            if endpoint is None:
                known_shape = endpoint_id.startswith("vpce-")
                code = "InvalidVpcEndpoint.NotFound" if known_shape else "InvalidVpcEndpointId.Malformed"
                unsuccessful.append({"ResourceId": endpoint_id, "Error": {
                    "Code": code, "Message": f"The Vpc Endpoint Id '{endpoint_id}' does not exist"}})
            elif endpoint.state not in GONE_STATES:
                start_deletion(backend, endpoint)
        return ActionResult({"Unsuccessful": unsuccessful})

    EC2Response.create_vpc_endpoint = create_vpc_endpoint
    EC2Response.modify_vpc_endpoint = modify_vpc_endpoint
    EC2Response.delete_vpc_endpoints = delete_vpc_endpoints
