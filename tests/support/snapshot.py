"""The normalized AWS state of a project, to compare two runs and to find duplicates.

A snapshot describes every resource of a project in the accounts given: the VPCs (found by the project tag, or by
CIDR block so that an untagged VPC left by a crash counts too) and everything inside them found by VPC (not by tag:
a resource created but never tagged is still there), plus what lives outside a VPC (key pairs, IAM roles and
instance profiles, buckets, tables, queues) by project name. Generated ids, addresses, timestamps and generated names
are replaced by stable keys: Name tags, group names, CIDRs, service names (an endpoint service's generated name
becomes the Name of the service), prefix lists by their service, and the project name by `<project>`.

`snapshot(...)` -> {type: sorted [item, ...]}; `duplicates(snap)` -> {"type:key": count} for every key held by more
than one live resource; `summary(snap)` -> {type: count}; `differences(a, b)` -> readable lines.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from .resources import LIVE_ENDPOINT_STATES, LIVE_INSTANCE_STATES, PROJECT_TAG, client, name_tag

Snapshot = dict[str, list[dict[str, Any]]]
UNTAGGED = "<untagged>"
# The part of each item that identifies it (two live items with the same identity are duplicates).
IDENTITY: dict[str, tuple[str, ...]] = {
    "vpcs": ("account", "cidr"),
    "subnets": ("account", "vpc", "cidr"),
    "route_tables": ("account", "vpc", "name"),
    "routes": ("account", "table", "destination"),
    "internet_gateways": ("account", "name"),
    "nat_gateways": ("account", "name", "subnet"),
    "vpc_endpoints": ("account", "vpc", "service"),
    "endpoint_services": ("account", "name"),
    "security_groups": ("account", "vpc", "group_name"),
    "instances": ("account", "name"),
    "network_interfaces": ("account", "owner", "subnet"),
    "addresses": ("account", "name", "attached_to"),
    "key_pairs": ("account", "name"),
    "load_balancers": ("account", "name"),
    "target_groups": ("account", "name"),
    "iam_roles": ("account", "name"),
    "instance_profiles": ("account", "name"),
    "buckets": ("account", "name"),
    "tables": ("account", "name"),
    "queues": ("account", "name"),
}


class Namer:
    """Stable names for the ids met while describing an account."""

    def __init__(self, project: str) -> None:
        self.project = project
        self.names: dict[str, str] = {}

    def add(self, resource_id: str, name: str | None) -> None:
        if resource_id:
            self.names[resource_id] = self.text(name) if name else f"{UNTAGGED}"

    def of(self, resource_id: str | None) -> str:
        if not resource_id:
            return ""
        return self.names.get(resource_id, "<other>")

    def text(self, value: str) -> str:
        return value.replace(self.project, "<project>")


def _tags(item: dict[str, Any], key: str = "Tags") -> list[dict[str, str]]:
    return item.get(key) or []


def _policy(document: str | dict[str, Any] | None, namer: Namer) -> Any:
    if not document:
        return None
    parsed = json.loads(document) if isinstance(document, str) else document
    text = namer.text(json.dumps(parsed, sort_keys=True))
    return json.loads(re.sub(r"vpce-[0-9a-f]+", "<vpce>", text))


def snapshot(project: str, accounts: Iterable[str | None] = (None,), cidrs: Iterable[str] = ()) -> Snapshot:
    """The normalized state of `project` in `accounts` (None: the environment's); `cidrs`: its VPC blocks."""
    snap: Snapshot = {kind: [] for kind in IDENTITY}
    for account in accounts:
        _describe_account(snap, project, account, set(cidrs))
    for items in snap.values():
        items.sort(key=lambda item: json.dumps(item, sort_keys=True))
    return snap


def _describe_account(snap: Snapshot, project: str, account: str | None, cidrs: set[str]) -> None:
    ec2 = client("ec2", account)
    label = account or "default"
    namer = Namer(project)
    vpcs = [vpc for vpc in ec2.describe_vpcs()["Vpcs"]
            if vpc["CidrBlock"] in cidrs or any(t == {"Key": PROJECT_TAG, "Value": project} for t in _tags(vpc))]
    for vpc in vpcs:
        namer.add(vpc["VpcId"], name_tag(_tags(vpc)))
    vpc_ids = [vpc["VpcId"] for vpc in vpcs]
    in_vpcs = [{"Name": "vpc-id", "Values": vpc_ids}]

    def add(kind: str, **fields: Any) -> None:
        snap[kind].append({"account": label, **fields})

    for vpc in vpcs:
        add("vpcs", name=namer.of(vpc["VpcId"]), cidr=vpc["CidrBlock"], state=vpc["State"])
    balancers = _describe_load_balancers(add, namer, vpc_ids, account, project)
    services = _describe_endpoint_services(ec2, add, namer, balancers, project)
    if vpc_ids:
        _describe_vpc_contents(account, add, namer, in_vpcs, project, services)
    _describe_outside_vpcs(account, add, namer, project)


def _describe_vpc_contents(account: str | None, add: Any, namer: Namer, in_vpcs: list[dict[str, Any]],
                           project: str, services: dict[str, str]) -> None:
    ec2 = client("ec2", account)
    subnets = ec2.describe_subnets(Filters=in_vpcs)["Subnets"]
    for subnet in subnets:
        namer.add(subnet["SubnetId"], name_tag(_tags(subnet)) or subnet["CidrBlock"])
    for subnet in subnets:
        add("subnets", name=namer.of(subnet["SubnetId"]), vpc=namer.of(subnet["VpcId"]), cidr=subnet["CidrBlock"],
            zone=subnet["AvailabilityZone"], public_ip_on_launch=subnet.get("MapPublicIpOnLaunch", False))
    groups = ec2.describe_security_groups(Filters=in_vpcs)["SecurityGroups"]
    for group in groups:
        namer.add(group["GroupId"], f"{namer.of(group['VpcId'])}/{group['GroupName']}")
    igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": in_vpcs[0]["Values"]}])
    # A gateway created but never attached (a run stopped in between) belongs to the project by its tag only.
    detached = ec2.describe_internet_gateways(Filters=[{"Name": f"tag:{PROJECT_TAG}", "Values": [project]}])
    for igw in igws["InternetGateways"] + [igw for igw in detached["InternetGateways"] if not igw.get("Attachments")]:
        namer.add(igw["InternetGatewayId"], name_tag(_tags(igw)))
        add("internet_gateways", name=namer.of(igw["InternetGatewayId"]),
            vpcs=sorted(namer.of(a["VpcId"]) for a in igw.get("Attachments", [])))
    nats = ec2.describe_nat_gateways(Filters=in_vpcs + [{"Name": "state", "Values": ["pending", "available"]}])
    for nat in nats["NatGateways"]:
        namer.add(nat["NatGatewayId"], name_tag(_tags(nat)))
        add("nat_gateways", name=namer.of(nat["NatGatewayId"]), subnet=namer.of(nat["SubnetId"]),
            connectivity=nat.get("ConnectivityType", "public"))
    _describe_endpoints(ec2, add, namer, in_vpcs, services)
    instances = [i for r in ec2.describe_instances(
        Filters=in_vpcs + [{"Name": "instance-state-name", "Values": LIVE_INSTANCE_STATES}])["Reservations"]
        for i in r["Instances"]]
    for instance in instances:
        namer.add(instance["InstanceId"], name_tag(_tags(instance)))
    _describe_route_tables(ec2, add, namer, in_vpcs)
    for group in groups:
        add("security_groups", name=namer.text(name_tag(_tags(group)) or ""), vpc=namer.of(group["VpcId"]),
            group_name=namer.text(group["GroupName"]),
            ingress=sorted(_rules(group.get("IpPermissions", []), namer)),
            egress=sorted(_rules(group.get("IpPermissionsEgress", []), namer)))
    for instance in instances:
        add("instances", name=namer.of(instance["InstanceId"]), state=_settled(instance["State"]["Name"]),
            type=instance["InstanceType"], subnet=namer.of(instance.get("SubnetId")),
            groups=sorted(namer.of(g["GroupId"]) for g in instance.get("SecurityGroups", [])),
            profile=namer.text(instance.get("IamInstanceProfile", {}).get("Arn", "").rsplit("/", 1)[-1]),
            public_ip=bool(instance.get("PublicIpAddress")), key=namer.text(instance.get("KeyName", "")),
            http_tokens=instance.get("MetadataOptions", {}).get("HttpTokens"),
            role=next((t["Value"] for t in _tags(instance) if t["Key"] == "privnet:role"), None))
    enis = ec2.describe_network_interfaces(Filters=in_vpcs)["NetworkInterfaces"]
    for eni in enis:
        namer.add(eni["NetworkInterfaceId"], _eni_owner(eni, namer))
        add("network_interfaces", owner=namer.of(eni["NetworkInterfaceId"]), subnet=namer.of(eni["SubnetId"]),
            type=eni.get("InterfaceType", "interface"),
            groups=sorted(namer.of(g["GroupId"]) for g in eni.get("Groups", [])))
    _describe_addresses(ec2, add, namer, project, {eni["NetworkInterfaceId"] for eni in enis})


def _settled(state: str) -> str:
    """An instance still pending is as good as running for a comparison of what was built."""
    return "running" if state == "pending" else state


def _rules(permissions: list[dict[str, Any]], namer: Namer) -> list[str]:
    rules = []
    for permission in permissions:
        head = f"{permission.get('IpProtocol')}:{permission.get('FromPort', '')}-{permission.get('ToPort', '')}"
        rules += [f"{head} from {r['CidrIp']}" for r in permission.get("IpRanges", [])]
        rules += [f"{head} from group {namer.of(g['GroupId'])}" for g in permission.get("UserIdGroupPairs", [])]
        rules += [f"{head} from prefix list" for _ in permission.get("PrefixListIds", [])]
    return rules


def _eni_owner(eni: dict[str, Any], namer: Namer) -> str:
    attached = eni.get("Attachment", {}).get("InstanceId")
    if attached:
        return f"instance {namer.of(attached)}"
    kind = eni.get("InterfaceType", "interface")
    description = eni.get("Description", "")
    last_word = description.rsplit(" ", 1)[-1]
    if kind == "vpc_endpoint":
        return f"endpoint {namer.of(last_word)}"
    if kind == "nat_gateway":
        return f"nat {namer.of(last_word)}"
    if kind == "network_load_balancer" and description.count("/") >= 2:
        return f"nlb {namer.text(description.split('/')[1])}"
    return f"{kind} {namer.text(description)}"


def _describe_route_tables(ec2: Any, add: Any, namer: Namer, in_vpcs: list[dict[str, Any]]) -> None:
    prefix_lists = {p["PrefixListId"]: p["PrefixListName"] for p in ec2.describe_prefix_lists()["PrefixLists"]}
    for table in ec2.describe_route_tables(Filters=in_vpcs)["RouteTables"]:
        associations = sorted("main" if a.get("Main") else namer.of(a.get("SubnetId"))
                              for a in table.get("Associations", []))
        name = namer.text(name_tag(_tags(table)) or ("main" if "main" in associations else UNTAGGED))
        namer.add(table["RouteTableId"], name)
        add("route_tables", name=name, vpc=namer.of(table["VpcId"]), associations=associations)
        for route in table.get("Routes", []):
            destination = route.get("DestinationCidrBlock") or prefix_lists.get(
                route.get("DestinationPrefixListId", ""), route.get("DestinationPrefixListId"))
            target = next((f"{key} {namer.of(route[key]) if route[key] != 'local' else 'local'}"
                           for key in ("GatewayId", "NatGatewayId", "InstanceId", "NetworkInterfaceId",
                                       "VpcPeeringConnectionId", "TransitGatewayId") if route.get(key)), "")
            if target.startswith("GatewayId vpce-"):
                target = "endpoint"
            add("routes", table=f"{namer.of(table['VpcId'])}/{name}", destination=destination, target=target,
                state=route.get("State"))


def _describe_load_balancers(add: Any, namer: Namer, vpc_ids: list[str], account: str | None,
                             project: str) -> list[str]:
    """The load balancers and target groups in the project's VPCs or named after the project."""
    elb = client("elbv2", account)
    arns = []
    for balancer in elb.describe_load_balancers()["LoadBalancers"]:
        if balancer.get("VpcId") not in vpc_ids and not balancer["LoadBalancerName"].startswith(project):
            continue
        arns.append(balancer["LoadBalancerArn"])
        namer.add(balancer["LoadBalancerArn"], balancer["LoadBalancerName"])
        listeners = elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
        add("load_balancers", name=namer.text(balancer["LoadBalancerName"]), type=balancer["Type"],
            scheme=balancer["Scheme"], state=balancer["State"]["Code"],
            subnets=sorted(namer.of(z["SubnetId"]) for z in balancer.get("AvailabilityZones", [])),
            listeners=sorted(f"{item['Protocol']}:{item['Port']}" for item in listeners))
    for group in elb.describe_target_groups()["TargetGroups"]:
        if group.get("VpcId") not in vpc_ids and not group["TargetGroupName"].startswith(project):
            continue
        health = elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]
        add("target_groups", name=namer.text(group["TargetGroupName"]), port=group.get("Port"),
            protocol=group.get("Protocol"), targets=sorted(namer.of(t["Target"]["Id"]) for t in health))
    return arns


