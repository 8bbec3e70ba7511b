"""boto3-only builders for the data-plane tests (no Ansible): VPCs, subnets, bastion, private hosts, SSH."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AMI = "ami-12c6146b"  # any image id moto knows; the lab "AMI" is the host filesystem


@dataclass
class Vpc:
    vpc_id: str
    public_subnet: str
    private_subnet: str
    public_rt: str
    private_rt: str
    igw: str | None
    sg_bastion: str
    sg_private: str
    extra: dict[str, str] = field(default_factory=dict)


def make_vpc(ec2: Any, cidr: str = "10.0.0.0/16", with_igw: bool = True) -> Vpc:
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    base = cidr.split(".")
    public = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"{base[0]}.{base[1]}.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"{base[0]}.{base[1]}.2.0/24")["Subnet"]["SubnetId"]
    public_rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    private_rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=private)
    igw = None
    if with_igw:
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
        ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    sg_bastion = ec2.create_security_group(GroupName=f"bastion-{vpc_id}", Description="bastion", VpcId=vpc_id)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=sg_bastion,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    sg_private = ec2.create_security_group(GroupName=f"private-{vpc_id}", Description="private", VpcId=vpc_id)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=sg_private,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [{"GroupId": sg_bastion}]}
        ],
    )
    return Vpc(vpc_id, public, private, public_rt, private_rt, igw, sg_bastion, sg_private)


def run_instance(
    ec2: Any,
    subnet: str,
    groups: list[str],
    key_name: str,
    public: bool = False,
    user_data: str = "",
    profile: str | None = None,
    http_tokens: str = "required",
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "ImageId": AMI,
        "InstanceType": "t3.micro",
        "MinCount": 1,
        "MaxCount": 1,
        "KeyName": key_name,
        "NetworkInterfaces": [
            {"DeviceIndex": 0, "SubnetId": subnet, "Groups": groups, "AssociatePublicIpAddress": public}
        ],
        "MetadataOptions": {"HttpTokens": http_tokens, "HttpEndpoint": "enabled"},
    }
    if user_data:
        kwargs["UserData"] = user_data  # boto3 base64-encodes it, as for AWS
    if profile:
        kwargs["IamInstanceProfile"] = {"Name": profile}
    instance_id = ec2.run_instances(**kwargs)["Instances"][0]["InstanceId"]
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def key_pair(ec2: Any, directory: Path, name: str = "lab-key") -> tuple[str, Path]:
    material = ec2.create_key_pair(KeyName=name)["KeyMaterial"]
    path = directory / f"{name}.pem"
    path.write_text(material)
    path.chmod(0o600)
    return name, path


# Every test lab re-uses the same private addresses with fresh host keys, so no key is remembered (known_hosts is
# /dev/null) and each connection is a first contact.
SSH_OPTIONS = [
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=5",
    "-o",
    "LogLevel=ERROR",
]


def ssh_command(key: Path, host: str, command: str, jump: str | None = None) -> list[str]:
    cmd = ["ssh", *SSH_OPTIONS, "-i", str(key)]
    if jump:
        proxy = " ".join(["ssh", *SSH_OPTIONS, "-i", str(key), "-W", "%h:%p", f"ec2-user@{jump}"])
        cmd += ["-o", f"ProxyCommand={proxy}"]
    return [*cmd, f"ec2-user@{host}", command]


def ssh(
    key: Path, host: str, command: str, jump: str | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ssh_command(key, host, command, jump), capture_output=True, text=True, timeout=timeout, check=False
    )


def wait_ssh(key: Path, host: str, jump: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    deadline = time.monotonic() + timeout
    while True:
        result = ssh(key, host, "true", jump)
        if result.returncode == 0 or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def instance_role(iam: Any, name: str, policy_arn: str | None) -> str:
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
        '"Action":"sts:AssumeRole"}]}'
    )
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    if policy_arn:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return name


def wait_endpoint(ec2: Any, endpoint_id: str, state: str = "available", timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        endpoint = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
        if endpoint["State"] == state or time.monotonic() > deadline:
            return endpoint
        time.sleep(0.1)


def private_host(
    lab: Any, tmp: Path, name: str, profile: str | None = None, account: str = "111111111111"
) -> tuple[Vpc, Path, str, str]:
    """A VPC with a bastion and a private instance (optionally with an instance profile), both reachable by SSH."""
    ec2 = lab.client("ec2", account)
    vpc = make_vpc(ec2)
    key_name, key = key_pair(ec2, tmp, name)
    bastion = run_instance(ec2, vpc.public_subnet, [vpc.sg_bastion], key_name, public=True)
    private = run_instance(ec2, vpc.private_subnet, [vpc.sg_private], key_name, profile=profile)
    lab.converge()
    result = wait_ssh(key, private["PrivateIpAddress"], jump=bastion["PublicIpAddress"])
    assert result.returncode == 0, result.stderr
    return vpc, key, bastion["PublicIpAddress"], private["PrivateIpAddress"]


def wait_running(ec2: Any, instance_id: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        state = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]
        if state == "running" or time.monotonic() > deadline:
            return state
        time.sleep(0.1)
