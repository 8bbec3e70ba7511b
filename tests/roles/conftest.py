"""Fixtures for the role tests: they run ansible-playbook against the lab the environment points at.

`make test` runs this stage under `awslab exec --`, which exports AWS_ENDPOINT_URL and the lab's credentials.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.journal import Journal
from support.playbooks import PlaybookRun
from support.playbooks import run_playbook as run_from_root
from support.resources import client
from support.resources import tagged_resources as list_tagged


@pytest.fixture(scope="session")
def lab() -> Journal:
    if not os.environ.get("AWS_ENDPOINT_URL"):
        pytest.fail("AWS_ENDPOINT_URL is not set: run these tests under `awslab exec --` (make test does)")
    return Journal()


@pytest.fixture(scope="session")
def ec2():  # type: ignore[no-untyped-def]
    return client("ec2")


@pytest.fixture()
def run_playbook(tmp_path: Path) -> Callable[[str, dict[str, Any]], PlaybookRun]:
    """Run a playbook from the repo root with extra vars, private keys kept in a temporary directory."""

    def run(playbook: str, extra_vars: dict[str, Any]) -> PlaybookRun:
        return run_from_root(playbook, extra_vars, tmp_path, timeout=600)

    return run


@pytest.fixture(scope="session")
def tagged_resources() -> Callable[[str], list[str]]:
    return list_tagged
