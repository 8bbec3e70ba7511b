"""Helpers shared by the moto extensions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..hooks import ApiEvent
from ..scheduler import SCHEDULER


def ec2_error(code: str, message: str) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError(code, message)


def ec2_backend(account: str, region: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account][region]


def ec2_backends_in_region(region: str) -> list[Any]:
    """EC2 backends of every account that already has state in this region."""
    from moto.ec2.models import ec2_backends

    return [ec2_backends[account][region] for account in list(ec2_backends.keys())
            if region in ec2_backends[account].keys()]


def ec2_event(action: str, backend: Any) -> ApiEvent:
    return ApiEvent("ec2", action, backend.account_id, backend.region_name, 200)


def later(aws_seconds: float, job: Callable[[], ApiEvent | None]) -> None:
    SCHEDULER.after(aws_seconds, job)


def create_eni_in_subnet(
    backend: Any, subnet_id: str, group_ids: list[str], description: str, interface_type: str
) -> Any:
    """An ENI whose primary address is the next free address of its subnet (moto picks any 10.x address)."""
    subnet = backend.get_subnet(subnet_id)
    address = subnet.get_available_subnet_ip(None)
    eni = backend.create_network_interface(subnet, address, group_ids=group_ids, description=description)
    subnet._subnet_ips[address] = eni
    eni.interface_type = interface_type
    eni.requester_managed = True
    eni.status = "in-use"
    return eni


def readdress_eni(subnet: Any, eni: Any) -> str:
    """Move an existing ENI's primary address into its subnet (for ENIs moto created with a random address)."""
    old = eni.private_ip_address
    address = subnet.get_available_subnet_ip(eni)
    eni.private_ip_address = address
    eni.private_ip_addresses = [{"Primary": True, "PrivateIpAddress": address}]
    release_subnet_ip(subnet, old) if old and old != address else None
    return address


def release_subnet_ip(subnet: Any, address: str | None) -> None:
    if address and address in getattr(subnet, "_subnet_ips", {}):
        subnet.del_subnet_ip(address)


def delete_eni(backend: Any, eni_id: str) -> None:
    eni = backend.enis.pop(eni_id, None)
    if eni is not None and eni.subnet is not None:
        release_subnet_ip(eni.subnet, eni.private_ip_address)


def default_security_group_id(backend: Any, vpc_id: str) -> str | None:
    group = backend.get_default_security_group(vpc_id)
    return group.id if group is not None else None


def account_of_principal(principal: str) -> str | None:
    """The account an allowed-principal ARN (arn:aws:iam::123456789012:root|role/...|user/...) belongs to."""
    parts = principal.split(":")
    if len(parts) >= 5 and parts[0] == "arn" and parts[4].isdigit():
        return parts[4]
    return None
