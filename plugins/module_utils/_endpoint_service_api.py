# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One retried, error-translating wrapper per EC2 API call on endpoint services, permissions and connections.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ._aws_call import aws_call, raise_unsuccessful, retry

SERVICE_NOT_FOUND = ("InvalidVpcEndpointServiceId.NotFound", "InvalidVpcEndpointService.NotFound")


@aws_call("describe VPC endpoint services {service_ids}", missing_codes=SERVICE_NOT_FOUND, missing_value=list)
@retry()
def describe_service_configurations(
    client, service_ids: list[str] | None = None, filters: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    params: dict[str, Any] = {}
    if service_ids:
        params["ServiceIds"] = list(service_ids)
    if filters:
        params["Filters"] = filters
    paginator = client.get_paginator("describe_vpc_endpoint_service_configurations")
    return paginator.paginate(**params).build_full_result()["ServiceConfigurations"]


@aws_call("describe VPC endpoint service {service_id} after creating it")
@retry(catch_extra_error_codes=list(SERVICE_NOT_FOUND))
def describe_created_service_configuration(client, service_id: str) -> dict[str, Any]:
    """Describe a just-created service, retrying the eventual-consistency NotFound."""
    return client.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])["ServiceConfigurations"][0]


@aws_call("create VPC endpoint service")
@retry()
def create_service_configuration(client, **params: Any) -> dict[str, Any]:
    return client.create_vpc_endpoint_service_configuration(**params)["ServiceConfiguration"]


@aws_call("modify VPC endpoint service {service_id}")
@retry(catch_extra_error_codes=list(SERVICE_NOT_FOUND))
def modify_service_configuration(client, service_id: str, **changes: Any) -> bool:
    client.modify_vpc_endpoint_service_configuration(ServiceId=service_id, **changes)
    return True


@aws_call("delete VPC endpoint service {service_id}")
@retry()
def delete_service_configuration(client, service_id: str) -> bool:
    result = client.delete_vpc_endpoint_service_configurations(ServiceIds=[service_id])
    raise_unsuccessful("delete", "VPC endpoint service", result.get("Unsuccessful"))
    return True


@aws_call("describe allowed principals of VPC endpoint service {service_id}")
@retry(catch_extra_error_codes=list(SERVICE_NOT_FOUND))
def describe_service_permissions(client, service_id: str) -> list[dict[str, Any]]:
    paginator = client.get_paginator("describe_vpc_endpoint_service_permissions")
    return paginator.paginate(ServiceId=service_id).build_full_result().get("AllowedPrincipals", [])


@aws_call("modify allowed principals of VPC endpoint service {service_id}")
@retry(catch_extra_error_codes=list(SERVICE_NOT_FOUND))
def modify_service_permissions(
    client, service_id: str, add: list[str] | None = None, remove: list[str] | None = None
) -> bool:
    params: dict[str, Any] = {"ServiceId": service_id}
    if add:
        params["AddAllowedPrincipals"] = list(add)
    if remove:
        params["RemoveAllowedPrincipals"] = list(remove)
    client.modify_vpc_endpoint_service_permissions(**params)
    return True


@aws_call("start private DNS verification of VPC endpoint service {service_id}")
@retry()
def start_private_dns_verification(client, service_id: str) -> bool:
    client.start_vpc_endpoint_service_private_dns_verification(ServiceId=service_id)
    return True


@aws_call("describe VPC endpoint connections of service {service_id}")
@retry()
def describe_endpoint_connections(
    client, service_id: str | None = None, filters: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    all_filters = list(filters or [])
    if service_id:
        all_filters.append({"Name": "service-id", "Values": [service_id]})
    params: dict[str, Any] = {"Filters": all_filters} if all_filters else {}
    paginator = client.get_paginator("describe_vpc_endpoint_connections")
    return paginator.paginate(**params).build_full_result()["VpcEndpointConnections"]


@aws_call("accept VPC endpoint connections {vpc_endpoint_ids} to service {service_id}")
@retry()
def accept_endpoint_connections(client, service_id: str, vpc_endpoint_ids: list[str]) -> bool:
    result = client.accept_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=list(vpc_endpoint_ids))
    raise_unsuccessful("accept", "VPC endpoint connections", result.get("Unsuccessful"))
    return True


@aws_call("reject VPC endpoint connections {vpc_endpoint_ids} to service {service_id}")
@retry()
def reject_endpoint_connections(client, service_id: str, vpc_endpoint_ids: list[str]) -> bool:
    result = client.reject_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=list(vpc_endpoint_ids))
    raise_unsuccessful("reject", "VPC endpoint connections", result.get("Unsuccessful"))
    return True
