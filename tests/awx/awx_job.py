"""Run a job template the way AWX runs a job, against the lab.

AWX (24.x) prepares a private data dir and hands it to ansible-runner inside the execution environment:
- project/: the synced project; collections from collections/requirements.yml in requirements_collections/
  (ANSIBLE_COLLECTIONS_PATH points there first, then the EE's own collections);
- inventory/hosts: a script printing the inventory from AWX's database, i.e. what the last inventory update of the
  `ec2` source imported (`ansible-inventory --list` on the source vars, with the source's AWS credential), plus the
  inventory's variables. A source with update_on_launch is updated before every job of the inventory; without it
  the job gets the snapshot of the last update, however old. Either way the job cannot see hosts built after it
  started;
- env/extravars: the template's extra_vars, then the survey answers marked !unsafe (ALLOW_JINJA_IN_EXTRA_VARS
  "template");
- env/envvars: the credential injections (AWS keys, never a region) and AWX's own settings
  (ANSIBLE_HOST_KEY_CHECKING=False, ...); here also the lab's endpoint, which stands in for AWS's public endpoints;
- env/ssh_key: the machine credential's key, which ansible-runner loads into ssh-agent; env/cmdline: `-u <user>`.
Everything runs through `awslab exec` (the lab's control-node view) with the region and key variables of the lab
removed from the process environment, so the job sees only what AWX would give it.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from awx_support import BIN, ROOT

# What `awslab exec` adds that AWX would not give a job: credentials come from env/envvars, the region from the
# survey.
SCRUBBED = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN", "AWS_PROFILE", "ANSIBLE_CONFIG", "ANSIBLE_COLLECTIONS_PATH",
            "ANSIBLE_INVENTORY", "PRIVNET_SSH_DIR")
AWX_SETTINGS_ENV = {"ANSIBLE_HOST_KEY_CHECKING": "False", "ANSIBLE_RETRY_FILES_ENABLED": "False",
                    "ANSIBLE_FORCE_COLOR": "False"}
JOB_TIMEOUT = 1800


class UnsafeText(str):
    """A survey answer: written to env/extravars with Ansible's !unsafe tag."""


yaml.SafeDumper.add_representer(UnsafeText, lambda dumper, data: dumper.represent_scalar("!unsafe", str(data)))


def lab_environment() -> dict[str, str]:
    """`awslab env`: the lab's endpoint and defaults (parsed from its `export K=V` lines)."""
    output = subprocess.run([str(BIN / "awslab"), "env"], check=True, capture_output=True, text=True).stdout
    env = {}
    for line in output.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, value = words[1].split("=", 1)
            env[key] = value
    return env


def lab_is_up() -> bool:
    return subprocess.run([str(BIN / "awslab"), "status"], capture_output=True).returncode == 0


def endpoint_env(lab_env: dict[str, str]) -> dict[str, str]:
    """The lab's endpoint settings without its region and keys."""
    return {key: value for key, value in lab_env.items() if key not in SCRUBBED}


def aws_credential_injection(inputs: dict[str, str]) -> dict[str, str]:
    """AWX's injector for the Amazon Web Services credential type (awx/main/models/credential/injectors.py)."""
    env = {"AWS_ACCESS_KEY_ID": inputs["username"], "AWS_SECRET_ACCESS_KEY": inputs["password"]}
    if inputs.get("security_token"):
        env["AWS_SECURITY_TOKEN"] = inputs["security_token"]
        env["AWS_SESSION_TOKEN"] = inputs["security_token"]
    return env


def in_lab(command: list[str], env: dict[str, str], cwd: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    """Run a command as the lab's control node with exactly the given job environment on top of a clean one."""
    unset = [arg for name in SCRUBBED for arg in ("-u", name)]
    settings = [f"{key}={value}" for key, value in env.items()]
    argv = [str(BIN / "awslab"), "exec", "--", "env", *unset, *settings, *command]
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=timeout)


