# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one VPC endpoint: identity lookup, create, modify in place, delete, wait.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_specifications,
)

from ._endpoint_api import (
    create_tags,
    create_vpc_endpoint,
    delete_tags,
    delete_vpc_endpoints,
    describe_created_vpc_endpoint,
    describe_vpc_endpoints,
    modify_vpc_endpoint,
)
from ._endpoint_compare import (
    apply_set_changes,
    apply_tag_changes,
    canonical_policy_json,
    client_token,
    policy_changed,
    set_changes,
    tag_changes,
)
from ._endpoint_results import endpoint_view, security_group_ids_of, tags_of, to_result
from ._endpoint_wait import FAILED_STATES, failure_reason, normalized_state, wait_for_endpoints

GONE_STATES = frozenset(["deleting", "deleted"])
DEFAULT_POLICY = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
IMMUTABLE_FIELDS = (("vpc_id", "VpcId"), ("service_name", "ServiceName"), ("vpc_endpoint_type", "VpcEndpointType"))
# option -> endpoint types that accept it
TYPE_RESTRICTED_OPTIONS = {
    "subnet_ids": ("Interface", "GatewayLoadBalancer"),
    "security_group_ids": ("Interface",),
    "route_table_ids": ("Gateway",),
    "private_dns_enabled": ("Interface",),
    "dns_options": ("Interface",),
}
DNS_OPTION_KEYS = (
    ("dns_record_ip_type", "DnsRecordIpType"),
    ("private_dns_only_for_inbound_resolver_endpoint", "PrivateDnsOnlyForInboundResolverEndpoint"),
)


