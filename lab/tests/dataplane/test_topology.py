"""desired_topology is a pure function: control-plane snapshot in, namespaces/routes/rules out (no root needed)."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import pytest

from awslab.dataplane import addressing
from awslab.dataplane import model as m
from awslab.dataplane.topology import Topology, desired_topology

P = "awslab-test-"
REGION = "ap-northeast-1"
S3_PL = m.PrefixList("pl-s3", f"com.amazonaws.{REGION}.s3", ("52.219.0.0/16",))
SSH = m.SgRule("tcp", 22, 22)


def base(**changes: object) -> m.Snapshot:
    """VPC 10.0.0.0/16: public subnet (igw route), private subnet (no default route), bastion + private host."""
    snap = m.Snapshot(
        vpcs=(m.Vpc("111111111111", REGION, "vpc-a", ("10.0.0.0/16",), True, True),),
        subnets=(
            m.Subnet("subnet-pub", "vpc-a", "10.0.1.0/24", "ap-northeast-1a"),
            m.Subnet("subnet-priv", "vpc-a", "10.0.2.0/24", "ap-northeast-1a"),
        ),
        route_tables=(
            m.RouteTable("rtb-main", "vpc-a", True, (), (m.Route("10.0.0.0/16", "local"),)),
            m.RouteTable(
                "rtb-pub",
                "vpc-a",
                False,
                ("subnet-pub",),
                (m.Route("10.0.0.0/16", "local"), m.Route("0.0.0.0/0", "igw-1")),
            ),
            m.RouteTable("rtb-priv", "vpc-a", False, ("subnet-priv",), (m.Route("10.0.0.0/16", "local"),)),
        ),
        igw_attachments=(("igw-1", "vpc-a"),),
        prefix_lists=(S3_PL,),
        security_groups=(
            m.SecurityGroup(
                "sg-bastion",
                "vpc-a",
                (replace(SSH, cidrs=("0.0.0.0/0",)),),
                (m.SgRule("-1", None, None, ("0.0.0.0/0",)),),
            ),
            m.SecurityGroup("sg-priv", "vpc-a", (replace(SSH, group_ids=("sg-bastion",)),), ()),
        ),
        instances=(
            m.Instance(
                "111111111111",
                REGION,
                "i-bastion",
                "vpc-a",
                "subnet-pub",
                "10.0.1.10",
                "198.18.5.6",
                "running",
                ("sg-bastion",),
            ),
            m.Instance(
                "111111111111", REGION, "i-priv", "vpc-a", "subnet-priv", "10.0.2.20", None, "running", ("sg-priv",)
            ),
        ),
    )
    return replace(snap, **changes)


def subnet(topo: Topology, subnet_id: str):
    return next(s for r in topo.routers for s in r.subnets if s.subnet_id == subnet_id)


def host(topo: Topology, ident: str):
    return next(h for h in topo.hosts if h.ident == ident)


def zone(topo: Topology, vpc_id: str) -> dict[str, tuple[str, ...]]:
    router = next(r for r in topo.routers if r.vpc_id == vpc_id)
    return dict(next(z for z in topo.dns_zones if z.netns == router.netns).records)


def test_igw_route_gives_one_to_one_nat_only_to_public_instances_in_that_subnet() -> None:
    topo = desired_topology(base(), P)
    assert subnet(topo, "subnet-pub").internet
    assert not subnet(topo, "subnet-priv").internet
    assert topo.routers[0].one_to_one == (("198.18.5.6", "10.0.1.10"),)
    assert topo.public_routes == (("198.18.5.6", topo.routers[0].uplink_address),)


def test_public_ip_in_a_subnet_without_igw_route_is_not_reachable() -> None:
    snap = base()
    instances = (snap.instances[0], replace(snap.instances[1], public_ip="198.18.9.9"))
    topo = desired_topology(replace(snap, instances=instances), P)
    assert ("198.18.9.9", "10.0.2.20") not in topo.routers[0].one_to_one


def test_gateway_endpoint_route_opens_the_service_address_for_that_route_table_only() -> None:
    endpoint = m.Endpoint(
        "111111111111", REGION, "vpce-gw", "vpc-a", f"com.amazonaws.{REGION}.s3", "Gateway", "available", ("rtb-priv",)
    )
    tables = tuple(
        replace(t, routes=(*t.routes, m.Route("pl-s3", "vpce-gw"))) if t.route_table_id == "rtb-priv" else t
        for t in base().route_tables
    )
    topo = desired_topology(base(route_tables=tables, endpoints=(endpoint,)), P)
    assert subnet(topo, "subnet-priv").service_cidrs == (f"{addressing.SERVICE_ADDRESSES['s3']}/32",)
    assert subnet(topo, "subnet-pub").service_cidrs == ()
    pending = desired_topology(base(route_tables=tables, endpoints=(replace(endpoint, state="pending"),)), P)
    assert subnet(pending, "subnet-priv").service_cidrs == ()


def test_nat_gateway_route_needs_an_available_nat_in_a_public_subnet() -> None:
    tables = tuple(
        replace(t, routes=(*t.routes, m.Route("0.0.0.0/0", "nat-1"))) if t.route_table_id == "rtb-priv" else t
        for t in base().route_tables
    )

    def nat(nat_subnet: str, state: str) -> bool:
        snap = base(route_tables=tables, nat_gateways=(m.NatGateway("nat-1", nat_subnet, state, "198.18.7.7"),))
        topo = desired_topology(snap, P)
        if subnet(topo, "subnet-priv").nat:
            assert subnet(topo, "subnet-priv").nat_public_ip == "198.18.7.7"
            assert ("198.18.7.7", topo.routers[0].uplink_address) in topo.public_routes
        return subnet(topo, "subnet-priv").nat

    assert nat("subnet-pub", "available")
    assert not nat("subnet-pub", "pending")
    assert not nat("subnet-priv", "available")  # a NAT gateway in a subnet without an internet route


def test_security_group_source_group_becomes_member_addresses_and_default_is_deny() -> None:
    topo = desired_topology(base(), P)
    private = host(topo, "i-priv").firewall
    assert private is not None
    assert [(r.protocol, r.from_port, r.cidrs) for r in private.ingress] == [("tcp", 22, ("10.0.1.10/32",))]
    assert private.egress == ()  # no egress rule: nothing leaves (the resolver stays reachable, see render)


def test_prefix_list_rule_includes_the_lab_service_address() -> None:
    groups = (m.SecurityGroup("sg-priv", "vpc-a", (), (m.SgRule("tcp", 443, 443, prefix_list_ids=("pl-s3",)),)),)
    topo = desired_topology(base(security_groups=groups), P)
    egress = host(topo, "i-priv").firewall.egress  # type: ignore[union-attr]
    assert f"{addressing.SERVICE_ADDRESSES['s3']}/32" in egress[0].cidrs and "52.219.0.0/16" in egress[0].cidrs


def _sqs_endpoint(**changes: object) -> m.Endpoint:
    endpoint = m.Endpoint(
        "111111111111",
        REGION,
        "vpce-sqs",
        "vpc-a",
        f"com.amazonaws.{REGION}.sqs",
        "Interface",
        "available",
        enis=(m.EndpointEni("eni-1", "subnet-priv", "10.0.2.50"),),
        group_ids=("sg-priv",),
        private_dns_enabled=True,
        dns_names=(f"vpce-sqs-abc.sqs.{REGION}.vpce.amazonaws.com",),
    )
    return replace(endpoint, **changes)


@pytest.mark.parametrize(
    ("private_dns", "dns_hostnames", "expected"),
    [
        (True, True, "10.0.2.50"),
        (False, True, addressing.SERVICE_ADDRESSES["sqs"]),
        (True, False, addressing.SERVICE_ADDRESSES["sqs"]),
    ],
)
def test_private_dns_resolves_the_regional_name_to_the_endpoint(
    private_dns: bool, dns_hostnames: bool, expected: str
) -> None:
    vpcs = (replace(base().vpcs[0], dns_hostnames=dns_hostnames),)
    topo = desired_topology(base(vpcs=vpcs, endpoints=(_sqs_endpoint(private_dns_enabled=private_dns),)), P)
    records = zone(topo, "vpc-a")
    assert records[f"sqs.{REGION}.amazonaws.com"] == (expected,)
    assert records[f"vpce-sqs-abc.sqs.{REGION}.vpce.amazonaws.com"] == ("10.0.2.50",)


def test_private_dns_name_stays_inside_the_endpoint_vpc() -> None:
    other = m.Vpc("111111111111", REGION, "vpc-b", ("10.9.0.0/16",), True, True)
    snap = base(endpoints=(_sqs_endpoint(dns_names=(f"vpce-sqs-abc.sqs.{REGION}.vpce.amazonaws.com",
                                                    f"sqs.{REGION}.amazonaws.com")),))
    snap = replace(snap, vpcs=snap.vpcs + (other,),
                   subnets=snap.subnets + (m.Subnet("subnet-b", "vpc-b", "10.9.2.0/24", "ap-northeast-1a"),))
    topo = desired_topology(snap, P)
    assert zone(topo, "vpc-a")[f"sqs.{REGION}.amazonaws.com"] == ("10.0.2.50",)
    assert zone(topo, "vpc-b")[f"sqs.{REGION}.amazonaws.com"] == (addressing.SERVICE_ADDRESSES["sqs"],)
    assert zone(topo, "vpc-b")[f"vpce-sqs-abc.sqs.{REGION}.vpce.amazonaws.com"] == ("10.0.2.50",)


def test_interface_endpoint_gets_a_host_in_its_subnet_and_a_tls_proxy() -> None:
    topo = desired_topology(base(endpoints=(_sqs_endpoint(),)), P)
    eni = host(topo, "eni-1")
    assert (eni.address, eni.kind, eni.gateway) == ("10.0.2.50", "endpoint", "10.0.2.1")
    assert [(p.address, p.port, p.service) for p in topo.aws_proxies] == [("10.0.2.50", 443, "sqs")]
    assert f"sqs.{REGION}.amazonaws.com" in topo.aws_proxies[0].server_names


def _privatelink(state: str) -> m.Snapshot:
    snap = base()
    lb = m.LoadBalancer(
        "111111111111",
        REGION,
        "arn:lb",
        "app",
        "app.elb.example",
        "internal",
        "vpc-a",
        ("subnet-priv",),
        "active",
        (m.Listener(80, "TCP", "arn:tg"),),
    )
    tg = m.TargetGroup("arn:tg", "vpc-a", 8080, "TCP", (("i-priv", 8080),))
    service = m.EndpointService(
        "111111111111", REGION, "vpce-svc-1", f"com.amazonaws.vpce.{REGION}.vpce-svc-1", ("arn:lb",), True
    )
    endpoint = _sqs_endpoint(
        endpoint_id="vpce-pl",
        service_name=service.service_name,
        state=state,
        enis=(m.EndpointEni("eni-pl", "subnet-priv", "10.0.2.60"),),
        private_dns_enabled=False,
    )
    return replace(snap, load_balancers=(lb,), target_groups=(tg,), endpoint_services=(service,), endpoints=(endpoint,))


def test_privatelink_forwards_only_when_the_connection_is_available() -> None:
    available = desired_topology(_privatelink("available"), P)
    through_endpoint = [f for f in available.forwards if f.owner == "vpce-pl"]
    assert [(f.address, f.port, f.targets) for f in through_endpoint] == [("10.0.2.60", 80, (("10.0.2.20", 8080),))]
    for state in ("pendingAcceptance", "pending", "rejected"):
        assert not [f for f in desired_topology(_privatelink(state), P).forwards if f.owner == "vpce-pl"]


def test_nlb_listener_forwards_to_registered_targets() -> None:
    topo = desired_topology(_privatelink("available"), P)
    nlb = [f for f in topo.forwards if f.owner == "arn:lb"]
    assert len(nlb) == 1 and nlb[0].targets == (("10.0.2.20", 8080),)
    assert ipaddress.ip_address(nlb[0].address) in ipaddress.ip_network("10.0.2.0/24")
    assert zone(topo, "vpc-a")["app.elb.example"] == (nlb[0].address,)


@pytest.mark.parametrize("cidr", ["192.0.2.0/24", "198.18.0.0/16", "172.31.0.0/16"])
def test_vpcs_overlapping_host_or_lab_ranges_are_never_built(cidr: str) -> None:
    vpcs = (replace(base().vpcs[0], cidrs=(cidr,)),)
    host_nets = [ipaddress.ip_network("172.31.0.0/16")]
    topo = desired_topology(base(vpcs=vpcs), P, host_nets)
    assert topo.routers == () and topo.hosts == ()
    assert topo.skipped


def test_stopped_instances_keep_their_disk_terminated_ones_do_not() -> None:
    snap = base()
    instances = (replace(snap.instances[0], state="stopped"), replace(snap.instances[1], state="terminated"))
    topo = desired_topology(replace(snap, instances=instances), P)
    assert topo.instances == ()
    assert topo.kept_instances == ("i-bastion",)


def test_reserved_addresses_are_refused() -> None:
    snap = base()
    instances = (replace(snap.instances[1], private_ip="10.0.2.1"),)
    topo = desired_topology(replace(snap, instances=instances), P)
    assert topo.instances == () and any("reserved" in s for s in topo.skipped)


def test_same_snapshot_same_topology() -> None:
    assert desired_topology(base(), P) == desired_topology(base(), P)
    assert all(name.startswith(P) for name in [h.netns for h in desired_topology(base(), P).hosts])


def test_endpoint_service_private_dns_name_resolves_to_the_consumer_endpoint() -> None:
    snap = _privatelink("available")
    services = (replace(snap.endpoint_services[0], private_dns_name="app.example.internal"),)
    endpoints = (replace(snap.endpoints[0], private_dns_enabled=True),)
    records = zone(desired_topology(replace(snap, endpoint_services=services, endpoints=endpoints), P), "vpc-a")
    assert records["app.example.internal"] == ("10.0.2.60",)
    assert "app.example.internal" not in zone(desired_topology(snap, P), "vpc-a")
