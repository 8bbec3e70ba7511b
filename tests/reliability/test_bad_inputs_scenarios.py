"""Bad inputs of the scenario playbooks and their roles fail before any change, with a message naming the variable.

tests/roles/test_bad_inputs.py covers playbooks/base.yml (VPC and bastion inputs). Here:
- through the scenario playbooks themselves (playbooks/<scenario>.yml, as users run them): inputs they must refuse
  before building anything;
- through the scenario roles' `validate` entry point (what a playbook runs first, as playbooks/privatelink.yml does
  for the provider): the endpoint roles' inputs, looked up against the lab's default VPC where the check needs AWS
  facts (DescribeSubnets, DescribeVpcEndpointServices — read-only).
Each case checks the run fails, the message names the variable, and the lab's journal shows zero mutating calls.
A case that built something before failing is a defect; its resources are torn down by a finalizer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lifecycle import project_leftovers
from scenarios import GATEWAY, INTERFACE, PRIVATELINK, SECOND_ACCOUNT_KEYS, Scenario
from support.journal import Journal
from support.playbooks import run_playbook
from support.resources import client
from support.results import record

BAD_PROJECT = "rel-life-bad"
# The scenarios' own variables with a project and VPC blocks of this module's own.
PLAYBOOK_VARS = {
    GATEWAY.name: {**GATEWAY.extra_vars, "gwe_project": BAD_PROJECT, "gwe_vpc_cidr": "10.44.0.0/16"},
    INTERFACE.name: {**INTERFACE.extra_vars, "interface_scenario_project": BAD_PROJECT,
                     "interface_scenario_vpc_cidr": "10.45.0.0/16", "interface_scenario_queue_name": BAD_PROJECT},
    PRIVATELINK.name: {**PRIVATELINK.extra_vars, "privatelink_project": BAD_PROJECT,
                       "privatelink_vpc_a_cidr": "10.46.0.0/16", "privatelink_vpc_b_cidr": "10.47.0.0/16"},
}
SCENARIOS = {s.name: s for s in (GATEWAY, INTERFACE, PRIVATELINK)}
VALIDATE_PLAYBOOK = """---
- name: Validate one role's inputs, as a playbook does before any change
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/privnet.aws.aws:
      region: ap-northeast-1
  tasks:
    - name: Validate the inputs
      ansible.builtin.include_role:
        name: "privnet.aws.{{ validate_role }}"
        tasks_from: validate
