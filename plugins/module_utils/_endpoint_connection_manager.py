# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Accept or reject connection requests to a VPC endpoint service, then wait for the outcome.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ._endpoint_api import describe_vpc_endpoints
from ._endpoint_results import to_result
from ._endpoint_service_api import (
    accept_endpoint_connections,
    describe_endpoint_connections,
    describe_service_configurations,
    reject_endpoint_connections,
)
from ._endpoint_wait import normalized_state, poll_until, wait_for_connections

ACCEPTABLE_STATES = frozenset(["pendingacceptance"])
REJECTABLE_STATES = frozenset(["pendingacceptance", "pending", "available"])
ACCEPTED_STATES = frozenset(["pending", "available"])


def state_of(connection: dict[str, Any]) -> str:
    return normalized_state(connection.get("VpcEndpointState"))


class EndpointConnectionManager:
    def __init__(self, module, client) -> None:
        self.module = module
        self.client = client
        self.params = module.params
        self.check_mode = module.check_mode
        self.service_id = module.params["service_id"]

    # ---- selection ------------------------------------------------------------------------------------------
    def _endpoint_ids_in_requester_vpcs(self) -> set[str] | None:
        vpc_ids = self.params.get("requester_vpc_ids")
        if not vpc_ids:
            return None
        services = describe_service_configurations(self.client, service_ids=[self.service_id])
        if not services:
            self.module.fail_json(msg=f"Option service_id: VPC endpoint service {self.service_id} not found")
        filters = [
            {"Name": "vpc-id", "Values": list(vpc_ids)},
            {"Name": "service-name", "Values": [services[0]["ServiceName"]]},
        ]
        return {endpoint["VpcEndpointId"] for endpoint in describe_vpc_endpoints(self.client, filters=filters)}

    def _selected(self, connections: list[dict[str, Any]], vpc_ids_endpoints: set[str] | None) -> list[dict[str, Any]]:
        wanted_ids = set(self.params.get("vpc_endpoint_ids") or [])
        wanted_owners = set(self.params.get("requester_account_ids") or [])
        selected = []
        for connection in connections:
            endpoint_id = connection.get("VpcEndpointId")
            if wanted_ids and endpoint_id not in wanted_ids:
                continue
            if wanted_owners and connection.get("VpcEndpointOwner") not in wanted_owners:
                continue
            if vpc_ids_endpoints is not None and endpoint_id not in vpc_ids_endpoints:
                continue
            selected.append(connection)
        return sorted(selected, key=lambda connection: connection["VpcEndpointId"])

    def _connections(self) -> dict[str, dict[str, Any] | None]:
        connections = describe_endpoint_connections(self.client, service_id=self.service_id)
        return {connection["VpcEndpointId"]: connection for connection in connections}

    def _wait_until_listed(self) -> dict[str, dict[str, Any] | None]:
        """Connection requests can show up a little after the consumer created its endpoint."""
        wanted = sorted(set(self.params.get("vpc_endpoint_ids") or []))

        def evaluate(snapshot: dict[str, dict[str, Any] | None]) -> list[str]:
            return [endpoint_id for endpoint_id in wanted if endpoint_id not in snapshot]

        if not wanted:
            return self._connections()
        if not self.params.get("wait"):
            snapshot = self._connections()
            missing = evaluate(snapshot)
            if missing:
                self.module.fail_json(
                    msg=f"Option vpc_endpoint_ids: no connection request from {', '.join(missing)} to VPC endpoint "
                    f"service {self.service_id}"
                )
            return snapshot
        return poll_until(
            self._connections,
            evaluate,
            self.params["wait_timeout"],
            self.params["wait_delay"],
            f"connection requests from {', '.join(wanted)} to VPC endpoint service {self.service_id}",
        )

    # ---- convergence ----------------------------------------------------------------------------------------
    def _result(
        self, changed: bool, before: list[dict[str, Any]], after: list[dict[str, Any]], acted_on: list[str]
    ) -> dict[str, Any]:
        verb = "accepted" if self.params["state"] == "accepted" else "rejected"
        result: dict[str, Any] = {
            "changed": changed,
            "service_id": self.service_id,
            "connections": [to_result(connection) for connection in after],
            f"{verb}_vpc_endpoint_ids": acted_on,
        }
        if self.module._diff:
            result["diff"] = {
                "before": {item["VpcEndpointId"]: item.get("VpcEndpointState") for item in before},
                "after": {item["VpcEndpointId"]: item.get("VpcEndpointState") for item in after},
            }
        return result

    def ensure(self) -> dict[str, Any]:
        snapshot = self._wait_until_listed()
        selected = self._selected([item for item in snapshot.values() if item], self._endpoint_ids_in_requester_vpcs())
        accepting = self.params["state"] == "accepted"
        if accepting:
            named = set(self.params.get("vpc_endpoint_ids") or [])
            refused = [
                item["VpcEndpointId"]
                for item in selected
                if state_of(item) == "rejected" and item["VpcEndpointId"] in named
            ]
            if refused:
                self.module.fail_json(
                    msg=f"Cannot accept connections from {', '.join(refused)} to VPC endpoint service "
                    f"{self.service_id}: they were rejected; the consumer must create a new endpoint"
                )
        actionable = ACCEPTABLE_STATES if accepting else REJECTABLE_STATES
        to_change = [item["VpcEndpointId"] for item in selected if state_of(item) in actionable]
        new_state = "pending" if accepting else "rejected"
        predicted = [
            dict(item, VpcEndpointState=new_state) if item["VpcEndpointId"] in to_change else item for item in selected
        ]
        if self.check_mode or not to_change:
            after = predicted
            if not self.check_mode and accepting and self.params.get("wait"):
                after = self._wait(selected, "available")
            return self._result(bool(to_change), selected, after, to_change)
        if accepting:
            accept_endpoint_connections(self.client, self.service_id, to_change)
        else:
            reject_endpoint_connections(self.client, self.service_id, to_change)
        after = self._wait(selected, "available" if accepting else "rejected") if self.params.get("wait") else predicted
        return self._result(True, selected, after, to_change)

    def _wait(self, selected: list[dict[str, Any]], target: str) -> list[dict[str, Any]]:
        ids = [
            item["VpcEndpointId"]
            for item in selected
            if target == "rejected" or state_of(item) in ACCEPTED_STATES | ACCEPTABLE_STATES
        ]
        settled = wait_for_connections(
            self.client,
            self.service_id,
            ids,
            target=target,
            timeout=self.params["wait_timeout"],
            delay=self.params["wait_delay"],
        )
        return [settled.get(item["VpcEndpointId"]) or item for item in selected]
