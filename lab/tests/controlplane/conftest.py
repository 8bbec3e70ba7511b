"""An in-process control plane on a free port, emptied before every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from awslab.config import LabConfig
from awslab.controlplane.scheduler import SCHEDULER
from awslab.controlplane.server import LabServer

from .helpers import ACCOUNT_B, TEST_TIME_SCALE, Lab


@pytest.fixture(scope="session")
def lab_server() -> Iterator[LabServer]:
    server = LabServer(LabConfig(port=0, time_scale=TEST_TIME_SCALE))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def lab(lab_server: LabServer) -> Iterator[Lab]:
    lab_server.reconfigure(LabConfig(time_scale=TEST_TIME_SCALE))
    lab_server.reset_state()
    lab_server.journal.reset_memory()
    SCHEDULER.resume()
    yield Lab(lab_server)
    lab_server.reconfigure(LabConfig(time_scale=TEST_TIME_SCALE))


@pytest.fixture
def ec2(lab: Lab) -> Any:
    return lab.client("ec2")


@pytest.fixture
def ec2_b(lab: Lab) -> Any:
    return lab.client("ec2", ACCOUNT_B)
