# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Batched waiting: one Describe call per poll for any number of endpoints or connections.

botocore has no VPC endpoint waiter, and a waiter per endpoint would poll N times per round. These helpers poll
all ids at once, stop as soon as every id reached the target, and fail fast on a terminal failure state with
the reason AWS gives (LastError / FailureReason).

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error

from ._aws_call import error_code
from ._endpoint_api import ENDPOINT_NOT_FOUND, describe_vpc_endpoints_strict
from ._endpoint_service_api import describe_endpoint_connections

FAILED_STATES = frozenset(["failed", "rejected", "expired"])
GONE_STATES = frozenset(["deleted"])
_ENDPOINT_ID = re.compile(r"vpce-[0-9a-zA-Z]+")


class EndpointStateError(AnsibleEC2Error):
    """An endpoint or connection reached a state it cannot leave by waiting."""


class WaitTimeoutError(AnsibleEC2Error):
    pass


def normalized_state(state: str | None) -> str:
    """AWS spells endpoint states pendingAcceptance / PendingAcceptance depending on the API; compare lower-case."""
    return (state or "").lower()


def failure_reason(resource: dict[str, Any]) -> str:
    last_error = resource.get("LastError") or {}
    parts = [last_error.get("Code"), last_error.get("Message"), resource.get("FailureReason")]
    reason = ": ".join(part for part in parts if part)
    return reason or "no reason given by AWS"


def target_reached(state: str, target: str, allow_pending_acceptance: bool) -> bool:
    state = normalized_state(state)
    if target == "deleted":
        return state in GONE_STATES
    if state == "available":
        return True
    return allow_pending_acceptance and state == "pendingacceptance"


def check_not_failed(kind: str, resource_id: str, state: str, resource: dict[str, Any], target: str) -> None:
    if target != "deleted" and normalized_state(state) in FAILED_STATES:
        raise EndpointStateError(
            message=f"Failed to wait for {kind} {resource_id}: it is {state}: {failure_reason(resource)}"
        )


