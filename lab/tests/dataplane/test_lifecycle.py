"""Must show: `awslab up` (network mode) → SSH into a bastion from the control node → `awslab down` leaves no lab
namespace, process, mount, veth or file behind, and the host's interfaces, routes and nftables are untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scenario import SSH_OPTIONS

HERE = Path(__file__).parent
AWSLAB = [sys.executable, "-m", "awslab.cli"]


def _host_state() -> dict[str, str]:
    def out(*cmd: str) -> str:
        return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=20).stdout

    links = sorted(link["ifname"] for link in json.loads(out("ip", "-j", "link")))
    return {
        "links": " ".join(links),
        "routes": out("ip", "route"),
        "nft": out("nft", "list", "ruleset"),
        "addrs": out("ip", "-br", "addr"),
    }


def _lab_traces(state_dir: Path, prefix: str, inodes: set[int]) -> list[str]:
    traces = (
        [f"netns {name}" for name in os.listdir("/run/netns") if name.startswith(prefix)]
        if Path("/run/netns").exists()
        else []
    )
    traces += (
        [f"etc {name}" for name in os.listdir("/etc/netns") if name.startswith(prefix)]
        if Path("/etc/netns").exists()
        else []
    )
    mounts = subprocess.run(["findmnt", "-rn", "-o", "TARGET"], capture_output=True, text=True, check=True).stdout
    traces += [f"mount {line}" for line in mounts.splitlines() if prefix in line or str(state_dir) in line]
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            inode = os.stat(f"/proc/{pid}/ns/net").st_ino
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if str(state_dir) in cmdline or inode in inodes:
            traces.append(f"process {pid} {cmdline}")
    if state_dir.exists():
        traces.append(f"state dir {state_dir}")
    return traces


def _awslab(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AWSLAB, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_down_after_a_daemon_crash_still_removes_everything(host_side: None, tmp_path: Path) -> None:
    import signal

    from awslab.dataplane.names import lab_prefix

    state_dir = tmp_path / "home"
    env = dict(os.environ, AWSLAB_HOME=str(state_dir), PYTHONPATH=str(HERE))
    prefix = lab_prefix(state_dir)
    try:
        assert _awslab(env, "up", "--network", "--time-scale", "0.005").returncode == 0
        scenario = _awslab(env, "exec", "--", sys.executable, str(HERE / "e2e_scenario.py"), str(tmp_path))
        assert scenario.returncode == 0, scenario.stderr
        instance_id = json.loads(scenario.stdout.strip().splitlines()[-1])["instance_id"]
        booted = state_dir / "dataplane" / "instances" / instance_id / "booted"
        deadline = time.monotonic() + 60
        while not booted.exists():
            assert time.monotonic() < deadline, "instance did not boot"
            time.sleep(0.1)
        inodes = {os.stat(f"/run/netns/{name}").st_ino for name in os.listdir("/run/netns") if name.startswith(prefix)}
        os.kill(int((state_dir / "awslab.pid").read_text()), signal.SIGKILL)  # the daemon dies, instances live on
        time.sleep(0.5)
    finally:
        down = _awslab(env, "down")
    assert down.returncode == 0, down.stderr
    assert _lab_traces(state_dir, prefix, inodes) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_up_ssh_topology_down_leaves_nothing(host_side: None, tmp_path: Path) -> None:
    from awslab.dataplane.names import lab_prefix

    state_dir = tmp_path / "home"
    env = dict(os.environ, AWSLAB_HOME=str(state_dir), PYTHONPATH=str(HERE))
    prefix = lab_prefix(state_dir)
    before = _host_state()

    def awslab(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*AWSLAB, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False)

    try:
        up = awslab("up", "--network", "--time-scale", "0.005")
        assert up.returncode == 0, up.stderr
        scenario = awslab("exec", "--", sys.executable, str(HERE / "e2e_scenario.py"), str(tmp_path))
        assert scenario.returncode == 0, scenario.stderr
        info = json.loads(scenario.stdout.strip().splitlines()[-1])
        ssh = [
            *SSH_OPTIONS,
            "-i",
            info["key"],
            f"ec2-user@{info['public_ip']}",
            "sudo -n cat /var/log/cloud-init-output.log; id -un",
        ]
        deadline = time.monotonic() + 60
        while True:
            result = awslab("exec", "--", "ssh", *ssh)
            if result.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "booted-by-user-data\nec2-user\n"
        topology = awslab("topology")
        assert info["instance_id"] in topology.stdout and info["public_ip"] in topology.stdout
        assert "flowchart" in awslab("topology", "--format", "mermaid").stdout
        resolved = awslab("exec", "--", "getent", "hosts", "sqs.ap-northeast-1.amazonaws.com")
        assert resolved.stdout.split()[0] == "198.19.255.11"  # the control node resolves public service names
        assert awslab("exec", "--", "ip", "route", "show", "default").stdout == ""  # no way out of the lab
        inodes = {os.stat(f"/run/netns/{name}").st_ino for name in os.listdir("/run/netns") if name.startswith(prefix)}
        assert len(inodes) >= 3  # control node, VPC router, instance
    finally:
        down = awslab("down")
    assert down.returncode == 0, down.stderr
    assert _lab_traces(state_dir, prefix, inodes) == []
    assert _host_state() == before
