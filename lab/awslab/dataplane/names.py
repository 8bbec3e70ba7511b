"""Names of everything the data plane creates: one lab prefix, short stable interface names."""

from __future__ import annotations

import hashlib
from pathlib import Path

NETNS_DIR = Path("/run/netns")


def short_hash(text: str, length: int = 8) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:length]


def lab_prefix(state_dir: Path) -> str:
    """Namespace prefix unique to one state directory, so two labs never share a name."""
    return f"awslab-{short_hash(str(state_dir.resolve()), 4)}-"


def inet_netns(prefix: str) -> str:
    return f"{prefix}inet"


def router_netns(prefix: str, vpc_id: str) -> str:
    return f"{prefix}r-{vpc_id}"


def host_netns(prefix: str, kind: str, ident: str) -> str:
    """kind: i (instance), e (endpoint ENI), n (load balancer node)."""
    return f"{prefix}{kind}-{ident}"


def bridge_name(subnet_id: str) -> str:
    return f"b{short_hash(subnet_id)}"


def port_name(netns: str) -> str:
    """Router-side end of a host's veth pair (15 characters at most)."""
    return f"v{short_hash(netns, 10)}"


def uplink_name(vpc_netns: str) -> str:
    """inet-side end of a router's uplink veth pair."""
    return f"u{short_hash(vpc_netns, 10)}"


ROUTER_UPLINK = "up0"
INET_BRIDGE = "inet0"
HOST_IFACE = "eth0"
