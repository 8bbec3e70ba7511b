"""The real `awslab` command: a detached daemon in a temporary AWSLAB_HOME on a free port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from awslab.controlplane.lifecycle import process_alive

from .helpers import wait_for

AWSLAB = [sys.executable, "-m", "awslab.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cli:
    def __init__(self, home: Path, port: int) -> None:
        self.home = home
        self.port = port
        self.env = {**os.environ, "AWSLAB_HOME": str(home)}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*AWSLAB, *args], env=self.env, capture_output=True, text=True, timeout=120,
                              check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"awslab {' '.join(args)} -> {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done

    def up(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--no-network", "--port", str(self.port), *extra)

    def pid(self) -> int:
        return int((self.home / "awslab.pid").read_text())


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "awslab", free_port())
    yield runner
    runner.run("down", check=False)


def test_up_exec_down_leaves_nothing_behind(cli: Cli) -> None:
    cli.up()
    pid = cli.pid()
    identity = json.loads(cli.run("exec", "--", "aws", "sts", "get-caller-identity").stdout)
    assert identity["Account"] == "111111111111"
    other = json.loads(cli.run("exec", "--account", "222222222222", "--", "aws", "sts",
                               "get-caller-identity").stdout)
    assert other["Account"] == "222222222222"
    assert cli.run("status").returncode == 0
    assert cli.run("down").stdout.strip() == "awslab down: stopped"
    assert not process_alive(pid)
    assert not cli.home.exists()
    assert cli.run("status", check=False).returncode == 3


def test_env_prints_exports_for_the_control_node(cli: Cli) -> None:
    cli.up()
    exports = cli.run("env", "--account", "222222222222").stdout
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{cli.port}" in exports
    assert "export AWS_ACCESS_KEY_ID=222222222222" in exports
    assert "export AWS_DEFAULT_REGION=ap-northeast-1" in exports


def test_up_reuses_a_running_lab_and_refuses_other_options(cli: Cli) -> None:
    cli.up()
    pid = cli.pid()
    cli.up()
    assert cli.pid() == pid
    refused = cli.run("up", "--no-network", "--port", str(cli.port), "--throttle", "aws", check=False)
    assert refused.returncode == 1
    assert "already up" in refused.stderr


def test_up_after_a_crash_cleans_and_starts_again(cli: Cli) -> None:
    cli.up()
    crashed = cli.pid()
    os.kill(crashed, signal.SIGKILL)
    wait_for(lambda: process_alive(crashed), lambda alive: not alive)
    assert cli.run("status", check=False).returncode == 3
    cli.up()
    assert cli.pid() != crashed
    assert ec2_client(cli).describe_vpcs()["Vpcs"]


def ec2_client(cli: Cli) -> Any:
    return boto3.client("ec2", endpoint_url=f"http://127.0.0.1:{cli.port}", region_name="ap-northeast-1",
                        aws_access_key_id="111111111111", aws_secret_access_key="secret")


def test_journal_summary_mark_since_and_reset(cli: Cli) -> None:
    cli.up()
    ec2 = ec2_client(cli)
    ec2.create_vpc(CidrBlock="10.80.0.0/16")
    mark = int(cli.run("mark").stdout)
    assert mark == 1
    ec2.describe_vpcs()
    ec2.describe_vpcs()
    summary = json.loads(cli.run("journal", "--summary", "--json").stdout)
    assert summary["by_kind"] == {"mutating": 1, "read": 2}
    assert summary["by_action"] == {"ec2:CreateVpc": 1, "ec2:DescribeVpcs": 2}
    text = cli.run("journal", "--summary").stdout
    assert "ec2:DescribeVpcs" in text and "mutating 1" in text
    since = [json.loads(line) for line in cli.run("journal", "--json", "--since", str(mark)).stdout.splitlines()]
    assert [entry["action"] for entry in since] == ["DescribeVpcs", "DescribeVpcs"]
    assert cli.run("reset").returncode == 0
    assert "10.80.0.0/16" not in [vpc["CidrBlock"] for vpc in ec2.describe_vpcs()["Vpcs"]]


def test_throttle_aws_daemon_limits_a_burst_of_create_vpc_endpoint(cli: Cli) -> None:
    cli.up("--throttle", "aws", "--time-scale", "0.01")
    status = json.loads(cli.run("status", "--json").stdout)
    assert status["health"]["throttle"] == "aws"
    assert status["health"]["time_scale"] == 0.01
    ec2 = boto3.client("ec2", endpoint_url=f"http://127.0.0.1:{cli.port}", region_name="ap-northeast-1",
                       aws_access_key_id="111111111111", aws_secret_access_key="secret",
                       config=Config(retries={"total_max_attempts": 1}))
    vpc_id = ec2.create_vpc(CidrBlock="10.81.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.81.1.0/24")["Subnet"]["SubnetId"]
    outcomes = []
    for _ in range(6):
        try:
            ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName="com.amazonaws.ap-northeast-1.sqs",
                                    VpcEndpointType="Interface", SubnetIds=[subnet_id], PrivateDnsEnabled=False)
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    assert outcomes[:5] == ["ok"] * 4 + ["RequestLimitExceeded"]
    summary = json.loads(cli.run("journal", "--summary", "--json").stdout)
    assert summary["errors"]["RequestLimitExceeded"] == outcomes.count("RequestLimitExceeded")
    bad = cli.run("up", "--no-network", "--port", str(cli.port), "--faults", "nonsense=1", check=False)
    assert bad.returncode == 1
