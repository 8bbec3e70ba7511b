"""Fixtures of the AWX tests: one offline run of awx/configure.yml through the validating awx.awx stand-in."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from awx_support import ConfigureRun, run_configure  # noqa: E402

# Placeholders for the secret variables: the run needs values, never real ones.
PLACEHOLDER_SECRETS = {
    "awx_aws_access_key": "AKIA-PLACEHOLDER",
    "awx_aws_secret_key": "placeholder-secret",
    "awx_ssh_private_key": "placeholder-private-key",
    "awx_ssh_public_key": "ssh-ed25519 AAAAplaceholder awx-test",
}


@pytest.fixture(scope="session")
def configure_run(tmp_path_factory: pytest.TempPathFactory) -> ConfigureRun:
    return run_configure(tmp_path_factory.mktemp("configure"), PLACEHOLDER_SECRETS)


@pytest.fixture(scope="session")
def job_templates(configure_run: ConfigureRun) -> list[dict[str, Any]]:
    templates = configure_run.params("job_template")
    assert templates, "configure.yml created no job template"
    return templates


@pytest.fixture(scope="session")
def workflows(configure_run: ConfigureRun) -> list[dict[str, Any]]:
    return configure_run.params("workflow_job_template")
