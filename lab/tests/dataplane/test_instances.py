"""Instances: per-instance copy-on-write root, sudo, user data once, stop/start keeps the disk, terminate removes it."""

from __future__ import annotations

import time
from pathlib import Path

from scenario import key_pair, make_vpc, run_instance, ssh, wait_ssh

USER_DATA = "#!/bin/sh\necho ran >> /var/tmp/user-data-runs\n"


def _wait_state(ec2, instance_id: str, state: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        current = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]
        if current == state or time.monotonic() > deadline:
            return current
        time.sleep(0.1)


def test_instance_root_is_private_and_survives_stop_start(clean_lab, tmp_path: Path) -> None:
    lab = clean_lab
    ec2 = lab.client("ec2")
    vpc = make_vpc(ec2, "10.7.0.0/16")
    key_name, key = key_pair(ec2, tmp_path, "inst-key")
    first = run_instance(ec2, vpc.public_subnet, [vpc.sg_bastion], key_name, public=True, user_data=USER_DATA)
    second = run_instance(ec2, vpc.public_subnet, [vpc.sg_bastion], key_name, public=True)
    lab.converge()
    a, b = first["PublicIpAddress"], second["PublicIpAddress"]
    assert wait_ssh(key, a).returncode == 0
    assert wait_ssh(key, b).returncode == 0

    written = ssh(key, a, "sudo -n sh -c 'echo mine > /etc/only-on-a' && cat /etc/only-on-a && hostname")
    assert written.stdout.splitlines()[0] == "mine", written.stderr
    assert not Path("/etc/only-on-a").exists()  # the host's filesystem is untouched
    assert ssh(key, b, "test -e /etc/only-on-a").returncode == 1
    tools = ssh(key, a, "command -v python3 aws curl >/dev/null && python3 -c 'print(1)'")
    assert tools.stdout == "1\n", tools.stderr

    ec2.stop_instances(InstanceIds=[first["InstanceId"]])
    assert _wait_state(ec2, first["InstanceId"], "stopped") == "stopped"
    lab.converge()
    assert ssh(key, a, "true", timeout=20).returncode != 0

    ec2.start_instances(InstanceIds=[first["InstanceId"]])
    assert _wait_state(ec2, first["InstanceId"], "running") == "running"
    lab.converge()
    public = ec2.describe_instances(InstanceIds=[first["InstanceId"]])["Reservations"][0]["Instances"][0].get(
        "PublicIpAddress"
    )
    assert public
    assert wait_ssh(key, public).returncode == 0
    kept = ssh(key, public, "cat /etc/only-on-a /var/tmp/user-data-runs")
    assert kept.stdout == "mine\nran\n", kept.stderr  # the disk survived; user data ran once

    ec2.terminate_instances(InstanceIds=[first["InstanceId"]])
    assert _wait_state(ec2, first["InstanceId"], "terminated") == "terminated"
    lab.converge()
    assert not (lab.plane.instances.directory(first["InstanceId"])).exists()