def _describe_endpoint_services(ec2: Any, add: Any, namer: Namer, balancers: list[str], project: str
                                ) -> dict[str, str]:
    """service name -> stable key, for the endpoint services in front of the project's load balancers or tagged
    with the project."""
    keys: dict[str, str] = {}
    for service in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]:
        tagged = any(t == {"Key": PROJECT_TAG, "Value": project} for t in _tags(service))
        if service.get("ServiceState", "").lower() in ("deleted", "deleting") or not (
                tagged or set(service.get("NetworkLoadBalancerArns", [])) & set(balancers)):
            continue
        name = namer.text(name_tag(_tags(service)) or UNTAGGED)
        keys[service["ServiceName"]] = f"service {name}"
        principals = ec2.describe_vpc_endpoint_service_permissions(ServiceId=service["ServiceId"])
        add("endpoint_services", name=name, state=service["ServiceState"],
            acceptance_required=service.get("AcceptanceRequired"),
            balancers=sorted(namer.of(arn) for arn in service.get("NetworkLoadBalancerArns", [])),
            principals=sorted(p["Principal"] for p in principals.get("AllowedPrincipals", [])))
    return keys


def _describe_endpoints(ec2: Any, add: Any, namer: Namer, in_vpcs: list[dict[str, Any]],
                        services: dict[str, str]) -> None:
    endpoints = ec2.describe_vpc_endpoints(
        Filters=in_vpcs + [{"Name": "vpc-endpoint-state", "Values": LIVE_ENDPOINT_STATES}])["VpcEndpoints"]
    for endpoint in endpoints:
        service = services.get(endpoint["ServiceName"]) or _service_key(endpoint["ServiceName"])
        namer.add(endpoint["VpcEndpointId"], f"{namer.of(endpoint['VpcId'])}/{service}")
        add("vpc_endpoints", name=namer.text(name_tag(_tags(endpoint)) or UNTAGGED), vpc=namer.of(endpoint["VpcId"]),
            service=service, type=endpoint["VpcEndpointType"], state=endpoint["State"],
            private_dns=endpoint.get("PrivateDnsEnabled", False),
            subnets=sorted(namer.of(s) for s in endpoint.get("SubnetIds", [])),
            route_tables=sorted(namer.of(t) for t in endpoint.get("RouteTableIds", [])),
            groups=sorted(namer.of(g["GroupId"]) for g in endpoint.get("Groups", [])),
            policy=_policy(endpoint.get("PolicyDocument"), namer))


