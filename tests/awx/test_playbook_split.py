"""AWX fixes a job's inventory when the job starts, so each scenario runs as a provision job and a verify job whose
inventory updates on launch. The playbooks keep that split honest: provision playbooks stay on localhost, verify
playbooks reach the private hosts only through the one shared targeting task file (which fails when the inventory
lacks the project's hosts), and playbooks/<scenario>.yml is exactly provision, inventory refresh, verify."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from awx_support import ConfigureRun
from playbook_facts import PLAYBOOKS, TASK_LISTS, imported_playbook, scenario_pairs, templates_by_scenario

TARGETING = "tasks/target_private_hosts.yml"
INCLUDE_TASKS = ("ansible.builtin.include_tasks", "ansible.builtin.import_tasks", "include_tasks", "import_tasks")
ADD_HOST = ("ansible.builtin.add_host", "add_host")
META = ("ansible.builtin.meta", "meta")


def plays(playbook: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(playbook.read_text())


def tasks_of(entries: list[Any] | None) -> Iterator[dict[str, Any]]:
    """Every task of a task list, blocks opened."""
    for task in entries or []:
        if not isinstance(task, dict):
            continue
        yield task
        for key in ("block", "rescue", "always"):
            yield from tasks_of(task.get(key))


def play_tasks(play: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in TASK_LISTS:
        if key in play and key not in ("block", "rescue", "always"):
            yield from tasks_of(play[key])


def action(task: dict[str, Any], names: tuple[str, ...]) -> Any:
    return next((task[name] for name in names if name in task), None)


def refreshes_inventory(play: dict[str, Any]) -> bool:
    return any(action(task, META) == "refresh_inventory" for task in play_tasks(play))


def targeted_groups(play: dict[str, Any]) -> set[str]:
    """Groups the play fills through the shared targeting task file."""
    return {str((task.get("vars") or {}).get("privnet_targets_group")) for task in play_tasks(play)
            if action(task, INCLUDE_TASKS) == TARGETING}


def test_scenarios_are_split() -> None:
    assert scenario_pairs(), "no scenario playbook pair in playbooks/"
    for scenario in scenario_pairs():
        for part in ("provision", "verify"):
            assert (PLAYBOOKS / f"{scenario}_{part}.yml").is_file(), f"playbooks/{scenario}_{part}.yml is missing"


def test_full_playbook_is_provision_refresh_verify() -> None:
    """What the command line runs is exactly the two AWX jobs with the inventory refresh AWX does between them."""
    for scenario in scenario_pairs():
        full = plays(PLAYBOOKS / f"{scenario}.yml")
        assert len(full) == 3, f"playbooks/{scenario}.yml: {len(full)} plays, not provision, refresh, verify"
        provision, refresh, verify = full
        assert imported_playbook(provision) == f"{scenario}_provision.yml", scenario
        assert imported_playbook(verify) == f"{scenario}_verify.yml", scenario
        assert refresh.get("hosts") == "localhost" and refreshes_inventory(refresh), scenario
        assert [action(task, META) for task in play_tasks(refresh)] == ["refresh_inventory"], scenario


def test_provision_playbooks_stay_on_localhost() -> None:
    """A provision job cannot see the hosts it builds: it neither plays on them nor refreshes its inventory."""
    for scenario in scenario_pairs():
        for play in plays(PLAYBOOKS / f"{scenario}_provision.yml"):
            assert play.get("hosts") == "localhost", (scenario, play.get("name"))
            assert not refreshes_inventory(play), (scenario, play.get("name"))
            assert not targeted_groups(play), (scenario, play.get("name"))


def test_verify_plays_reach_private_hosts_only_through_the_shared_targeting() -> None:
    """Every play on hosts other than localhost targets a group an earlier play filled with the shared task file,
    whose guard fails when the inventory lacks the project's private hosts; the verify playbooks never refresh the
    inventory (the job's inventory is the one its launch updated)."""
    for scenario in scenario_pairs():
        filled: set[str] = set()
        remote = 0
        for play in plays(PLAYBOOKS / f"{scenario}_verify.yml"):
            assert not refreshes_inventory(play), (scenario, play.get("name"))
            if play.get("hosts") == "localhost":
                filled |= targeted_groups(play)
                continue
            remote += 1
            assert play.get("hosts") in filled, f"{scenario}: {play.get('name')} targets {play.get('hosts')}"
        assert remote, f"playbooks/{scenario}_verify.yml runs nothing on the private hosts"


def test_targeting_lives_in_one_task_file() -> None:
    """No playbook adds hosts itself: the shared task file (with its guard) is the only place."""
    for playbook in PLAYBOOKS.glob("*.yml"):
        for play in plays(playbook):
            assert not any(action(task, ADD_HOST) for task in play_tasks(play)), playbook.name
    shared = list(tasks_of(yaml.safe_load((PLAYBOOKS / TARGETING).read_text())))
    assert [task for task in shared if action(task, ADD_HOST)], "the shared task file adds no host"
    guards = [task for task in shared if "ansible.builtin.assert" in task]
    assert guards and "privnet_targets_project" in guards[0]["ansible.builtin.assert"]["fail_msg"]


def test_verify_jobs_get_an_inventory_updated_on_launch(configure_run: ConfigureRun,
                                                       job_templates: list[dict[str, Any]]) -> None:
    """AWX updates an inventory before a job only through a source with update_on_launch (a cache timeout above 0
    may hand the verify job the snapshot taken before the provision job built the hosts)."""
    sources = configure_run.params("inventory_source")
    for scenario, parts in templates_by_scenario(job_templates).items():
        inventory = parts["verify"]["inventory"]
        fresh = [s for s in sources if s["inventory"] == inventory and s.get("update_on_launch") is True
                 and int(s.get("update_cache_timeout") or 0) == 0]
        assert fresh, f"{scenario}: the verify template's inventory {inventory} has no source updated on launch"


def test_verify_templates_need_no_provision_answers(job_templates: list[dict[str, Any]]) -> None:
    """The verify job finds the project from its tag: it asks for the region and the project like the teardown."""
    for scenario, parts in templates_by_scenario(job_templates).items():
        asked = {q["variable"] for q in parts["verify"]["survey_spec"]["spec"]}
        assert asked == {q["variable"] for q in parts["teardown"]["survey_spec"]["spec"]}, scenario
        provision_project = {v for v in (q["variable"] for q in parts["provision"]["survey_spec"]["spec"])
                             if v.endswith("_project")}
        assert provision_project and provision_project <= asked, scenario

