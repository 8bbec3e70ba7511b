"""Job templates point at playbooks AWX would list, every scenario has its provision and teardown template, and the
workflow chains them with teardowns that always run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from awx_support import ROOT
from playbook_facts import awx_lists_playbook, is_list_of_plays

PLAYBOOKS = ROOT / "playbooks"


def scenario_pairs() -> set[str]:
    """Scenarios present in the tree: playbooks/<name>.yml with playbooks/<name>_teardown.yml."""
    return {p.stem for p in PLAYBOOKS.glob("*.yml") if (PLAYBOOKS / f"{p.stem}_teardown.yml").exists()}


def test_every_template_playbook_exists_and_awx_lists_it(job_templates: list[dict[str, Any]]) -> None:
    for template in job_templates:
        relative = template["playbook"]
        assert (ROOT / relative).is_file(), f"{template['name']}: {relative} is not in the project"
        assert awx_lists_playbook(ROOT, relative), f"AWX would not offer {relative} as a playbook"
        assert is_list_of_plays(ROOT / relative), f"{relative} is not a list of plays"


@pytest.mark.parametrize(("relative", "listed"), [
    ("roles/vpc_base/tasks/main.yml", False),
    ("inventory/aws_ec2.yml", False),
    ("awx/configure.yml", True),
])
def test_awx_listing_rule(relative: str, listed: bool) -> None:
    assert (ROOT / relative).exists()
    assert awx_lists_playbook(ROOT, relative) is listed


def test_each_scenario_has_a_provision_and_a_teardown_template(job_templates: list[dict[str, Any]]) -> None:
    by_playbook = {Path(t["playbook"]).stem: t for t in job_templates}
    scenarios = {name for name in by_playbook if not name.endswith("_teardown")}
    assert scenarios, "no scenario template"
    for scenario in scenarios:
        assert f"{scenario}_teardown" in by_playbook, f"{scenario} has no teardown template"
    assert set(by_playbook) == scenarios | {f"{s}_teardown" for s in scenarios}


def test_every_scenario_in_the_tree_has_templates(job_templates: list[dict[str, Any]]) -> None:
    """A scenario playbook pair added under playbooks/ without its two templates fails here."""
    templated = {Path(t["playbook"]).stem for t in job_templates}
    missing = {name for name in scenario_pairs() if name not in templated}
    assert missing == set(), f"add templates for {sorted(missing)} to awx/vars/templates.yml"
    assert scenario_pairs(), "no scenario playbook pair in playbooks/"


def test_templates_run_with_both_credentials_and_the_ee(job_templates: list[dict[str, Any]]) -> None:
    for template in job_templates:
        assert len(template["credentials"]) == 2, template["name"]
        assert template["execution_environment"] and template["inventory"] and template["project"]


def test_workflow_chains_every_template_and_always_tears_down(workflows: list[dict[str, Any]],
                                                             job_templates: list[dict[str, Any]]) -> None:
    assert len(workflows) == 1
    nodes = workflows[0]["workflow_nodes"]
    identifiers = [node["identifier"] for node in nodes]
    assert len(set(identifiers)) == len(identifiers)
    assert sorted(node["unified_job_template"]["name"] for node in nodes) == sorted(t["name"] for t in job_templates)
    edges = {(node["identifier"], kind, target["identifier"]) for node in nodes
             for kind, targets in (node.get("related") or {}).items() for target in targets}
    assert {target for _, _, target in edges} <= set(identifiers), "a link points at no node"
    playbook_of = {t["name"]: Path(t["playbook"]).stem for t in job_templates}
    node_of = {playbook_of[node["unified_job_template"]["name"]]: node["identifier"] for node in nodes}
    for scenario in (name for name in node_of if not name.endswith("_teardown")):
        assert reachable(edges, node_of[scenario], node_of[f"{scenario}_teardown"], kinds=None), scenario
        assert not failure_can_skip_teardown(edges, node_of[scenario], node_of[f"{scenario}_teardown"]), scenario
    roots = set(identifiers) - {target for _, _, target in edges}
    assert len(roots) == 1, f"the workflow should start at one node, not {sorted(roots)}"


def reachable(edges: set[tuple[str, str, str]], start: str, goal: str, kinds: set[str] | None) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        seen.add(node)
        todo += [b for a, kind, b in edges if a == node and b not in seen and (kinds is None or kind in kinds)]
    return False


def failure_can_skip_teardown(edges: set[tuple[str, str, str]], scenario: str, teardown: str) -> bool:
    """After the scenario fails, the teardown must still be reached over failure/always links."""
    after_failure = [b for a, kind, b in edges if a == scenario and kind in ("failure_nodes", "always_nodes")]
    return not any(reachable(edges, node, teardown, kinds={"always_nodes", "success_nodes", "failure_nodes"})
                   for node in after_failure)