"""
MALFORMED_JSON = '{"Statement": [{"Effect": "Allow", "Action": "sqs:ListQueues"'


@dataclass(frozen=True)
class BadInput:
    scenario: str
    case: str
    variable: str  # must appear in the failure message
    extra_vars: dict[str, Any] = field(default_factory=dict)
    role: str = ""  # empty: through the scenario playbook; else through this role's validate entry point
    playbook: str = ""  # another playbook than the scenario's (then only extra_vars are given)


BAD_INPUTS = [
    # through the scenario playbooks
    BadInput("gateway_endpoint", "VPC CIDR prefix /33", "vpc_base_cidr", {"gwe_vpc_cidr": "10.44.0.0/33"}),
    BadInput("gateway_endpoint", "world-open SSH without opt-in", "bastion_admin_cidrs",
             {"gwe_admin_cidrs": ["0.0.0.0/0"]}),
    BadInput("interface_endpoint", "VPC CIDR with host bits", "vpc_base_cidr",
             {"interface_scenario_vpc_cidr": "10.45.0.1/16"}),
    BadInput("interface_endpoint", "unsupported service name", "interface_endpoint_services",
             {"interface_scenario_services": ["sqs", "no-such-service"]}),
    BadInput("privatelink", "'*' allowed principal without opt-in", "privatelink_provider_allowed_principals",
             {"privatelink_allowed_principals": ["*"]}),
    BadInput("privatelink", "allowed principal that is not an ARN", "privatelink_provider_allowed_principals",
             {"privatelink_allowed_principals": ["123456789012"]}),
    BadInput("privatelink", "application port out of range", "privatelink_provider_app_port",
             {"privatelink_app_port": 70000}),
    BadInput("privatelink", "listener port of the wrong type", "privatelink_provider_listener_port",
             {"privatelink_listener_port": "http"}),
    BadInput("privatelink", "provider credentials without a secret", "privatelink_provider_aws",
             {"privatelink_provider_aws": {"access_key": SECOND_ACCOUNT_KEYS["access_key"]}}),
    BadInput("privatelink", "provider VPC CIDR larger than AWS allows", "vpc_base_cidr",
             {"privatelink_vpc_b_cidr": "10.47.0.0/8"}),
    # through the scenario roles' validate entry point
    BadInput("interface_endpoint", "service name from another region", "interface_endpoint_services[0]",
             {"interface_endpoint_services": ["com.amazonaws.us-east-1.sqs"]}, role="interface_endpoint"),
    BadInput("interface_endpoint", "private DNS on a service without it", "interface_endpoint_private_dns_enabled",
             {"interface_endpoint_services": ["iot.data"]}, role="interface_endpoint"),
    BadInput("interface_endpoint", "empty subnet list", "interface_endpoint_subnet_ids",
             {"interface_endpoint_subnet_ids": []}, role="interface_endpoint"),
    BadInput("interface_endpoint", "malformed policy JSON", "interface_endpoint_policy",
             {"interface_endpoint_policy": MALFORMED_JSON}, role="interface_endpoint"),
    BadInput("interface_endpoint", "HTTPS open to the world", "interface_endpoint_source_cidrs[0]",
             {"interface_endpoint_source_cidrs": ["0.0.0.0/0"]}, role="interface_endpoint"),
    BadInput("gateway_endpoint", "unsupported gateway service", "gateway_endpoint_services",
             {"gateway_endpoint_services": ["s3", "sqs"]}, role="gateway_endpoint"),
    BadInput("gateway_endpoint", "'*' policy principal", "gateway_endpoint_policy_principals",
             {"gateway_endpoint_policy_principals": ["*"]}, role="gateway_endpoint"),
    BadInput("gateway_endpoint", "wildcard S3 action", "gateway_endpoint_s3_actions",
             {"gateway_endpoint_s3_actions": ["s3:*"]}, role="gateway_endpoint"),
    BadInput("gateway_endpoint", "full access of the wrong type", "gateway_endpoint_full_access",
             {"gateway_endpoint_full_access": "sometimes"}, role="gateway_endpoint"),
    BadInput("privatelink", "malformed endpoint service name", "privatelink_consumer_service_name",
             {"privatelink_consumer_service_name": "vpce-svc-0123456789abcdef0"}, role="privatelink_consumer"),
    BadInput("privatelink", "endpoint open to 0.0.0.0/0", "privatelink_consumer_client_cidrs",
             {"privatelink_consumer_client_cidrs": ["0.0.0.0/0"]}, role="privatelink_consumer"),
    BadInput("privatelink", "acceptance off with no allowed principals", "privatelink_provider_allowed_principals",
             {"privatelink_provider_acceptance_required": False, "privatelink_provider_allowed_principals": []},
             role="privatelink_provider"),
    # the posture check (read-only, but its inputs are checked before any call all the same)
    BadInput("posture_check", "project name with capitals", "posture_check_project",
             {"posture_check_project": "Rel_Life"}, playbook="playbooks/posture_check.yml"),
    BadInput("posture_check", "credentials without a secret", "posture_check_accounts",
             {"posture_check_project": BAD_PROJECT, "posture_check_accounts": [{"access_key": "222222222222"}]},
             playbook="playbooks/posture_check.yml"),
]


def default_vpc() -> tuple[str, list[str], list[str]]:
    """The lab's default VPC, its subnets and route tables: real ids for the checks that look them up."""
    ec2 = client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    vpc_filter = [{"Name": "vpc-id", "Values": [vpc]}]
    subnets = ec2.describe_subnets(Filters=vpc_filter)["Subnets"]
    tables = ec2.describe_route_tables(Filters=vpc_filter)["RouteTables"]
    return vpc, sorted(s["SubnetId"] for s in subnets)[:2], sorted(t["RouteTableId"] for t in tables)


