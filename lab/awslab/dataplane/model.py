"""Plain, frozen views of the control-plane state the data plane cares about (the input of desired_topology)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Vpc:
    account: str
    region: str
    vpc_id: str
    cidrs: tuple[str, ...]
    dns_support: bool = True
    dns_hostnames: bool = False


@dataclass(frozen=True)
class Subnet:
    subnet_id: str
    vpc_id: str
    cidr: str
    az: str = ""


@dataclass(frozen=True)
class Route:
    destination: str  # a CIDR, or a prefix-list id (pl-...)
    target: str  # local | igw-... | nat-... | vpce-... | other ids


@dataclass(frozen=True)
class RouteTable:
    route_table_id: str
    vpc_id: str
    main: bool
    subnet_ids: tuple[str, ...]
    routes: tuple[Route, ...]


@dataclass(frozen=True)
class NatGateway:
    nat_id: str
    subnet_id: str
    state: str
    public_ip: str | None = None


@dataclass(frozen=True)
class PrefixList:
    prefix_list_id: str
    name: str  # e.g. com.amazonaws.ap-northeast-1.s3
    cidrs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SgRule:
    protocol: str  # -1 | tcp | udp | icmp | a number
    from_port: int | None
    to_port: int | None
    cidrs: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()
    prefix_list_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecurityGroup:
    group_id: str
    vpc_id: str
    ingress: tuple[SgRule, ...]
    egress: tuple[SgRule, ...]


@dataclass(frozen=True)
class Instance:
    account: str
    region: str
    instance_id: str
    vpc_id: str
    subnet_id: str
    private_ip: str
    public_ip: str | None
    state: str
    group_ids: tuple[str, ...]
    public_key: str = ""
    user_data: bytes = b""
    http_tokens: str = "optional"
    http_endpoint: str = "enabled"
    role_arn: str | None = None
    profile_arn: str | None = None
    az: str = ""
    image_id: str = ""
    instance_type: str = ""
    key_name: str = ""
    mac: str = ""


@dataclass(frozen=True)
class EndpointEni:
    eni_id: str
    subnet_id: str
    ip: str


@dataclass(frozen=True)
class Endpoint:
    account: str
    region: str
    endpoint_id: str
    vpc_id: str
    service_name: str
    endpoint_type: str  # Gateway | Interface | GatewayLoadBalancer
    state: str
    route_table_ids: tuple[str, ...] = ()
    enis: tuple[EndpointEni, ...] = ()
    group_ids: tuple[str, ...] = ()
    private_dns_enabled: bool = False
    dns_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Listener:
    port: int
    protocol: str
    target_group_arn: str


@dataclass(frozen=True)
class LoadBalancer:
    account: str
    region: str
    arn: str
    name: str
    dns_name: str
    scheme: str
    vpc_id: str
    subnet_ids: tuple[str, ...]
    state: str
    listeners: tuple[Listener, ...] = ()
    lb_type: str = "network"


@dataclass(frozen=True)
class TargetGroup:
    arn: str
    vpc_id: str
    port: int | None
    protocol: str
    targets: tuple[tuple[str, int], ...]  # (instance id or ip, port)
    health_check_port: str = "traffic-port"
    health_check_interval: int = 30


@dataclass(frozen=True)
class EndpointService:
    account: str
    region: str
    service_id: str
    service_name: str
    nlb_arns: tuple[str, ...]
    acceptance_required: bool
    private_dns_name: str | None = None


@dataclass(frozen=True)
class Snapshot:
    vpcs: tuple[Vpc, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    route_tables: tuple[RouteTable, ...] = ()
    igw_attachments: tuple[tuple[str, str], ...] = ()  # (igw id, vpc id)
    nat_gateways: tuple[NatGateway, ...] = ()
    prefix_lists: tuple[PrefixList, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    instances: tuple[Instance, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    load_balancers: tuple[LoadBalancer, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()
    endpoint_services: tuple[EndpointService, ...] = ()
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
