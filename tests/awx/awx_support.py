"""Shared helpers for the AWX tests: module argument specs from ansible-doc, a validating stand-in for awx.awx, and
running awx/configure.yml offline to capture the arguments every awx.awx task would send."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
AWX_DIR = ROOT / "awx"
CONFIGURE = AWX_DIR / "configure.yml"
STUB_ACTION = Path(__file__).resolve().parent / "stub" / "validating_action.py"

# Keys of ansible-doc option entries that map one to one onto an argument spec.
SPEC_KEYS = ("type", "elements", "choices", "required", "aliases")


def base_env() -> dict[str, str]:
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(ROOT / "build" / "collections")}
    env.pop("ANSIBLE_CONFIG", None)
    return env


class VarsLoader(yaml.SafeLoader):
    """Reads Ansible vars files: `!unsafe` strings load as plain strings."""


VarsLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(), Loader=VarsLoader)  # noqa: S506 - a SafeLoader subclass


def awx_tasks(playbook: Path = CONFIGURE) -> list[dict[str, Any]]:
    """Every task of the playbook that calls an awx.awx module, with its module name added as `__module`."""
    found = []
    for play in load_yaml(playbook):
        for task in play.get("tasks", []):
            modules = [key for key in task if key.startswith("awx.awx.")]
            if modules:
                found.append({**task, "__module": modules[0].split(".")[-1]})
    return found


def doc_to_argspec(options: dict[str, Any]) -> dict[str, Any]:
    """Turn the `options` of `ansible-doc -j` into an argument spec (types, choices, required, aliases, nesting)."""
    spec: dict[str, Any] = {}
    for name, option in options.items():
        entry = {key: option[key] for key in SPEC_KEYS if key in option}
        entry.setdefault("type", "str")
        if option.get("suboptions"):
            entry["options"] = doc_to_argspec(option["suboptions"])
        spec[name] = entry
    return spec


def module_argspecs(modules: list[str]) -> dict[str, dict[str, Any]]:
    return dict(_module_argspecs(tuple(sorted(set(modules)))))


@functools.cache
def _module_argspecs(modules: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    names = [f"awx.awx.{module}" for module in modules]
    output = subprocess.run([str(BIN / "ansible-doc"), "-t", "module", "-j", *names], check=True,
                            capture_output=True, text=True, env=base_env(), cwd=ROOT).stdout
    docs = json.loads(output)
    return {name.split(".")[-1]: doc_to_argspec(docs[name]["doc"]["options"]) for name in names}


def build_stub_collection(base: Path, specs: dict[str, dict[str, Any]]) -> Path:
    """A throw-away awx.awx whose actions validate and record instead of calling a controller."""
    collection = base / "ansible_collections" / "awx" / "awx"
    (collection / "meta").mkdir(parents=True)
    (collection / "meta" / "runtime.yml").write_text("---\nrequires_ansible: '>=2.15.0'\n")
    (collection / "plugins" / "action").mkdir(parents=True)
    (collection / "plugins" / "modules").mkdir(parents=True)
    spec_dir = base / "specs"
    spec_dir.mkdir()
    for module, spec in specs.items():
        shutil.copyfile(STUB_ACTION, collection / "plugins" / "action" / f"{module}.py")
        (collection / "plugins" / "modules" / f"{module}.py").write_text(
            "#!/usr/bin/python\n# Stand-in: the action plugin of the same name does the work.\n")
        (spec_dir / f"{module}.json").write_text(json.dumps(spec))
    return spec_dir


@dataclass(frozen=True)
class ConfigureRun:
    returncode: int
    output: str
    records: list[dict[str, Any]]

    def params(self, module: str) -> list[dict[str, Any]]:
        return [record["params"] for record in self.records if record["module"] == module]


def run_configure(workdir: Path, extra_vars: dict[str, Any], playbook: Path = CONFIGURE) -> ConfigureRun:
    """Run awx/configure.yml with awx.awx replaced by the validating stand-in: real templating, loops and omit,
    argument validation against the real modules' specs, no HTTP."""
    modules = [task["__module"] for task in awx_tasks(playbook)]
    stub_root = workdir / "stub"
    spec_dir = build_stub_collection(stub_root, module_argspecs(modules))
    record = workdir / "calls.jsonl"
    record.touch()
    vars_file = workdir / "extra_vars.json"
    vars_file.write_text(json.dumps(extra_vars))
    env = {**base_env(), "ANSIBLE_COLLECTIONS_PATH": str(stub_root), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
           "AWX_STUB_SPECS": str(spec_dir), "AWX_STUB_RECORD": str(record), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_LOCALHOST_WARNING": "false"}
    command = [str(BIN / "ansible-playbook"), "-i", "localhost,", str(playbook), "-e", f"@{vars_file}"]
    completed = subprocess.run(command,
                               capture_output=True, text=True, env=env, cwd=ROOT)
    records = [json.loads(line) for line in record.read_text().splitlines() if line.strip()]
    return ConfigureRun(completed.returncode, completed.stdout + completed.stderr, records)


def load_vars(name: str) -> dict[str, Any]:
    return load_yaml(AWX_DIR / "vars" / f"{name}.yml")
