"""Run every integration target under tests/integration/targets/ against the lab.

Each target is a role; this runner writes a one-play playbook that applies it on localhost with
``module_defaults`` pointing every AWS module (privnet.aws, amazon.aws, community.aws) at the lab's endpoint in
ap-northeast-1, and runs ``ansible-playbook``. Credentials come from the environment (``awslab exec -- ...``).

The lab must be reachable at AWS_ENDPOINT_URL: when it is not, the tests fail (they never skip).
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TARGETS_DIR = Path(__file__).resolve().parent / "targets"
COLLECTIONS_PATH = ROOT / "build" / "collections"
ANSIBLE_PLAYBOOK = ROOT / ".venv" / "bin" / "ansible-playbook"
REGION = "ap-northeast-1"
LAB_CONSUMER_ACCOUNT = "222222222222"
TARGET_TIMEOUT_SECONDS = 1800
TARGETS = sorted(path.name for path in TARGETS_DIR.iterdir() if (path / "tasks" / "main.yml").is_file())
LAB_POLL_DEFAULTS = {
    module: {"wait_delay": 1}
    for module in ("vpc_endpoint", "vpc_endpoint_service", "vpc_endpoint_connection", "vpc_endpoint_wait")
}
PRIVNET_MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


@pytest.fixture(scope="session")
def lab_endpoint() -> str:
    url = os.environ.get("AWS_ENDPOINT_URL")
    if not url:
        pytest.fail("AWS_ENDPOINT_URL is not set; run the integration tests through `awslab exec -- ...`")
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=5):
            pass
    except OSError as error:
        pytest.fail(f"No lab reachable at AWS_ENDPOINT_URL={url}: {error}")
    return url


def consumer_account() -> dict[str, str]:
    """A second account for cross-account targets. In the lab an access key is the account id and every account
    shares the secret; elsewhere set PRIVNET_IT_CONSUMER_ACCOUNT_ID / _ACCESS_KEY / _SECRET_KEY."""
    account_id = os.environ.get("PRIVNET_IT_CONSUMER_ACCOUNT_ID", LAB_CONSUMER_ACCOUNT)
    return {
        "consumer_account_id": account_id,
        "consumer_access_key": os.environ.get("PRIVNET_IT_CONSUMER_ACCESS_KEY", account_id),
        "consumer_secret_key": os.environ.get(
            "PRIVNET_IT_CONSUMER_SECRET_KEY", os.environ.get("AWS_SECRET_ACCESS_KEY", "")
        ),
    }


def playbook_for(target: str, endpoint_url: str) -> list[dict]:
    aws_defaults = {"region": REGION, "endpoint_url": endpoint_url}
    module_defaults = {
        "group/privnet.aws.aws": aws_defaults,
        "group/amazon.aws.aws": aws_defaults,
        "group/community.aws.aws": aws_defaults,
    }
    # Name our modules one by one as well (the lab provisions in seconds, so poll every second).
    for module in PRIVNET_MODULES:
        module_defaults[f"privnet.aws.{module}"] = dict(aws_defaults, **LAB_POLL_DEFAULTS.get(module, {}))
    return [
        {
            "name": f"Run integration target {target}",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "vars": {
                "resource_prefix": f"it-{target.replace('_', '-')}-{uuid.uuid4().hex[:8]}",
                "aws_region": REGION,
                **consumer_account(),
                "ansible_python_interpreter": str(ROOT / ".venv" / "bin" / "python"),
            },
            "module_defaults": module_defaults,
            "roles": [{"role": target}],
        }
    ]


@pytest.mark.parametrize("target", TARGETS)
def test_integration_target(target: str, lab_endpoint: str, tmp_path: Path) -> None:
    playbook = tmp_path / f"{target}.yml"
    playbook.write_text(yaml.safe_dump(playbook_for(target, lab_endpoint), sort_keys=False))
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_PATH),
        ANSIBLE_ROLES_PATH=str(TARGETS_DIR),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_INVENTORY_ENABLED="host_list",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
    )
    completed = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(playbook)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TARGET_TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, (
        f"target {target} failed (rc={completed.returncode})\n{completed.stdout[-30000:]}\n{completed.stderr[-5000:]}"
    )


def test_there_are_targets() -> None:
    assert {"vpc_endpoint", "vpc_endpoint_service", "vpc_endpoint_connection", "route_tables", "vpc",
            "security_group"} <= set(TARGETS)