class VpcEndpointManager:
    def __init__(self, module, client) -> None:
        self.module = module
        self.client = client
        self.params = module.params
        self.check_mode = module.check_mode

    # ---- identity -------------------------------------------------------------------------------------------
    def _identity(self) -> dict[str, Any]:
        if self.params.get("vpc_endpoint_id"):
            return {"vpc_endpoint_id": self.params["vpc_endpoint_id"]}
        if self.params.get("name"):
            return {"vpc_id": self.params["vpc_id"], "name": self.params["name"]}
        if not self.params.get("service_name"):
            self.module.fail_json(
                msg="Option service_name (or name, or vpc_endpoint_id) is required to identify the VPC endpoint"
            )
        return {
            "vpc_id": self.params["vpc_id"],
            "service_name": self.params["service_name"],
            "vpc_endpoint_type": self.params.get("vpc_endpoint_type"),
        }

    def _candidates(self) -> list[dict[str, Any]]:
        endpoint_id = self.params.get("vpc_endpoint_id")
        if endpoint_id:
            return describe_vpc_endpoints(self.client, vpc_endpoint_ids=[endpoint_id])
        vpc_id = self.params["vpc_id"]
        filters = [{"Name": "vpc-id", "Values": [vpc_id]}]
        name = self.params.get("name")
        if name:
            filters.append({"Name": "tag:Name", "Values": [name]})
            endpoints = describe_vpc_endpoints(self.client, filters=filters)
            # Filter again here: some AWS-compatible endpoints ignore some filters.
            return [item for item in endpoints if item.get("VpcId") == vpc_id and tags_of(item).get("Name") == name]
        service_name = self.params["service_name"]
        filters.append({"Name": "service-name", "Values": [service_name]})
        endpoints = describe_vpc_endpoints(self.client, filters=filters)
        wanted_type = self.params.get("vpc_endpoint_type")
        return [
            item
            for item in endpoints
            if item.get("VpcId") == vpc_id
            and item.get("ServiceName") == service_name
            and (not wanted_type or item.get("VpcEndpointType") == wanted_type)
        ]

    def find(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Return (live endpoints with this identity, ids of deleted ones)."""
        live, gone = [], []
        for endpoint in self._candidates():
            if normalized_state(endpoint.get("State")) in GONE_STATES:
                gone.append(endpoint["VpcEndpointId"])
            else:
                live.append(endpoint)
        return live, sorted(gone)

    # ---- validation -----------------------------------------------------------------------------------------
    def _check_options_fit_type(self, endpoint_type: str | None) -> None:
        for option, allowed_types in TYPE_RESTRICTED_OPTIONS.items():
            if self.params.get(option) is not None and endpoint_type not in allowed_types:
                self.module.fail_json(
                    msg=f"Option {option} is not supported for {endpoint_type} endpoints "
                    f"(only for {', '.join(allowed_types)})"
                )

    def _check_immutable(self, endpoint: dict[str, Any]) -> None:
        for option, field in IMMUTABLE_FIELDS:
            desired = self.params.get(option)
            if desired is not None and desired != endpoint.get(field):
                self.module.fail_json(
                    msg=f"Option {option} cannot be changed in place on VPC endpoint {endpoint['VpcEndpointId']}: "
                    f"it is {endpoint.get(field)!r}, requested {desired!r}. AWS cannot modify it; delete the "
                    "endpoint (state=absent) and create it again if that is what you want."
                )

    def _check_not_failed(self, endpoint: dict[str, Any]) -> None:
        state = endpoint.get("State")
        if normalized_state(state) in FAILED_STATES:
            self.module.fail_json(
                msg=f"VPC endpoint {endpoint['VpcEndpointId']} is {state}: {failure_reason(endpoint)}",
                vpc_endpoint=to_result(endpoint),
            )

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

    def _desired_dns_options(self) -> dict[str, Any]:
        options = self.params.get("dns_options") or {}
        return {field: options[key] for key, field in DNS_OPTION_KEYS if options.get(key) is not None}

    def _create_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "VpcId": self.params["vpc_id"],
            "ServiceName": self.params["service_name"],
            "VpcEndpointType": self.params["vpc_endpoint_type"],
        }
        optional = {
            "SubnetIds": self.params.get("subnet_ids"),
            "SecurityGroupIds": self.params.get("security_group_ids"),
            "RouteTableIds": self.params.get("route_table_ids"),
            "PolicyDocument": canonical_policy_json(self.params.get("policy")),
            "PrivateDnsEnabled": self.params.get("private_dns_enabled"),
            "IpAddressType": self.params.get("ip_address_type"),
            "DnsOptions": self._desired_dns_options() or None,
        }
        params.update({key: value for key, value in optional.items() if value is not None})
        for key in ("SubnetIds", "SecurityGroupIds", "RouteTableIds"):
            if key in params:
                params[key] = sorted(set(params[key]))
        tags, _purge = self._desired_tags()
        if tags:
            params["TagSpecifications"] = boto3_tag_specifications(tags, types=["vpc-endpoint"])
        return params

    def _predicted_new_endpoint(self, params: dict[str, Any]) -> dict[str, Any]:
        tags = self._desired_tags()[0] or {}
        return {
            "VpcEndpointId": None,
            "VpcId": params["VpcId"],
            "ServiceName": params["ServiceName"],
            "VpcEndpointType": params["VpcEndpointType"],
            "State": "pending",
            "SubnetIds": params.get("SubnetIds", []),
            "Groups": [{"GroupId": group_id} for group_id in params.get("SecurityGroupIds", [])],
            "RouteTableIds": params.get("RouteTableIds", []),
            "PolicyDocument": params.get("PolicyDocument"),
            "PrivateDnsEnabled": params.get("PrivateDnsEnabled"),
            "IpAddressType": params.get("IpAddressType"),
            "DnsOptions": params.get("DnsOptions"),
            "Tags": ansible_dict_to_boto3_tag_list(tags),
        }

    # ---- create ---------------------------------------------------------------------------------------------
    def _create(self, gone_ids: list[str]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        for option in ("vpc_id", "service_name", "vpc_endpoint_type"):
            if not self.params.get(option):
                self.module.fail_json(msg=f"Option {option} is required to create a VPC endpoint")
        self._check_options_fit_type(self.params["vpc_endpoint_type"])
        params = self._create_params()
        predicted = self._predicted_new_endpoint(params)
        if self.check_mode:
            return None, predicted
        salt = list(gone_ids)
        for _attempt in range(2):
            token = self.params.get("client_token") or client_token("vpc-endpoint", self._identity(), params, salt=salt)
            created = create_vpc_endpoint(self.client, ClientToken=token, **params)
            endpoint = describe_created_vpc_endpoint(self.client, created["VpcEndpointId"])
            if normalized_state(endpoint.get("State")) not in GONE_STATES:
                return endpoint, predicted
            if self.params.get("client_token"):
                self.module.fail_json(
                    msg=f"Option client_token: the token names VPC endpoint {endpoint['VpcEndpointId']}, which is "
                    f"{endpoint.get('State')}; use another token (or none, to let the module derive one)"
                )
            # The token still names an endpoint deleted earlier: derive a fresh one from its id.
            salt.append(endpoint["VpcEndpointId"])
        return endpoint, predicted

    # ---- modify ---------------------------------------------------------------------------------------------
    def _modifications(self, current: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for option, field, current_ids in (
            ("subnet_ids", "SubnetIds", current.get("SubnetIds") or []),
            ("security_group_ids", "SecurityGroupIds", security_group_ids_of(current)),
            ("route_table_ids", "RouteTableIds", current.get("RouteTableIds") or []),
        ):
            to_add, to_remove = set_changes(current_ids, self.params.get(option), self.params.get(f"purge_{option}"))
            if to_add:
                changes[f"Add{field}"] = to_add
            if to_remove:
                changes[f"Remove{field}"] = to_remove

        policy = self.params.get("policy")
        if self.params.get("reset_policy"):
            if policy_changed(current.get("PolicyDocument"), DEFAULT_POLICY):
                changes["ResetPolicy"] = True
        elif policy is not None and policy_changed(current.get("PolicyDocument"), policy):
            changes["PolicyDocument"] = canonical_policy_json(policy)

        private_dns = self.params.get("private_dns_enabled")
        if private_dns is not None and private_dns != current.get("PrivateDnsEnabled"):
            if normalized_state(current.get("State")) == "pendingacceptance":
                self.module.warn(
                    f"private_dns_enabled={private_dns} not applied to VPC endpoint {current['VpcEndpointId']}: "
                    "AWS allows it only after the service provider accepts the connection; run again after that"
                )
            else:
                changes["PrivateDnsEnabled"] = private_dns

        desired_dns = self._desired_dns_options()
        current_dns = current.get("DnsOptions") or {}
        if any(current_dns.get(key) != value for key, value in desired_dns.items()):
            merged = {key: current_dns[key] for _option, key in DNS_OPTION_KEYS if key in current_dns}
            merged.update(desired_dns)
            changes["DnsOptions"] = merged

        ip_type = self.params.get("ip_address_type")
        if ip_type is not None and ip_type != current.get("IpAddressType"):
            changes["IpAddressType"] = ip_type
        return changes

    @staticmethod
    def _predicted_endpoint(
        current: dict[str, Any], changes: dict[str, Any], tags_to_set: dict[str, str], tags_to_remove: list[str]
    ) -> dict[str, Any]:
        after = copy.deepcopy(current)
        after["SubnetIds"] = apply_set_changes(
            current.get("SubnetIds"), changes.get("AddSubnetIds", []), changes.get("RemoveSubnetIds", [])
        )
        group_ids = apply_set_changes(
            security_group_ids_of(current),
            changes.get("AddSecurityGroupIds", []),
            changes.get("RemoveSecurityGroupIds", []),
        )
        known_groups = {group["GroupId"]: group for group in current.get("Groups") or []}
        after["Groups"] = [known_groups.get(group_id, {"GroupId": group_id}) for group_id in group_ids]
        after["RouteTableIds"] = apply_set_changes(
            current.get("RouteTableIds"), changes.get("AddRouteTableIds", []), changes.get("RemoveRouteTableIds", [])
        )
        if changes.get("ResetPolicy"):
            after["PolicyDocument"] = canonical_policy_json(DEFAULT_POLICY)
        for field in ("PolicyDocument", "PrivateDnsEnabled", "IpAddressType", "DnsOptions"):
            if field in changes:
                after[field] = changes[field]
        after["Tags"] = ansible_dict_to_boto3_tag_list(apply_tag_changes(tags_of(current), tags_to_set, tags_to_remove))
        return after

    def _update(self, current: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        self._check_immutable(current)
        self._check_not_failed(current)
        self._check_options_fit_type(current.get("VpcEndpointType"))
        changes = self._modifications(current)
        desired_tags, purge = self._desired_tags()
        tags_to_set, tags_to_remove = tag_changes(tags_of(current), desired_tags, purge)
        predicted = self._predicted_endpoint(current, changes, tags_to_set, tags_to_remove)
        changed = bool(changes or tags_to_set or tags_to_remove)
        if self.check_mode or not changed:
            return changed, predicted
        endpoint_id = current["VpcEndpointId"]
        if changes:
            modify_vpc_endpoint(self.client, endpoint_id, **changes)
        if tags_to_remove:
            delete_tags(self.client, endpoint_id, tags_to_remove)
        if tags_to_set:
            create_tags(self.client, endpoint_id, tags_to_set)
        return True, predicted

    # ---- waiting and results --------------------------------------------------------------------------------
    def _settle(self, endpoint_id: str) -> dict[str, Any]:
        if self.params.get("wait"):
            settled = wait_for_endpoints(
                self.client,
                [endpoint_id],
                target="available",
                allow_pending_acceptance=self.params.get("allow_pending_acceptance"),
                timeout=self.params.get("wait_timeout"),
                delay=self.params.get("wait_delay"),
            )
            return settled[endpoint_id]
        return describe_created_vpc_endpoint(self.client, endpoint_id)

    def _result(self, changed: bool, before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
        result: dict[str, Any] = {
            "changed": changed,
            "vpc_endpoint_id": (after or {}).get("VpcEndpointId"),
            "vpc_endpoint": to_result(after),
        }
        if self.module._diff:
            result["diff"] = {"before": endpoint_view(before), "after": endpoint_view(after)}
        return result

    def ensure_present(self) -> dict[str, Any]:
        live, gone_ids = self.find()
        if self.params.get("vpc_endpoint_id") and not live:
            missing_id = self.params["vpc_endpoint_id"]
            self.module.fail_json(msg=f"Option vpc_endpoint_id: VPC endpoint {missing_id} not found")
        if len(live) > 1:
            ids = ", ".join(sorted(endpoint["VpcEndpointId"] for endpoint in live))
            self.module.fail_json(
                msg=f"Found {len(live)} VPC endpoints ({ids}) matching vpc_id, service_name and vpc_endpoint_type; "
                "set name or vpc_endpoint_id to pick one"
            )
        if not live:
            endpoint, predicted = self._create(gone_ids)
            if endpoint is None:
                return self._result(True, None, predicted)
            if self.params.get("wait"):
                endpoint = self._settle(endpoint["VpcEndpointId"])
            return self._result(True, None, endpoint)
        current = live[0]
        changed, predicted = self._update(current)
        if self.check_mode:
            return self._result(changed, current, predicted)
        if not changed and not self.params.get("wait"):
            return self._result(False, current, current)
        return self._result(changed, current, self._settle(current["VpcEndpointId"]))

    def ensure_absent(self) -> dict[str, Any]:
        self._identity()
        live, _gone = self.find()
        ids = sorted(endpoint["VpcEndpointId"] for endpoint in live)
        result: dict[str, Any] = {
            "changed": bool(ids),
            "vpc_endpoint_id": None,
            "vpc_endpoint": {},
            "deleted_vpc_endpoint_ids": ids,
        }
        if self.module._diff:
            result["diff"] = {
                "before": {endpoint["VpcEndpointId"]: endpoint_view(endpoint) for endpoint in live},
                "after": {},
            }
        if not ids or self.check_mode:
            return result
        delete_vpc_endpoints(self.client, ids)
        if self.params.get("wait"):
            wait_for_endpoints(
                self.client,
                ids,
                target="deleted",
                timeout=self.params.get("wait_timeout"),
                delay=self.params.get("wait_delay"),
            )
        return result
