"""nftables rulesets for routers (route tables, NAT) and hosts (security groups), as text. Pure functions."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from awslab.dataplane import names
from awslab.dataplane.topology import Firewall, FwRule, RouterNode

ROUTER_TABLE = "awslab_router"
SG_TABLE = "awslab_sg"


def _set(cidrs: Iterable[str]) -> str | None:
    """An nft anonymous set of collapsed prefixes, or None when it covers everything."""
    nets = [ipaddress.ip_network(c, strict=False) for c in cidrs]
    nets = [n for n in nets if n.version == 4]
    collapsed = list(ipaddress.collapse_addresses(nets))
    if any(n.prefixlen == 0 for n in collapsed):
        return None
    return "{ " + ", ".join(str(n) for n in collapsed) + " }"


def router_ruleset(router: RouterNode) -> str:
    up = names.ROUTER_UPLINK
    bridges = [s.bridge for s in router.subnets]
    lines = [
        f"table ip {ROUTER_TABLE}",
        f"delete table ip {ROUTER_TABLE}",
        f"table ip {ROUTER_TABLE} {{",
        "  chain prerouting {",
        "    type nat hook prerouting priority dstnat; policy accept;",
    ]
    lines += [f'    iifname "{up}" ip daddr {pub} dnat to {priv}' for pub, priv in router.one_to_one]
    lines += [
        "  }",
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat; policy accept;",
    ]
    lines += [f'    oifname "{up}" ip saddr {priv} snat to {pub}' for pub, priv in router.one_to_one]
    lines += [
        f'    iifname "{s.bridge}" oifname "{up}" snat to {s.nat_public_ip}'
        for s in router.subnets
        if s.nat and s.nat_public_ip
    ]
    lines += [
        f'    oifname "{up}" masquerade',
        "  }",
        "  chain forward {",
        "    type filter hook forward priority filter; policy drop;",
        "    ct state established,related accept",
        "    ct state invalid drop",
    ]
    if bridges:
        bridge_set = "{ " + ", ".join(f'"{b}"' for b in bridges) + " }"
        lines.append(f"    iifname {bridge_set} oifname {bridge_set} accept")
    lines.append(f'    iifname "{up}" ct status dnat accept')
    public_privates = [priv for _pub, priv in router.one_to_one]
    for subnet in router.subnets:
        match = f'iifname "{subnet.bridge}" oifname "{up}"'
        if subnet.service_cidrs:
            lines.append(f"    {match} ip daddr {_set(subnet.service_cidrs)} accept")
        if subnet.nat:
            lines.append(f"    {match} accept")
        elif subnet.internet and public_privates:
            lines.append(f"    {match} ip saddr {_set(f'{p}/32' for p in public_privates)} accept")
        lines.append(f'    iifname "{subnet.bridge}" reject with icmp type net-unreachable')
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def _rule_line(rule: FwRule, direction: str, verdict: str = "accept") -> str:
    parts = []
    addresses = _set(rule.cidrs)
    if addresses is not None:
        parts.append(f"ip {direction} {addresses}")
    if rule.protocol == "all":
        parts.append("meta nfproto ipv4")
    elif rule.protocol in ("tcp", "udp"):
        if rule.from_port is None:
            parts.append(f"meta l4proto {rule.protocol}")
        elif rule.from_port == rule.to_port:
            parts.append(f"{rule.protocol} dport {rule.from_port}")
        else:
            parts.append(f"{rule.protocol} dport {rule.from_port}-{rule.to_port}")
    elif rule.protocol == "icmp":
        parts.append("meta l4proto icmp")
    else:
        parts.append(f"meta l4proto {int(rule.protocol)}")
    return "    " + " ".join(parts) + f" {verdict}"


def host_ruleset(firewall: Firewall, resolver: str | None = None) -> str:
    lines = [
        f"table inet {SG_TABLE}",
        f"delete table inet {SG_TABLE}",
        f"table inet {SG_TABLE} {{",
        "  chain input {",
        "    type filter hook input priority filter; policy drop;",
        '    iif "lo" accept',
        "    ct state established,related accept",
        "    ct state invalid drop",
    ]
    lines += [_rule_line(rule, "saddr") for rule in firewall.ingress]
    lines += [
        "  }",
        "  chain output {",
        "    type filter hook output priority filter; policy drop;",
        '    oif "lo" accept',
        "    ct state established,related accept",
    ]
    if resolver:
        lines.append(f"    ip daddr {resolver} meta l4proto {{ tcp, udp }} th dport 53 accept")
    lines += [_rule_line(rule, "daddr") for rule in firewall.egress]
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"
