# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one VPC endpoint service configuration (provider side of PrivateLink).

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_specifications,
)

from ._endpoint_api import create_tags, delete_tags
from ._endpoint_compare import apply_set_changes, apply_tag_changes, client_token, set_changes, tag_changes
from ._endpoint_results import principals_of, service_view, tags_of, to_result
from ._endpoint_service_api import (
    create_service_configuration,
    delete_service_configuration,
    describe_created_service_configuration,
    describe_endpoint_connections,
    describe_service_configurations,
    describe_service_permissions,
    modify_service_configuration,
    modify_service_permissions,
    reject_endpoint_connections,
    start_private_dns_verification,
)
from ._endpoint_wait import EndpointStateError, poll_until

ACTIVE_CONNECTION_STATES = frozenset(["pendingacceptance", "pending", "available"])
LOAD_BALANCER_OPTIONS = (
    ("network_load_balancer_arns", "NetworkLoadBalancerArns"),
    ("gateway_load_balancer_arns", "GatewayLoadBalancerArns"),
)


def load_balancers_of(service: dict[str, Any]) -> set[str]:
    return set(service.get("NetworkLoadBalancerArns") or []) | set(service.get("GatewayLoadBalancerArns") or [])


class EndpointServiceManager:
    def __init__(self, module, client) -> None:
        self.module = module
        self.client = client
        self.params = module.params
        self.check_mode = module.check_mode

    # ---- identity -------------------------------------------------------------------------------------------
    def _wanted_load_balancers(self) -> set[str]:
        wanted: set[str] = set()
        for option, _field in LOAD_BALANCER_OPTIONS:
            wanted.update(self.params.get(option) or [])
        return wanted

    def _identity(self) -> dict[str, Any]:
        if self.params.get("service_id"):
            return {"service_id": self.params["service_id"]}
        if self.params.get("name"):
            return {"name": self.params["name"]}
        wanted = self._wanted_load_balancers()
        if not wanted:
            self.module.fail_json(
                msg="One of the options service_id, name, network_load_balancer_arns or gateway_load_balancer_arns "
                "is required to identify the VPC endpoint service"
            )
        return {"load_balancer_arns": sorted(wanted)}

    def find(self) -> list[dict[str, Any]]:
        identity = self._identity()
        if "service_id" in identity:
            services = describe_service_configurations(self.client, service_ids=[identity["service_id"]])
        elif "name" in identity:
            services = describe_service_configurations(
                self.client, filters=[{"Name": "tag:Name", "Values": [identity["name"]]}]
            )
            # Filter again here: some AWS-compatible endpoints ignore tag filters.
            services = [service for service in services if tags_of(service).get("Name") == identity["name"]]
        else:
            wanted = set(identity["load_balancer_arns"])
            services = [
                service
                for service in describe_service_configurations(self.client)
                if wanted & load_balancers_of(service)
            ]
        return [service for service in services if (service.get("ServiceState") or "").lower() not in ("deleted",)]

    # ---- desired state --------------------------------------------------------------------------------------
    def _desired_tags(self) -> tuple[dict[str, str] | None, bool]:
        tags = self.params.get("tags")
        name = self.params.get("name")
        if tags is None and name is None:
            return None, False
        desired = {str(key): str(value) for key, value in (tags or {}).items()}
        if name is not None:
            desired["Name"] = name
        return desired, bool(self.params.get("purge_tags")) and tags is not None

    def _create_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"AcceptanceRequired": self.params["acceptance_required"]}
        for option, field in LOAD_BALANCER_OPTIONS:
            if self.params.get(option):
                params[field] = sorted(set(self.params[option]))
        if self.params.get("private_dns_name"):
            params["PrivateDnsName"] = self.params["private_dns_name"]
        if self.params.get("supported_ip_address_types"):
            params["SupportedIpAddressTypes"] = sorted(set(self.params["supported_ip_address_types"]))
        tags, _purge = self._desired_tags()
        if tags:
            params["TagSpecifications"] = boto3_tag_specifications(tags, types=["vpc-endpoint-service"])
        return params

    def _principal_changes(self, current: list[str]) -> tuple[list[str], list[str]]:
        return set_changes(current, self.params.get("allowed_principals"), self.params.get("purge_allowed_principals"))

    def _modifications(self, current: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        has_nlb = bool(current.get("NetworkLoadBalancerArns"))
        has_gwlb = bool(current.get("GatewayLoadBalancerArns"))
        if (has_nlb and self.params.get("gateway_load_balancer_arns")) or (
            has_gwlb and self.params.get("network_load_balancer_arns")
        ):
            self.module.fail_json(
                msg=f"Options network_load_balancer_arns/gateway_load_balancer_arns: VPC endpoint service "
                f"{current['ServiceId']} cannot switch between Network and Gateway Load Balancers in place; "
                "delete it (state=absent) and create it again if that is what you want"
            )
        for option, field in LOAD_BALANCER_OPTIONS:
            to_add, to_remove = set_changes(current.get(field) or [], self.params.get(option), True)
            if to_add:
                changes[f"Add{field}"] = to_add
            if to_remove:
                changes[f"Remove{field}"] = to_remove
        if self.params["acceptance_required"] != current.get("AcceptanceRequired"):
            changes["AcceptanceRequired"] = self.params["acceptance_required"]
        dns_name = self.params.get("private_dns_name")
        if dns_name is not None and dns_name != (current.get("PrivateDnsName") or ""):
            if dns_name:
                changes["PrivateDnsName"] = dns_name
            else:
                changes["RemovePrivateDnsName"] = True
        to_add, to_remove = set_changes(
            current.get("SupportedIpAddressTypes") or [], self.params.get("supported_ip_address_types"), True
        )
        if to_add:
            changes["AddSupportedIpAddressTypes"] = to_add
        if to_remove:
            changes["RemoveSupportedIpAddressTypes"] = to_remove
        return changes

    def _needs_dns_verification(self, service: dict[str, Any]) -> bool:
        if not self.params.get("start_private_dns_verification"):
            return False
        configuration = service.get("PrivateDnsNameConfiguration") or {}
        has_name = bool(service.get("PrivateDnsName"))
        return has_name and (configuration.get("State") or "").lower() != "verified"

    @staticmethod
    def _predicted(current: dict[str, Any], changes: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
        after = copy.deepcopy(current)
        for _option, field in LOAD_BALANCER_OPTIONS:
            after[field] = apply_set_changes(
                current.get(field) or [], changes.get(f"Add{field}", []), changes.get(f"Remove{field}", [])
            )
        after["SupportedIpAddressTypes"] = apply_set_changes(
            current.get("SupportedIpAddressTypes") or [],
            changes.get("AddSupportedIpAddressTypes", []),
            changes.get("RemoveSupportedIpAddressTypes", []),
        )
        if "AcceptanceRequired" in changes:
            after["AcceptanceRequired"] = changes["AcceptanceRequired"]
        if "PrivateDnsName" in changes:
            after["PrivateDnsName"] = changes["PrivateDnsName"]
            after["PrivateDnsNameConfiguration"] = {"State": "pendingVerification", "Type": "TXT"}
        if changes.get("RemovePrivateDnsName"):
            after.pop("PrivateDnsName", None)
            after.pop("PrivateDnsNameConfiguration", None)
        after["Tags"] = ansible_dict_to_boto3_tag_list(tags)
        return after

    # ---- actions --------------------------------------------------------------------------------------------
    def _create(self) -> tuple[dict[str, Any] | None, dict[str, Any], list[str]]:
        if not self._wanted_load_balancers():
            self.module.fail_json(
                msg="Option network_load_balancer_arns or gateway_load_balancer_arns is required to create a VPC "
                "endpoint service"
            )
        if self.params.get("network_load_balancer_arns") and self.params.get("gateway_load_balancer_arns"):
            self.module.fail_json(
                msg="Options network_load_balancer_arns and gateway_load_balancer_arns cannot be used together"
            )
        params = self._create_params()
        principals = sorted(set(self.params.get("allowed_principals") or []))
        predicted = dict(
            ServiceId=None,
            ServiceState="Pending",
            AcceptanceRequired=params["AcceptanceRequired"],
            NetworkLoadBalancerArns=params.get("NetworkLoadBalancerArns", []),
            GatewayLoadBalancerArns=params.get("GatewayLoadBalancerArns", []),
            SupportedIpAddressTypes=params.get("SupportedIpAddressTypes", ["ipv4"]),
            PrivateDnsName=params.get("PrivateDnsName"),
            Tags=ansible_dict_to_boto3_tag_list(self._desired_tags()[0] or {}),
        )
        if self.check_mode:
            return None, predicted, principals
        token = self.params.get("client_token") or client_token("vpc-endpoint-service", self._identity(), params)
        created = create_service_configuration(self.client, ClientToken=token, **params)
        service = describe_created_service_configuration(self.client, created["ServiceId"])
        if principals:
            modify_service_permissions(self.client, service["ServiceId"], add=principals)
        if self._needs_dns_verification(service):
            start_private_dns_verification(self.client, service["ServiceId"])
        return service, predicted, principals

    def _wait_for_service(self, service_id: str, target: str) -> dict[str, Any] | None:
        if not self.params.get("wait"):
            return None

        def fetch() -> dict[str, dict[str, Any] | None]:
            found = describe_service_configurations(self.client, service_ids=[service_id])
            return {service_id: found[0] if found else None}

        def evaluate(snapshot: dict[str, dict[str, Any] | None]) -> list[str]:
            service = snapshot[service_id]
            state = ((service or {}).get("ServiceState") or "deleted").lower()
            if target == "available" and state == "failed":
                raise EndpointStateError(message=f"Failed to wait for VPC endpoint service {service_id}: it is Failed")
            return [] if state == target else [service_id]

        snapshot = poll_until(
            fetch,
            evaluate,
            self.params["wait_timeout"],
            self.params["wait_delay"],
            f"VPC endpoint service {service_id} to be {target}",
        )
        return snapshot[service_id]

    def _result(
        self,
        changed: bool,
        before: dict[str, Any] | None,
        before_principals: list[str],
        after: dict[str, Any] | None,
        after_principals: list[str],
    ) -> dict[str, Any]:
        result: dict[str, Any] = {
            "changed": changed,
            "service_id": (after or {}).get("ServiceId"),
            "service_name": (after or {}).get("ServiceName"),
            "service": to_result(after),
            "allowed_principals": sorted(after_principals),
        }
        if after:
            result["service"]["allowed_principals"] = sorted(after_principals)
        if self.module._diff:
            result["diff"] = {
                "before": service_view(before, before_principals),
                "after": service_view(after, after_principals),
            }
        return result

    def ensure_present(self) -> dict[str, Any]:
        services = self.find()
        if self.params.get("service_id") and not services:
            self.module.fail_json(msg=f"Option service_id: VPC endpoint service {self.params['service_id']} not found")
        if len(services) > 1:
            ids = ", ".join(sorted(service["ServiceId"] for service in services))
            self.module.fail_json(msg=f"Found {len(services)} VPC endpoint services ({ids}); set service_id or name")
        if not services:
            service, predicted, principals = self._create()
            if service is None:
                return self._result(True, None, [], predicted, principals)
            service_id = service["ServiceId"]
            service = self._wait_for_service(service_id, "available") or service
            principals = principals_of(describe_service_permissions(self.client, service_id))
            return self._result(True, None, [], service, principals)

        current = services[0]
        service_id = current["ServiceId"]
        current_principals = principals_of(describe_service_permissions(self.client, service_id))
        changes = self._modifications(current)
        principals_add, principals_remove = self._principal_changes(current_principals)
        desired_tags, purge = self._desired_tags()
        tags_to_set, tags_to_remove = tag_changes(tags_of(current), desired_tags, purge)
        after_tags = apply_tag_changes(tags_of(current), tags_to_set, tags_to_remove)
        predicted = self._predicted(current, changes, after_tags)
        verify = self._needs_dns_verification(predicted)
        after_principals = apply_set_changes(current_principals, principals_add, principals_remove)
        changed = bool(changes or principals_add or principals_remove or tags_to_set or tags_to_remove or verify)
        if self.check_mode or not changed:
            return self._result(changed, current, current_principals, predicted, after_principals)
        if changes:
            modify_service_configuration(self.client, service_id, **changes)
        if principals_add or principals_remove:
            modify_service_permissions(self.client, service_id, add=principals_add, remove=principals_remove)
        if tags_to_remove:
            delete_tags(self.client, service_id, tags_to_remove)
        if tags_to_set:
            create_tags(self.client, service_id, tags_to_set)
        if verify:
            start_private_dns_verification(self.client, service_id)
        service = describe_created_service_configuration(self.client, service_id)
        principals = principals_of(describe_service_permissions(self.client, service_id))
        return self._result(True, current, current_principals, service, principals)

    def _active_connections(self, service_id: str) -> list[str]:
        connections = describe_endpoint_connections(self.client, service_id=service_id)
        return sorted(
            connection["VpcEndpointId"]
            for connection in connections
            if (connection.get("VpcEndpointState") or "").lower() in ACTIVE_CONNECTION_STATES
        )

    def ensure_absent(self) -> dict[str, Any]:
        services = self.find()
        if len(services) > 1:
            ids = ", ".join(sorted(service["ServiceId"] for service in services))
            self.module.fail_json(msg=f"Found {len(services)} VPC endpoint services ({ids}); set service_id or name")
        if not services:
            return self._result(False, None, [], None, [])
        current = services[0]
        service_id = current["ServiceId"]
        principals = principals_of(describe_service_permissions(self.client, service_id))
        active = self._active_connections(service_id)
        if active and self.params["connections_on_delete"] == "refuse":
            self.module.fail_json(
                msg=f"VPC endpoint service {service_id} still has connections from {', '.join(active)}; set "
                "connections_on_delete=reject to reject them and delete the service",
                active_vpc_endpoint_ids=active,
            )
        result = self._result(True, current, principals, None, [])
        result["rejected_vpc_endpoint_ids"] = active
        if self.check_mode:
            return result
        if active:
            reject_endpoint_connections(self.client, service_id, active)
        delete_service_configuration(self.client, service_id)
        self._wait_for_service(service_id, "deleted")
        return result
