"""What AWX sees in the project's playbooks: which files it lists as playbooks, which roles a playbook runs, and
which of their required options the playbook itself sets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# awx/main/utils/ansible.py: a playbook is a .yml/.yaml file with a line matching this, outside skipped dirs.
VALID_PLAYBOOK = re.compile(r"^\s*?-?\s*?(?:hosts|include|import_playbook):\s*?.*?$")
ROLE_INCLUDES = ("ansible.builtin.include_role", "ansible.builtin.import_role", "include_role", "import_role")
IMPORT_PLAYBOOK = ("ansible.builtin.import_playbook", "import_playbook")
TASK_LISTS = ("pre_tasks", "tasks", "post_tasks", "handlers", "block", "rescue", "always")
PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"


def awx_skips_directory(relative_dir: Path) -> bool:
    parts = relative_dir.parts
    return (any(part in ("roles", "tasks", "group_vars", "host_vars") for part in parts)
            or any(part.startswith(".") for part in parts))


def awx_lists_playbook(project: Path, relative: str) -> bool:
    """AWX's project scan (could_be_playbook + skip_directory) would offer this file as a playbook."""
    path = project / relative
    if path.suffix not in (".yml", ".yaml") or awx_skips_directory(Path(relative).parent):
        return False
    with path.open(encoding="utf-8", errors="ignore") as stream:
        for number, line in enumerate(stream):
            if VALID_PLAYBOOK.match(line) or (number == 0 and line.startswith("$ANSIBLE_VAULT;")):
                return True
    return False


def imported_playbook(play: dict[str, Any]) -> str | None:
    """The playbook an `import_playbook` entry imports (short or FQCN form), else None."""
    return next((play[key] for key in IMPORT_PLAYBOOK if key in play), None)


def is_list_of_plays(path: Path) -> bool:
    data = yaml.safe_load(path.read_text())
    return (isinstance(data, list) and bool(data)
            and all(isinstance(play, dict) and ("hosts" in play or imported_playbook(play)) for play in data))


def play_variables(playbook: Path) -> dict[str, Any]:
    """Variables the plays define themselves: `vars:` and `vars_files:` (relative to the playbook)."""
    found: dict[str, Any] = {}
    for play in yaml.safe_load(playbook.read_text()):
        if imported_playbook(play):
            found.update(play_variables(playbook.parent / str(imported_playbook(play))))
            continue
        for vars_file in play.get("vars_files", []) or []:
            path = playbook.parent / vars_file
            if "{{" not in str(vars_file) and path.exists():
                found.update(yaml.safe_load(path.read_text()) or {})
        found.update(play.get("vars") or {})
    return found


@dataclass
class RoleCall:
    role: str
    entry_point: str
    settings: set[str] = field(default_factory=set)


def _role_name(name: str) -> str:
    return name.split(".")[-1] if name.startswith("privnet.aws.") else name


def _calls_in_tasks(tasks: list[Any], inherited: set[str]) -> list[RoleCall]:
    calls: list[RoleCall] = []
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        scope = inherited | set((task.get("vars") or {}).keys())
        for key in TASK_LISTS:
            if key in task:
                calls += _calls_in_tasks(task[key], scope)
        for action in ROLE_INCLUDES:
            if action in task:
                args = task[action] if isinstance(task[action], dict) else {"name": task[action]}
                calls.append(RoleCall(_role_name(args["name"]), args.get("tasks_from", "main"), scope))
    return calls


def role_calls(playbook: Path) -> list[RoleCall]:
    """Every role the playbook runs (play `roles:` and include/import_role tasks) with the variables set around it
    (play vars, block and task vars, role params)."""
    calls: list[RoleCall] = []
    for play in yaml.safe_load(playbook.read_text()):
        if imported_playbook(play):
            calls += role_calls(playbook.parent / str(imported_playbook(play)))
            continue
        play_vars = set((play.get("vars") or {}).keys())
        for vars_file in play.get("vars_files", []) or []:
            path = playbook.parent / vars_file
            if "{{" not in str(vars_file) and path.exists():
                play_vars |= set((yaml.safe_load(path.read_text()) or {}).keys())
        for role in play.get("roles", []) or []:
            entry = role if isinstance(role, dict) else {"role": role}
            name = entry.get("role") or entry.get("name")
            params = {key for key in entry if key not in ("role", "name", "vars", "tags", "when")}
            calls.append(RoleCall(_role_name(name), "main", play_vars | params | set(entry.get("vars") or {})))
        for key in TASK_LISTS:
            calls += _calls_in_tasks(play.get(key, []), play_vars)
    return calls


def required_options(roles_dir: Path, role: str, entry_point: str) -> set[str]:
    specs_file = roles_dir / role / "meta" / "argument_specs.yml"
    if not specs_file.exists():
        return set()
    specs = yaml.safe_load(specs_file.read_text())["argument_specs"]
    options = (specs.get(entry_point) or {}).get("options") or {}
    return {name for name, option in options.items() if option.get("required")}


# What each scenario's job templates run, by the suffix of their playbook: playbooks/<scenario>_<part>.yml.
PARTS = ("provision", "verify", "teardown")


def scenario_pairs() -> set[str]:
    """Scenarios present in the tree: playbooks/<name>.yml with playbooks/<name>_teardown.yml."""
    return {p.stem for p in PLAYBOOKS.glob("*.yml") if (PLAYBOOKS / f"{p.stem}_teardown.yml").exists()}


def scenario_part(template: dict[str, Any]) -> tuple[str, str]:
    """(scenario, part) of a template from its playbook's name."""
    stem = Path(template["playbook"]).stem
    scenario, _, part = stem.rpartition("_")
    expected = f"<scenario>_<{'|'.join(PARTS)}>.yml"
    assert part in PARTS and scenario, f"{template['name']}: {template['playbook']} is not {expected}"
    return scenario, part


def templates_by_scenario(job_templates: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for template in job_templates:
        scenario, part = scenario_part(template)
        assert part not in found.get(scenario, {}), f"two {part} templates for {scenario}"
        found.setdefault(scenario, {})[part] = template
    return found
