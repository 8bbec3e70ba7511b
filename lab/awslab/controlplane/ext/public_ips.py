"""Public IPv4 addresses from 198.18.0.0/16, the lower half of the lab range 198.18.0.0/15 (benchmark range,
never the internet); the data plane keeps the upper half for its own addresses.

moto hard-codes 54.214.x.y (a real AWS range) for instance public IPs and 127.x.y.z (loopback) for Elastic IPs.
"""

from __future__ import annotations

import ipaddress
import random
import threading

LAB_PUBLIC_RANGE = ipaddress.IPv4Network("198.18.0.0/16")

_allocated: set[str] = set()
_lock = threading.Lock()
_random = random.Random()


def allocate_public_ip() -> str:
    """A fresh address from the lab range; never .0 or .255 of a /24, never handed out twice."""
    network = LAB_PUBLIC_RANGE
    first = int(network.network_address)
    with _lock:
        for _ in range(100 * network.num_addresses):
            candidate = first + _random.randrange(1, network.num_addresses - 1)
            if candidate % 256 in (0, 255):
                continue
            address = str(ipaddress.IPv4Address(candidate))
            if address not in _allocated:
                _allocated.add(address)
                return address
    raise RuntimeError(f"the lab's public address range {network} is exhausted")


def install() -> None:
    import moto.ec2.models.elastic_ip_addresses as eip_models
    import moto.ec2.models.elastic_network_interfaces as eni_models
    import moto.ec2.utils as ec2_utils

    ec2_utils.random_public_ip = allocate_public_ip
    eni_models.random_public_ip = allocate_public_ip
    eip_models.random_ip = allocate_public_ip


def after_reset() -> None:
    with _lock:
        _allocated.clear()
