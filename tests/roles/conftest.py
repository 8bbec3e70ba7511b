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


@pytest.fixture(scope="session")
def tagged_resources(ec2):  # type: ignore[no-untyped-def]
    """List every EC2 resource carrying a project's tag (describe_tags covers all taggable EC2 resource types)."""

    def list_for(project: str) -> list[str]:
        pages = ec2.get_paginator("describe_tags").paginate(
            Filters=[{"Name": "key", "Values": ["privnet:project"]}, {"Name": "value", "Values": [project]}]
        )
        return sorted(f"{tag['ResourceType']}:{tag['ResourceId']}" for page in pages for tag in page["Tags"])

    return list_for
