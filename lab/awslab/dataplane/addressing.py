"""The lab's own address plan and the isolation check against the host's networks.

Public-looking lab addresses come from 198.18.0.0/15 (RFC 2544 benchmark range, never routed on the internet).
The control plane allocates public IPs in 198.18.0.0/16; the data plane keeps 198.19.128.0/17 for itself.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import subprocess
from collections.abc import Iterable

LAB_PUBLIC_RANGE = ipaddress.ip_network("198.18.0.0/15")
DP_RESERVED = ipaddress.ip_network("198.19.128.0/17")
TRANSIT = ipaddress.ip_network("198.19.128.0/18")
INET_GATEWAY = ipaddress.ip_address("198.19.128.1")
SERVICE_NET = ipaddress.ip_network("198.19.255.0/24")
INTERNET_HOSTS_NET = ipaddress.ip_network("198.19.253.0/24")
INTERNET_TEST_HOST = "198.19.253.10"
INTERNET_TEST_HOST_NAME = "www.internet.test"
FORBIDDEN = (ipaddress.ip_network("192.0.2.0/24"),)
IMDS_ADDRESS = "169.254.169.254"
AWS_DNS_ADDRESS = "169.254.169.253"

# Public endpoints of AWS services in the lab's "internet" (one address per service).
SERVICE_ADDRESSES: dict[str, str] = {
    "s3": "198.19.255.10",
    "sqs": "198.19.255.11",
    "dynamodb": "198.19.255.12",
    "sts": "198.19.255.13",
    "ec2": "198.19.255.14",
    "iam": "198.19.255.15",
    "elasticloadbalancing": "198.19.255.16",
    "ssm": "198.19.255.17",
    "logs": "198.19.255.18",
    "kms": "198.19.255.19",
    "secretsmanager": "198.19.255.20",
    "sns": "198.19.255.21",
}
GATEWAY_SERVICES = ("s3", "dynamodb")


def transit_address(vpc_key: str, taken: set[str]) -> str:
    """A stable uplink address for one VPC router, probing past collisions."""
    size = TRANSIT.num_addresses - 4
    slot = int(hashlib.sha1(vpc_key.encode()).hexdigest(), 16) % size
    for step in range(size):
        candidate = str(TRANSIT.network_address + 2 + (slot + step) % size)
        if candidate not in taken:
            return candidate
    raise RuntimeError("transit network exhausted")


def host_networks() -> list[ipaddress.IPv4Network]:
    """IPv4 networks configured in the namespace this process runs in (read-only: `ip -j addr`)."""
    out = subprocess.run(["ip", "-j", "addr"], capture_output=True, text=True, check=True, timeout=10).stdout
    networks = []
    for link in json.loads(out):
        for info in link.get("addr_info", []):
            if info.get("family") == "inet" and not info["local"].startswith("127."):
                networks.append(ipaddress.ip_interface(f"{info['local']}/{info['prefixlen']}").network)
    return networks


def overlaps_any(cidr: str, networks: Iterable[ipaddress.IPv4Network]) -> bool:
    net = ipaddress.ip_network(cidr, strict=False)
    return any(net.overlaps(other) for other in networks)


def cidr_allowed(cidr: str, host_nets: Iterable[ipaddress.IPv4Network]) -> bool:
    """A VPC CIDR is built only if it cannot be mistaken for a host or reserved network."""
    net = ipaddress.ip_network(cidr, strict=False)
    if net.overlaps(LAB_PUBLIC_RANGE) or any(net.overlaps(f) for f in FORBIDDEN):
        return False
    if net.overlaps(ipaddress.ip_network("127.0.0.0/8")) or net.overlaps(ipaddress.ip_network("169.254.0.0/16")):
        return False
    return not overlaps_any(cidr, host_nets)


def service_hostnames(service: str, region: str) -> tuple[str, ...]:
    """Regional DNS names of one AWS service (the wildcard form covers S3 virtual-hosted buckets)."""
    names = [f"{service}.{region}.amazonaws.com"]
    if service == "s3":
        names += [f"*.s3.{region}.amazonaws.com", "s3.amazonaws.com", "*.s3.amazonaws.com"]
    if service == "sts":
        names.append("sts.amazonaws.com")
    if service == "iam":
        names.append("iam.amazonaws.com")
    return tuple(names)
