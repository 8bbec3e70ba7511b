"""Creates and removes lab namespaces, links, addresses, routes and nftables rules (always inside lab namespaces)."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

from awslab.dataplane import addressing, names, render
from awslab.dataplane.nsutil import ip, netns_exists, netns_pids, nft_apply, run, sysctl
from awslab.dataplane.records import Records
from awslab.dataplane.topology import HostNode, RouterNode, SubnetNode

LOG = logging.getLogger(__name__)
TRANSIT_PREFIX = addressing.TRANSIT.prefixlen


class Network:
    def __init__(self, prefix: str, records: Records) -> None:
        self.prefix = prefix
        self.records = records
        self.inet = names.inet_netns(prefix)
        self.rulesets: dict[str, str] = {}

    # -- namespaces ----------------------------------------------------------------------------------------------
    def create_netns(self, name: str) -> None:
        if not name.startswith(self.prefix):
            raise ValueError(f"refusing to create namespace {name} outside the lab prefix {self.prefix}")
        self.records.add("netns", name)
        if netns_exists(name):
            self.delete_netns(name)
        run(["ip", "netns", "add", name])
        ip(name, "link", "set", "lo", "up")

    def delete_netns(self, name: str) -> None:
        if not name.startswith(self.prefix):
            raise ValueError(f"refusing to delete namespace {name} outside the lab prefix {self.prefix}")
        kill_pids(netns_pids(name))
        run(["ip", "netns", "del", name], check=False)
        self.rulesets.pop(name, None)

    def apply_rules(self, netns: str, ruleset: str) -> None:
        if self.rulesets.get(netns) != ruleset:
            nft_apply(netns, ruleset)
            self.rulesets[netns] = ruleset

    # -- the internet / control node -----------------------------------------------------------------------------
    def create_inet(self, etc_netns: Path) -> None:
        self.create_netns(self.inet)
        sysctl(self.inet, "net.ipv4.ip_forward", "1")
        ip(self.inet, "link", "add", names.INET_BRIDGE, "type", "bridge")
        ip(self.inet, "addr", "add", f"{addressing.INET_GATEWAY}/{TRANSIT_PREFIX}", "dev", names.INET_BRIDGE)
        ip(self.inet, "link", "set", names.INET_BRIDGE, "up")
        for address in [*addressing.SERVICE_ADDRESSES.values(), addressing.INTERNET_TEST_HOST]:
            ip(self.inet, "addr", "add", f"{address}/32", "dev", "lo")
        self.records.add("path", str(etc_netns))
        etc_netns.mkdir(parents=True, exist_ok=True)
        (etc_netns / "resolv.conf").write_text("nameserver 127.0.0.53\noptions timeout:2 attempts:2\n")

    def set_public_routes(self, wanted: dict[str, str], current: dict[str, str]) -> None:
        for public in set(current) - set(wanted):
            ip(self.inet, "route", "del", f"{public}/32", check=False)
        for public, uplink in wanted.items():
            if current.get(public) != uplink:
                ip(self.inet, "route", "replace", f"{public}/32", "via", uplink)

    # -- VPC routers ---------------------------------------------------------------------------------------------
    def create_router(self, router: RouterNode) -> None:
        ns = router.netns
        self.create_netns(ns)
        sysctl(ns, "net.ipv4.ip_forward", "1")
        peer = names.uplink_name(ns)
        ip(ns, "link", "add", names.ROUTER_UPLINK, "type", "veth", "peer", "name", peer, "netns", self.inet)
        ip(self.inet, "link", "set", peer, "master", names.INET_BRIDGE, "up")
        ip(ns, "addr", "add", f"{router.uplink_address}/{TRANSIT_PREFIX}", "dev", names.ROUTER_UPLINK)
        ip(ns, "link", "set", names.ROUTER_UPLINK, "up")
        ip(ns, "route", "add", "default", "via", str(addressing.INET_GATEWAY))
        for address in router.resolver_addresses:
            ip(ns, "addr", "add", f"{address}/32", "dev", "lo")

    def update_router(self, router: RouterNode, old: RouterNode | None) -> None:
        old_subnets = {s.subnet_id: s for s in old.subnets} if old else {}
        new_subnets = {s.subnet_id: s for s in router.subnets}
        for subnet_id, subnet in old_subnets.items():
            if subnet_id not in new_subnets:
                ip(router.netns, "link", "del", subnet.bridge, check=False)
        for subnet_id, subnet in new_subnets.items():
            if subnet_id not in old_subnets:
                self._add_subnet(router.netns, subnet)
        self.apply_rules(router.netns, render.router_ruleset(router))

    def _add_subnet(self, ns: str, subnet: SubnetNode) -> None:
        prefixlen = subnet.cidr.split("/")[1]
        ip(ns, "link", "add", subnet.bridge, "type", "bridge")
        ip(ns, "addr", "add", f"{subnet.gateway}/{prefixlen}", "dev", subnet.bridge)
        ip(ns, "link", "set", subnet.bridge, "up")

    # -- hosts (instances, endpoint ENIs, load balancer nodes) ---------------------------------------------------
    def create_host(self, host: HostNode) -> None:
        ns = host.netns
        self.create_netns(ns)
        port = names.port_name(ns)
        ip(ns, "link", "add", names.HOST_IFACE, "type", "veth", "peer", "name", port, "netns", host.router_netns)
        ip(host.router_netns, "link", "set", port, "master", host.bridge, "up")
        ip(ns, "addr", "add", f"{host.address}/{host.prefixlen}", "dev", names.HOST_IFACE)
        ip(ns, "link", "set", names.HOST_IFACE, "up")
        ip(ns, "route", "add", "default", "via", host.gateway)
        if host.kind == "instance":
            ip(ns, "addr", "add", f"{addressing.IMDS_ADDRESS}/32", "dev", "lo")

    def update_host_firewall(self, host: HostNode, resolver: str | None) -> None:
        if host.firewall is not None:
            self.apply_rules(host.netns, render.host_ruleset(host.firewall, resolver))


def kill_pids(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    for pid in pids:
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            _reap(pid)
            time.sleep(0.01)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
