"""Bad inputs to playbooks/base.yml fail before any change, with a message naming the variable at fault.

Each case runs the real playbook against the lab and checks three things: the run fails, the failure message
names the variable, and the lab's journal shows zero mutating API calls since the run started (nothing created),
confirmed by describing the project's tagged EC2 resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from support.results import record


@dataclass(frozen=True)
class BadInput:
    case: str
    variable: str  # must appear in the failure message
    extra_vars: dict[str, Any] = field(default_factory=dict)


WORLD_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SERVICE_WILDCARD_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "*"}],
}

BAD_INPUTS = [
    BadInput("invalid VPC CIDR (octet)", "vpc_base_cidr", {"base_vpc_cidr": "10.0.0.300/16"}),
    BadInput("invalid VPC CIDR (prefix /33)", "vpc_base_cidr", {"base_vpc_cidr": "10.0.0.0/33"}),
    BadInput("VPC CIDR larger than AWS allows", "vpc_base_cidr", {"base_vpc_cidr": "10.0.0.0/8"}),
    BadInput("VPC CIDR with host bits", "vpc_base_cidr", {"base_vpc_cidr": "10.0.0.1/16"}),
    BadInput("invalid subnet CIDR", "vpc_base_public_subnet_cidrs[0]",
             {"vpc_base_public_subnet_cidrs": ["10.0.0/24"]}),
    BadInput("overlapping subnets",
             "vpc_base_public_subnet_cidrs[0]: 10.0.0.0/24 overlaps vpc_base_private_subnet_cidrs[0]",
             {"vpc_base_public_subnet_cidrs": ["10.0.0.0/24"], "vpc_base_private_subnet_cidrs": ["10.0.0.128/25"]}),
    BadInput("subnet outside the VPC CIDR", "vpc_base_private_subnet_cidrs[0]",
             {"vpc_base_private_subnet_cidrs": ["10.1.0.0/24"]}),
    BadInput("unknown availability zone", "vpc_base_azs", {"vpc_base_azs": ["ap-northeast-1a", "ap-northeast-1z"]}),
    BadInput("more zones than the region has", "vpc_base_az_count", {"vpc_base_az_count": 9}),
    BadInput("zone count of the wrong type", "vpc_base_az_count", {"vpc_base_az_count": "two"}),
    BadInput("project name with capitals", "vpc_base_project", {"base_project": "Bad_Project"}),
    BadInput("world-open SSH without opt-in", "bastion_admin_cidrs", {"base_admin_cidrs": ["0.0.0.0/0"]}),
    BadInput("world-open IPv6 SSH without opt-in", "bastion_admin_cidrs", {"base_admin_cidrs": ["::/0"]}),
    BadInput("empty admin CIDR list", "bastion_admin_cidrs", {"base_admin_cidrs": []}),
    BadInput("malformed admin CIDR", "bastion_admin_cidrs", {"base_admin_cidrs": ["203.0.113.0/24", "not-a-cidr"]}),
    BadInput("admin CIDR with host bits", "bastion_admin_cidrs", {"base_admin_cidrs": ["10.9.9.9/24"]}),
    BadInput("instance policy with a * action", "bastion_private_instance_policy",
             {"base_private_instance_policy": WORLD_POLICY}),
    BadInput("instance policy with a service:* action", "bastion_private_instance_policy",
             {"base_private_instance_policy": SERVICE_WILDCARD_POLICY}),
    BadInput("instance policy that is not JSON", "bastion_private_instance_policy",
             {"base_private_instance_policy": "{\"Statement\": ["}),
    BadInput("negative private host count", "bastion_private_instance_count", {"bastion_private_instance_count": -1}),
]


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[b.case for b in BAD_INPUTS])
def test_bad_input_fails_before_any_change(  # type: ignore[no-untyped-def]
    bad: BadInput, lab, tagged_resources, run_playbook
) -> None:
    project = "badinput"
    extra_vars = {"base_project": project, "base_admin_cidrs": ["198.19.128.1/32"], **bad.extra_vars}
    mark = lab.mark()

    result = run_playbook("playbooks/base.yml", extra_vars)
    mutations = lab.mutating_calls_since(mark)
    leftovers = tagged_resources(extra_vars["base_project"])
    named = bad.variable in result.failure_text
    record("bad_input_rejected", "base", bad.case, sum(mutations.values()),
           result.returncode != 0 and named and not mutations and not leftovers)

    assert result.returncode != 0, f"the playbook accepted {bad.case}:\n{result.output[-3000:]}"
    assert named, f"message does not name {bad.variable}:\n{result.failure_text[:3000]}"
    assert mutations == {}, f"mutating API calls were made before the failure: {mutations}"
    assert leftovers == []
