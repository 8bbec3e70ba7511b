"""Fault injection (`--faults SPEC`): throttling, 500/503, connection resets, and eventual consistency
(NotFound on a describe of a resource just created), at given rates, reproducible by seed and bounded
(at most `max` faults in total and `burst` in a row per account and action, so SDK retries get through);
and held answers (`hold`: the change is made and journaled, its answer leaves only after `holdfor` seconds).
"""

from __future__ import annotations

import random
import re
import threading

from .errors import ErrorAnswer, server_error_answer, throttling_answer
from .faultspec import FaultSpec
from .gates import Intervention
from .requestinfo import RequestInfo


class Consistency:
    """What a create action makes, how its describe names it, and the NotFound AWS answers before it is visible."""

    def __init__(self, create: str, describe: str, id_pattern: str, id_params: tuple[str, ...], code: str,
                 message: str) -> None:
        self.create = create
        self.describe = describe
        self.id_pattern = re.compile(id_pattern.encode())
        self.id_params = id_params
        self.code = code
        self.message = message


CONSISTENCY = (
    Consistency("CreateVpcEndpoint", "DescribeVpcEndpoints", r"<vpcEndpointId>(vpce-[0-9a-f]+)</vpcEndpointId>",
                ("VpcEndpointId.",), "InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '{id}' does not exist"),
    Consistency("RunInstances", "DescribeInstances", r"<instanceId>(i-[0-9a-f]+)</instanceId>",
                ("InstanceId.",), "InvalidInstanceID.NotFound", "The instance ID '{id}' does not exist"),
    Consistency("CreateNatGateway", "DescribeNatGateways", r"<natGatewayId>(nat-[0-9a-f]+)</natGatewayId>",
                ("NatGatewayId.",), "NatGatewayNotFound", "NatGateway {id} was not found"),
)


def _named_ids(info: RequestInfo, rule: Consistency) -> list[str]:
    names = [value for key, values in info.params.items() if key.startswith(rule.id_params) for value in values]
    filter_keys = [key for key, values in info.params.items() if key.endswith(".Name") and values
                   and values[0] in ("vpc-endpoint-id", "instance-id", "nat-gateway-id")]
    for key in filter_keys:
        prefix = key[: -len("Name")] + "Value."
        names += [values[0] for other, values in info.params.items() if other.startswith(prefix) and values]
    return names


class FaultGate:
    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self._random = random.Random(spec.seed)
        self._lock = threading.Lock()
        self._injected = 0
        self._in_a_row: dict[tuple[str, str], int] = {}
        self._fresh: set[str] = set()

    @property
    def injected(self) -> int:
        return self._injected

    def before(self, info: RequestInfo) -> Intervention | None:
        if self.spec.services and info.service not in self.spec.services:
            return None
        with self._lock:
            roll = self._random.random()
            choice = self._random.random()
            key = (info.account, info.action)
            if self._injected >= self.spec.max_total or self._in_a_row.get(key, 0) >= self.spec.burst:
                self._in_a_row[key] = 0
                self._see(info)
                return None
            intervention = self._choose(info, roll, choice)
            if intervention is None:
                self._in_a_row[key] = 0
                return None
            self._injected += 1
            self._in_a_row[key] = self._in_a_row.get(key, 0) + 1
            return intervention

    def _choose(self, info: RequestInfo, roll: float, choice: float) -> Intervention | None:
        spec = self.spec
        fresh = self._fresh_ids(info)
        if fresh and roll < spec.notfound:
            rule = next(rule for rule in CONSISTENCY if rule.describe == info.action)
            return Intervention("notfound", ErrorAnswer(400, rule.code, rule.message.format(id=fresh[0])))
        self._see(info)
        if roll < spec.throttle:
            return Intervention("throttle", throttling_answer(info.service))
        if roll < spec.throttle + spec.server_error:
            return Intervention("5xx", server_error_answer(info.service, 503 if choice < 0.5 else 500))
        if roll < spec.throttle + spec.server_error + spec.reset:
            return Intervention("reset", None)
        return None

    def _fresh_ids(self, info: RequestInfo) -> list[str]:
        for rule in CONSISTENCY:
            if rule.describe == info.action:
                return [name for name in _named_ids(info, rule) if name in self._fresh]
        return []

    def _see(self, info: RequestInfo) -> None:
        """A describe that was let through made the resources it names visible for good."""
        for rule in CONSISTENCY:
            if rule.describe == info.action:
                self._fresh.difference_update(_named_ids(info, rule))

    def after(self, info: RequestInfo, status: int, body: bytes) -> None:
        if status >= 300 or self.spec.notfound <= 0:
            return
        for rule in CONSISTENCY:
            if rule.create == info.action:
                with self._lock:
                    self._fresh.update(match.decode() for match in rule.id_pattern.findall(body))

    def hold_seconds(self, info: RequestInfo, status: int) -> float:
        held = 200 <= status < 300 and f"{info.service}:{info.action}" in self.spec.hold
        return self.spec.hold_seconds if held else 0.0

    def reset(self) -> None:
        with self._lock:
            self._fresh.clear()