def _service_key(service_name: str) -> str:
    return re.sub(r"vpce-svc-[0-9a-f]+", "<other service>", service_name)


def _describe_addresses(ec2: Any, add: Any, namer: Namer, project: str, enis: set[str]) -> None:
    for address in ec2.describe_addresses()["Addresses"]:
        tagged = any(t == {"Key": PROJECT_TAG, "Value": project} for t in _tags(address))
        if not tagged and address.get("NetworkInterfaceId") not in enis:
            continue
        add("addresses", name=namer.text(name_tag(_tags(address)) or UNTAGGED),
            attached_to=namer.of(address.get("NetworkInterfaceId")) if address.get("NetworkInterfaceId") else "")


def _describe_outside_vpcs(account: str | None, add: Any, namer: Namer, project: str) -> None:
    ec2 = client("ec2", account)
    for pair in ec2.describe_key_pairs()["KeyPairs"]:
        if pair["KeyName"].startswith(project):
            add("key_pairs", name=namer.text(pair["KeyName"]))
    iam = client("iam", account)
    for role in iam.list_roles()["Roles"]:
        if role["RoleName"].startswith(project):
            policies = sorted(iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"])
            attached = sorted(p["PolicyArn"] for p in
                              iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"])
            add("iam_roles", name=namer.text(role["RoleName"]), policies=[namer.text(p) for p in policies],
                attached=attached)
    for profile in iam.list_instance_profiles()["InstanceProfiles"]:
        if profile["InstanceProfileName"].startswith(project):
            add("instance_profiles", name=namer.text(profile["InstanceProfileName"]),
                roles=sorted(namer.text(r["RoleName"]) for r in profile.get("Roles", [])))
    for bucket in client("s3", account).list_buckets().get("Buckets", []):
        if bucket["Name"].startswith(project):
            add("buckets", name=namer.text(bucket["Name"]))
    for table in client("dynamodb", account).list_tables().get("TableNames", []):
        if table.startswith(project):
            add("tables", name=namer.text(table))
    for url in client("sqs", account).list_queues(QueueNamePrefix=project).get("QueueUrls", []):
        add("queues", name=namer.text(url.rsplit("/", 1)[-1]))


def replace_text(snap: Snapshot, aliases: dict[str, str]) -> Snapshot:
    """The snapshot with every occurrence of each alias key replaced by its value (e.g. a VPC block by a label)."""
    text = json.dumps(snap, sort_keys=True)
    for old, new in aliases.items():
        text = text.replace(old, new)
    replaced: Snapshot = json.loads(text)
    for items in replaced.values():
        items.sort(key=lambda item: json.dumps(item, sort_keys=True))
    return replaced


def identity(kind: str, item: dict[str, Any]) -> str:
    return "/".join(json.dumps(item.get(field), sort_keys=True) if not isinstance(item.get(field), str)
                    else item[field] for field in IDENTITY[kind])


def duplicates(snap: Snapshot) -> dict[str, int]:
    """`type:identity` -> count for every identity (Name, or natural key for unnamed kinds) held more than once."""
    found: dict[str, int] = {}
    for kind, items in snap.items():
        counts = Counter(identity(kind, item) for item in items)
        found.update({f"{kind}:{key}": count for key, count in counts.items() if count > 1})
    return found


def summary(snap: Snapshot) -> dict[str, int]:
    return {kind: len(items) for kind, items in snap.items() if items}


def differences(expected: Snapshot, actual: Snapshot) -> list[str]:
    """Lines naming what one snapshot has and the other lacks (empty: the same state)."""
    lines = []
    for kind in sorted(set(expected) | set(actual)):
        want = Counter(json.dumps(item, sort_keys=True) for item in expected.get(kind, []))
        got = Counter(json.dumps(item, sort_keys=True) for item in actual.get(kind, []))
        lines += [f"missing {kind}: {item}" for item in sorted((want - got).elements())]
        lines += [f"extra   {kind}: {item}" for item in sorted((got - want).elements())]
    return lines