def describe_endpoints_batch(client, vpc_endpoint_ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
    """Describe endpoints by id in one call; ids AWS no longer knows map to None.

    DescribeVpcEndpoints fails the whole call when one id is unknown; the ids named in that error are dropped and
    the call repeated for the rest (so a poll still costs one call unless endpoints have vanished).
    """
    remaining = sorted(set(vpc_endpoint_ids))
    found: dict[str, dict[str, Any] | None] = {endpoint_id: None for endpoint_id in remaining}
    while remaining:
        try:
            endpoints = describe_vpc_endpoints_strict(client, remaining)
        except AnsibleEC2Error as e:
            if error_code(e.exception) not in ENDPOINT_NOT_FOUND:
                raise
            missing = set(_ENDPOINT_ID.findall(str(e.exception))) & set(remaining)
            if not missing:
                missing = {remaining[0]} if len(remaining) == 1 else set()
            if not missing:
                return _describe_one_by_one(client, remaining, found)
            remaining = [endpoint_id for endpoint_id in remaining if endpoint_id not in missing]
            continue
        for endpoint in endpoints:
            found[endpoint["VpcEndpointId"]] = endpoint
        break
    return found


def _describe_one_by_one(client, ids: list[str], found: dict[str, dict[str, Any] | None]):
    for endpoint_id in ids:
        try:
            endpoints = describe_vpc_endpoints_strict(client, [endpoint_id])
        except AnsibleEC2Error as e:
            if error_code(e.exception) not in ENDPOINT_NOT_FOUND:
                raise
            continue
        for endpoint in endpoints:
            found[endpoint["VpcEndpointId"]] = endpoint
    return found


def poll_until(
    fetch: Callable[[], dict[str, dict[str, Any] | None]],
    evaluate: Callable[[dict[str, dict[str, Any] | None]], list[str]],
    timeout: int,
    delay: float,
    description: str,
    sleep: Callable[[float], None] | None = None,
    now: Callable[[], float] | None = None,
) -> dict[str, dict[str, Any] | None]:
    """Call ``fetch`` once per round; ``evaluate`` returns the ids still pending (and raises on failure)."""
    sleep = sleep or time.sleep
    now = now or time.monotonic
    deadline = now() + timeout
    while True:
        snapshot = fetch()
        pending = evaluate(snapshot)
        if not pending:
            return snapshot
        if now() + delay > deadline:
            states = ", ".join(f"{item}={_state_of(snapshot.get(item))}" for item in pending)
            raise WaitTimeoutError(message=f"Timeout after {timeout}s waiting for {description}: still {states}")
        sleep(delay)


def _state_of(resource: dict[str, Any] | None) -> str:
    if resource is None:
        return "not found"
    return resource.get("State") or resource.get("VpcEndpointState") or "unknown"


def wait_for_endpoints(
    client,
    vpc_endpoint_ids: Iterable[str],
    target: str = "available",
    allow_pending_acceptance: bool = False,
    timeout: int = 600,
    delay: float = 5,
    sleep: Callable[[float], None] | None = None,
    now: Callable[[], float] | None = None,
) -> dict[str, dict[str, Any] | None]:
    """Wait until every endpoint is ``available`` (or ``deleted``); one DescribeVpcEndpoints per poll.

    Unknown ids count as deleted when waiting for deletion and as "not visible yet" (eventual consistency)
    otherwise. Returns the last description of each endpoint (None when gone).
    """
    ids = sorted(set(vpc_endpoint_ids))

    def evaluate(snapshot: dict[str, dict[str, Any] | None]) -> list[str]:
        pending = []
        for endpoint_id in ids:
            endpoint = snapshot.get(endpoint_id)
            if endpoint is None:
                if target != "deleted":
                    pending.append(endpoint_id)
                continue
            check_not_failed("VPC endpoint", endpoint_id, endpoint.get("State"), endpoint, target)
            if not target_reached(endpoint.get("State"), target, allow_pending_acceptance):
                pending.append(endpoint_id)
        return pending

    if not ids:
        return {}
    return poll_until(
        lambda: describe_endpoints_batch(client, ids),
        evaluate,
        timeout,
        delay,
        f"VPC endpoints {', '.join(ids)} to be {target}",
        sleep=sleep,
        now=now,
    )


def wait_for_connections(
    client,
    service_id: str,
    vpc_endpoint_ids: Iterable[str],
    target: str = "available",
    timeout: int = 600,
    delay: float = 5,
    sleep: Callable[[float], None] | None = None,
    now: Callable[[], float] | None = None,
) -> dict[str, dict[str, Any] | None]:
    """Wait until the service's connections from these endpoints reach ``available`` (or ``rejected``); one
    DescribeVpcEndpointConnections per poll."""
    ids = sorted(set(vpc_endpoint_ids))

    def fetch() -> dict[str, dict[str, Any] | None]:
        connections = describe_endpoint_connections(client, service_id=service_id)
        by_id: dict[str, dict[str, Any] | None] = {endpoint_id: None for endpoint_id in ids}
        for connection in connections:
            if connection.get("VpcEndpointId") in by_id:
                by_id[connection["VpcEndpointId"]] = connection
        return by_id

    def evaluate(snapshot: dict[str, dict[str, Any] | None]) -> list[str]:
        pending = []
        for endpoint_id in ids:
            connection = snapshot.get(endpoint_id)
            if connection is None:
                pending.append(endpoint_id)
                continue
            state = normalized_state(connection.get("VpcEndpointState"))
            if state == target:
                continue
            if state in FAILED_STATES:
                raise EndpointStateError(
                    message=(
                        f"Failed to wait for VPC endpoint connection {endpoint_id} to service {service_id}: "
                        f"it is {connection.get('VpcEndpointState')}"
                    )
                )
            pending.append(endpoint_id)
        return pending

    if not ids:
        return {}
    return poll_until(
        fetch,
        evaluate,
        timeout,
        delay,
        f"connections {', '.join(ids)} to service {service_id} to be {target}",
        sleep=sleep,
        now=now,
    )
