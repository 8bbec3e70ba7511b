"""Converges the namespaces to desired_topology(snapshot): prompt after every mutation (debounced), and on a timer."""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from dataclasses import asdict
from pathlib import Path

from awslab.dataplane.instances import InstanceRunner
from awslab.dataplane.network import Network
from awslab.dataplane.services import Services
from awslab.dataplane.snapshot import read_snapshot
from awslab.dataplane.topology import Topology, desired_topology

LOG = logging.getLogger(__name__)
DEBOUNCE = 0.05
POLL_INTERVAL = 2.0


class Reconciler:
    def __init__(
        self,
        prefix: str,
        network: Network,
        instances: InstanceRunner,
        services: Services,
        topology_file: Path,
        host_nets: list[ipaddress.IPv4Network],
    ) -> None:
        self.prefix = prefix
        self.network = network
        self.instances = instances
        self.services = services
        self.topology_file = topology_file
        self.applied = Topology()
        self.host_nets = host_nets
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self.generation = 0  # the last request number a finished pass has served
        self.requested = 0
        self.thread = threading.Thread(target=self._loop, name="awslab-dp-reconciler", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.thread.join(30)

    def trigger(self, *_args: object) -> None:
        self._wake.set()

    def wait_converged(self, timeout: float = 30) -> bool:
        """Block until a full pass that started after this call has finished."""
        with self._done:
            self.requested += 1
            target = self.requested
            self._wake.set()
            return self._done.wait_for(lambda: self.generation >= target, timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(POLL_INTERVAL)
            if self._stop.is_set():
                break
            time.sleep(DEBOUNCE)
            self._wake.clear()
            with self._done:
                serving = self.requested
            try:
                self.reconcile()
            except Exception:  # noqa: BLE001 - keep converging; the next pass retries
                LOG.exception("reconcile failed")
            with self._done:
                self.generation = serving
                self._done.notify_all()

    def reconcile(self) -> None:
        desired = desired_topology(read_snapshot(), self.prefix, self.host_nets)
        if desired != self.applied:
            self.apply(desired)
        self._write(desired)

    # -- the difference ------------------------------------------------------------------------------------------
    def apply(self, desired: Topology) -> None:
        old = self.applied
        wanted = self.services.wanted(desired.dns_zones, desired.aws_proxies, desired.forwards, desired.instances)
        self.services.call(self.services.close_unwanted(wanted))

        old_hosts = {h.netns: h for h in old.hosts}
        new_hosts = {h.netns: h for h in desired.hosts}
        new_instances = {i.instance_id: i for i in desired.instances}
        for instance_id in self.instances.running() - set(new_instances):
            self.instances.stop(instance_id)
        for netns, host in old_hosts.items():
            if new_hosts.get(netns) is None or _moved(host, new_hosts[netns]):
                if host.kind == "instance":
                    self.instances.stop(host.ident)
                self.network.delete_netns(netns)
        old_routers = {r.netns: r for r in old.routers}
        new_routers = {r.netns: r for r in desired.routers}
        for netns in set(old_routers) - set(new_routers):
            self.network.delete_netns(netns)

        applied_routers = []
        fresh_routers = set()
        for netns, router in new_routers.items():
            previous = old_routers.get(netns)
            try:
                if previous is None:
                    fresh_routers.add(netns)
                    self.network.create_router(router)
                self.network.update_router(router, previous)
                applied_routers.append(router)
            except Exception:  # noqa: BLE001 - rebuilt from scratch on the next pass
                LOG.exception("router %s", netns)
                self.network.delete_netns(netns)
        routed = {r.netns for r in applied_routers}
        public_routes = tuple(
            (pub, up) for pub, up in desired.public_routes if any(r.uplink_address == up for r in applied_routers)
        )
        self.network.set_public_routes(dict(public_routes), dict(old.public_routes))

        resolvers = {r.netns: r.resolver_addresses[0] for r in desired.routers}
        applied_hosts = []
        for netns, host in new_hosts.items():
            previous = old_hosts.get(netns)
            if host.router_netns not in routed:
                continue
            try:
                if previous is None or _moved(previous, host) or host.router_netns in fresh_routers:
                    if host.kind == "instance":
                        self.instances.stop(host.ident)  # a process keeps its old namespace: reboot it
                    self.network.create_host(host)
                self.network.update_host_firewall(host, resolvers.get(host.router_netns))
                applied_hosts.append(host)
            except Exception:  # noqa: BLE001 - one broken host must not block the others
                LOG.exception("host %s", netns)
                self.network.delete_netns(netns)

        live = {h.netns for h in applied_hosts}
        for instance_id, node in new_instances.items():
            if instance_id not in self.instances.running() and node.host.netns in live:
                self.instances.start(node)
        self.instances.forget_disks(set(desired.kept_instances))

        live |= routed | {self.network.inet}
        wanted = {key: spec for key, spec in wanted.items() if key[1] in live}
        self.services.call(self.services.open_wanted(wanted))
        self.applied = Topology(
            routers=tuple(applied_routers),
            hosts=tuple(applied_hosts),
            instances=desired.instances,
            kept_instances=desired.kept_instances,
            aws_proxies=desired.aws_proxies,
            forwards=desired.forwards,
            dns_zones=desired.dns_zones,
            public_routes=public_routes,
            skipped=desired.skipped,
        )

    def _write(self, desired: Topology) -> None:
        data = asdict(desired)
        for instance in data["instances"]:
            instance["user_data"] = f"<{len(instance['user_data'])} bytes>"
            instance["booted"] = self.instances.booted(instance["instance_id"])
        data["target_health"] = self.services.target_health()
        tmp = self.topology_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, default=str))
        tmp.replace(self.topology_file)


def _moved(old: object, new: object) -> bool:
    fields = ("router_netns", "bridge", "address", "prefixlen", "gateway", "kind")
    return any(getattr(old, f) != getattr(new, f) for f in fields)
