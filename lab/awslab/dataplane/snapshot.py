"""Read moto's in-process backends into a model.Snapshot (the only place that knows moto's internals)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from awslab.dataplane import model


def _lock() -> Any:
    try:
        from awslab.controlplane.state import LOCK

        return LOCK
    except ImportError:  # the control plane is optional (unit tests against bare moto)
        return contextlib.nullcontext()


def _backends(service: str) -> Iterator[tuple[str, str, Any]]:
    from moto.backends import get_backend

    backend_dict = get_backend(service)  # type: ignore[call-overload]
    for account in list(backend_dict.keys()):
        regions = backend_dict[account]
        for region in list(regions.keys()):
            yield account, region, regions[region]


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _route_target(route: Any) -> str:
    if getattr(route, "local", False):
        return "local"
    for attr in ("nat_gateway", "gateway", "instance", "interface", "vpc_pcx", "transit_gateway"):
        obj = getattr(route, attr, None)
        if obj is not None:
            return str(obj.id)
    return str(getattr(route, "vpc_endpoint_id", None) or "unknown")


def _rule(rule: Any) -> model.SgRule:
    cidrs = tuple(r["CidrIp"] for r in _as_list(getattr(rule, "ip_range", None)) if "CidrIp" in r)
    groups = tuple(g["GroupId"] for g in _as_list(getattr(rule, "source_group", None)) if g.get("GroupId"))
    pls = (rule.prefix_list_id,) if getattr(rule, "prefix_list_id", None) else ()
    return model.SgRule(
        protocol=str(rule.ip_protocol or "-1"),
        from_port=rule.from_port,
        to_port=rule.to_port,
        cidrs=cidrs,
        group_ids=groups,
        prefix_list_ids=pls,
    )


def _as_list(value: Any) -> list[dict[str, Any]]:
    if not value:
        return []
    if isinstance(value, dict):
        return [value]
    return list(value)


def _role_of_instance(ec2: Any, instance: Any) -> tuple[str | None, str | None]:
    association = getattr(ec2, "iam_instance_profile_associations", {}).get(instance.id)
    profile = getattr(association, "iam_instance_profile", None) if association else None
    if profile is None:
        return None, None
    roles = list(getattr(profile, "roles", []) or [])
    role_arn = roles[0].arn if roles else None
    return role_arn, getattr(profile, "arn", None)


def _user_data(instance: Any) -> bytes:
    import base64

    data = getattr(instance, "user_data", None)
    if not data:
        return b""
    if isinstance(data, list):
        data = data[0]
    if isinstance(data, bytes):
        raw = data
    else:
        raw = str(data).encode()
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        return raw


def _instances(account: str, region: str, ec2: Any) -> Iterator[model.Instance]:
    for reservation in list(ec2.reservations.values()):
        for instance in list(reservation.instances):
            nic = instance.nics.get(0) if getattr(instance, "nics", None) else None
            if nic is None or not nic.private_ip_address:
                continue
            key_name = getattr(instance, "key_name", None) or ""
            key = ec2.key_pairs.get(key_name) if key_name else None
            public_key = (key.material_public or "") if key is not None else ""
            if isinstance(public_key, bytes):
                public_key = public_key.decode()
            role_arn, profile_arn = _role_of_instance(ec2, instance)
            options = getattr(instance, "metadata_options", None)
            yield model.Instance(
                account=account,
                region=region,
                instance_id=instance.id,
                vpc_id=nic.subnet.vpc_id,
                subnet_id=nic.subnet.id,
                private_ip=nic.private_ip_address,
                public_ip=getattr(nic, "public_ip", None),
                state=instance.state,
                group_ids=tuple(sorted(sg.id for sg in nic.group_set)),
                public_key=public_key.strip(),
                user_data=_user_data(instance),
                http_tokens=getattr(options, "http_tokens", "optional") or "optional",
                http_endpoint=getattr(options, "http_endpoint", "enabled") or "enabled",
                role_arn=role_arn,
                profile_arn=profile_arn,
                az=nic.subnet.availability_zone,
                image_id=str(getattr(instance, "image_id", "")),
                instance_type=str(getattr(instance, "instance_type", "")),
                key_name=key_name,
                mac=str(getattr(nic, "mac_address", "")),
            )


def _endpoint(account: str, region: str, ec2: Any, endpoint: Any) -> model.Endpoint:
    enis = []
    for eni_id in list(endpoint.network_interface_ids or []):
        eni = ec2.enis.get(eni_id) if hasattr(ec2, "enis") else None
        if eni is not None and eni.private_ip_address:
            enis.append(model.EndpointEni(eni_id, eni.subnet.id, eni.private_ip_address))
    names = tuple(
        str(entry.get("DnsName") or entry.get("dns_name"))
        for entry in (endpoint.dns_entries or [])
        if entry.get("DnsName") or entry.get("dns_name")
    )
    return model.Endpoint(
        account=account,
        region=region,
        endpoint_id=endpoint.id,
        vpc_id=endpoint.vpc_id,
        service_name=endpoint.service_name,
        endpoint_type=str(endpoint.vpc_endpoint_type or "Gateway"),
        state=str(endpoint.state),
        route_table_ids=tuple(endpoint.route_table_ids or ()),
        enis=tuple(enis),
        group_ids=tuple(endpoint.security_group_ids or ()) or _default_group(ec2, endpoint),
        private_dns_enabled=_truthy(endpoint.private_dns_enabled),
        dns_names=names,
    )


def _default_group(ec2: Any, endpoint: Any) -> tuple[str, ...]:
    """An interface endpoint created without security groups gets its VPC's default group, as on AWS."""
    if str(endpoint.vpc_endpoint_type) != "Interface":
        return ()
    for group in list(ec2.groups.get(endpoint.vpc_id, {}).values()):
        if group.name == "default":
            return (group.id,)
    return ()


