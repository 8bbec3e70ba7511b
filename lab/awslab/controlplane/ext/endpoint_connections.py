"""The provider side of PrivateLink connections, missing from moto 5.2.5 (it answers HTTP 500):
DescribeVpcEndpointConnections, AcceptVpcEndpointConnections, RejectVpcEndpointConnections.

Accept moves a pendingAcceptance endpoint to pending, then available after a scaled delay; reject moves it to
rejected (an accepted connection can be rejected later, as on AWS).
"""

from __future__ import annotations

from typing import Any

from .. import durations
from ._common import ec2_error
from .endpoint_services import connections_of
from .endpoints import schedule_available

_FILTERS = {
    "service-id": lambda config, backend, endpoint: config.id,
    "vpc-endpoint-id": lambda config, backend, endpoint: endpoint.id,
    "vpc-endpoint-owner": lambda config, backend, endpoint: backend.account_id,
    "vpc-endpoint-state": lambda config, backend, endpoint: endpoint.state,
    "ip-address-type": lambda config, backend, endpoint: "ipv4",
}


def connection_view(config: Any, consumer: Any, endpoint: Any) -> dict[str, Any]:
    return {
        "ServiceId": config.id,
        "VpcEndpointId": endpoint.id,
        "VpcEndpointOwner": consumer.account_id,
        "VpcEndpointState": endpoint.state,
        "CreationTimestamp": endpoint.creation_timestamp,
        "DnsEntries": list(endpoint.dns_entries or []),
        "NetworkLoadBalancerArns": list(config.network_load_balancer_arns),
        "GatewayLoadBalancerArns": list(config.gateway_load_balancer_arns),
        "IpAddressType": "ipv4",
        "VpcEndpointConnectionId": f"vpce-con-{endpoint.id[5:]}",
        "VpcEndpointRegion": consumer.region_name,
        "Tags": [],
    }


def _matches(filters: list[dict[str, Any]], config: Any, consumer: Any, endpoint: Any) -> bool:
    for item in filters:
        name = item.get("Name")
        values = item.get("Values") or item.get("Value") or []
        if name not in _FILTERS:
            raise ec2_error("InvalidParameterValue", f"The filter '{name}' is invalid")
        if _FILTERS[name](config, consumer, endpoint) not in values:
            return False
    return True


def _endpoint_of_service(backend: Any, service_id: str, endpoint_id: str) -> tuple[Any, Any, Any] | None:
    config = backend.configurations.get(service_id)
    if config is None:
        raise ec2_error("InvalidVpcEndpointServiceId.NotFound",
                        f"The VpcEndpointService Id '{service_id}' does not exist")
    for consumer, endpoint in connections_of(config, backend.region_name):
        if endpoint.id == endpoint_id:
            return config, consumer, endpoint
    return None


def _unsuccessful(endpoint_id: str, code: str, message: str) -> dict[str, Any]:
    return {"ResourceId": endpoint_id, "Error": {"Code": code, "Message": message}}


def accept(backend: Any, service_id: str, endpoint_ids: list[str]) -> list[dict[str, Any]]:
    unsuccessful = []
    for endpoint_id in endpoint_ids:
        found = _endpoint_of_service(backend, service_id, endpoint_id)
        if found is None:
            unsuccessful.append(_unsuccessful(endpoint_id, "InvalidVpcEndpoint.NotFound",
                                              f"The Vpc Endpoint Id '{endpoint_id}' does not exist"))
            continue
        _, consumer, endpoint = found
        if endpoint.state != "pendingAcceptance":
            unsuccessful.append(_unsuccessful(endpoint_id, "InvalidVpcEndpointState",
                                              f"Endpoint {endpoint_id} is in state {endpoint.state}, not "
                                              "pendingAcceptance"))
            continue
        endpoint.state = "pending"
        schedule_available(consumer, endpoint, durations.ENDPOINT_AFTER_ACCEPT)
    return unsuccessful


def reject(backend: Any, service_id: str, endpoint_ids: list[str]) -> list[dict[str, Any]]:
    unsuccessful = []
    for endpoint_id in endpoint_ids:
        found = _endpoint_of_service(backend, service_id, endpoint_id)
        if found is None:
            unsuccessful.append(_unsuccessful(endpoint_id, "InvalidVpcEndpoint.NotFound",
                                              f"The Vpc Endpoint Id '{endpoint_id}' does not exist"))
            continue
        _, consumer, endpoint = found
        if endpoint.state not in ("pendingAcceptance", "pending", "available"):
            unsuccessful.append(_unsuccessful(endpoint_id, "InvalidVpcEndpointState",
                                              f"Endpoint {endpoint_id} is in state {endpoint.state}"))
            continue
        endpoint.state = "rejected"
    return unsuccessful


def install() -> None:
    from moto.core.responses import ActionResult
    from moto.ec2.responses import EC2Response

    def describe_vpc_endpoint_connections(self: Any) -> Any:
        self.error_on_dryrun()
        filters = self._get_param("Filters", [])
        connections = []
        for config in list(self.ec2_backend.configurations.values()):
            for consumer, endpoint in connections_of(config, self.region):
                if _matches(filters, config, consumer, endpoint):
                    connections.append(connection_view(config, consumer, endpoint))
        connections.sort(key=lambda view: (view["CreationTimestamp"], view["VpcEndpointId"]))
        return ActionResult({"VpcEndpointConnections": connections})

    def accept_vpc_endpoint_connections(self: Any) -> Any:
        self.error_on_dryrun()
        failed = accept(self.ec2_backend, self._get_param("ServiceId"), self._get_param("VpcEndpointIds", []))
        return ActionResult({"Unsuccessful": failed})

    def reject_vpc_endpoint_connections(self: Any) -> Any:
        self.error_on_dryrun()
        failed = reject(self.ec2_backend, self._get_param("ServiceId"), self._get_param("VpcEndpointIds", []))
        return ActionResult({"Unsuccessful": failed})

    EC2Response.describe_vpc_endpoint_connections = describe_vpc_endpoint_connections
    EC2Response.accept_vpc_endpoint_connections = accept_vpc_endpoint_connections
    EC2Response.reject_vpc_endpoint_connections = reject_vpc_endpoint_connections


