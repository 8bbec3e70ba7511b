"""Measure 1: each scenario, ours and the baseline, from empty: converge, no-op re-run, inventory, teardown."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from typing import Any

from .bounds import scenario_ideal
from .lab import Lab
from .playbook import PlaybookRunner, Run
from .resources import project_inventory

ADMIN_CIDRS = ["198.19.128.1/32"]  # the lab's control node
INTERFACE_SERVICES = ["sqs", "sts", "logs", "kms", "secretsmanager"]


@dataclass(frozen=True)
class Side:
    playbook: str
    teardown: str
    args: tuple[str, ...] = ()
    converge_only: bool = False  # a floor: built once from empty and removed, no re-run


@dataclass(frozen=True)
class Scenario:
    name: str
    project: str
    extra_vars: dict[str, Any]
    ours: Side
    baseline: Side | None
    floor: Side | None = None
    endpoints: int = 1
    notes: list[str] = field(default_factory=list)


def scenarios() -> list[Scenario]:
    """Ours is each scenario's *_provision.yml (the AWS side; *_verify.yml, the SSH checks, is left out)."""
    return [
        Scenario(
            "interface", "privnet-interface",
            {"interface_scenario_admin_cidrs": ADMIN_CIDRS, "interface_scenario_services": INTERFACE_SERVICES},
            Side("playbooks/interface_endpoint_provision.yml", "playbooks/interface_endpoint_teardown.yml"),
            Side("bench/baseline/interface_endpoint.yml", "bench/baseline/interface_endpoint_teardown.yml"),
            endpoints=len(INTERFACE_SERVICES)),
        Scenario(
            "gateway", "privnet-gwe", {"gwe_admin_cidrs": ADMIN_CIDRS},
            Side("playbooks/gateway_endpoint_provision.yml", "playbooks/gateway_endpoint_teardown.yml"),
            Side("bench/baseline/gateway_endpoint.yml", "bench/baseline/gateway_endpoint_teardown.yml"),
            floor=Side("bench/floor/gateway_endpoint.yml", "bench/baseline/gateway_endpoint_teardown.yml",
                       converge_only=True),
            endpoints=2),
        Scenario(
            "privatelink", "privnet-privatelink", {"privatelink_admin_cidrs": ADMIN_CIDRS},
            Side("playbooks/privatelink_provision.yml", "playbooks/privatelink_teardown.yml"),
            Side("bench/baseline/privatelink.yml", "bench/baseline/privatelink_teardown.yml")),
    ]


def measure_side(runner: PlaybookRunner, lab: Lab, scenario: Scenario, side_name: str, side: Side) -> dict[str, Any]:
    label = f"{scenario.name}-{side_name}"
    try:
        converge = runner.run(f"{label}-converge", side.playbook, scenario.extra_vars, *side.args)
        if side.converge_only:
            return {"converge": converge.as_dict()}
        noop = runner.run(f"{label}-noop", side.playbook, scenario.extra_vars, *side.args)
        try:
            inventory = project_inventory(lab, scenario.project)
        except subprocess.CalledProcessError as error:  # counted as unknown, the teardown still runs
            print(f"  inventory failed: {error} {error.stderr}", flush=True)
            inventory = {"managed_resources": None, "minimum_mutating": None, "resources": {}, "relations": {},
                         "error": f"{error} {error.stderr}"}
    finally:
        teardown: Run = runner.run(f"{label}-teardown", side.teardown, scenario.extra_vars, check=False)
    return {"converge": converge.as_dict(), "noop": noop.as_dict(), "teardown": teardown.as_dict(),
            "inventory": inventory}


def measure_scenarios(runner: PlaybookRunner, lab: Lab, time_scale: float, only: list[str] | None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for scenario in scenarios():
        if only and scenario.name not in only:
            continue
        print(f"scenario {scenario.name}", flush=True)
        ideal, derivation = scenario_ideal(scenario.name, time_scale, scenario.endpoints)
        entry: dict[str, Any] = {"project": scenario.project, "endpoints": scenario.endpoints,
                                 "ideal_seconds": round(ideal, 2), "ideal_derivation": derivation,
                                 "notes": scenario.notes}
        try:
            entry["ours"] = measure_side(runner, lab, scenario, "ours", scenario.ours)
            if scenario.baseline:
                entry["baseline"] = measure_side(runner, lab, scenario, "baseline", scenario.baseline)
            if scenario.floor:
                entry["floor"] = measure_side(runner, lab, scenario, "floor", scenario.floor)
        except RuntimeError as error:  # a failed playbook: recorded, the other scenarios still run
            print(f"  {scenario.name} failed: {error}", flush=True)
            entry["error"] = str(error)
        results[scenario.name] = entry
    return results
