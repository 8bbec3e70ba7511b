"""Endpoint services (PrivateLink provider side) as AWS runs them.

- ServiceState Pending -> Available after a scaled delay; ClientToken idempotency on create.
- Private DNS names start pendingVerification; StartVpcEndpointServicePrivateDnsVerification verifies them.
- Services are visible (DescribeVpcEndpointServices) and usable by the accounts their allowed principals name.
- A service with endpoint connections cannot be deleted (ExistingVpcEndpointConnections).
"""

from __future__ import annotations

import secrets
from operator import itemgetter
from typing import Any

from .. import durations
from ._common import account_of_principal, ec2_backends_in_region, ec2_error, ec2_event, later

LIVE_CONNECTION_STATES = ("pendingAcceptance", "pending", "available")


def find_service(region: str, service_name: str) -> tuple[Any, Any] | None:
    """(owner's ec2 backend, configuration) of a custom endpoint service, by service name, in any account."""
    for backend in ec2_backends_in_region(region):
        for config in list(backend.configurations.values()):
            if config.service_name == service_name:
                return backend, config
    return None


def principal_allowed(config: Any, owner_account: str, account: str) -> bool:
    """Whether `account` may see and connect to the service (allowed principals are compared by account)."""
    if account == owner_account:
        return True
    for principal in config.principals:
        if principal == "*" or account_of_principal(principal) == account:
            return True
    return False


def connections_of(config: Any, region: str) -> list[tuple[Any, Any]]:
    """(consumer backend, endpoint) for every endpoint of any account to this service."""
    found = []
    for backend in ec2_backends_in_region(region):
        for endpoint in list(backend.vpc_end_points.values()):
            if endpoint.service_name == config.service_name:
                found.append((backend, endpoint))
    return found


def service_details(config: Any, owner: Any) -> dict[str, Any]:
    verified = getattr(config, "_lab_dns_state", None) == "verified"
    details: dict[str, Any] = {
        "ServiceName": config.service_name,
        "ServiceId": config.id,
        "ServiceType": config.service_type,
        "ServiceRegion": owner.region_name,
        "AvailabilityZones": sorted(set(config.availability_zones)),
        "Owner": owner.account_id,
        "BaseEndpointDnsNames": [config.endpoint_dns_name],
        "VpcEndpointPolicySupported": True,
        "AcceptanceRequired": bool(config.acceptance_required),
        "ManagesVpcEndpoints": False,
        "SupportedIpAddressTypes": ["ipv4"],
        "Tags": [{"Key": tag["key"], "Value": tag["value"]} for tag in config.get_tags()],
    }
    if config.private_dns_name:
        state = getattr(config, "_lab_dns_state", "pendingVerification")
        details["PrivateDnsNameVerificationState"] = state
        if verified:
            details["PrivateDnsName"] = config.private_dns_name
            details["PrivateDnsNames"] = [{"PrivateDnsName": config.private_dns_name}]
    return details


def _start_dns_verification_state(config: Any) -> None:
    config._lab_dns_state = "pendingVerification" if config.private_dns_name else None
    config._lab_dns_token = secrets.token_hex(16)


