"""What a scenario left in the lab, counted after the measured runs: the managed resources, and from them the
minimum number of mutating calls that build them (one create per resource with its tags in the create call, plus
one call per relation AWS cannot set at creation: route table association, route, gateway attachment, rule set,
VPC DNS attribute, inline policy, role in profile, target registration, connection acceptance)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .lab import Lab

# (resource kind, describe command, answer key) of the tagged EC2 resources; DescribeTags is not used: the lab (moto)
# keeps the tags of deleted resources.
EC2_KINDS: list[tuple[str, list[str], str]] = [
    ("ec2:vpc", ["describe-vpcs"], "Vpcs"),
    ("ec2:subnet", ["describe-subnets"], "Subnets"),
    ("ec2:route-table", ["describe-route-tables"], "RouteTables"),
    ("ec2:internet-gateway", ["describe-internet-gateways"], "InternetGateways"),
    ("ec2:security-group", ["describe-security-groups"], "SecurityGroups"),
    ("ec2:key-pair", ["describe-key-pairs"], "KeyPairs"),
    ("ec2:vpc-endpoint", ["describe-vpc-endpoints"], "VpcEndpoints"),
]
GONE_STATES = {"deleting", "deleted", "Deleting", "Deleted", "terminated", "shutting-down", "failed"}


def project_inventory(lab: Lab, project: str) -> dict[str, Any]:
    resources: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    tag_filter = f"Name=tag:privnet:project,Values={project}"
    vpc_ids: list[str] = []
    for kind, command, key in EC2_KINDS:
        items = [item for item in lab.aws_json("ec2", *command, "--filters", tag_filter)[key]
                 if item.get("State") not in GONE_STATES and item.get("GroupName") != "default"]
        resources[kind] += len(items)
        if kind == "ec2:vpc":
            vpc_ids = [item["VpcId"] for item in items]
        if kind == "ec2:internet-gateway":
            relations["igw attachment"] += sum(len(item.get("Attachments", [])) for item in items)
    reservations = lab.aws_json("ec2", "describe-instances", "--filters", tag_filter)["Reservations"]
    resources["ec2:instance"] += sum(1 for r in reservations for i in r["Instances"]
                                     if i["State"]["Name"] not in GONE_STATES)
    for vpc_id in vpc_ids:
        _count_vpc_relations(lab, vpc_id, relations)
    _count_iam(lab, project, resources, relations)
    _count_other_services(lab, project, resources, relations)
    managed = sum(resources.values())
    return {"managed_resources": managed, "minimum_mutating": managed + sum(relations.values()),
            "resources": {k: v for k, v in sorted(resources.items()) if v},
            "relations": {k: v for k, v in sorted(relations.items()) if v}}


def _count_vpc_relations(lab: Lab, vpc_id: str, relations: Counter[str]) -> None:
    vpc_filter = f"Name=vpc-id,Values={vpc_id}"
    hostnames = lab.aws_json("ec2", "describe-vpc-attribute", "--vpc-id", vpc_id, "--attribute", "enableDnsHostnames")
    if hostnames["EnableDnsHostnames"]["Value"]:
        relations["vpc dns attribute"] += 1
    for table in lab.aws_json("ec2", "describe-route-tables", "--filters", vpc_filter)["RouteTables"]:
        relations["route table association"] += sum(1 for a in table.get("Associations", []) if not a.get("Main"))
        relations["route"] += sum(1 for r in table.get("Routes", []) if r.get("Origin") == "CreateRoute"
                                  and "DestinationPrefixListId" not in r)
    for group in lab.aws_json("ec2", "describe-security-groups", "--filters", vpc_filter)["SecurityGroups"]:
        if group["GroupName"] == "default":
            relations["default group emptied"] += (not group["IpPermissions"]) + (not group["IpPermissionsEgress"])
            continue
        relations["ingress rule set"] += bool(group["IpPermissions"])
        relations["egress emptied"] += not group["IpPermissionsEgress"]


def _count_iam(lab: Lab, project: str, resources: Counter[str], relations: Counter[str]) -> None:
    for role in lab.aws_json("iam", "list-roles")["Roles"]:
        if not role["RoleName"].startswith(project):
            continue
        resources["iam:role"] += 1
        relations["inline policy"] += len(lab.aws_json("iam", "list-role-policies", "--role-name",
                                                       role["RoleName"])["PolicyNames"])
        profiles = lab.aws_json("iam", "list-instance-profiles-for-role", "--role-name", role["RoleName"])
        resources["iam:instance-profile"] += len(profiles["InstanceProfiles"])
        relations["role in profile"] += len(profiles["InstanceProfiles"])


def _count_other_services(lab: Lab, project: str, resources: Counter[str], relations: Counter[str]) -> None:
    queues = lab.aws_json("sqs", "list-queues", "--queue-name-prefix", project) or {}
    resources["sqs:queue"] += len(queues.get("QueueUrls", []))
    for bucket in lab.aws_json("s3api", "list-buckets")["Buckets"]:
        if bucket["Name"].startswith(project):
            resources["s3:bucket"] += 1
            objects = lab.aws_json("s3api", "list-objects-v2", "--bucket", bucket["Name"]) or {}
            resources["s3:object"] += len(objects.get("Contents", []))
    tables = lab.aws_json("dynamodb", "list-tables")["TableNames"]
    resources["dynamodb:table"] += sum(1 for name in tables if name.startswith(project))
    balancers = lab.aws_json("elbv2", "describe-load-balancers")["LoadBalancers"]
    for balancer in balancers:
        if balancer["LoadBalancerName"].startswith(project[:20]):
            resources["elbv2:load-balancer"] += 1
            listeners = lab.aws_json("elbv2", "describe-listeners", "--load-balancer-arn", balancer["LoadBalancerArn"])
            resources["elbv2:listener"] += len(listeners["Listeners"])
    for group in lab.aws_json("elbv2", "describe-target-groups")["TargetGroups"]:
        if group["TargetGroupName"].startswith(project[:20]):
            resources["elbv2:target-group"] += 1
            health = lab.aws_json("elbv2", "describe-target-health", "--target-group-arn", group["TargetGroupArn"])
            relations["target registration"] += len(health["TargetHealthDescriptions"])
    services = lab.aws_json("ec2", "describe-vpc-endpoint-service-configurations")["ServiceConfigurations"]
    for service in services:
        tags = {t["Key"]: t["Value"] for t in service.get("Tags", [])}
        if tags.get("privnet:project") == project:
            resources["ec2:vpc-endpoint-service"] += 1
            connections = lab.aws_json("ec2", "describe-vpc-endpoint-connections", "--filters",
                                       f"Name=service-id,Values={service['ServiceId']}")["VpcEndpointConnections"]
            relations["connection accepted"] += sum(1 for c in connections if c.get("VpcEndpointState") == "available")