def role_vars(role: str) -> dict[str, Any]:
    """Valid inputs of each role's validate entry point, which a case then spoils."""
    vpc, subnets, route_tables = default_vpc()
    return {
        "interface_endpoint": {"interface_endpoint_project": BAD_PROJECT, "interface_endpoint_subnet_ids": subnets,
                               "interface_endpoint_services": ["sqs"]},
        "gateway_endpoint": {"gateway_endpoint_project": BAD_PROJECT, "gateway_endpoint_vpc_id": vpc,
                             "gateway_endpoint_route_table_ids": route_tables, "gateway_endpoint_services": ["s3"],
                             "gateway_endpoint_s3_buckets": [BAD_PROJECT]},
        "privatelink_consumer": {"privatelink_consumer_project": BAD_PROJECT, "privatelink_consumer_vpc_id": vpc,
                                 "privatelink_consumer_subnet_ids": subnets,
                                 "privatelink_consumer_service_name":
                                     "com.amazonaws.vpce.ap-northeast-1.vpce-svc-0123456789abcdef0",
                                 "privatelink_consumer_client_cidrs": ["10.46.128.0/24"]},
        "privatelink_provider": {"privatelink_provider_project": BAD_PROJECT, "privatelink_provider_vpc_id": vpc,
                                 "privatelink_provider_subnet_ids": subnets,
                                 "privatelink_provider_allowed_principals": ["arn:aws:iam::111111111111:root"]},
    }[role]


@pytest.fixture(scope="module")
def validate_playbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("validate") / "validate_role.yml"
    path.write_text(VALIDATE_PLAYBOOK)
    return path


@pytest.fixture()
def cleanup(tmp_path: Path) -> Iterator[list[Scenario]]:
    """Tears down what a case built before failing (a defect the case reports), in any case."""
    built: list[Scenario] = []
    yield built
    for scenario in built:
        run_playbook(scenario.teardown, PLAYBOOK_VARS[scenario.name], tmp_path / "teardown", timeout=900)


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[f"{b.scenario}-{b.role or 'playbook'}-{b.case}" for b in BAD_INPUTS])
def test_bad_input_fails_before_any_change(bad: BadInput, lab: Journal, validate_playbook: Path, tmp_path: Path,
                                           cleanup: list[Scenario]) -> None:
    scenario = SCENARIOS.get(bad.scenario, GATEWAY)
    if bad.playbook:
        playbook, extra_vars = bad.playbook, bad.extra_vars
    elif bad.role:
        playbook, extra_vars = str(validate_playbook), {"validate_role": bad.role, **role_vars(bad.role),
                                                        **bad.extra_vars}
    else:
        playbook, extra_vars = scenario.playbook, {**PLAYBOOK_VARS[scenario.name], **bad.extra_vars}
    mark = lab.mark()

    result = run_playbook(playbook, extra_vars, tmp_path, timeout=900)
    mutations = lab.mutating_calls_since(mark)
    through_scenario = not (bad.role or bad.playbook)
    if mutations and through_scenario:
        cleanup.append(scenario)
    leftovers = [] if not through_scenario else project_leftovers(
        Scenario(scenario.name, BAD_PROJECT, scenario.playbook, scenario.teardown, {}, None, scenario.accounts))
    named = bad.variable in result.failure_text
    record("bad_input_rejected", bad.scenario, bad.case, sum(mutations.values()),
           result.returncode != 0 and named and not mutations and not leftovers)

    assert result.returncode != 0, f"the run accepted {bad.case}:\n{result.output[-3000:]}"
    assert mutations == {}, f"mutating API calls were made before the failure: {mutations}"
    assert named, f"message does not name {bad.variable}:\n{result.failure_text[:3000]}"
    assert leftovers == []


@pytest.mark.parametrize("role", ["interface_endpoint", "gateway_endpoint", "privatelink_consumer",
                                  "privatelink_provider"])
def test_valid_role_inputs_pass_validation(role: str, lab: Journal, validate_playbook: Path, tmp_path: Path) -> None:
    """Control: the same validation with the valid inputs the cases spoil passes, without any change."""
    mark = lab.mark()
    result = run_playbook(str(validate_playbook), {"validate_role": role, **role_vars(role)}, tmp_path, timeout=900)
    assert result.returncode == 0, result.failure_text[:3000]
    assert lab.mutating_calls_since(mark) == {}

