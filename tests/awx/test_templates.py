"""Job templates point at playbooks AWX would list, every scenario has its provision, verify and teardown templates,
and the workflow chains provision to verify, with teardowns that always run."""

from __future__ import annotations

from typing import Any

import pytest
from awx_support import ROOT
from playbook_facts import (
    PARTS,
    awx_lists_playbook,
    is_list_of_plays,
    scenario_pairs,
    scenario_part,
    templates_by_scenario,
)


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


def test_each_scenario_has_a_provision_a_verify_and_a_teardown_template(job_templates: list[dict[str, Any]]) -> None:
    parts = templates_by_scenario(job_templates)
    assert parts, "no scenario template"
    incomplete = {scenario: sorted(found) for scenario, found in parts.items() if set(found) != set(PARTS)}
    assert incomplete == {}, "every scenario needs a provision, a verify and a teardown template"


def test_every_scenario_in_the_tree_has_templates(job_templates: list[dict[str, Any]]) -> None:
    """A scenario playbook pair added under playbooks/ without its three templates fails here."""
    templated = set(templates_by_scenario(job_templates))
    missing = {name for name in scenario_pairs() if name not in templated}
    assert missing == set(), f"add templates for {sorted(missing)} to awx/vars/templates.yml"
    assert scenario_pairs(), "no scenario playbook pair in playbooks/"


def test_templates_run_with_both_credentials_and_the_ee(job_templates: list[dict[str, Any]]) -> None:
    for template in job_templates:
        assert len(template["credentials"]) == 2, template["name"]
        assert template["execution_environment"] and template["inventory"] and template["project"]


def test_workflow_chains_every_template_and_always_tears_down(workflows: list[dict[str, Any]],
                                                             job_templates: list[dict[str, Any]]) -> None:
    """Each scenario's verify job follows its provision job on success; a failure of either still reaches the
    scenario's teardown; one start node."""
    assert len(workflows) == 1
    nodes = workflows[0]["workflow_nodes"]
    identifiers = [node["identifier"] for node in nodes]
    assert len(set(identifiers)) == len(identifiers)
    assert sorted(node["unified_job_template"]["name"] for node in nodes) == sorted(t["name"] for t in job_templates)
    edges = {(node["identifier"], kind, target["identifier"]) for node in nodes
             for kind, targets in (node.get("related") or {}).items() for target in targets}
    assert {target for _, _, target in edges} <= set(identifiers), "a link points at no node"
    part_of = {t["name"]: scenario_part(t) for t in job_templates}
    node_of = {part_of[node["unified_job_template"]["name"]]: node["identifier"] for node in nodes}
    for scenario in {scenario for scenario, _ in node_of}:
        provision, verify, teardown = (node_of[(scenario, part)] for part in PARTS)
        assert (provision, "success_nodes", verify) in edges, f"{scenario}: verify does not follow provision"
        for start in (provision, verify):
            assert reachable(edges, start, teardown, kinds=None), scenario
            assert not failure_can_skip_teardown(edges, start, teardown), scenario
    roots = set(identifiers) - {target for _, _, target in edges}
    assert len(roots) == 1, f"the workflow should start at one node, not {sorted(roots)}"
    assert part_of[next(n["unified_job_template"]["name"] for n in nodes if n["identifier"] in roots)][1] == "provision"


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