@dataclass
class Controller:
    """The AWX objects of one configure.yml run, as the job launcher needs them."""

    credentials: dict[str, dict[str, Any]]
    inventory_variables: dict[str, Any]
    source_vars: dict[str, Any]
    templates: dict[str, dict[str, Any]]
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: list[dict[str, Any]]) -> Controller:
        def of(module: str) -> list[dict[str, Any]]:
            return [record["params"] for record in records if record["module"] == module]

        return cls(credentials={c["name"]: c for c in of("credential")},
                   inventory_variables=of("inventory")[0].get("variables", {}),
                   source_vars=of("inventory_source")[0]["source_vars"],
                   templates={t["name"]: t for t in of("job_template")},
                   sources={s["inventory"]: s for s in of("inventory_source")})

    def credential_of_type(self, template: dict[str, Any], kind: str) -> dict[str, Any]:
        matching = [self.credentials[name] for name in template["credentials"]
                    if self.credentials[name]["credential_type"] == kind]
        assert len(matching) == 1, f"{template['name']} needs exactly one {kind} credential"
        return matching[0]

    def source_of(self, inventory: str) -> dict[str, Any]:
        assert inventory in self.sources, f"inventory {inventory} has no source"
        return self.sources[inventory]


@dataclass
class JobResult:
    template: str
    returncode: int
    status: str
    stdout: str
    hosts_with_results: set[str] = field(default_factory=set)
    failed_tasks: list[str] = field(default_factory=list)
    # connectivity_check_results (roles/connectivity_check) of each host that ran the checks.
    check_results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    check_tables: dict[str, list[str]] = field(default_factory=dict)
    # The inventory the job ran with (what inventory/hosts printed, without the inventory's variables).
    inventory: dict[str, Any] = field(default_factory=dict)
    private_data_dir: Path | None = None

    @property
    def inventory_parsed(self) -> bool:
        """ansible-playbook read AWX's inventory script (a project ansible.cfg whose [inventory] enable_plugins
        leaves out `script` makes every AWX job run without inventory)."""
        unparsed = ("No inventory was parsed", "inventory/hosts as an inventory source")
        return not any(message in self.stdout for message in unparsed)

    def summary(self) -> str:
        return (f"{self.template}: rc={self.returncode} status={self.status} "
                f"failed={self.failed_tasks}\n{self.stdout[-6000:]}")


