"""Fixtures for data-plane tests: a whole lab in-process (control plane + data plane), the test thread inside the
lab's control-node namespace, everything stopped and removed afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

REGION = "ap-northeast-1"
ACCOUNT = "111111111111"
HOST_NETNS_FD = os.open("/proc/self/ns/net", os.O_RDONLY)  # where pytest started (the host's namespace)


def _root_lab_possible() -> tuple[bool, str]:
    if os.geteuid() != 0:
        return False, "needs root"
    from awslab.dataplane import network_supported

    return network_supported()


@dataclass
class Lab:
    plane: Any
    server: Any
    state_dir: Path
    endpoint: str

    def client(self, service: str, account: str = ACCOUNT) -> Any:
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id=account,
            aws_secret_access_key="awslab-secret-key",
        )

    def converge(self) -> None:
        assert self.plane.wait_converged(60), "data plane did not converge"

    def reset(self) -> None:
        self.server.reset_state()
        self.converge()


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    possible, reason = _root_lab_possible()
    if not possible:
        pytest.skip(f"data plane unavailable: {reason}")
    from awslab.config import LabConfig
    from awslab.controlplane.server import LabServer
    from awslab.dataplane import DataPlane
    from awslab.dataplane.nsutil import set_thread_netns

    state_dir = Path(tempfile.mkdtemp(prefix="awslab-dp-test-"))
    config = LabConfig(port=4566, time_scale=0.005, network=True)
    plane = DataPlane(state_dir, config.__dict__.copy())
    server = None
    try:
        plane.prepare()
        set_thread_netns(plane.inet)  # this thread (and what it starts) now lives in the control-node namespace
        server = LabServer(config)
        server.start()
        plane.attach()
        yield Lab(plane, server, state_dir, f"http://127.0.0.1:{config.port}")
    finally:
        if server is not None:
            server.stop()
        plane.detach()
        _setns_back(HOST_NETNS_FD)
        plane.teardown()
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture
def clean_lab(lab: Lab) -> Iterator[Lab]:
    """The shared lab, emptied of all AWS state (and so of all namespaces but the control node's) afterwards."""
    yield lab
    lab.reset()


@pytest.fixture
def host_side() -> Iterator[None]:
    """Run this test's thread in the namespace pytest started in, even while the shared lab fixture is up."""
    current = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    _setns_back(HOST_NETNS_FD)
    try:
        yield
    finally:
        _setns_back(current)
        os.close(current)


def _setns_back(fd: int) -> None:
    import ctypes

    if ctypes.CDLL(None, use_errno=True).setns(fd, 0x40000000) != 0:
        raise OSError(ctypes.get_errno(), "setns back to the original namespace")


def run(cmd: list[str], timeout: float = 60, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=check)
