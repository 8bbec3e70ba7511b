"""Each scenario's job templates run the way AWX runs them (ansible-runner on a private data dir), against the lab:
the provision template succeeds including its verify steps on the private hosts, the teardown template leaves no
host of the project behind. Needs a running lab (`awslab up`; AWSLAB_HOME selects which one)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from awslab.dataplane.addressing import INET_GATEWAY
from awx_job import AwxJobRunner, Controller, JobResult, aws_credential_injection, lab_environment, lab_is_up
from awx_support import AWX_DIR, ROOT, load_yaml, run_configure
from survey_rules import survey_defaults


def lab_answers(survey: dict[str, Any]) -> dict[str, Any]:
    """The survey as an operator answers it for the lab: every default, except the admin networks, which are the
    address the lab's control node (standing in for the AWX execution node) reaches the bastion from."""
    answers = survey_defaults(survey)
    for question in survey["spec"]:
        if question["variable"].endswith("admin_cidrs"):
            answers[question["variable"]] = f"{INET_GATEWAY}/32"
    return answers


def declared_templates() -> list[dict[str, Any]]:
    return load_yaml(AWX_DIR / "vars" / "templates.yml")["controller_templates"]


def runnable_scenarios() -> list[str]:
    """Provision templates whose playbook and teardown template's playbook are both in the tree."""
    templates = declared_templates()
    teardown_of = {t["playbook"].removesuffix("_teardown.yml") + ".yml": t for t in templates
                   if t["playbook"].endswith("_teardown.yml")}
    return [t["name"] for t in templates if t["playbook"] in teardown_of and (ROOT / t["playbook"]).exists()
            and (ROOT / teardown_of[t["playbook"]]["playbook"]).exists()]


def teardown_template(provision: str) -> str:
    templates = declared_templates()
    playbook = next(t["playbook"] for t in templates if t["name"] == provision)
    return next(t["name"] for t in templates if t["playbook"] == playbook.removesuffix(".yml") + "_teardown.yml")


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


def inventory_groups(runner: AwxJobRunner, template: str, label: str) -> dict[str, set[str]]:
    """An inventory update now, as the template's AWS credential: group name -> hosts."""
    aws = runner.controller.credential_of_type(runner.controller.templates[template], "Amazon Web Services")
    imported = runner.inventory_update(aws_credential_injection(aws["inputs"]), label)
    return {name: set(group.get("hosts", [])) for name, group in imported.items() if isinstance(group, dict)}


def project_group(project: str) -> str:
    return f"project_{project.replace('-', '_')}"


def test_there_is_a_template_to_run() -> None:
    assert runnable_scenarios(), "no job template whose playbook pair exists: nothing ran against the lab"


@pytest.mark.parametrize("provision", runnable_scenarios())
def test_scenario_runs_like_an_awx_job(runner: AwxJobRunner, provision: str) -> None:
    teardown = teardown_template(provision)
    answers = lab_answers(runner.controller.templates[provision]["survey_spec"])
    project = next(value for key, value in answers.items() if key.endswith("_project"))
    results: list[JobResult] = []
    try:
        results.append(runner.run(provision, answers))
        groups = inventory_groups(runner, provision, "after-provision")
        built_private = groups.get(project_group(project), set()) & groups.get("private", set())
    finally:
        teardown_answers = lab_answers(runner.controller.templates[teardown]["survey_spec"])
        results.append(runner.run(teardown, teardown_answers))
    provisioned, removed = results
    unparsed = [result.template for result in results if not result.inventory_parsed]
    assert not unparsed, f"these jobs could not read AWX's inventory script: {unparsed}\n{provisioned.summary()}"
    assert (provisioned.status, provisioned.failed_tasks) == ("successful", []), provisioned.summary()
    assert built_private, f"{provision} built no private host the inventory can see"
    missing = built_private - provisioned.hosts_with_results
    assert not missing, f"the verify steps never ran on {sorted(missing)}:\n{provisioned.summary()}"
    assert (removed.status, removed.failed_tasks) == ("successful", []), removed.summary()
    assert inventory_groups(runner, teardown, "after-teardown").get(project_group(project), set()) == set()

