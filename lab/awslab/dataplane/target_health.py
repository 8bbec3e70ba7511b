"""DescribeTargetHealth from the data plane's real TCP health checks (moto reports every running target healthy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (target group arn, target id, port) -> True (healthy) | False (unhealthy) | None (no check result yet)
HealthLookup = Callable[[str, str, int], "bool | None | str"]
NOT_CHECKED = "not-checked"
_lookup: list[HealthLookup] = []


def set_lookup(lookup: HealthLookup | None) -> None:
    _lookup.clear()
    if lookup is not None:
        _lookup.append(lookup)


def install() -> None:
    from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

    original = FakeTargetGroup.health_for
    if getattr(original, "awslab_real_health", False):
        return

    def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
        status = original(self, target, ec2_backend)
        if status.status != "healthy" or not _lookup:
            return status
        verdict = _lookup[0](self.arn, str(status.instance_id), int(status.port))
        if verdict == NOT_CHECKED:
            return status  # a target group the data plane does not serve (no NLB in the lab for it)
        if verdict is None:
            return FakeHealthStatus(
                status.instance_id,
                status.port,
                status.health_check_port,
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
        if verdict is False:
            return FakeHealthStatus(
                status.instance_id,
                status.port,
                status.health_check_port,
                "unhealthy",
                "Target.FailedHealthChecks",
                "Health checks failed",
            )
        return status

    health_for.awslab_real_health = True  # type: ignore[attr-defined]
    FakeTargetGroup.health_for = health_for  # type: ignore[method-assign]
