# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turn EC2 answers into module results (snake_case, tags as a dict) and into comparable views for ``diff``.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ._endpoint_compare import load_policy


def tags_of(resource: dict[str, Any] | None) -> dict[str, str]:
    return boto3_tag_list_to_ansible_dict((resource or {}).get("Tags") or [])


def to_result(resource: dict[str, Any] | None) -> dict[str, Any]:
    """snake_case copy of an AWS structure with ``tags`` as a dict and timestamps as ISO strings."""
    if not resource:
        return {}
    result = camel_dict_to_snake_dict(normalize_boto3_result(resource), ignore_list=["Tags"])
    result["tags"] = tags_of(resource)
    return result


def security_group_ids_of(endpoint: dict[str, Any]) -> list[str]:
    return sorted(group["GroupId"] for group in endpoint.get("Groups") or [])


def endpoint_view(endpoint: dict[str, Any] | None) -> dict[str, Any]:
    """The managed fields of a VPC endpoint, in the form used for ``diff`` before/after."""
    if not endpoint:
        return {}
    dns_options = endpoint.get("DnsOptions") or {}
    view = {
        "vpc_endpoint_id": endpoint.get("VpcEndpointId"),
        "vpc_id": endpoint.get("VpcId"),
        "service_name": endpoint.get("ServiceName"),
        "vpc_endpoint_type": endpoint.get("VpcEndpointType"),
        "state": endpoint.get("State"),
        "subnet_ids": sorted(endpoint.get("SubnetIds") or []),
        "security_group_ids": security_group_ids_of(endpoint),
        "route_table_ids": sorted(endpoint.get("RouteTableIds") or []),
        "policy": load_policy(endpoint.get("PolicyDocument")),
        "private_dns_enabled": endpoint.get("PrivateDnsEnabled"),
        "ip_address_type": endpoint.get("IpAddressType"),
        "dns_options": camel_dict_to_snake_dict(dns_options) if dns_options else {},
        "tags": tags_of(endpoint),
    }
    return view


def principals_of(permissions: list[dict[str, Any]]) -> list[str]:
    return sorted({item["Principal"] for item in permissions if item.get("Principal")})


def service_view(service: dict[str, Any] | None, principals: list[str] | None = None) -> dict[str, Any]:
    """The managed fields of an endpoint service configuration, for ``diff`` before/after."""
    if not service:
        return {}
    return {
        "service_id": service.get("ServiceId"),
        "service_name": service.get("ServiceName"),
        "service_state": service.get("ServiceState"),
        "acceptance_required": service.get("AcceptanceRequired"),
        "network_load_balancer_arns": sorted(service.get("NetworkLoadBalancerArns") or []),
        "gateway_load_balancer_arns": sorted(service.get("GatewayLoadBalancerArns") or []),
        "supported_ip_address_types": sorted(service.get("SupportedIpAddressTypes") or []),
        "private_dns_name": service.get("PrivateDnsName"),
        "allowed_principals": sorted(principals or []),
        "tags": tags_of(service),
    }
