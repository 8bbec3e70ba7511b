# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One retried, error-translating wrapper per EC2 API call on VPC endpoints and their tags.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ._aws_call import aws_call, raise_unsuccessful, retry

ENDPOINT_NOT_FOUND = ("InvalidVpcEndpointId.NotFound", "InvalidVpcEndpoint.NotFound")


@aws_call("describe VPC endpoints {vpc_endpoint_ids}", missing_codes=ENDPOINT_NOT_FOUND, missing_value=list)
@retry()
def describe_vpc_endpoints(
    client, vpc_endpoint_ids: list[str] | None = None, filters: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    params: dict[str, Any] = {}
    if vpc_endpoint_ids:
        params["VpcEndpointIds"] = list(vpc_endpoint_ids)
    if filters:
        params["Filters"] = filters
    paginator = client.get_paginator("describe_vpc_endpoints")
    return paginator.paginate(**params).build_full_result()["VpcEndpoints"]


@aws_call("describe VPC endpoints {vpc_endpoint_ids}")
@retry()
def describe_vpc_endpoints_strict(client, vpc_endpoint_ids: list[str]) -> list[dict[str, Any]]:
    """Like describe_vpc_endpoints, but lets InvalidVpcEndpointId.NotFound through as an error (for waiters)."""
    paginator = client.get_paginator("describe_vpc_endpoints")
    return paginator.paginate(VpcEndpointIds=list(vpc_endpoint_ids)).build_full_result()["VpcEndpoints"]


@aws_call("describe VPC endpoint {vpc_endpoint_id} after creating it")
@retry(catch_extra_error_codes=list(ENDPOINT_NOT_FOUND))
def describe_created_vpc_endpoint(client, vpc_endpoint_id: str) -> dict[str, Any]:
    """Describe a just-created endpoint, retrying the eventual-consistency NotFound (amazon.aws#700)."""
    return client.describe_vpc_endpoints(VpcEndpointIds=[vpc_endpoint_id])["VpcEndpoints"][0]


@aws_call("create VPC endpoint for {ServiceName} in {VpcId}")
@retry()
def create_vpc_endpoint(client, **params: Any) -> dict[str, Any]:
    return client.create_vpc_endpoint(**params)["VpcEndpoint"]


@aws_call("modify VPC endpoint {vpc_endpoint_id}")
@retry(catch_extra_error_codes=list(ENDPOINT_NOT_FOUND))
def modify_vpc_endpoint(client, vpc_endpoint_id: str, **changes: Any) -> bool:
    client.modify_vpc_endpoint(VpcEndpointId=vpc_endpoint_id, **changes)
    return True


@aws_call("delete VPC endpoints {vpc_endpoint_ids}")
@retry()
def delete_vpc_endpoints(client, vpc_endpoint_ids: list[str]) -> bool:
    result = client.delete_vpc_endpoints(VpcEndpointIds=list(vpc_endpoint_ids))
    raise_unsuccessful("delete", "VPC endpoints", result.get("Unsuccessful"))
    return True


@aws_call("describe VPC endpoint services {service_names}", missing_codes=("InvalidServiceName",), missing_value=list)
@retry()
def describe_vpc_endpoint_services(client, service_names: list[str]) -> list[dict[str, Any]]:
    paginator = client.get_paginator("describe_vpc_endpoint_services")
    return paginator.paginate(ServiceNames=list(service_names)).build_full_result().get("ServiceDetails", [])


@aws_call("tag resource {resource_id}")
@retry(catch_extra_error_codes=list(ENDPOINT_NOT_FOUND) + ["InvalidVpcEndpointServiceId.NotFound"])
def create_tags(client, resource_id: str, tags: dict[str, str]) -> bool:
    client.create_tags(Resources=[resource_id], Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@aws_call("untag resource {resource_id}")
@retry(catch_extra_error_codes=list(ENDPOINT_NOT_FOUND) + ["InvalidVpcEndpointServiceId.NotFound"])
def delete_tags(client, resource_id: str, tag_keys: list[str]) -> bool:
    client.delete_tags(Resources=[resource_id], Tags=[{"Key": key} for key in tag_keys])
    return True
