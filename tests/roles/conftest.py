"""Fixtures for the role tests: they run ansible-playbook against the lab the environment points at.

`make test` runs this stage under `awslab exec --`, which exports AWS_ENDPOINT_URL and the lab's credentials.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"


@dataclass(frozen=True)
class PlaybookRun:
    returncode: int
    output: str

    @property
    def failure_text(self) -> str:
        """The output from the first failure on (where the role's message is)."""
        starts = [i for i in (self.output.find("[ERROR]"), self.output.find("fatal:")) if i >= 0]
        return self.output[min(starts):] if starts else ""


class Lab:
    """The lab the environment points at: journal marks and mutating-call counts."""

    def mark(self) -> int:
        out = subprocess.run([str(VENV_BIN / "awslab"), "mark"], capture_output=True, text=True, check=True)
        return int(out.stdout.strip())

    def mutating_calls_since(self, mark: int) -> dict[str, int]:
        out = subprocess.run(
            [str(VENV_BIN / "awslab"), "journal", "--json", "--since", str(mark)],
            capture_output=True, text=True, check=True,
        )
        calls: dict[str, int] = {}
        for line in out.stdout.splitlines():
            entry = json.loads(line)
            if entry["mutating"]:
                key = f"{entry['service']}:{entry['action']}"
                calls[key] = calls.get(key, 0) + 1
        return calls


@pytest.fixture(scope="session")
def lab() -> Lab:
    if not os.environ.get("AWS_ENDPOINT_URL"):
        pytest.fail("AWS_ENDPOINT_URL is not set: run these tests under `awslab exec --` (make test does)")
    return Lab()


@pytest.fixture(scope="session")
def ec2():  # type: ignore[no-untyped-def]
    return boto3.client("ec2", region_name=os.environ.get("AWS_DEFAULT_REGION", "ap-northeast-1"))


@pytest.fixture()
def run_playbook(tmp_path: Path) -> Iterator:
    """Run a playbook from the repo root with extra vars (JSON), private keys kept in a temporary directory."""

    def run(playbook: str, extra_vars: dict) -> PlaybookRun:
        vars_file = tmp_path / "extra_vars.json"
        vars_file.write_text(json.dumps(extra_vars))
        env = dict(os.environ)
        env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / "build" / "collections"))
        env["PRIVNET_SSH_DIR"] = str(tmp_path / "ssh")
        env["ANSIBLE_NOCOLOR"] = "1"
        process = subprocess.run(
            [str(VENV_BIN / "ansible-playbook"), playbook, "-e", f"@{vars_file}"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )
        return PlaybookRun(process.returncode, process.stdout + process.stderr)

    yield run


# (describe call, result key, id key, extra filters) per EC2 resource type the base roles create, and neighbours.
# Each type is described on its own: the lab (moto) keeps tags of deleted resources in DescribeTags.
RESOURCE_TYPES = [
    ("describe_vpcs", "Vpcs", "VpcId", []),
    ("describe_subnets", "Subnets", "SubnetId", []),
    ("describe_route_tables", "RouteTables", "RouteTableId", []),
    ("describe_internet_gateways", "InternetGateways", "InternetGatewayId", []),
    ("describe_nat_gateways", "NatGateways", "NatGatewayId",
     [{"Name": "state", "Values": ["pending", "available", "deleting", "failed"]}]),
    ("describe_vpc_endpoints", "VpcEndpoints", "VpcEndpointId",
     [{"Name": "vpc-endpoint-state", "Values": ["pendingAcceptance", "pending", "available", "deleting", "failed"]}]),
    ("describe_security_groups", "SecurityGroups", "GroupId", []),
    ("describe_key_pairs", "KeyPairs", "KeyName", []),
    ("describe_addresses", "Addresses", "AllocationId", []),
    ("describe_network_interfaces", "NetworkInterfaces", "NetworkInterfaceId", []),
    ("describe_volumes", "Volumes", "VolumeId", []),
]


@pytest.fixture(scope="session")
def tagged_resources(ec2):  # type: ignore[no-untyped-def]
    """List every live resource carrying a project's tag, type by type (plus the project's IAM roles by name)."""

    def list_for(project: str) -> list[str]:
        project_filter = [{"Name": "tag:privnet:project", "Values": [project]}]
        found = []
        for call, key, id_key, extra in RESOURCE_TYPES:
            for item in getattr(ec2, call)(Filters=project_filter + extra)[key]:
                found.append(f"{call.removeprefix('describe_')}:{item[id_key]}")
        reservations = ec2.describe_instances(Filters=project_filter + [
            {"Name": "instance-state-name", "Values": ["pending", "running", "shutting-down", "stopping", "stopped"]}
        ])["Reservations"]
        found += [f"instances:{i['InstanceId']}" for r in reservations for i in r["Instances"]]
        iam = boto3.client("iam", region_name=ec2.meta.region_name)
        found += [f"iam_role:{r['RoleName']}" for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(project)]
        profiles = iam.list_instance_profiles()["InstanceProfiles"]
        found += [f"instance_profile:{p['InstanceProfileName']}" for p in profiles
                  if p["InstanceProfileName"].startswith(project)]
        return sorted(found)

    return list_for
