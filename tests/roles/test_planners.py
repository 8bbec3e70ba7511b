"""The roles' controller-side planners (pure functions), tested directly."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(Path(path).stem, ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


vpc_plan = load("roles/vpc_base/files/vpc_base_plan.py")
bastion_check = load("roles/bastion/files/bastion_check.py")

AZS = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]


def request(**overrides: object) -> dict:
    base = {"project": "p", "name": "p", "cidr": "10.0.0.0/16", "azs": [], "az_count": 2,
            "public_subnet_cidrs": [], "private_subnet_cidrs": [], "subnet_prefix": 24, "available_azs": AZS}
    return {**base, **overrides}


def test_derived_plan_spreads_subnets_over_zones() -> None:
    plan = vpc_plan.plan(request())
    assert plan["errors"] == []
    assert [(s["cidr"], s["az"]) for s in plan["public"]] == [("10.0.0.0/24", AZS[0]), ("10.0.1.0/24", AZS[1])]
    assert [s["cidr"] for s in plan["private"]] == ["10.0.128.0/24", "10.0.129.0/24"]
    assert plan["private"][0]["name"] == "p-private-1-ap-northeast-1a"


def test_given_subnets_are_placed_round_robin() -> None:
    plan = vpc_plan.plan(request(azs=["ap-northeast-1c"], public_subnet_cidrs=["10.0.1.0/24", "10.0.2.0/24"],
                                 private_subnet_cidrs=["10.0.3.0/24"]))
    assert plan["errors"] == []
    assert {s["az"] for s in plan["public"]} == {"ap-northeast-1c"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"cidr": "10.0.0.0/33"}, "vpc_base_cidr: '10.0.0.0/33' is not a valid IPv4 CIDR"),
        ({"cidr": "10.0.0.0"}, "vpc_base_cidr: '10.0.0.0' has no prefix length"),
        ({"cidr": "10.0.0.0/12"}, "vpc_base_cidr: 10.0.0.0/12 has prefix /12"),
        ({"private_subnet_cidrs": ["10.2.0.0/24"]}, "vpc_base_private_subnet_cidrs[0]: 10.2.0.0/24 is outside"),
        ({"public_subnet_cidrs": ["10.0.0.0/23"], "private_subnet_cidrs": ["10.0.1.0/24"]},
         "vpc_base_public_subnet_cidrs[0]: 10.0.0.0/23 overlaps vpc_base_private_subnet_cidrs[0] 10.0.1.0/24"),
        ({"azs": ["ap-northeast-1z"]}, "vpc_base_azs: unknown or unavailable availability zone(s) ap-northeast-1z"),
        ({"az_count": 4}, "vpc_base_az_count: 4 zones asked, the region has 3"),
        ({"az_count": True}, "vpc_base_az_count: expected an integer"),
        ({"project": "A"}, "vpc_base_project: 'A' must be"),
        ({"cidr": "10.0.0.0/28", "subnet_prefix": 28, "az_count": 2}, "vpc_base_subnet_prefix: 10.0.0.0/28 holds 1"),
    ],
)
def test_vpc_plan_errors_name_the_variable(overrides: dict, expected: str) -> None:
    errors = vpc_plan.plan(request(**overrides))["errors"]
    assert any(error.startswith(expected) for error in errors), errors


def test_static_validation_needs_no_zones() -> None:
    plan = vpc_plan.plan(request(available_azs=None))
    assert plan == {"errors": [], "azs": [], "public": [], "private": []}


def test_planner_runs_as_a_script() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "roles/vpc_base/files/vpc_base_plan.py"),
                          json.dumps(request(cidr="bad"))], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["errors"][0].startswith("vpc_base_cidr:")


def check(**overrides: object) -> dict:
    base = {"state": "present", "project": "p", "admin_cidrs": ["203.0.113.0/24"], "allow_world_ssh": False,
            "private_instance_count": 1, "policy": {}, "allow_wildcard_actions": False}
    return bastion_check.check({**base, **overrides})


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"admin_cidrs": []}, "bastion_admin_cidrs: give at least one CIDR"),
        ({"admin_cidrs": ["0.0.0.0/0"]}, "bastion_admin_cidrs[0]: 0.0.0.0/0 opens SSH to the whole internet"),
        ({"admin_cidrs": ["10.0.0.0/8", "::/0"]}, "bastion_admin_cidrs[1]: ::/0 opens SSH"),
        ({"admin_cidrs": ["10.0.0.5"]}, "bastion_admin_cidrs[0]: '10.0.0.5' has no prefix length"),
        ({"admin_cidrs": ["10.0.0.5/8"]}, "bastion_admin_cidrs[0]: '10.0.0.5/8' is not a valid CIDR"),
        ({"policy": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
         "bastion_private_instance_policy.Statement[0]: action '*' is a wildcard"),
        ({"policy": {"Statement": {"Effect": "Allow", "Action": ["sqs:*"], "Resource": "*"}}},
         "bastion_private_instance_policy.Statement[0]: action 'sqs:*' is a wildcard"),
        ({"policy": {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}},
         "bastion_private_instance_policy.Statement[0]: Allow with NotAction"),
        ({"policy": "{not json"}, "bastion_private_instance_policy: not valid JSON"),
        ({"policy": {"Version": "2012-10-17"}}, "bastion_private_instance_policy: expected a policy document"),
        ({"private_instance_count": -2}, "bastion_private_instance_count: expected an integer >= 0"),
    ],
)
def test_bastion_errors_name_the_variable(overrides: dict, expected: str) -> None:
    errors = check(**overrides)["errors"]
    assert any(error.startswith(expected) for error in errors), errors


def test_bastion_accepts_least_privilege_and_explicit_opt_ins() -> None:
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]}
    assert check(policy=json.dumps(policy)) == {"errors": [], "policy": policy}
    assert check(admin_cidrs=["0.0.0.0/0"], allow_world_ssh=True)["errors"] == []
    assert check(policy={"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                 allow_wildcard_actions=True)["errors"] == []


def test_bastion_absent_needs_only_the_project() -> None:
    assert bastion_check.check({"state": "absent", "project": "p"}) == {"errors": [], "policy": None}


interface_plan = load("roles/interface_endpoint/files/interface_endpoint_plan.py")
SQS_DETAIL = {"service_name": "com.amazonaws.ap-northeast-1.sqs", "service_type": [{"service_type": "Interface"}],
              "availability_zones": AZS[:2], "private_dns_name": "sqs.ap-northeast-1.amazonaws.com",
              "vpc_endpoint_policy_supported": True}


def interface_request(**overrides: object) -> dict:
    base = {"state": "present", "project": "p", "name": "p", "region": "ap-northeast-1", "vpc_id": "",
            "services": ["sqs"], "presets": {}, "subnet_ids": [], "private_dns_enabled": True, "policy": "scoped",
            "source_cidrs": [], "source_security_group_ids": [], "subnets": None, "vpc": None,
            "service_details": None, "network": "known"}
    return {**base, **overrides}


def test_interface_plan_needs_subnets_unless_the_network_comes_later() -> None:
    known = interface_plan.Planner(interface_request()).plan()
    assert any(e.startswith("interface_endpoint_subnet_ids: the list is empty") for e in known["errors"])
    later = interface_plan.Planner(interface_request(network="later")).plan()
    assert later["errors"] == []
    assert later["service_names"] == ["com.amazonaws.ap-northeast-1.sqs"]


@pytest.mark.parametrize(
    ("services", "details", "expected"),
    [
        (["sqs", "no-such-service"], [SQS_DETAIL],
         "interface_endpoint_services[1]: com.amazonaws.ap-northeast-1.no-such-service is not offered"),
        (["sqs"], [{**SQS_DETAIL, "private_dns_name": ""}], "interface_endpoint_private_dns_enabled: "),
        (["sqs"], [{**SQS_DETAIL, "service_type": [{"service_type": "Gateway"}]}],
         "interface_endpoint_services[0]: com.amazonaws.ap-northeast-1.sqs offers no Interface endpoint"),
    ],
)
def test_interface_services_are_checked_before_the_network_exists(services: list, details: list,
                                                                   expected: str) -> None:
    plan = interface_plan.Planner(interface_request(network="later", services=services,
                                                    service_details=details)).plan()
    assert any(error.startswith(expected) for error in plan["errors"]), plan["errors"]


def test_interface_services_alone_plan_the_endpoints_without_subnets() -> None:
    plan = interface_plan.Planner(interface_request(network="later", service_details=[SQS_DETAIL])).plan()
    assert plan["errors"] == []
    assert [(e["name"], e["subnet_ids"]) for e in plan["endpoints"]] == [("p-sqs", [])]