@dataclass
class AwxJobRunner:
    controller: Controller
    lab_env: dict[str, str]
    workdir: Path
    collections_cache: Path
    # AWX's "Extra Environment Variables" setting (AWX_TASK_ENV): empty, as in a default install.
    task_env: dict[str, str] = field(default_factory=dict)
    # AWX's database: what the last update of each inventory imported (jobs of several scenarios may run at once:
    # each job keeps the inventory it got in its JobResult).
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)

    def sync_project(self) -> None:
        """The project update's collection install (run from the project root, as AWX does)."""
        completed = subprocess.run(
            [str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-r", "collections/requirements.yml",
             "--collections-path", str(self.collections_cache)],
            capture_output=True, text=True, cwd=ROOT,
            env={**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(self.collections_cache)})
        assert completed.returncode == 0, completed.stdout + completed.stderr

    def inventory_update(self, aws_env: dict[str, str], name: str) -> dict[str, Any]:
        """The `ec2` source's update: ansible-inventory on the source vars with the injected credential."""
        directory = self.workdir / f"inventory-update-{name}"
        directory.mkdir(parents=True)
        source = directory / "aws_ec2.yml"
        source.write_text(yaml.safe_dump({"plugin": "amazon.aws.aws_ec2", **self.controller.source_vars}))
        env = {**endpoint_env(self.lab_env), **aws_env, "HOME": str(directory),
               "ANSIBLE_COLLECTIONS_PATH": str(self.collections_cache)}
        completed = in_lab([str(BIN / "ansible-inventory"), "-i", str(source), "--list"], env, directory, 600)
        assert completed.returncode == 0, completed.stdout + completed.stderr
        return json.loads(completed.stdout)

    def update_inventory(self, inventory: str, label: str) -> dict[str, Any]:
        """An inventory update of the inventory's source with the source's own AWS credential; AWX stores the
        result, which becomes the inventory of the next jobs."""
        source = self.controller.source_of(inventory)
        aws = aws_credential_injection(self.controller.credentials[source["credential"]]["inputs"])
        imported = self.inventory_update(aws, label)
        self.snapshots[inventory] = imported
        return imported

    def launch_inventory(self, template: dict[str, Any], label: str) -> dict[str, Any]:
        """What a job launch gets: a fresh update when the source updates on launch (cache timeout 0), else the
        stored snapshot."""
        inventory = template["inventory"]
        source = self.controller.source_of(inventory)
        if source.get("update_on_launch") and not int(source.get("update_cache_timeout") or 0):
            return self.update_inventory(inventory, label)
        assert inventory in self.snapshots, f"{inventory} was never updated and does not update on launch"
        return self.snapshots[inventory]

    def job_inventory(self, imported: dict[str, Any]) -> str:
        """AWX's job inventory script: the imported hosts and groups, the inventory's variables on `all`."""
        data = json.loads(json.dumps(imported))
        data.setdefault("all", {})["vars"] = self.controller.inventory_variables
        return f"#!{sys.executable}\nprint({json.dumps(data)!r})\n"

    def run(self, template_name: str, answers: dict[str, Any], inventory: dict[str, Any] | None = None,
            label: str = "") -> JobResult:
        """Launch the template with these survey answers. `inventory` replaces what the launch would get (e.g. a
        snapshot from before the hosts existed); `label` tells runs of the same template apart."""
        template = self.controller.templates[template_name]
        aws = aws_credential_injection(self.controller.credential_of_type(template, "Amazon Web Services")["inputs"])
        machine = self.controller.credential_of_type(template, "Machine")["inputs"]
        job = (template_name + (f" {label}" if label else "")).replace(" ", "_")
        imported = inventory if inventory is not None else self.launch_inventory(template, job)

        pdd = self.workdir / job
        (pdd / "env").mkdir(parents=True)
        (pdd / "inventory").mkdir()
        (pdd / "project").symlink_to(ROOT)
        shutil.copytree(self.collections_cache, pdd / "requirements_collections")
        home = pdd / "home"
        home.mkdir()
        hosts = pdd / "inventory" / "hosts"
        hosts.write_text(self.job_inventory(imported))
        hosts.chmod(0o700)
        extravars = {**(template.get("extra_vars") or {}),
                     **{key: UnsafeText(value) if isinstance(value, str) else value for key, value in answers.items()}}
        (pdd / "env" / "extravars").write_text(yaml.safe_dump(extravars, default_flow_style=False))
        envvars = {**endpoint_env(self.lab_env), **aws, **AWX_SETTINGS_ENV, **self.task_env, "HOME": str(home),
                   "ANSIBLE_COLLECTIONS_PATH": str(pdd / "requirements_collections")}
        (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars))
        (pdd / "env" / "ssh_key").write_text(machine["ssh_key_data"])
        (pdd / "env" / "ssh_key").chmod(0o600)
        (pdd / "env" / "cmdline").write_text(f"-u {machine['username']}")

        command = [str(BIN / "ansible-runner"), "run", str(pdd), "-p", template["playbook"], "--ident", "job"]
        completed = in_lab(command, {"HOME": str(home)}, pdd, JOB_TIMEOUT)
        result = collect(template_name, pdd, completed)
        result.inventory = imported
        return result


def collect(template_name: str, pdd: Path, completed: subprocess.CompletedProcess[str]) -> JobResult:
    artifacts = pdd / "artifacts" / "job"
    status_file = artifacts / "status"
    status = status_file.read_text().strip() if status_file.exists() else "missing"
    result = JobResult(template_name, completed.returncode, status, completed.stdout + completed.stderr,
                       private_data_dir=pdd)
    for event_file in sorted((artifacts / "job_events").glob("*.json")):
        event = json.loads(event_file.read_text())
        data = event.get("event_data", {})
        if event.get("event") in ("runner_on_ok", "runner_item_on_ok") and data.get("host"):
            result.hosts_with_results.add(data["host"])
        if event.get("event") in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
            result.failed_tasks.append(f"{data.get('host')}: {data.get('task')}")
        facts = (data.get("res") or {}).get("ansible_facts") or {}
        if event.get("event") == "runner_on_ok" and data.get("host"):
            if "connectivity_check_results" in facts:
                result.check_results[data["host"]] = facts["connectivity_check_results"]
            if "connectivity_check_table" in facts:
                result.check_tables[data["host"]] = facts["connectivity_check_table"]
    return result
