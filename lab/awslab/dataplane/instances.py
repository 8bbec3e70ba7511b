"""Starts and stops instance processes (one PID namespace each) and keeps their disks (overlay upper dirs)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import awslab
from awslab.dataplane.names import NETNS_DIR
from awslab.dataplane.records import Records
from awslab.dataplane.topology import InstanceNode

LOG = logging.getLogger(__name__)
PACKAGE_ROOT = Path(awslab.__file__).resolve().parent.parent


def process_start_time(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (FileNotFoundError, IndexError):
        return ""


class InstanceRunner:
    def __init__(self, state_dir: Path, records: Records, ca_file: Path) -> None:
        self.state_dir = state_dir
        self.base = state_dir / "dataplane" / "instances"
        self.records = records
        self.ca_file = ca_file
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.started_at: dict[str, float] = {}

    def directory(self, instance_id: str) -> Path:
        return self.base / instance_id

    def start(self, node: InstanceNode) -> None:
        directory = self.directory(node.instance_id)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "booted").unlink(missing_ok=True)
        boot = {
            "hostname": node.hostname,
            "address": node.host.address,
            "resolver": node.resolver,
            "search": node.hostname.split(".", 1)[1],
            "public_key": node.public_key,
            "ca_file": str(self.ca_file),
            "state_dir": str(self.state_dir),
            "aws_cli": str(Path(sys.executable).parent / "aws"),
        }
        (directory / "boot.json").write_text(json.dumps(boot, indent=2))
        (directory / "user-data").write_bytes(node.user_data)
        command = [
            "nsenter",
            f"--net={NETNS_DIR / node.host.netns}",
            "--",
            "unshare",
            "--mount",
            "--uts",
            "--pid",
            "--fork",
            "--kill-child",
            "--propagation",
            "private",
            "--",
            sys.executable,
            "-m",
            "awslab.dataplane.instance_boot",
            str(directory),
        ]
        env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "PYTHONPATH": str(PACKAGE_ROOT),
            "LANG": "C.UTF-8",
        }
        with open(directory / "boot.log", "ab") as log:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        self.records.add("pid", str(proc.pid), process_start_time(proc.pid))
        self.procs[node.instance_id] = proc
        self.started_at[node.instance_id] = time.monotonic()

    def booted(self, instance_id: str) -> bool:
        return (self.directory(instance_id) / "booted").exists()

    def stop(self, instance_id: str) -> None:
        proc = self.procs.pop(instance_id, None)
        if proc is None:
            return
        if proc.poll() is None:
            # Power off: unshare --kill-child takes the instance's PID 1, and so its whole PID namespace, with it.
            os.kill(proc.pid, signal.SIGKILL)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            LOG.warning("instance %s (pid %d) did not stop", instance_id, proc.pid)

    def running(self) -> set[str]:
        return set(self.procs)

    def forget_disks(self, keep: set[str]) -> None:
        if not self.base.exists():
            return
        for directory in self.base.iterdir():
            if directory.name not in keep and directory.name not in self.procs:
                shutil.rmtree(directory, ignore_errors=True)

    def stop_all(self) -> None:
        for instance_id in list(self.procs):
            self.stop(instance_id)
