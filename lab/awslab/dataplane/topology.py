"""desired_topology(snapshot): the pure function from control-plane state to the namespaces the lab should have."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from awslab.dataplane import addressing, model, names

RUNNING_INSTANCE_STATES = ("pending", "running")
ENDPOINT_SPECIFIC_SUFFIX = ".vpce.amazonaws.com"
LIVE_ENDPOINT_STATES = ("available",)
DEAD_LB_STATES = ("failed",)


@dataclass(frozen=True)
class FwRule:
    protocol: str  # all | tcp | udp | icmp
    from_port: int | None
    to_port: int | None
    cidrs: tuple[str, ...]


@dataclass(frozen=True)
class Firewall:
    ingress: tuple[FwRule, ...]
    egress: tuple[FwRule, ...]


@dataclass(frozen=True)
class SubnetNode:
    subnet_id: str
    bridge: str
    cidr: str
    gateway: str  # the VPC router's address in the subnet (first host, as on AWS)
    internet: bool  # 0.0.0.0/0 -> an attached internet gateway
    nat: bool  # 0.0.0.0/0 -> an available NAT gateway whose subnet reaches the internet
    service_cidrs: tuple[str, ...]  # gateway-endpoint prefix-list routes, as lab service addresses
    nat_public_ip: str | None = None  # the NAT gateway's Elastic IP (source address on the internet)


@dataclass(frozen=True)
class RouterNode:
    vpc_id: str
    netns: str
    uplink_address: str
    resolver_addresses: tuple[str, ...]
    subnets: tuple[SubnetNode, ...]
    one_to_one: tuple[tuple[str, str], ...]  # (public ip, private ip) for instances in internet subnets


@dataclass(frozen=True)
class HostNode:
    """A namespace with one interface in a subnet: an instance, an endpoint ENI or a load balancer node."""

    netns: str
    kind: str  # instance | endpoint | lb
    ident: str
    router_netns: str
    bridge: str
    address: str
    prefixlen: int
    gateway: str
    firewall: Firewall | None


@dataclass(frozen=True)
class InstanceNode:
    host: HostNode
    instance_id: str
    account: str
    region: str
    hostname: str
    resolver: str
    public_ip: str | None
    public_key: str
    user_data: bytes
    http_tokens: str
    http_endpoint: str
    role_arn: str | None
    az: str
    image_id: str
    instance_type: str
    key_name: str
    mac: str
    vpc_id: str
    subnet_id: str


@dataclass(frozen=True)
class AwsProxy:
    """TLS terminated with the lab CA and forwarded to the control plane."""

    netns: str
    address: str
    port: int
    service: str
    server_names: tuple[str, ...]


@dataclass(frozen=True)
class Forward:
    """A TCP listener forwarding to healthy targets; upstream sockets are opened in upstream_netns."""

    netns: str
    address: str
    port: int
    upstream_netns: str
    targets: tuple[tuple[str, int], ...]
    owner: str  # the load balancer (or endpoint) this listener belongs to
    target_group: str = ""
    target_ids: tuple[str, ...] = ()  # the registered ids (instance id or IP), in the order of targets


@dataclass(frozen=True)
class DnsZone:
    netns: str
    listen: tuple[str, ...]
    records: tuple[tuple[str, tuple[str, ...]], ...]  # (name or *.suffix, addresses)


@dataclass(frozen=True)
class Topology:
    routers: tuple[RouterNode, ...] = ()
    hosts: tuple[HostNode, ...] = ()
    instances: tuple[InstanceNode, ...] = ()
    kept_instances: tuple[str, ...] = ()  # instances whose disk (overlay upper dir) must be kept
    aws_proxies: tuple[AwsProxy, ...] = ()
    forwards: tuple[Forward, ...] = ()
    dns_zones: tuple[DnsZone, ...] = ()
    public_routes: tuple[tuple[str, str], ...] = ()  # (public ip, router uplink address) in the inet namespace
    skipped: tuple[str, ...] = ()


def _service_of(service_name: str, region: str) -> str | None:
    prefix = f"com.amazonaws.{region}."
    if service_name.startswith(prefix):
        return service_name[len(prefix) :]
    return None


def _public_records(region: str) -> list[tuple[str, tuple[str, ...]]]:
    records = []
    for service, address in addressing.SERVICE_ADDRESSES.items():
        for name in addressing.service_hostnames(service, region):
            records.append((name, (address,)))
    records.append((addressing.INTERNET_TEST_HOST_NAME, (addressing.INTERNET_TEST_HOST,)))
    return records


def hostname_of(private_ip: str, region: str) -> str:
    domain = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    return f"ip-{private_ip.replace('.', '-')}.{domain}"


class _Builder:
    def __init__(self, snap: model.Snapshot, prefix: str, host_nets: Iterable[ipaddress.IPv4Network]) -> None:
        self.snap = snap
        self.prefix = prefix
        self.host_nets = list(host_nets)
        self.skipped: list[str] = []
        self.vpcs = {v.vpc_id: v for v in snap.vpcs if self._vpc_allowed(v)}
        self.subnets = {s.subnet_id: s for s in snap.subnets if s.vpc_id in self.vpcs}
        self.groups = {g.group_id: g for g in snap.security_groups}
        self.prefix_lists = {p.prefix_list_id: p for p in snap.prefix_lists}
        self.endpoints = {e.endpoint_id: e for e in snap.endpoints}
        self.igws = {igw for igw, vpc in snap.igw_attachments if vpc in self.vpcs}
        self.igw_vpc = {igw: vpc for igw, vpc in snap.igw_attachments}
        self.instances = [i for i in snap.instances if i.subnet_id in self.subnets]
        self.running = [i for i in self.instances if i.state in RUNNING_INSTANCE_STATES and self._ip_ok(i)]
        self.tables = self._tables_by_subnet()
        self.lb_nodes: dict[str, list[HostNode]] = {}

    def _vpc_allowed(self, vpc: model.Vpc) -> bool:
        if all(addressing.cidr_allowed(c, self.host_nets) for c in vpc.cidrs):
            return True
        self.skipped.append(f"{vpc.vpc_id}: CIDR {','.join(vpc.cidrs)} overlaps a host or reserved network")
        return False

    def _ip_ok(self, instance: model.Instance) -> bool:
        net = ipaddress.ip_network(self.subnets[instance.subnet_id].cidr)
        ip = ipaddress.ip_address(instance.private_ip)
        reserved = {net.network_address + n for n in range(4)} | {net.broadcast_address}
        if ip in net and ip not in reserved:
            return True
        self.skipped.append(f"{instance.instance_id}: address {ip} is reserved or outside {net}")
        return False

    def _tables_by_subnet(self) -> dict[str, model.RouteTable]:
        main = {t.vpc_id: t for t in self.snap.route_tables if t.main}
        explicit = {s: t for t in self.snap.route_tables for s in t.subnet_ids}
        result = {}
        for subnet in self.subnets.values():
            table = explicit.get(subnet.subnet_id) or main.get(subnet.vpc_id)
            if table is not None:
                result[subnet.subnet_id] = table
        return result

    # -- routing -------------------------------------------------------------------------------------------------
    def _default_target(self, subnet_id: str) -> str | None:
        table = self.tables.get(subnet_id)
        if table is None:
            return None
        for route in table.routes:
            if route.destination == "0.0.0.0/0":
                return route.target
        return None

    def _reaches_internet(self, subnet_id: str) -> bool:
        target = self._default_target(subnet_id)
        vpc_id = self.subnets[subnet_id].vpc_id
        return bool(target and target.startswith("igw-") and self.igw_vpc.get(target) == vpc_id)

    def _nat(self, subnet_id: str) -> model.NatGateway | None:
        target = self._default_target(subnet_id)
        if not target or not target.startswith("nat-"):
            return None
        for nat in self.snap.nat_gateways:
            if nat.nat_id == target and nat.state == "available" and nat.subnet_id in self.subnets:
                return nat if self._reaches_internet(nat.subnet_id) else None
        return None

    def _nat_ip(self, subnet_id: str) -> str | None:
        nat = self._nat(subnet_id)
        if nat is None or not nat.public_ip:
            return None
        if ipaddress.ip_address(nat.public_ip) in addressing.DP_RESERVED:
            return None
        return nat.public_ip

    def _service_cidrs(self, subnet_id: str) -> tuple[str, ...]:
        table = self.tables.get(subnet_id)
        if table is None:
            return ()
        cidrs = set()
        for route in table.routes:
            if not route.destination.startswith("pl-") or not route.target.startswith("vpce-"):
                continue
            endpoint = self.endpoints.get(route.target)
            plist = self.prefix_lists.get(route.destination)
            if endpoint is None or endpoint.state not in LIVE_ENDPOINT_STATES or plist is None:
                continue
            service = _service_of(plist.name, endpoint.region)
            if service in addressing.GATEWAY_SERVICES:
                cidrs.add(f"{addressing.SERVICE_ADDRESSES[service]}/32")
        return tuple(sorted(cidrs))

    def routers(self) -> tuple[tuple[RouterNode, ...], tuple[tuple[str, str], ...]]:
        routers = []
        public_routes = []
        taken: set[str] = set()
        for vpc_id in sorted(self.vpcs):
            vpc = self.vpcs[vpc_id]
            netns = names.router_netns(self.prefix, vpc_id)
            uplink = addressing.transit_address(f"{vpc.account}/{vpc_id}", taken)
            taken.add(uplink)
            subnets = []
            for subnet in sorted(self.subnets.values(), key=lambda s: s.subnet_id):
                if subnet.vpc_id != vpc_id:
                    continue
                net = ipaddress.ip_network(subnet.cidr)
                subnets.append(
                    SubnetNode(
                        subnet_id=subnet.subnet_id,
                        bridge=names.bridge_name(subnet.subnet_id),
                        cidr=subnet.cidr,
                        gateway=str(net.network_address + 1),
                        internet=self._reaches_internet(subnet.subnet_id),
                        nat=self._nat(subnet.subnet_id) is not None,
                        service_cidrs=self._service_cidrs(subnet.subnet_id),
                        nat_public_ip=self._nat_ip(subnet.subnet_id),
                    )
                )
            one_to_one = []
            for instance in sorted(self.running, key=lambda i: i.instance_id):
                if instance.vpc_id == vpc_id and instance.public_ip and self._reaches_internet(instance.subnet_id):
                    if ipaddress.ip_address(instance.public_ip) in addressing.DP_RESERVED:
                        self.skipped.append(f"{instance.instance_id}: public IP in the data plane's reserved range")
                        continue
                    one_to_one.append((instance.public_ip, instance.private_ip))
                    public_routes.append((instance.public_ip, uplink))
            for nat_ip in sorted({s.nat_public_ip for s in subnets if s.nat_public_ip}):
                public_routes.append((nat_ip, uplink))
            resolver = str(ipaddress.ip_network(vpc.cidrs[0]).network_address + 2)
            routers.append(
                RouterNode(
                    vpc_id=vpc_id,
                    netns=netns,
                    uplink_address=uplink,
                    resolver_addresses=(resolver, addressing.AWS_DNS_ADDRESS),
                    subnets=tuple(subnets),
                    one_to_one=tuple(one_to_one),
                )
            )
        return tuple(routers), tuple(sorted(public_routes))

    # -- security groups -----------------------------------------------------------------------------------------
    def _members(self, group_id: str) -> list[str]:
        ips = [i.private_ip for i in self.running if group_id in i.group_ids]
        for endpoint in self.snap.endpoints:
            if group_id in endpoint.group_ids:
                ips += [eni.ip for eni in endpoint.enis]
        return ips

    def _prefix_cidrs(self, prefix_list_id: str) -> list[str]:
        plist = self.prefix_lists.get(prefix_list_id)
        if plist is None:
            return []
        cidrs = list(plist.cidrs)
        service = plist.name.rsplit(".", 1)[-1] if plist.name.startswith("com.amazonaws.") else None
        if service in addressing.SERVICE_ADDRESSES:
            cidrs.append(f"{addressing.SERVICE_ADDRESSES[service]}/32")
        return cidrs

    def _compile(self, rules: Iterable[model.SgRule]) -> list[FwRule]:
        compiled = []
        for rule in rules:
            cidrs = list(rule.cidrs)
            for group_id in rule.group_ids:
                cidrs += [f"{ip}/32" for ip in self._members(group_id)]
            for pl in rule.prefix_list_ids:
                cidrs += self._prefix_cidrs(pl)
            if not cidrs:
                continue
            protocol = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp"}.get(rule.protocol, rule.protocol)
            ports = (None, None) if protocol in ("all", "icmp") else (rule.from_port, rule.to_port)
            if ports[0] == -1:
                ports = (None, None)
            compiled.append(FwRule(protocol, ports[0], ports[1], tuple(sorted(set(cidrs)))))
        return sorted(compiled, key=repr)

    def firewall(self, group_ids: Iterable[str]) -> Firewall:
        ingress: list[model.SgRule] = []
        egress: list[model.SgRule] = []
        for group_id in sorted(set(group_ids)):
            group = self.groups.get(group_id)
            if group is not None:
                ingress += group.ingress
                egress += group.egress
        return Firewall(tuple(self._compile(ingress)), tuple(self._compile(egress)))

    # -- hosts ---------------------------------------------------------------------------------------------------
    def host(self, kind: str, ident: str, subnet_id: str, address: str, group_ids: Iterable[str] | None) -> HostNode:
        subnet = self.subnets[subnet_id]
        net = ipaddress.ip_network(subnet.cidr)
        return HostNode(
            netns=names.host_netns(self.prefix, kind[0], ident),
            kind=kind,
            ident=ident,
            router_netns=names.router_netns(self.prefix, subnet.vpc_id),
            bridge=names.bridge_name(subnet_id),
            address=address,
            prefixlen=net.prefixlen,
            gateway=str(net.network_address + 1),
            firewall=None if group_ids is None else self.firewall(group_ids),
        )

    def instance_nodes(self) -> list[InstanceNode]:
        nodes = []
        for i in sorted(self.running, key=lambda x: x.instance_id):
            vpc = self.vpcs[i.vpc_id]
            nodes.append(
                InstanceNode(
                    host=self.host("instance", i.instance_id, i.subnet_id, i.private_ip, i.group_ids),
                    instance_id=i.instance_id,
                    account=i.account,
                    region=i.region,
                    hostname=hostname_of(i.private_ip, i.region),
                    resolver=str(ipaddress.ip_network(vpc.cidrs[0]).network_address + 2),
                    public_ip=i.public_ip,
                    public_key=i.public_key,
                    user_data=i.user_data,
                    http_tokens=i.http_tokens,
                    http_endpoint=i.http_endpoint,
                    role_arn=i.role_arn,
                    az=i.az,
                    image_id=i.image_id,
                    instance_type=i.instance_type,
                    key_name=i.key_name,
                    mac=i.mac,
                    vpc_id=i.vpc_id,
                    subnet_id=i.subnet_id,
                )
            )
        return nodes

    def _used_ips(self) -> set[str]:
        used = {i.private_ip for i in self.instances}
        for endpoint in self.snap.endpoints:
            used |= {eni.ip for eni in endpoint.enis}
        return used

    def lb_hosts(self) -> list[HostNode]:
        used = self._used_ips()
        hosts = []
        for lb in sorted(self.snap.load_balancers, key=lambda b: b.arn):
            if lb.state in DEAD_LB_STATES or lb.lb_type != "network":
                continue
            for subnet_id in sorted(lb.subnet_ids):
                if subnet_id not in self.subnets:
                    continue
                net = ipaddress.ip_network(self.subnets[subnet_id].cidr)
                address = next(
                    str(net.broadcast_address - n)
                    for n in range(2, net.num_addresses - 4)
                    if str(net.broadcast_address - n) not in used
                )
                used.add(address)
                ident = f"{names.short_hash(lb.arn)}-{subnet_id}"
                host = self.host("lb", ident, subnet_id, address, None)
                self.lb_nodes.setdefault(lb.arn, []).append(host)
                hosts.append(host)
        return hosts

    def endpoint_hosts(self) -> list[HostNode]:
        hosts = []
        for endpoint in sorted(self.snap.endpoints, key=lambda e: e.endpoint_id):
            if endpoint.endpoint_type != "Interface" or endpoint.vpc_id not in self.vpcs:
                continue
            if endpoint.state in ("deleting", "deleted", "failed", "rejected"):
                continue
            for eni in endpoint.enis:
                if eni.subnet_id not in self.subnets or ipaddress.ip_address(eni.ip) not in ipaddress.ip_network(
                    self.subnets[eni.subnet_id].cidr
                ):
                    self.skipped.append(f"{endpoint.endpoint_id}: ENI {eni.eni_id} address {eni.ip} outside subnet")
                    continue
                hosts.append(self.host("endpoint", eni.eni_id, eni.subnet_id, eni.ip, endpoint.group_ids))
        return hosts

    # -- services ------------------------------------------------------------------------------------------------
    def _targets(self, tg: model.TargetGroup) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...]]:
        by_id = {i.instance_id: i.private_ip for i in self.running}
        targets = []
        for target_id, port in tg.targets:
            ip = by_id.get(target_id) if target_id.startswith("i-") else target_id
            if ip:
                targets.append(((ip, port), target_id))
        targets.sort()
        return tuple(t for t, _ in targets), tuple(i for _, i in targets)

    def forwards(self, endpoint_hosts: list[HostNode]) -> list[Forward]:
        tgs = {tg.arn: tg for tg in self.snap.target_groups}
        forwards = []
        for lb in self.snap.load_balancers:
            for node in self.lb_nodes.get(lb.arn, []):
                for listener in lb.listeners:
                    tg = tgs.get(listener.target_group_arn)
                    if tg is not None:
                        targets, ids = self._targets(tg)
                        forwards.append(
                            Forward(node.netns, node.address, listener.port, node.netns, targets, lb.arn, tg.arn, ids)
                        )
        services = {s.service_name: s for s in self.snap.endpoint_services}
        lbs = {lb.arn: lb for lb in self.snap.load_balancers}
        eni_hosts = {h.ident: h for h in endpoint_hosts}
        for endpoint in self.snap.endpoints:
            service = services.get(endpoint.service_name)
            if service is None or endpoint.state not in LIVE_ENDPOINT_STATES:
                continue
            for eni in endpoint.enis:
                host = eni_hosts.get(eni.eni_id)
                if host is None:
                    continue
                for lb_arn in service.nlb_arns:
                    lb = lbs.get(lb_arn)
                    nodes = self.lb_nodes.get(lb_arn, [])
                    if lb is None or not nodes:
                        continue
                    for listener in lb.listeners:
                        tg = tgs.get(listener.target_group_arn)
                        if tg is not None:
                            targets, ids = self._targets(tg)
                            forwards.append(
                                Forward(
                                    host.netns,
                                    host.address,
                                    listener.port,
                                    nodes[0].netns,
                                    targets,
                                    endpoint.endpoint_id,
                                    tg.arn,
                                    ids,
                                )
                            )
        return sorted(forwards, key=lambda f: (f.netns, f.port))

    def aws_proxies(self, endpoint_hosts: list[HostNode]) -> list[AwsProxy]:
        eni_hosts = {h.ident: h for h in endpoint_hosts}
        proxies = []
        for endpoint in self.snap.endpoints:
            service = _service_of(endpoint.service_name, endpoint.region)
            if endpoint.endpoint_type != "Interface" or not service or endpoint.state not in LIVE_ENDPOINT_STATES:
                continue
            server_names = set(addressing.service_hostnames(service, endpoint.region)) | set(endpoint.dns_names)
            server_names.add(f"*.{service}.{endpoint.region}.vpce.amazonaws.com")
            for eni in endpoint.enis:
                host = eni_hosts.get(eni.eni_id)
                if host is not None:
                    proxies.append(AwsProxy(host.netns, host.address, 443, service, tuple(sorted(server_names))))
        return sorted(proxies, key=lambda p: (p.netns, p.port))

    def _endpoint_records(self) -> list[tuple[str, tuple[str, ...]]]:
        records = []
        for endpoint in self.snap.endpoints:
            if endpoint.endpoint_type != "Interface" or endpoint.state not in LIVE_ENDPOINT_STATES + (
                "pendingAcceptance",
                "pending",
            ):
                continue
            ips = tuple(sorted(eni.ip for eni in endpoint.enis))
            if ips:
                # Only the endpoint-specific names are public DNS; a private DNS name answers inside its own VPC only.
                records += [(name, ips) for name in endpoint.dns_names if name.endswith(ENDPOINT_SPECIFIC_SUFFIX)]
        for lb in self.snap.load_balancers:
            nodes = self.lb_nodes.get(lb.arn, [])
            if nodes and lb.dns_name:
                records.append((lb.dns_name, tuple(sorted(n.address for n in nodes))))
        return records

    def dns_zones(self, routers: tuple[RouterNode, ...]) -> list[DnsZone]:
        zones = []
        shared = self._endpoint_records()
        services = {s.service_name: s for s in self.snap.endpoint_services}
        for router in routers:
            vpc = self.vpcs[router.vpc_id]
            if not vpc.dns_support:
                continue
            records = dict(_public_records(vpc.region))
            records.update(dict(shared))
            for instance in self.running:
                if instance.vpc_id == vpc.vpc_id:
                    records[hostname_of(instance.private_ip, instance.region)] = (instance.private_ip,)
            for endpoint in self.snap.endpoints:
                if endpoint.vpc_id != vpc.vpc_id or endpoint.endpoint_type != "Interface":
                    continue
                if endpoint.state not in LIVE_ENDPOINT_STATES or not endpoint.private_dns_enabled:
                    continue
                if not vpc.dns_hostnames:
                    continue
                ips = tuple(sorted(eni.ip for eni in endpoint.enis))
                if not ips:
                    continue
                service = _service_of(endpoint.service_name, endpoint.region)
                if service:
                    for name in addressing.service_hostnames(service, endpoint.region):
                        records[name] = ips
                elif endpoint.service_name in services and services[endpoint.service_name].private_dns_name:
                    records[str(services[endpoint.service_name].private_dns_name)] = ips
            zones.append(DnsZone(router.netns, router.resolver_addresses, tuple(sorted(records.items()))))
        return zones

    def inet_zone(self) -> DnsZone:
        regions = sorted({v.region for v in self.vpcs.values()} | {"ap-northeast-1"})
        records: dict[str, tuple[str, ...]] = {}
        for region in regions:
            records.update(dict(_public_records(region)))
        records.update(dict(self._endpoint_records()))
        return DnsZone(names.inet_netns(self.prefix), ("127.0.0.53",), tuple(sorted(records.items())))


def desired_topology(snap: model.Snapshot, prefix: str, host_nets: Iterable[ipaddress.IPv4Network] = ()) -> Topology:
    builder = _Builder(snap, prefix, host_nets)
    routers, public_routes = builder.routers()
    instances = builder.instance_nodes()
    lb_hosts = builder.lb_hosts()
    endpoint_hosts = builder.endpoint_hosts()
    hosts = [n.host for n in instances] + lb_hosts + endpoint_hosts
    kept = sorted(i.instance_id for i in builder.instances if i.state not in ("terminated", "shutting-down"))
    return Topology(
        routers=routers,
        hosts=tuple(sorted(hosts, key=lambda h: h.netns)),
        instances=tuple(instances),
        kept_instances=tuple(kept),
        aws_proxies=tuple(builder.aws_proxies(endpoint_hosts)),
        forwards=tuple(builder.forwards(endpoint_hosts)),
        dns_zones=tuple(builder.dns_zones(routers)) + (builder.inet_zone(),),
        public_routes=public_routes,
        skipped=tuple(builder.skipped),
    )
