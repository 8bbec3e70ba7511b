"""awx/configure.yml sends valid arguments to every awx.awx module, from data that holds no literal secret."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from awx_support import (
    AWX_DIR,
    ROOT,
    ConfigureRun,
    awx_tasks,
    load_vars,
    load_yaml,
    module_argspecs,
    run_configure,
)
from conftest import PLACEHOLDER_SECRETS

# Which data list each awx.awx module's task loops over (infra.controller_configuration names).
DATA_OF_MODULE = {
    "organization": "controller_organizations",
    "execution_environment": "controller_execution_environments",
    "credential": "controller_credentials",
    "project": "controller_projects",
    "inventory": "controller_inventories",
    "inventory_source": "controller_inventory_sources",
    "job_template": "controller_templates",
    "workflow_job_template": "controller_workflows",
}
SECRET_VARIABLES = ("awx_aws_access_key", "awx_aws_secret_key", "awx_aws_session_token", "awx_ssh_private_key")


def all_data() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted((AWX_DIR / "vars").glob("*.yml")):
        merged.update(load_yaml(path))
    return merged


def test_configure_runs_every_task_without_a_controller(configure_run: ConfigureRun) -> None:
    assert configure_run.returncode == 0, configure_run.output[-4000:]


def test_every_awx_module_in_configure_is_covered() -> None:
    modules = {task["__module"] for task in awx_tasks()}
    assert modules == set(DATA_OF_MODULE)


@pytest.mark.parametrize("module", sorted(DATA_OF_MODULE))
def test_module_called_once_per_data_item_with_valid_arguments(configure_run: ConfigureRun, module: str) -> None:
    records = [record for record in configure_run.records if record["module"] == module]
    items = load_vars_list(DATA_OF_MODULE[module])
    assert len(records) == len(items) > 0
    assert [record["errors"] for record in records] == [[] for _ in records]
    assert [record["params"]["name"] for record in records] == [record_name(item) for item in items]


def load_vars_list(name: str) -> list[dict[str, Any]]:
    data = all_data()[name]
    assert isinstance(data, list)
    return data


def record_name(item: dict[str, Any]) -> str:
    """The rendered name of a data item: names are either literal or one of the awx_* settings."""
    settings = load_vars("settings")
    name = item["name"]
    for key, value in settings.items():
        name = name.replace("{{ " + key + " }}", str(value))
    return name


BROKEN_ARGUMENTS = [
    ('scm_type: "{{ item.scm_type }}"', 'scm_kind: "{{ item.scm_type }}"', "project", "scm_kind"),
    ('job_type: "{{ item.job_type | default(omit) }}"', "job_type: deploy", "job_template", "job_type"),
    ('max_hosts: "{{ item.max_hosts | default(omit) }}"', "max_hosts: many", "organization", "max_hosts"),
]


@pytest.mark.parametrize(("original", "broken", "module", "named"), BROKEN_ARGUMENTS)
def test_the_validator_rejects_bad_arguments(tmp_path: Path, original: str, broken: str, module: str,
                                             named: str) -> None:
    """The stand-in is not a rubber stamp: an unknown option, a value outside the choices and a wrong type fail."""
    copy = tmp_path / "awx"
    shutil.copytree(AWX_DIR, copy)
    configure = copy / "configure.yml"
    text = configure.read_text()
    assert original in text
    configure.write_text(text.replace(original, broken, 1))
    (tmp_path / "run").mkdir()
    extra_vars = {**PLACEHOLDER_SECRETS, "awx_inventory_source_file": str(ROOT / "inventory" / "aws_ec2.yml")}
    run = run_configure(tmp_path / "run", extra_vars, playbook=configure)
    assert run.returncode != 0
    failures = [record for record in run.records if record["errors"]]
    assert {record["module"] for record in failures} == {module}
    assert named in " ".join(failures[0]["errors"])


def test_argspecs_come_from_the_real_modules() -> None:
    specs = module_argspecs(["job_template", "credential"])
    assert specs["job_template"]["survey_spec"]["type"] == "dict"
    assert specs["credential"]["credential_type"]["required"] is True


def test_tasks_handling_secrets_hide_them(configure_run: ConfigureRun) -> None:
    credential_calls = [record for record in configure_run.records if record["module"] == "credential"]
    assert credential_calls and all(record["no_log"] for record in credential_calls)
    for task in awx_tasks():
        text = json.dumps(task)
        if any(name in text for name in SECRET_VARIABLES) or task["__module"] == "credential":
            assert task.get("no_log") is True, task["name"]
    leaked = [r["task"] for r in configure_run.records if not r["no_log"]
              and any(str(v) in json.dumps(r["params"]) for v in PLACEHOLDER_SECRETS.values() if "private" in str(v)
                      or "secret" in str(v))]
    assert leaked == []


def test_secret_inputs_are_variables_not_literals() -> None:
    for credential in all_data()["controller_credentials"]:
        for key, value in credential.get("inputs", {}).items():
            if key in ("password", "ssh_key_data", "security_token", "ssh_key_unlock", "become_password"):
                assert isinstance(value, str) and value.strip().startswith("{{"), (credential["name"], key)
    example = load_yaml(AWX_DIR / "secrets.example.yml")
    assert set(example) == set(SECRET_VARIABLES) and not any(example.values())


def test_inventory_source_vars_are_the_inventory_file(configure_run: ConfigureRun) -> None:
    inventory_file = yaml.safe_load((ROOT / "inventory" / "aws_ec2.yml").read_text())
    assert inventory_file.pop("plugin") == "amazon.aws.aws_ec2"
    sources = configure_run.params("inventory_source")
    assert [source["source"] for source in sources] == ["ec2"]
    assert sources[0]["source_vars"] == inventory_file


def test_inventory_reaches_private_hosts_with_a_proxycommand(configure_run: ConfigureRun) -> None:
    variables = configure_run.params("inventory")[0]["variables"]
    common = variables["ansible_ssh_common_args"]
    proxy = variables["privnet_proxy_command"]
    assert "ProxyCommand" in common and "ProxyJump" not in common and "-J " not in common
    assert "-W %h:%p" in proxy
    assert "StrictHostKeyChecking=accept-new" in proxy and "UserKnownHostsFile=" in proxy
    assert "StrictHostKeyChecking=no" not in common + proxy


def test_project_url_comes_from_a_variable() -> None:
    for project in all_data()["controller_projects"]:
        assert project["scm_url"] == "{{ awx_project_scm_url }}"
