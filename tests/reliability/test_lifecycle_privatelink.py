"""Lifecycle of the PrivateLink scenario (playbooks/privatelink.yml) across two lab accounts (consumer: the default
account, provider: the second), one converge shared by the tests of this module, in file order: check mode on an
empty account, converge with -vvv without secrets in its output, posture of both accounts, check mode on the
converged accounts, drift made by hand as the provider (allowed principal removed, connection rejected, IMDSv1 on the
application instance) then repaired by a converge whose checks on the private host pass, teardown of both accounts
and teardown again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from lifecycle import IMDSV1_OPTIONS, Lifecycle, Steps, check_drift_repaired, wait_until
from scenarios import DEFAULT_ACCOUNT, PRIVATELINK, SECOND_ACCOUNT
from support.playbooks import PlaybookRun
from support.resources import client

SCENARIO = PRIVATELINK
PROJECT_FILTER = [{"Name": "tag:privnet:project", "Values": [PRIVATELINK.project]}]
CONSUMER_PRINCIPAL = f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"
CASES = ["an allowed principal removed", "a PrivateLink connection rejected",
         "IMDSv1 re-enabled on an instance (provider's application)"]
LIVE = ["pendingAcceptance", "pending", "available", "rejected", "failed"]


@dataclass(frozen=True)
class State:
    service: dict[str, Any]
    allowed_principals: list[str]
    endpoints: list[dict[str, Any]]  # the consumer's live endpoints of the project
    connections: dict[str, str]  # endpoint id -> connection state, as the provider sees it
    app_instance: dict[str, Any]


def read_state() -> State:
    provider = client("ec2", SECOND_ACCOUNT)
    services = [s for s in provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
                if {"Key": "privnet:project", "Value": PRIVATELINK.project} in s.get("Tags", [])]
    assert len(services) == 1, services
    service_id = services[0]["ServiceId"]
    principals = provider.describe_vpc_endpoint_service_permissions(ServiceId=service_id)["AllowedPrincipals"]
    connections = provider.describe_vpc_endpoint_connections(
        Filters=[{"Name": "service-id", "Values": [service_id]}])["VpcEndpointConnections"]
    endpoints = client("ec2", DEFAULT_ACCOUNT).describe_vpc_endpoints(Filters=PROJECT_FILTER + [
        {"Name": "vpc-endpoint-state", "Values": LIVE}])["VpcEndpoints"]
    reservations = provider.describe_instances(Filters=PROJECT_FILTER + [
        {"Name": "instance-state-name", "Values": ["pending", "running"]}])["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    assert len(instances) == 1, instances
    return State(services[0], sorted(p["Principal"] for p in principals), endpoints,
                 {c["VpcEndpointId"]: c["VpcEndpointState"] for c in connections}, instances[0])


def apply_drift(state: State) -> None:
    provider = client("ec2", SECOND_ACCOUNT)
    service_id = state.service["ServiceId"]
    endpoint_id = state.endpoints[0]["VpcEndpointId"]
    provider.reject_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=[endpoint_id])
    consumer = client("ec2", DEFAULT_ACCOUNT)
    wait_until(lambda: consumer.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["State"]
               == "rejected", timeout=120)
    provider.modify_vpc_endpoint_service_permissions(ServiceId=service_id,
                                                     RemoveAllowedPrincipals=[CONSUMER_PRINCIPAL])
    provider.modify_instance_metadata_options(InstanceId=state.app_instance["InstanceId"], **IMDSV1_OPTIONS)


def drift_present(case: str, state: State) -> bool:
    if case == CASES[0]:
        return CONSUMER_PRINCIPAL not in state.allowed_principals
    if case == CASES[1]:
        return [e["State"] for e in state.endpoints] == ["rejected"]
    if case == CASES[2]:
        return state.app_instance["MetadataOptions"]["HttpTokens"] != "required"
    raise AssertionError(case)


def repaired(case: str, state: State, before: State) -> bool:
    if drift_present(case, state):
        return False
    if case == CASES[0]:
        return state.allowed_principals == before.allowed_principals == [CONSUMER_PRINCIPAL]
    if case == CASES[1]:
        endpoint_ids = [e["VpcEndpointId"] for e in state.endpoints if e["State"] == "available"]
        return len(state.endpoints) == 1 and len(endpoint_ids) == 1 \
            and state.connections.get(endpoint_ids[0]) == "available"
    return state.app_instance["InstanceId"] == before.app_instance["InstanceId"]


@dataclass(frozen=True)
class Drift:
    before: State
    drifted: State
    repair: PlaybookRun
    after: State


@pytest.fixture(scope="module")
def converged(life: Lifecycle) -> PlaybookRun:
    return life.converge("-vvv", private_hosts=False)


@pytest.fixture(scope="module")
def drift(life: Lifecycle, converged: PlaybookRun) -> Drift:
    assert converged.succeeded, "no converged scenario to drift"
    before = read_state()
    assert [e["State"] for e in before.endpoints] == ["available"], before.endpoints
    apply_drift(before)
    drifted = read_state()
    repair = life.converge("--diff", private_hosts=True)
    return Drift(before, drifted, repair, read_state())


def test_check_mode_on_empty_account(steps: Steps) -> None:
    steps.check_mode_on_empty_account()


def test_converge_output_has_no_secrets(steps: Steps, converged: PlaybookRun) -> None:
    steps.no_secrets(converged)


def test_posture_has_no_findings(steps: Steps, converged: PlaybookRun) -> None:
    assert converged.succeeded
    steps.posture_clean()


def test_check_mode_on_converged_account_changes_nothing(steps: Steps, converged: PlaybookRun) -> None:
    assert converged.succeeded
    steps.check_mode_on_converged_account()


@pytest.mark.parametrize("case", CASES)
def test_drift_is_repaired(drift: Drift, case: str) -> None:
    check_drift_repaired(SCENARIO.name, case, drift_present(case, drift.drifted),
                         repaired(case, drift.after, drift.before), drift.repair, detail=f": {drift.after}")


def test_teardown_leaves_nothing(steps: Steps) -> None:
    steps.teardown_leaves_nothing()


def test_teardown_again_changes_nothing(steps: Steps) -> None:
    steps.teardown_again_changes_nothing()
