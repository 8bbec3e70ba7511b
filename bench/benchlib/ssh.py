"""Measure 3: 20 tasks on a private host through the bastion vs the same 20 tasks on the bastion directly."""

from __future__ import annotations

import statistics
from typing import Any

from .lab import Lab
from .playbook import PlaybookRunner
from .scenarios import ADMIN_CIDRS

PROJECT = "privnet-bench-ssh"
TASKS = 20
PLAYBOOK = "bench/playbooks/ssh_twenty_tasks.yml"


def host_names(lab: Lab) -> dict[str, str]:
    """privnet:role -> Name tag of the first running instance of the project (the inventory's host names)."""
    reservations = lab.aws_json("ec2", "describe-instances", "--filters",
                                f"Name=tag:privnet:project,Values={PROJECT}",
                                "Name=instance-state-name,Values=running")["Reservations"]
    names: dict[str, str] = {}
    for instance in sorted((i for r in reservations for i in r["Instances"]), key=lambda i: i["InstanceId"]):
        tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
        names.setdefault(tags.get("privnet:role", ""), tags.get("Name", instance["InstanceId"]))
    return names


def measure_ssh(runner: PlaybookRunner, lab: Lab, repeats: int) -> dict[str, Any]:
    print("ssh", flush=True)
    base_vars = {"base_project": PROJECT, "base_admin_cidrs": ADMIN_CIDRS}
    converge = runner.run("ssh-base-converge", "playbooks/base.yml", base_vars)
    try:
        names = host_names(lab)
        targets = {"via_bastion": names["private"], "direct": names["bastion"]}
        results: dict[str, Any] = {"tasks": TASKS, "repeats": repeats, "hosts": targets,
                                   "base_converge_seconds": round(converge.seconds, 2)}
        samples: dict[str, list[float]] = {name: [] for name in targets}
        for attempt in range(repeats):
            for name, host in targets.items():
                ssh_vars = {"bench_ssh_hosts": host}
                opened = runner.run(f"ssh-{name}-open-{attempt}", PLAYBOOK, ssh_vars, "--skip-tags", "bench_tasks")
                full = runner.run(f"ssh-{name}-tasks-{attempt}", PLAYBOOK, ssh_vars)
                samples[name].append((full.seconds - opened.seconds) / TASKS)
        for name, values in samples.items():
            results[name] = {"per_task_seconds": [round(v, 4) for v in values],
                             "median_per_task_seconds": round(statistics.median(values), 4)}
        return results
    finally:
        runner.run("ssh-base-teardown", "playbooks/base_teardown.yml", base_vars, check=False)
