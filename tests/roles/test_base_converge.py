"""Converge playbooks/base.yml (AWS side only) against the lab, then check posture, secrets, idempotence, teardown.

The SSH side (aws_cli and connectivity_check through the bastion) is covered by molecule/base.
The tests of this module share one converge and run in file order; the last two tear it down.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
PROJECT = "roles-posture"
ADMIN_CIDR = "198.19.128.1/32"
POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": "*"}]}
EXTRA_VARS = {"base_project": PROJECT, "base_admin_cidrs": [ADMIN_CIDR], "base_private_instance_policy": POLICY,
              "base_configure_private_hosts": False}
RECAP = re.compile(r"^localhost\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0", re.M)
Runner = Callable[..., tuple[int, str]]


def changed_count(output: str) -> int:
    match = RECAP.search(output)
    assert match, f"no successful PLAY RECAP:\n{output[-3000:]}"
    return int(match.group(1))


@pytest.fixture(scope="module")
def ssh_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ssh")


@pytest.fixture(scope="module")
def run(lab, ssh_dir: Path) -> Runner:  # type: ignore[no-untyped-def]
    def run_playbook(playbook: str, *args: str) -> tuple[int, str]:
        env = dict(os.environ, PRIVNET_SSH_DIR=str(ssh_dir), ANSIBLE_NOCOLOR="1")
        env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / "build" / "collections"))
        process = subprocess.run(
            [str(VENV_BIN / "ansible-playbook"), playbook, "-e", json.dumps(EXTRA_VARS), *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200,
        )
        return process.returncode, process.stdout + process.stderr

    return run_playbook


@pytest.fixture(scope="module")
def converge_output(run: Runner) -> str:
    code, output = run("playbooks/base.yml", "-vvv")
    assert code == 0, output[-4000:]
    return output


def project_instances(ec2) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    pages = ec2.get_paginator("describe_instances").paginate(Filters=[
        {"Name": "tag:privnet:project", "Values": [PROJECT]}, {"Name": "instance-state-name", "Values": ["running"]}])
    instances = [i for page in pages for r in page["Reservations"] for i in r["Instances"]]
    return {next(t["Value"] for t in i["Tags"] if t["Key"] == "Name"): i for i in instances}


def test_private_key_saved_0600_and_never_printed(converge_output: str, ssh_dir: Path) -> None:
    key_file = ssh_dir / f"{PROJECT}-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_lines = [line for line in key_file.read_text().splitlines() if line and not line.startswith("-----")]
    assert key_lines, "the saved key file is empty"
    assert "PRIVATE KEY" not in converge_output
    assert not any(line in converge_output for line in key_lines)


def test_instances_posture(converge_output: str, ec2) -> None:  # type: ignore[no-untyped-def]
    instances = project_instances(ec2)
    assert sorted(instances) == [f"{PROJECT}-bastion", f"{PROJECT}-private-1"]
    for name, instance in instances.items():
        assert instance["MetadataOptions"]["HttpTokens"] == "required", name
        assert instance["MetadataOptions"]["HttpPutResponseHopLimit"] == 1, name
        volume_ids = [m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]]
        volumes = ec2.describe_volumes(VolumeIds=volume_ids)["Volumes"]
        assert volumes and all(v["Encrypted"] for v in volumes), name
    assert instances[f"{PROJECT}-bastion"].get("PublicIpAddress")
    assert not instances[f"{PROJECT}-private-1"].get("PublicIpAddress")
    assert "IamInstanceProfile" in instances[f"{PROJECT}-private-1"]


def test_security_groups_allow_ssh_only_as_intended(converge_output: str, ec2) -> None:  # type: ignore[no-untyped-def]
    groups = {g["GroupName"]: g for g in ec2.describe_security_groups(
        Filters=[{"Name": "tag:privnet:project", "Values": [PROJECT]}])["SecurityGroups"]}
    bastion, private = groups[f"{PROJECT}-bastion"], groups[f"{PROJECT}-private"]
    assert [(p["IpProtocol"], p["FromPort"], p["ToPort"], [r["CidrIp"] for r in p["IpRanges"]], p["UserIdGroupPairs"])
            for p in bastion["IpPermissions"]] == [("tcp", 22, 22, [ADMIN_CIDR], [])]
    assert [(p["IpProtocol"], p["FromPort"], [g["GroupId"] for g in p["UserIdGroupPairs"]], p["IpRanges"])
            for p in private["IpPermissions"]] == [("tcp", 22, [bastion["GroupId"]], [])]
    vpc_id = bastion["VpcId"]
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                    {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    assert default[0]["IpPermissions"] == [] and default[0]["IpPermissionsEgress"] == []


def test_private_subnets_have_no_internet_route(converge_output: str, ec2) -> None:  # type: ignore[no-untyped-def]
    tables = ec2.describe_route_tables(Filters=[{"Name": "tag:privnet:project", "Values": [PROJECT]},
                                                {"Name": "tag:privnet:tier", "Values": ["private"]}])["RouteTables"]
    assert len(tables) == 2
    for table in tables:
        assert [r.get("DestinationCidrBlock") for r in table["Routes"]] == ["10.0.0.0/16"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "tag:privnet:project", "Values": [PROJECT]}])["Subnets"]
    assert len(subnets) == 4 and not any(s["MapPublicIpOnLaunch"] for s in subnets)


def test_instance_role_has_only_the_given_policy(converge_output: str) -> None:
    iam = boto3.client("iam", region_name="ap-northeast-1")
    role = f"{PROJECT}-private"
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == [role]
    document = iam.get_role_policy(RoleName=role, PolicyName=role)["PolicyDocument"]
    assert (json.loads(document) if isinstance(document, str) else document) == POLICY
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    profile = iam.get_instance_profile(InstanceProfileName=role)["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == [role]


def test_second_converge_changes_nothing(converge_output: str, run: Runner, lab) -> None:  # type: ignore[no-untyped-def]
    mark = lab.mark()
    code, output = run("playbooks/base.yml")
    assert code == 0, output[-4000:]
    assert changed_count(output) == 0
    assert lab.mutating_calls_since(mark) == {}


def test_teardown_leaves_nothing_tagged(converge_output: str, run: Runner, tagged_resources, ssh_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code, output = run("playbooks/base_teardown.yml")
    assert code == 0, output[-4000:]
    assert tagged_resources(PROJECT) == []
    assert not (ssh_dir / f"{PROJECT}-key.pem").exists()


def test_teardown_again_changes_nothing(converge_output: str, run: Runner, lab) -> None:  # type: ignore[no-untyped-def]
    mark = lab.mark()
    code, output = run("playbooks/base_teardown.yml")
    assert code == 0, output[-4000:]
    assert changed_count(output) == 0
    assert lab.mutating_calls_since(mark) == {}
