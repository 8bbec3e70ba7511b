"""Lists the live resources that carry a project's tag, type by type and account by account, to find leftovers and
duplicates. Each type is described on its own: the lab (moto) keeps tags of deleted resources in DescribeTags."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import boto3

PROJECT_TAG = "privnet:project"
LIVE_ENDPOINT_STATES = ["pendingAcceptance", "pending", "available", "deleting", "failed"]
LIVE_INSTANCE_STATES = ["pending", "running", "shutting-down", "stopping", "stopped"]

# (describe call, result key, id key, extra filters)
EC2_TYPES: list[tuple[str, str, str, list[dict[str, Any]]]] = [
    ("describe_vpcs", "Vpcs", "VpcId", []),
    ("describe_subnets", "Subnets", "SubnetId", []),
    ("describe_route_tables", "RouteTables", "RouteTableId", []),
    ("describe_internet_gateways", "InternetGateways", "InternetGatewayId", []),
    ("describe_nat_gateways", "NatGateways", "NatGatewayId",
     [{"Name": "state", "Values": ["pending", "available", "deleting", "failed"]}]),
    ("describe_vpc_endpoints", "VpcEndpoints", "VpcEndpointId",
     [{"Name": "vpc-endpoint-state", "Values": LIVE_ENDPOINT_STATES}]),
    ("describe_vpc_endpoint_service_configurations", "ServiceConfigurations", "ServiceId", []),
    ("describe_security_groups", "SecurityGroups", "GroupId", []),
    ("describe_key_pairs", "KeyPairs", "KeyName", []),
    ("describe_addresses", "Addresses", "AllocationId", []),
    ("describe_network_interfaces", "NetworkInterfaces", "NetworkInterfaceId", []),
    ("describe_volumes", "Volumes", "VolumeId", []),
]


def client(service: str, account: str | None = None) -> Any:
    """A client for the lab account `account` (the lab maps a 12-digit access key id to that account)."""
    region = os.environ.get("AWS_DEFAULT_REGION", "ap-northeast-1")
    if account is None:
        return boto3.client(service, region_name=region)
    return boto3.client(service, region_name=region, aws_access_key_id=account, aws_secret_access_key="lab")


def tagged_resources(project: str, account: str | None = None) -> list[str]:
    """`type:id` of every live resource tagged with the project (plus its IAM roles and profiles by name prefix)."""
    ec2 = client("ec2", account)
    project_filter = [{"Name": f"tag:{PROJECT_TAG}", "Values": [project]}]
    found = []
    for call, key, id_key, extra in EC2_TYPES:
        for item in getattr(ec2, call)(Filters=project_filter + extra)[key]:
            found.append(f"{call.removeprefix('describe_')}:{item[id_key]}")
    reservations = ec2.describe_instances(
        Filters=project_filter + [{"Name": "instance-state-name", "Values": LIVE_INSTANCE_STATES}])["Reservations"]
    found += [f"instances:{i['InstanceId']}" for r in reservations for i in r["Instances"]]
    iam = client("iam", account)
    found += [f"iam_role:{r['RoleName']}" for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(project)]
    found += [f"instance_profile:{p['InstanceProfileName']}"
              for p in iam.list_instance_profiles()["InstanceProfiles"]
              if p["InstanceProfileName"].startswith(project)]
    return sorted(found)


def name_tag(tags: list[dict[str, str]] | None) -> str | None:
    return next((t["Value"] for t in tags or [] if t["Key"] == "Name"), None)


def duplicates(project: str, account: str | None = None) -> dict[str, int]:
    """`type:Name` -> count, for every Name tag that more than one live resource of a type carries."""
    ec2 = client("ec2", account)
    project_filter = [{"Name": f"tag:{PROJECT_TAG}", "Values": [project]}]
    names: Counter[str] = Counter()
    for call, key, _id_key, extra in EC2_TYPES:
        for item in getattr(ec2, call)(Filters=project_filter + extra)[key]:
            name = name_tag(item.get("Tags"))
            if name:
                names[f"{call.removeprefix('describe_')}:{name}"] += 1
    reservations = ec2.describe_instances(
        Filters=project_filter + [{"Name": "instance-state-name", "Values": LIVE_INSTANCE_STATES}])["Reservations"]
    for r in reservations:
        for i in r["Instances"]:
            name = name_tag(i.get("Tags"))
            if name:
                names[f"instances:{name}"] += 1
    return {key: count for key, count in names.items() if count > 1}
