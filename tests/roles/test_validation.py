"""Controls for the bad-input tests: valid inputs pass the same validation, still without any change."""

from __future__ import annotations

import json

import pytest

VALID = {"bastion_admin_cidrs": ["198.19.128.1/32", "2001:db8::/64"]}


@pytest.mark.parametrize(
    ("extra_vars", "public", "private"),
    [
        ({}, ["10.0.0.0/24", "10.0.1.0/24"], ["10.0.128.0/24", "10.0.129.0/24"]),
        ({"vpc_base_cidr": "172.16.0.0/20", "vpc_base_az_count": 3, "vpc_base_subnet_prefix": 26},
         ["172.16.0.0/26", "172.16.0.64/26", "172.16.0.128/26"],
         ["172.16.8.0/26", "172.16.8.64/26", "172.16.8.128/26"]),
        ({"vpc_base_public_subnet_cidrs": ["10.0.10.0/24"], "vpc_base_private_subnet_cidrs": ["10.0.20.0/24"],
          "vpc_base_azs": ["ap-northeast-1c"]}, ["10.0.10.0/24"], ["10.0.20.0/24"]),
    ],
    ids=["derived", "derived-3-zones", "given"],
)
def test_valid_inputs_pass_without_change(  # type: ignore[no-untyped-def]
    extra_vars, public, private, lab, run_playbook, tmp_path
) -> None:
    mark = lab.mark()
    plan_file = tmp_path / "plan.json"

    result = run_playbook(
        "tests/roles/playbooks/validate_only.yml", {**VALID, **extra_vars, "plan_file": str(plan_file)}
    )

    assert result.returncode == 0, result.output[-3000:]
    plan = json.loads(plan_file.read_text())
    assert [s["cidr"] for s in plan["public"]] == public
    assert [s["cidr"] for s in plan["private"]] == private
    assert lab.mutating_calls_since(mark) == {}


def test_wildcard_policy_accepted_with_opt_in(lab, run_playbook) -> None:  # type: ignore[no-untyped-def]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    result = run_playbook(
        "tests/roles/playbooks/validate_only.yml",
        {**VALID, "bastion_private_instance_policy": policy, "bastion_private_allow_wildcard_actions": True},
    )
    assert result.returncode == 0, result.output[-3000:]


def test_world_ssh_accepted_with_opt_in(lab, run_playbook) -> None:  # type: ignore[no-untyped-def]
    result = run_playbook(
        "tests/roles/playbooks/validate_only.yml",
        {"bastion_admin_cidrs": ["0.0.0.0/0"], "bastion_allow_world_ssh": True},
    )
    assert result.returncode == 0, result.output[-3000:]


@pytest.mark.parametrize("role, extra_vars", [
    ("bastion", {"bastion_project": "wait-only", "bastion_admin_cidrs": ["198.19.128.1/32"]}),
    ("interface_endpoint", {"interface_endpoint_project": "wait-only"}),
    ("gateway_endpoint", {"gateway_endpoint_project": "wait-only"}),
    ("privatelink_provider", {"privatelink_provider_project": "wait-only"}),
])
def test_a_wait_entry_point_needs_a_present_run(lab, run_playbook, role, extra_vars) -> None:  # type: ignore[no-untyped-def]
    mark = lab.mark()
    result = run_playbook("tests/roles/playbooks/wait_only.yml", {"wait_only_role": role, **extra_vars})
    assert result.returncode != 0
    assert f"wait entry point needs a run of its main entry point with {role}_state present" in result.output
    assert lab.mutating_calls_since(mark) == {}