def install() -> None:
    from moto.core.responses import ActionResult
    from moto.ec2.models.vpc_service_configuration import VPCServiceConfiguration, VPCServiceConfigurationBackend
    from moto.ec2.models.vpcs import VPCBackend
    from moto.ec2.responses import EC2Response

    original_init = VPCServiceConfiguration.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.service_state = "Pending"
        _start_dns_verification_state(self)

    VPCServiceConfiguration.__init__ = __init__

    def private_dns_name_configuration(self: Any) -> dict[str, str]:
        if not self.private_dns_name:
            return {}
        return {
            "State": getattr(self, "_lab_dns_state", "pendingVerification"),
            "Type": "TXT",
            "Value": f"vpce:{getattr(self, '_lab_dns_token', '')}",
            "Name": f"_{getattr(self, '_lab_dns_token', '')[:20]}",
        }

    VPCServiceConfiguration.private_dns_name_configuration = property(private_dns_name_configuration)
    VPCServiceConfiguration.private_dns_name_verification_state = property(
        lambda self: getattr(self, "_lab_dns_state", None)
    )

    original_create = VPCServiceConfigurationBackend.create_vpc_endpoint_service_configuration

    def create_configuration(self: Any, *args: Any, client_token: str | None = None, **kwargs: Any) -> Any:
        if client_token:
            for config in self.configurations.values():
                if getattr(config, "_lab_client_token", None) == client_token:
                    return config
        config = original_create(self, *args, **kwargs)
        config._lab_client_token = client_token

        def available() -> Any:
            if self.configurations.get(config.id) is config and config.service_state == "Pending":
                config.service_state = "Available"
                return ec2_event("Transition:VpcEndpointService:Available", self)
            return None

        later(durations.ENDPOINT_SERVICE_CREATE, available)
        return config

    VPCServiceConfigurationBackend.create_vpc_endpoint_service_configuration = create_configuration

    def create_vpc_endpoint_service_configuration(self: Any) -> Any:
        gateway_lbs = self._get_param("GatewayLoadBalancerArns", [])
        network_lbs = self._get_param("NetworkLoadBalancerArns", [])
        if not gateway_lbs and not network_lbs:
            from moto.ec2.exceptions import NoLoadBalancersProvided

            raise NoLoadBalancersProvided
        tags = self._get_param("TagSpecifications", [])
        self.error_on_dryrun()
        config = self.ec2_backend.create_vpc_endpoint_service_configuration(
            gateway_lbs or network_lbs,
            acceptance_required=self._get_bool_param("AcceptanceRequired", if_none=True),
            private_dns_name=self._get_param("PrivateDnsName"),
            tags=tags[0].get("Tags") if tags else [],
            supported_regions=self._get_param("SupportedRegions", []),
            client_token=self._get_param("ClientToken"),
        )
        return ActionResult({"ServiceConfiguration": config, "ClientToken": self._get_param("ClientToken")})

    EC2Response.create_vpc_endpoint_service_configuration = create_vpc_endpoint_service_configuration

    original_modify = VPCServiceConfigurationBackend.modify_vpc_endpoint_service_configuration

    def modify_configuration(self: Any, service_id: str, *args: Any, **kwargs: Any) -> None:
        config = self.describe_vpc_endpoint_service_configurations([service_id])[0]
        before = config.private_dns_name
        original_modify(self, service_id, *args, **kwargs)
        if config.private_dns_name != before:
            _start_dns_verification_state(config)

    VPCServiceConfigurationBackend.modify_vpc_endpoint_service_configuration = modify_configuration

    def start_vpc_endpoint_service_private_dns_verification(self: Any) -> Any:
        service_id = self._get_param("ServiceId")
        self.error_on_dryrun()
        backend = self.ec2_backend
        config = backend.describe_vpc_endpoint_service_configurations([service_id])[0]
        if not config.private_dns_name:
            raise ec2_error("InvalidParameter", f"The service {service_id} has no private DNS name to verify.")
        if config._lab_dns_state != "verified":
            config._lab_dns_state = "pendingVerification"

            def verified() -> Any:
                if backend.configurations.get(config.id) is config and config.private_dns_name:
                    config._lab_dns_state = "verified"
                    return ec2_event("Transition:VpcEndpointService:PrivateDnsVerified", backend)
                return None

            later(durations.PRIVATE_DNS_VERIFICATION, verified)
        return ActionResult({"ReturnValue": True})

    EC2Response.start_vpc_endpoint_service_private_dns_verification = (
        start_vpc_endpoint_service_private_dns_verification
    )

    def delete_vpc_endpoint_service_configurations(self: Any) -> Any:
        self.error_on_dryrun()
        unsuccessful = []
        for service_id in self._get_param("ServiceIds", []):
            config = self.ec2_backend.configurations.get(service_id)
            if config is None:
                unsuccessful.append(_unsuccessful(
                    service_id, "InvalidVpcEndpointService.NotFound",
                    f"The VpcEndpointService Id '{service_id}' does not exist"))
                continue
            live = [endpoint.id for _, endpoint in connections_of(config, self.region)
                    if endpoint.state in LIVE_CONNECTION_STATES]
            if live:
                unsuccessful.append(_unsuccessful(
                    service_id, "ExistingVpcEndpointConnections",
                    f"Service {service_id} has existing active VPC Endpoint connections: {', '.join(live)}"))
                continue
            self.ec2_backend.configurations.pop(service_id, None)
        return ActionResult({"Unsuccessful": unsuccessful})

    EC2Response.delete_vpc_endpoint_service_configurations = delete_vpc_endpoint_service_configurations

    def describe_vpc_endpoint_services(
        self: Any, service_names: list[str], filters: Any, max_results: int, next_token: str | None, region: str
    ) -> dict[str, Any]:
        default_services = self._collect_default_endpoint_services(self.account_id, region)
        custom_services = [
            service_details(config, owner)
            for owner in ec2_backends_in_region(region)
            for config in list(owner.configurations.values())
            if config.service_state == "Available" and principal_allowed(config, owner.account_id, self.account_id)
        ]
        all_services = default_services + custom_services
        known = {service["ServiceName"] for service in all_services}
        for service_name in service_names:
            if service_name not in known:
                from moto.ec2.exceptions import InvalidServiceName

                raise InvalidServiceName(service_name)
        # moto reads some filters' values from "Value", others from "Values" (the wire name): give both
        filters = [{**item, "Value": item.get("Values") or item.get("Value") or [],
                    "Values": item.get("Values") or item.get("Value") or []} for item in filters or []]
        services = sorted(self._filter_endpoint_services(service_names, filters, all_services),
                          key=itemgetter("ServiceName"))
        start = 0
        if next_token:
            ids = [service["ServiceId"] for service in services]
            if next_token not in ids:
                from moto.ec2.exceptions import InvalidNextToken

                raise InvalidNextToken(next_token)
            start = ids.index(next_token)
        limit = max_results if max_results and max_results < 1000 else 1000
        page = services[start:start + limit]
        following = services[start + limit]["ServiceId"] if len(services) > start + limit else None
        return {"servicesDetails": page, "serviceNames": [s["ServiceName"] for s in page], "nextToken": following}

    VPCBackend.describe_vpc_endpoint_services = describe_vpc_endpoint_services


def _unsuccessful(resource_id: str, code: str, message: str) -> dict[str, Any]:
    return {"ResourceId": resource_id, "Error": {"Code": code, "Message": message}}
