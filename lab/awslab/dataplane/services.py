"""Every userspace service of the data plane on one asyncio loop in the daemon: per-VPC DNS, TLS endpoints to the
control plane, NLB/PrivateLink forwarders with TCP health checks, IMDS. Sockets are opened inside lab namespaces."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from awslab.dataplane import addressing, dns, imds, target_health
from awslab.dataplane.nsutil import listening_socket
from awslab.dataplane.pipes import connect_in, splice
from awslab.dataplane.pki import LabCA
from awslab.dataplane.topology import AwsProxy, DnsZone, Forward, InstanceNode

LOG = logging.getLogger(__name__)
HEALTH_INTERVAL = 2.0
HEALTH_TIMEOUT = 1.5


@dataclass
class _ForwardState:
    spec: Forward
    rr: itertools.count = field(default_factory=itertools.count)


class Services:
    def __init__(self, inet_netns: str, cp_port: int, ca: LabCA, credentials: Callable[[InstanceNode], Any]) -> None:
        self.inet = inet_netns
        self.cp_port = cp_port
        self.ca = ca
        self.credentials = credentials
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="awslab-dp-services", daemon=True)
        self.servers: dict[tuple[str, ...], Any] = {}
        self.specs: dict[tuple[str, ...], Any] = {}
        self.health: dict[tuple[str, str, int], bool] = {}
        self.health_tasks: dict[tuple[str, str, int], asyncio.Task[None]] = {}

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def start(self) -> None:
        self.thread.start()
        self.call(self._start_inet())

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        self.call(self._close_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _close_all(self) -> None:
        for key in list(self.servers):
            await self._close(key)
        for task in self.health_tasks.values():
            task.cancel()

    async def _close(self, key: tuple[str, ...]) -> None:
        server = self.servers.pop(key, None)
        self.specs.pop(key, None)
        if server is None:
            return
        server.close()
        if isinstance(server, asyncio.AbstractServer):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    # -- static services in the inet namespace -------------------------------------------------------------------
    async def _start_inet(self) -> None:
        for service, address in addressing.SERVICE_ADDRESSES.items():
            server_names = tuple(sorted(set(addressing.service_hostnames(service, "ap-northeast-1"))))
            proxy = AwsProxy(self.inet, address, 443, service, server_names)
            await self._open_aws(("aws", self.inet, address, "443"), proxy)
            sock = listening_socket(self.inet, address, 80)
            self.servers[("plain", self.inet, address, "80")] = await asyncio.start_server(self._to_cp, sock=sock)
        sock = listening_socket(self.inet, addressing.INTERNET_TEST_HOST, 80)
        self.servers[("web", self.inet)] = await asyncio.start_server(self._internet_host, sock=sock)

    async def _internet_host(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
            if path == b"/ip":  # the source address the internet sees
                body = f"{writer.get_extra_info('peername')[0]}\n".encode()
            else:
                body = b"awslab internet test host\n"
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            await writer.drain()
        writer.close()

    async def _to_cp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream = await connect_in(self.inet, "127.0.0.1", self.cp_port)
        except (TimeoutError, OSError):
            writer.close()
            return
        await splice((reader, writer), upstream)

    async def _open_aws(self, key: tuple[str, ...], proxy: AwsProxy) -> None:
        context = self.ca.server_context(proxy.server_names)
        sock = listening_socket(proxy.netns, proxy.address, proxy.port)
        self.servers[key] = await asyncio.start_server(self._to_cp, sock=sock, ssl=context)
        self.specs[key] = proxy

    # -- forwarders and health checks ----------------------------------------------------------------------------
    async def _check(self, key: tuple[str, str, int]) -> None:
        netns, address, port = key
        while True:
            try:
                _reader, writer = await connect_in(netns, address, port, HEALTH_TIMEOUT)
                writer.close()
                self.health[key] = True
            except (TimeoutError, OSError):
                self.health[key] = False
            await asyncio.sleep(HEALTH_INTERVAL)

    def _sync_health(self) -> None:
        wanted = {
            (spec.spec.upstream_netns, ip, port)
            for spec in self.specs.values()
            if isinstance(spec, _ForwardState)
            for ip, port in spec.spec.targets
        }
        for key in set(self.health_tasks) - wanted:
            self.health_tasks.pop(key).cancel()
            self.health.pop(key, None)
        for key in wanted - set(self.health_tasks):
            self.health_tasks[key] = asyncio.create_task(self._check(key))

    async def _open_forward(self, key: tuple[str, ...], spec: Forward) -> None:
        state = _ForwardState(spec)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            current = state.spec
            healthy = [t for t in current.targets if self.health.get((current.upstream_netns, *t))]
            if not healthy:
                writer.close()
                return
            ip, port = healthy[next(state.rr) % len(healthy)]
            try:
                upstream = await connect_in(current.upstream_netns, ip, port)
            except (TimeoutError, OSError):
                writer.close()
                return
            await splice((reader, writer), upstream)

        sock = listening_socket(spec.netns, spec.address, spec.port)
        self.servers[key] = await asyncio.start_server(handle, sock=sock)
        self.specs[key] = state

    # -- DNS and IMDS --------------------------------------------------------------------------------------------
    async def _open_dns(self, key: tuple[str, ...], zone: DnsZone, address: str) -> None:
        sock = listening_socket(zone.netns, address, 53, socket.SOCK_DGRAM)
        protocol = dns.DnsProtocol(dict(zone.records))
        transport, _ = await self.loop.create_datagram_endpoint(lambda: protocol, sock=sock)
        self.servers[key] = transport
        self.specs[key] = protocol

    async def _open_imds(self, key: tuple[str, ...], node: InstanceNode) -> None:
        state = imds.ImdsState(node, self.credentials)
        sock = listening_socket(node.host.netns, addressing.IMDS_ADDRESS, 80)
        self.servers[key] = await asyncio.start_server(lambda r, w: imds.handle(state, r, w), sock=sock)
        self.specs[key] = state

    # -- reconciliation ------------------------------------------------------------------------------------------
    def wanted(
        self,
        zones: tuple[DnsZone, ...],
        proxies: tuple[AwsProxy, ...],
        forwards: tuple[Forward, ...],
        instances: tuple[InstanceNode, ...],
    ) -> dict[tuple[str, ...], Any]:
        wanted: dict[tuple[str, ...], Any] = {}
        for zone in zones:
            for address in zone.listen:
                wanted[("dns", zone.netns, address)] = zone
        for proxy in proxies:
            wanted[("aws", proxy.netns, proxy.address, str(proxy.port))] = proxy
        for forward in forwards:
            wanted[("fwd", forward.netns, forward.address, str(forward.port))] = forward
        for node in instances:
            wanted[("imds", node.host.netns)] = node
        return wanted

    async def close_unwanted(self, wanted: dict[tuple[str, ...], Any]) -> None:
        for key in list(self.servers):
            if key[0] not in ("dns", "aws", "fwd", "imds") or (key[0] == "aws" and key[1] == self.inet):
                continue  # the control node's static services live as long as the data plane
            if key not in wanted or (key[0] == "aws" and self.specs.get(key) != wanted.get(key)):
                await self._close(key)

    async def open_wanted(self, wanted: dict[tuple[str, ...], Any]) -> None:
        for key, spec in wanted.items():
            try:
                await self._open_or_update(key, spec)
            except OSError as error:
                LOG.warning("cannot open %s: %s", key, error)
        self._sync_health()

    async def _open_or_update(self, key: tuple[str, ...], spec: Any) -> None:
        current = self.specs.get(key)
        if key[0] == "dns":
            if current is None:
                await self._open_dns(key, spec, key[2])
            else:
                current.zone = dict(spec.records)
        elif key[0] == "aws":
            if current is None:
                await self._open_aws(key, spec)
        elif key[0] == "fwd":
            if current is None:
                await self._open_forward(key, spec)
            else:
                current.spec = spec
        elif key[0] == "imds":
            if current is None:
                await self._open_imds(key, spec)
            else:
                current.node = spec

    def health_of(self, forwards: tuple[Forward, ...], tg_arn: str, target_id: str, port: int) -> bool | None | str:
        """Health of one registered target as the NLB nodes see it (see target_health.py)."""
        verdicts = []
        for forward in forwards:
            if forward.target_group != tg_arn or not forward.owner.startswith("arn:"):
                continue
            for (ip, target_port), registered in zip(forward.targets, forward.target_ids, strict=True):
                if registered == target_id and target_port == port:
                    verdicts.append(self.health.get((forward.upstream_netns, ip, port)))
        if not verdicts:
            return target_health.NOT_CHECKED
        if any(v is True for v in verdicts):
            return True
        return None if any(v is None for v in verdicts) else False

    def target_health(self) -> dict[str, bool]:
        return {f"{ns}:{ip}:{port}": ok for (ns, ip, port), ok in self.health.items()}
