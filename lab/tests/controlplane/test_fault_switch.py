"""The runtime fault switch: `awslab faults SPEC|off|` on a running lab, and the file the daemon follows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from awslab.controlplane.faultswitch import faults_file, write_fault_spec

from .helpers import Lab
from .test_cli import Cli, free_port


@pytest.fixture
def switched(lab: Lab, tmp_path: Path) -> Iterator[tuple[Lab, Path]]:
    path = faults_file(tmp_path)
    lab.server.watch_faults(path)
    yield lab, path
    lab.server.watch_faults(None)


def describe_outcomes(ec2: Any, count: int) -> list[str | None]:
    outcomes: list[str | None] = []
    for _ in range(count):
        try:
            ec2.describe_vpcs()
            outcomes.append(None)
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    return outcomes


def test_a_written_spec_applies_to_the_next_request_and_off_ends_it(switched: tuple[Lab, Path]) -> None:
    lab, path = switched
    ec2 = lab.client("ec2")
    assert describe_outcomes(ec2, 3) == [None, None, None]
    write_fault_spec(path, "throttle=1.0,burst=100,max=4,services=ec2")
    assert describe_outcomes(ec2, 5) == ["RequestLimitExceeded"] * 4 + [None]
    assert [entry.injected for entry in lab.journal() if entry.injected] == ["throttle"] * 4
    assert lab.server.faults_injected() == 4
    write_fault_spec(path, "throttle=1.0,burst=100,services=ec2")
    assert describe_outcomes(ec2, 2) == ["RequestLimitExceeded"] * 2
    write_fault_spec(path, "")
    assert describe_outcomes(ec2, 3) == [None, None, None]
    assert lab.server.config.faults == ""


def test_removing_the_file_restores_the_spec_the_lab_started_with(switched: tuple[Lab, Path]) -> None:
    lab, path = switched
    write_fault_spec(path, "5xx=1.0,burst=100,services=ec2")
    assert describe_outcomes(lab.client("ec2"), 2) in [[first, second] for first in ("InternalError", "Unavailable")
                                                       for second in ("InternalError", "Unavailable")]
    path.unlink()
    assert describe_outcomes(lab.client("ec2"), 2) == [None, None]
    assert lab.server.config.faults == ""


def test_a_bad_spec_is_refused_before_it_is_written(switched: tuple[Lab, Path]) -> None:
    lab, path = switched
    with pytest.raises(ValueError):
        write_fault_spec(path, "throttle=2")
    assert not path.exists()
    path.write_text("bogus=1\n")  # written by hand: the server keeps what it had
    assert describe_outcomes(lab.client("ec2"), 2) == [None, None]


def test_switching_faults_keeps_the_throttling_buckets(switched: tuple[Lab, Path]) -> None:
    lab, path = switched
    lab.configure(throttle="aws")
    throttle_gates = [gate for gate in lab.server.gates if type(gate).__name__ == "ThrottleGate"]
    write_fault_spec(path, "throttle=0.5,seed=3,services=ec2")
    lab.client("sts").get_caller_identity()  # any request applies the switch
    assert [gate for gate in lab.server.gates if type(gate).__name__ == "ThrottleGate"] == throttle_gates
    assert type(lab.server.gates[0]).__name__ == "FaultGate"


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "awslab", free_port())
    yield runner
    runner.run("down", check=False)


def lab_ec2(cli: Cli) -> Any:
    return boto3.client("ec2", endpoint_url=f"http://127.0.0.1:{cli.port}", region_name="ap-northeast-1",
                        aws_access_key_id="111111111111", aws_secret_access_key="secret",
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


def test_cli_switches_faults_on_and_off_on_a_running_daemon(cli: Cli) -> None:
    cli.up()
    assert cli.run("faults").stdout.strip() == "faults none (injected so far 0)"
    shown = cli.run("faults", "throttle=1.0,burst=100,max=3,services=ec2").stdout
    assert shown.startswith("faults throttle=1.0,burst=100,max=3,services=ec2")
    ec2 = lab_ec2(cli)
    assert describe_outcomes(ec2, 4) == ["RequestLimitExceeded"] * 3 + [None]
    status = json.loads(cli.run("status", "--json").stdout)
    assert status["health"]["faults"] == "throttle=1.0,burst=100,max=3,services=ec2"
    assert status["health"]["faults_injected"] == 3
    assert "injected so far 3" in cli.run("faults").stdout
    journal = [json.loads(line) for line in cli.run("journal", "--json").stdout.splitlines()]
    assert [entry["injected"] for entry in journal if entry["injected"]] == ["throttle"] * 3
    assert cli.run("faults", "off").stdout.strip() == "faults none (injected so far 0)"
    assert describe_outcomes(ec2, 3) == [None, None, None]


def test_cli_refuses_a_bad_spec_and_a_lab_that_is_down(cli: Cli) -> None:
    down = cli.run("faults", "throttle=0.1", check=False)
    assert down.returncode == 3 and "not up" in down.stderr
    cli.up("--faults", "5xx=0.5,seed=2")
    bad = cli.run("faults", "throttle=7", check=False)
    assert bad.returncode == 1 and "outside [0, 1]" in bad.stderr
    assert cli.run("faults").stdout.startswith("faults 5xx=0.5,seed=2 ")
    cli.run("faults", "off")
    assert describe_outcomes(lab_ec2(cli), 5) == [None] * 5
    assert cli.run("up", "--no-network", "--port", str(cli.port), "--faults", "5xx=0.5,seed=2").returncode == 0
