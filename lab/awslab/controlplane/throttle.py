"""EC2 API throttling with AWS's documented token buckets (EC2 developer guide, "Request throttling").

Buckets are per account and region. Actions with their own published limits have their own bucket; the rest share
the category buckets (non-mutating, unfiltered-and-unpaginated describes, mutating). A throttled request costs no
token and is answered RequestLimitExceeded (HTTP 503, EC2's XML error shape), which botocore retries.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from .errors import throttling_answer
from .gates import Intervention
from .requestinfo import RequestInfo

# action -> (capacity, refill per second); each listed action has its own bucket
ACTION_BUCKETS: dict[str, tuple[float, float]] = {
    "AuthorizeSecurityGroupIngress": (50, 5),
    "CreateVpcEndpoint": (4, 0.3),
    "DeleteVpcEndpoints": (4, 0.3),
    "ModifyVpcEndpoint": (4, 0.3),
    "CreateVpcEndpointServiceConfiguration": (10, 1),
    "AcceptVpcEndpointConnections": (10, 1),
    "RejectVpcEndpointConnections": (10, 1),
    "CreateNatGateway": (10, 1),
    "CreateTags": (100, 10),
    "RunInstances": (5, 2),
}
NON_MUTATING = (100.0, 20.0)
UNFILTERED_UNPAGINATED = (50.0, 10.0)
MUTATING = (50.0, 5.0)
UNFILTERED_ACTIONS = {
    "DescribeInstances": "InstanceId.",
    "DescribeSecurityGroups": "GroupId.",
    "DescribeNetworkInterfaces": "NetworkInterfaceId.",
}


@dataclass
class TokenBucket:
    capacity: float
    refill_per_second: float
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.refill_per_second)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def bucket_for(info: RequestInfo) -> tuple[str, tuple[float, float]]:
    """The bucket name and (capacity, refill/s) an EC2 request draws from."""
    if info.action in ACTION_BUCKETS:
        return info.action, ACTION_BUCKETS[info.action]
    id_prefix = UNFILTERED_ACTIONS.get(info.action)
    if id_prefix is not None:
        narrowed = any(key.startswith(("Filter.", id_prefix, "GroupName.")) or key == "MaxResults"
                       for key in info.params)
        if not narrowed:
            return "unfiltered-unpaginated", UNFILTERED_UNPAGINATED
    if not info.mutating:
        return "non-mutating", NON_MUTATING
    return "mutating", MUTATING


class ThrottleGate:
    def __init__(self, clock: type[time.monotonic] | None = None) -> None:  # type: ignore[valid-type]
        self._clock = clock or time.monotonic
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def before(self, info: RequestInfo) -> Intervention | None:
        if info.service != "ec2":
            return None
        name, (capacity, refill) = bucket_for(info)
        key = (info.account, info.region, name)
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(capacity, refill, capacity, now)
            if bucket.take(now):
                return None
        return Intervention("throttle", throttling_answer(info.service))

    def after(self, info: RequestInfo, status: int, body: bytes) -> None:
        return None

    def hold_seconds(self, info: RequestInfo, status: int) -> float:
        return 0.0

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
