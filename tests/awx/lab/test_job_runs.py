"""Each scenario's job templates run the way AWX runs them (ansible-runner on a private data dir), against the lab,
in the order of the workflow: provision job, verify job, teardown job, each launched with the inventory update its
source does on launch (scenarios run side by side, PRIVNET_AWX_JOB_CONCURRENCY at a time, default 2).
The provision job succeeds; a verify job given the inventory of before the provision fails loudly, naming the
project; the verify job with its own launch's inventory succeeds and its checks ran and passed on every private
host of the project; the teardown job leaves no host of the project behind.
Needs a running lab (`awslab up`; AWSLAB_HOME selects which one)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from awslab.dataplane.addressing import INET_GATEWAY
from awx_job import AwxJobRunner, Controller, JobResult, lab_environment, lab_is_up
from awx_support import AWX_DIR, ROOT, load_yaml, run_configure
from playbook_facts import PARTS, templates_by_scenario
from survey_rules import survey_defaults

# Scenarios run at once (each is a chain of jobs, as the workflow runs them). The lane shares a 2-core machine.
CONCURRENCY = int(os.environ.get("PRIVNET_AWX_JOB_CONCURRENCY", "2"))


def lab_answers(survey: dict[str, Any]) -> dict[str, Any]:
    """The survey as an operator answers it for the lab: every default, except the admin networks, which are the
    address the lab's control node (standing in for the AWX execution node) reaches the bastion from."""
    answers = survey_defaults(survey)
    for question in survey["spec"]:
        if question["variable"].endswith("admin_cidrs"):
            answers[question["variable"]] = f"{INET_GATEWAY}/32"
    return answers


def declared_scenarios() -> dict[str, dict[str, str]]:
    """scenario -> part -> template name, for the scenarios whose three playbooks are all in the tree."""
    templates = load_yaml(AWX_DIR / "vars" / "templates.yml")["controller_templates"]
    return {scenario: {part: template["name"] for part, template in parts.items()}
            for scenario, parts in sorted(templates_by_scenario(templates).items())
            if set(parts) == set(PARTS) and all((ROOT / t["playbook"]).is_file() for t in parts.values())}


@pytest.fixture(scope="module")
def lab_env() -> dict[str, str]:
    if not lab_is_up():
        pytest.fail("the lab is not up: run `awslab up` (AWSLAB_HOME selects the instance) before these tests")
    return lab_environment()


@pytest.fixture(scope="module")
def keypair(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    key = tmp_path_factory.mktemp("machine-credential") / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "awx-machine-credential", "-f", str(key)],
                   check=True)
    return key.read_text(), key.with_suffix(".pub").read_text().strip()


@pytest.fixture(scope="module")
def runner(lab_env: dict[str, str], keypair: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
           ) -> AwxJobRunner:
    """configure.yml rendered with the lab account as the AWS credential and a fresh machine-credential key."""
    private_key, public_key = keypair
    secrets = {"awx_aws_access_key": lab_env["AWS_ACCESS_KEY_ID"],
               "awx_aws_secret_key": lab_env["AWS_SECRET_ACCESS_KEY"],
               "awx_ssh_private_key": private_key, "awx_ssh_public_key": public_key}
    configured = run_configure(tmp_path_factory.mktemp("configure"), secrets)
    assert configured.returncode == 0, configured.output[-3000:]
    workdir = tmp_path_factory.mktemp("awx-jobs")
    job_runner = AwxJobRunner(Controller.from_records(configured.records), lab_env, workdir,
                              workdir / "project-cache" / "requirements_collections")
    job_runner.sync_project()
    return job_runner


def groups_of(imported: dict[str, Any]) -> dict[str, set[str]]:
    """Group name -> hosts of an imported inventory."""
    return {name: set(group.get("hosts", [])) for name, group in imported.items() if isinstance(group, dict)}


def project_private_hosts(imported: dict[str, Any], project: str) -> set[str]:
    groups = groups_of(imported)
    return groups.get(f"project_{project.replace('-', '_')}", set()) & groups.get("private", set())


def project_hosts(imported: dict[str, Any], project: str) -> set[str]:
    return groups_of(imported).get(f"project_{project.replace('-', '_')}", set())


