"""DataPlane: the entry points the control plane calls (prepare, attach, teardown, exec_prefix, env)."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import shutil
import signal
from pathlib import Path
from typing import Any

from awslab.dataplane import addressing, iam_enforcement, names, target_health
from awslab.dataplane.credentials import RoleCredentials
from awslab.dataplane.instances import InstanceRunner, process_start_time
from awslab.dataplane.network import Network
from awslab.dataplane.nsutil import netns_exists
from awslab.dataplane.pki import LabCA
from awslab.dataplane.reconciler import Reconciler
from awslab.dataplane.records import Records
from awslab.dataplane.safety import network_supported
from awslab.dataplane.services import Services

LOG = logging.getLogger(__name__)


class DataPlane:
    def __init__(self, state_dir: Path, config: dict[str, Any] | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.config = dict(config or {})
        self.prefix = names.lab_prefix(self.state_dir)
        self.inet = names.inet_netns(self.prefix)
        self.records = Records(self.state_dir)
        self.dir = self.state_dir / "dataplane"
        self.etc_netns = Path("/etc/netns") / self.inet
        self.services: Services | None = None
        self.reconciler: Reconciler | None = None
        self.instances: InstanceRunner | None = None

    @property
    def ca_file(self) -> Path:
        return self.dir / "ca" / "ca.pem"

    @property
    def topology_file(self) -> Path:
        return self.dir / "topology.json"

    # -- before the daemon ---------------------------------------------------------------------------------------
    def prepare(self) -> list[str]:
        supported, reason = network_supported()
        if not supported:
            raise RuntimeError(f"network mode unavailable: {reason}")
        self.teardown()
        host_nets = addressing.host_networks()
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "host-networks.json").write_text(json.dumps([str(n) for n in host_nets]))
        Network(self.prefix, self.records).create_inet(self.etc_netns)
        LabCA(self.dir / "ca")
        return ["nsenter", f"--net={names.NETNS_DIR / self.inet}", "--"]

    # -- inside the daemon ---------------------------------------------------------------------------------------
    def attach(self) -> None:
        iam_enforcement.install()
        host_nets = [ipaddress.ip_network(n) for n in json.loads((self.dir / "host-networks.json").read_text())]
        ca = LabCA(self.dir / "ca")
        network = Network(self.prefix, self.records)
        self.instances = InstanceRunner(self.state_dir, self.records, ca.cert_file)
        self.services = Services(self.inet, int(self.config.get("port", 4566)), ca, RoleCredentials())
        self.services.start()
        self.reconciler = Reconciler(self.prefix, network, self.instances, self.services, self.topology_file, host_nets)
        self.reconciler.start()
        reconciler, services = self.reconciler, self.services
        target_health.set_lookup(lambda arn, tid, port: services.health_of(reconciler.applied.forwards, arn, tid, port))
        target_health.install()
        try:
            from awslab.controlplane.hooks import add_mutation_listener

            add_mutation_listener(self.reconciler.trigger)
        except ImportError:
            LOG.info("no control-plane hooks: the reconciler polls")
        self.reconciler.trigger()

    def detach(self) -> None:
        """Stop the reconciler, services and instances of this process (teardown does it too)."""
        target_health.set_lookup(None)
        if self.reconciler is not None:
            try:
                from awslab.controlplane.hooks import remove_mutation_listener

                remove_mutation_listener(self.reconciler.trigger)
            except ImportError:
                pass
            self.reconciler.stop()
            self.reconciler = None
        if self.services is not None:
            self.services.stop()
            self.services = None
        if self.instances is not None:
            self.instances.stop_all()
            self.instances = None

    def wait_converged(self, timeout: float = 30) -> bool:
        return self.reconciler is not None and self.reconciler.wait_converged(timeout)

    # -- after the daemon (or a crash) ---------------------------------------------------------------------------
    def teardown(self) -> None:
        self.detach()
        for record in self.records.of_kind("pid"):
            pid = int(record.value)
            if record.extra and process_start_time(pid) == record.extra:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        namespaces = {r.value for r in self.records.of_kind("netns")}
        if names.NETNS_DIR.exists():
            namespaces |= {p.name for p in names.NETNS_DIR.iterdir() if p.name.startswith(self.prefix)}
        network = Network(self.prefix, self.records)
        for name in sorted(namespaces, key=lambda n: n == self.inet):  # the control node's namespace last
            if netns_exists(name):
                network.delete_netns(name)
        for record in self.records.of_kind("path"):
            path = Path(record.value)
            if path.is_relative_to("/etc/netns") and path.name.startswith(self.prefix):
                shutil.rmtree(path, ignore_errors=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def exec_prefix(self) -> list[str]:
        return ["ip", "netns", "exec", self.inet]

    def env(self) -> dict[str, str]:
        return {"AWS_CA_BUNDLE": str(self.ca_file)} if self.ca_file.exists() else {}
