"""Instances as AWS runs them: pending -> running, stopping -> stopped, shutting-down -> terminated, each after a
scaled delay (moto switches at once), and ClientToken idempotency for RunInstances (moto ignores it)."""

from __future__ import annotations

from typing import Any

from .. import durations
from ._common import ec2_error, ec2_event, later

_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}
_NO_TOKEN = "ABCDE"  # what moto's response passes when the request has no ClientToken


def _set_state(instance: Any, name: str) -> None:
    instance._state.name = name
    instance._state.code = _CODES[name]


def _settle(backend: Any, instance: Any, expected: str, final: str, aws_seconds: float) -> None:
    def job() -> Any:
        if instance._state.name == expected:
            _set_state(instance, final)
            return ec2_event(f"Transition:Instance:{final}", backend)
        return None

    later(aws_seconds, job)


def _fingerprint(image_id: str, count: int, kwargs: dict[str, Any]) -> tuple[Any, ...]:
    return (image_id, count, kwargs.get("instance_type"), kwargs.get("subnet_id"), kwargs.get("key_name"))


def install() -> None:
    from moto.ec2.models.instances import InstanceBackend

    original_run = InstanceBackend.run_instances

    def run_instances(self: Any, image_id: str, count: int, user_data: Any, security_group_names: list[str],
                      **kwargs: Any) -> Any:
        token = kwargs.get("client_token")
        fingerprint = _fingerprint(image_id, count, kwargs)
        if token and token != _NO_TOKEN:
            for reservation in self.reservations.values():
                first = reservation.instances[0] if reservation.instances else None
                if first is not None and getattr(first, "_lab_client_token", None) == token:
                    if first._lab_fingerprint != fingerprint:
                        raise ec2_error("IdempotentParameterMismatch", "The client token you have provided is "
                                        "associated with a resource that has different parameters.")
                    return reservation
        reservation = original_run(self, image_id, count, user_data, security_group_names, **kwargs)
        for instance in reservation.instances:
            instance._lab_client_token = token if token != _NO_TOKEN else None
            instance._lab_fingerprint = fingerprint
            _set_state(instance, "pending")
            _settle(self, instance, "pending", "running", durations.INSTANCE_LAUNCH)
        return reservation

    InstanceBackend.run_instances = run_instances

    def wrap(method_name: str, transient: str, final: str, aws_seconds: float) -> None:
        original = getattr(InstanceBackend, method_name)

        def transition(self: Any, instance_ids: list[str]) -> Any:
            results = original(self, instance_ids)
            for instance, _previous in results:
                if instance._state.name == final:
                    _set_state(instance, transient)
                    _settle(self, instance, transient, final, aws_seconds)
            return results

        setattr(InstanceBackend, method_name, transition)

    wrap("start_instances", "pending", "running", durations.INSTANCE_START)
    wrap("stop_instances", "stopping", "stopped", durations.INSTANCE_STOP)
    wrap("terminate_instances", "shutting-down", "terminated", durations.INSTANCE_TERMINATE)