def _ec2_part(account: str, region: str, ec2: Any, out: dict[str, list[Any]]) -> None:
    for vpc in list(ec2.vpcs.values()):
        cidrs = tuple(
            c["cidr_block"]
            for c in vpc.cidr_block_association_set
            if c.get("cidr_block") and c.get("cidr_block_state", {}).get("state", "associated") == "associated"
        ) or (vpc.cidr_block,)
        out["vpcs"].append(
            model.Vpc(
                account, region, vpc.id, cidrs, _truthy(vpc.enable_dns_support), _truthy(vpc.enable_dns_hostnames)
            )
        )
    for subnets in list(ec2.subnets.values()):
        for subnet in list(subnets.values()):
            out["subnets"].append(model.Subnet(subnet.id, subnet.vpc_id, subnet.cidr_block, subnet.availability_zone))
    for table in list(ec2.route_tables.values()):
        subnet_ids = tuple(sorted(table._associations.values()))
        routes = []
        for route in table.routes:
            destination = route.destination_cidr_block or (
                route.destination_prefix_list.id if route.destination_prefix_list else None
            )
            if destination:
                routes.append(model.Route(destination, _route_target(route)))
        out["route_tables"].append(
            model.RouteTable(table.id, table.vpc_id, table.main_association_id is not None, subnet_ids, tuple(routes))
        )
    for igw in list(ec2.internet_gateways.values()):
        if igw.vpc is not None:
            out["igw_attachments"].append((igw.id, igw.vpc.id))
    for nat in list(ec2.nat_gateways.values()):
        eni = getattr(nat, "_eni", None)
        out["nat_gateways"].append(
            model.NatGateway(nat.id, nat.subnet_id, str(nat.state), getattr(eni, "public_ip", None))
        )
    for pl in list(getattr(ec2, "managed_prefix_lists", {}).values()):
        entries = pl.entries.get(pl.version, []) if getattr(pl, "entries", None) else []
        out["prefix_lists"].append(
            model.PrefixList(pl.id, pl.prefix_list_name, tuple(e.get("Cidr", "") for e in entries if e.get("Cidr")))
        )
    for groups in list(ec2.groups.values()):
        for group in list(groups.values()):
            out["security_groups"].append(
                model.SecurityGroup(
                    group.id,
                    group.vpc_id or "",
                    tuple(_rule(r) for r in group.ingress_rules),
                    tuple(_rule(r) for r in group.egress_rules),
                )
            )
    out["instances"].extend(_instances(account, region, ec2))
    for endpoint in list(ec2.vpc_end_points.values()):
        out["endpoints"].append(_endpoint(account, region, ec2, endpoint))
    configs = getattr(ec2, "configurations", {})
    for config in list(configs.values()):
        out["endpoint_services"].append(
            model.EndpointService(
                account,
                region,
                config.id,
                config.service_name,
                tuple(config.network_load_balancer_arns),
                _truthy(config.acceptance_required),
                config.private_dns_name,
            )
        )


def _elb_part(account: str, region: str, elb: Any, out: dict[str, list[Any]]) -> None:
    for lb in list(elb.load_balancers.values()):
        listeners = []
        for listener in list(lb.listeners.values()):
            for action in listener.default_actions:
                data = getattr(action, "data", action)
                tg_arn = data.get("TargetGroupArn") or (
                    (data.get("ForwardConfig") or {}).get("TargetGroups", [{}])[0].get("TargetGroupArn")
                )
                if tg_arn:
                    listeners.append(model.Listener(int(listener.port), listener.protocol, tg_arn))
        out["load_balancers"].append(
            model.LoadBalancer(
                account,
                region,
                lb.arn,
                lb.name,
                lb.dns_name,
                lb.scheme,
                lb.vpc_id,
                tuple(s.id for s in lb.subnets),
                str(getattr(lb, "state", "active")),
                tuple(listeners),
                str(getattr(lb, "loadbalancer_type", "network") or "network"),
            )
        )
    for tg in list(elb.target_groups.values()):
        targets = tuple((t["Id"], int(t.get("Port") or tg.port or 0)) for t in tg.targets.values())
        out["target_groups"].append(
            model.TargetGroup(
                tg.arn,
                tg.vpc_id,
                tg.port,
                str(tg.protocol or "TCP"),
                targets,
                str(tg.health_check_port or "traffic-port"),
                int(tg.health_check_interval_seconds or 30),
            )
        )


def read_snapshot() -> model.Snapshot:
    out: dict[str, list[Any]] = {name: [] for name in model.Snapshot.__dataclass_fields__ if name != "extra"}
    # A failure propagates: a partial snapshot would look like deleted resources (and stop their instances).
    with _lock():
        for account, region, ec2 in _backends("ec2"):
            _ec2_part(account, region, ec2, out)
        for account, region, elb in _backends("elbv2"):
            _elb_part(account, region, elb, out)
    return model.Snapshot(**{name: tuple(values) for name, values in out.items()})