@dataclass
class ScenarioRun:
    """One scenario through the workflow's jobs: provision, verify (first on the inventory of before the
    provision, as a launch without an update would get it, then on its own launch's update), teardown."""

    scenario: str
    project: str
    before: dict[str, Any]
    jobs: dict[str, JobResult] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def run_scenario(runner: AwxJobRunner, scenario: str) -> ScenarioRun:
    started = time.monotonic()
    names = declared_scenarios()[scenario]
    templates = {part: runner.controller.templates[name] for part, name in names.items()}
    answers = {part: lab_answers(template["survey_spec"]) for part, template in templates.items()}
    project = next(value for key, value in answers["provision"].items() if key.endswith("_project"))
    inventory = templates["verify"]["inventory"]
    run = ScenarioRun(scenario, project, runner.update_inventory(inventory, f"{scenario}-before"))
    if project_hosts(run.before, project):
        return run
    try:
        run.jobs["provision"] = runner.run(names["provision"], answers["provision"])
        if run.jobs["provision"].status == "successful":
            run.jobs["stale verify"] = runner.run(names["verify"], answers["verify"], inventory=run.before,
                                                  label="stale")
            run.jobs["verify"] = runner.run(names["verify"], answers["verify"])
    finally:
        run.jobs["teardown"] = runner.run(names["teardown"], answers["teardown"])
        run.after = runner.update_inventory(inventory, f"{scenario}-after")
        run.seconds = time.monotonic() - started
    return run


@pytest.fixture(scope="module")
def scenario_runs(runner: AwxJobRunner, request: pytest.FixtureRequest) -> Iterator[dict[str, Future[ScenarioRun]]]:
    """The selected scenarios, CONCURRENCY at a time (separate projects, VPCs and job directories, as AWX runs jobs
    of several templates at once)."""
    selected = sorted({item.callspec.params["scenario"] for item in request.session.items
                       if hasattr(item, "callspec") and "scenario" in item.callspec.params})
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        yield {scenario: pool.submit(run_scenario, runner, scenario) for scenario in selected}


def test_there_is_a_scenario_to_run() -> None:
    assert declared_scenarios(), "no scenario with provision, verify and teardown templates: nothing ran"


@pytest.mark.parametrize("scenario", sorted(declared_scenarios()))
def test_scenario_runs_like_awx_jobs(scenario_runs: dict[str, Future[ScenarioRun]], scenario: str) -> None:
    run = scenario_runs[scenario].result()
    project, jobs = run.project, run.jobs
    print(f"\n{scenario}: provision, verify and teardown jobs in {run.seconds:.0f} s")
    leaked = sorted(project_hosts(run.before, project))
    assert jobs, f"{project} had hosts before the run (a previous run leaked): {leaked}"
    unparsed = [job.template for job in jobs.values() if not job.inventory_parsed]
    assert not unparsed, f"these jobs could not read AWX's inventory script: {unparsed}"
    provisioned = jobs["provision"]
    assert (provisioned.returncode, provisioned.status, provisioned.failed_tasks) == (0, "successful", []), (
        provisioned.summary())
    assert provisioned.hosts_with_results <= {"localhost"}, "the provision job ran on hosts it cannot see under AWX"

    stale = jobs["stale verify"]
    assert stale.status == "failed" and stale.returncode != 0, "a verify job blind to the hosts passed:\n" + (
        stale.summary())
    assert f"of project {project}" in stale.stdout and not stale.check_results, stale.summary()

    verified = jobs["verify"]
    assert (verified.returncode, verified.status, verified.failed_tasks) == (0, "successful", []), verified.summary()
    built = project_private_hosts(verified.inventory, project)
    assert built, f"{scenario}: the verify job's inventory lists no private host of {project}"
    assert set(verified.check_results) == built, (
        f"the checks ran on {sorted(verified.check_results)}, the project's private hosts are {sorted(built)}:\n"
        + verified.summary())
    for host, results in verified.check_results.items():
        assert results and all(result["passed"] for result in results), (host, verified.check_tables.get(host))
        print(f"{scenario} verify job, checks on {host}:\n" + "\n".join(verified.check_tables.get(host, [])))

    removed = jobs["teardown"]
    assert (removed.returncode, removed.status, removed.failed_tasks) == (0, "successful", []), removed.summary()
    left = sorted(project_hosts(run.after, project))
    assert left == [], f"the teardown job left {left}"
