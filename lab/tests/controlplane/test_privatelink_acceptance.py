"""PrivateLink across two accounts: acceptance states, allowed principals, service visibility, private DNS names."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import ACCOUNT_B, endpoint, endpoint_state, make_service, make_subnet, make_vpc, states_until, wait_for


@pytest.fixture
def provider(lab: Any, ec2: Any) -> dict[str, Any]:
    vpc_id = make_vpc(ec2, "10.10.0.0/16")
    subnet_id = make_subnet(ec2, vpc_id, "10.10.1.0/24")
    return make_service(lab, ec2, subnet_id, acceptance=True)


@pytest.fixture
def consumer_subnet(ec2_b: Any) -> tuple[str, str]:
    vpc_id = make_vpc(ec2_b, "10.20.0.0/16")
    return vpc_id, make_subnet(ec2_b, vpc_id, "10.20.1.0/24")


def allow(ec2: Any, service: dict[str, Any], account: str = ACCOUNT_B) -> None:
    ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=service["ServiceId"], AddAllowedPrincipals=[f"arn:aws:iam::{account}:root"])


def consume(ec2_b: Any, service: dict[str, Any], subnet: tuple[str, str], **extra: Any) -> dict[str, Any]:
    vpc_id, subnet_id = subnet
    return ec2_b.create_vpc_endpoint(VpcId=vpc_id, ServiceName=service["ServiceName"], VpcEndpointType="Interface",
                                     SubnetIds=[subnet_id], **extra)["VpcEndpoint"]


def test_endpoint_waits_for_acceptance_then_becomes_available(lab: Any, ec2: Any, ec2_b: Any,
                                                             provider: dict[str, Any],
                                                             consumer_subnet: tuple[str, str]) -> None:
    allow(ec2, provider)
    created = consume(ec2_b, provider, consumer_subnet)
    endpoint_id = created["VpcEndpointId"]
    assert created["State"] == "pendingAcceptance"

    connections = ec2.describe_vpc_endpoint_connections(
        Filters=[{"Name": "service-id", "Values": [provider["ServiceId"]]}])["VpcEndpointConnections"]
    assert [(c["VpcEndpointId"], c["VpcEndpointOwner"], c["VpcEndpointState"]) for c in connections] == [
        (endpoint_id, ACCOUNT_B, "pendingAcceptance")]

    with lab.clock_stopped():
        answer = ec2.accept_vpc_endpoint_connections(ServiceId=provider["ServiceId"], VpcEndpointIds=[endpoint_id])
        assert answer["Unsuccessful"] == []
        assert endpoint_state(ec2_b, endpoint_id) == "pending"
    assert states_until(lambda: endpoint_state(ec2_b, endpoint_id), "available")[-1] == "available"
    connection = ec2.describe_vpc_endpoint_connections()["VpcEndpointConnections"][0]
    assert connection["VpcEndpointState"] == "available"


def test_rejected_connection_ends_rejected(ec2: Any, ec2_b: Any, provider: dict[str, Any],
                                           consumer_subnet: tuple[str, str]) -> None:
    allow(ec2, provider)
    endpoint_id = consume(ec2_b, provider, consumer_subnet)["VpcEndpointId"]
    answer = ec2.reject_vpc_endpoint_connections(ServiceId=provider["ServiceId"], VpcEndpointIds=[endpoint_id])
    assert answer["Unsuccessful"] == []
    assert endpoint_state(ec2_b, endpoint_id) == "rejected"
    again = ec2.accept_vpc_endpoint_connections(ServiceId=provider["ServiceId"], VpcEndpointIds=[endpoint_id])
    assert [item["ResourceId"] for item in again["Unsuccessful"]] == [endpoint_id]


def test_accept_reports_unknown_endpoint_as_unsuccessful(ec2: Any, provider: dict[str, Any]) -> None:
    answer = ec2.accept_vpc_endpoint_connections(ServiceId=provider["ServiceId"],
                                                 VpcEndpointIds=["vpce-0123456789abcdef0"])
    assert answer["Unsuccessful"][0]["ResourceId"] == "vpce-0123456789abcdef0"
    assert answer["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcEndpoint.NotFound"


def test_service_without_acceptance_goes_straight_to_pending(lab: Any, ec2: Any, ec2_b: Any,
                                                            consumer_subnet: tuple[str, str]) -> None:
    vpc_id = make_vpc(ec2, "10.11.0.0/16")
    service = make_service(lab, ec2, make_subnet(ec2, vpc_id, "10.11.1.0/24"), acceptance=False)
    allow(ec2, service)
    with lab.clock_stopped():
        endpoint_id = consume(ec2_b, service, consumer_subnet)["VpcEndpointId"]
        assert endpoint_state(ec2_b, endpoint_id) == "pending"
    states_until(lambda: endpoint_state(ec2_b, endpoint_id), "available")


def test_principal_not_allowed_cannot_see_or_connect(ec2: Any, ec2_b: Any, provider: dict[str, Any],
                                                     consumer_subnet: tuple[str, str]) -> None:
    names = ec2_b.describe_vpc_endpoint_services()["ServiceNames"]
    assert provider["ServiceName"] not in names
    with pytest.raises(ClientError) as error:
        consume(ec2_b, provider, consumer_subnet)
    assert error.value.response["Error"]["Code"] == "InvalidServiceName"

    allow(ec2, provider)
    details = ec2_b.describe_vpc_endpoint_services(ServiceNames=[provider["ServiceName"]])["ServiceDetails"]
    assert details[0]["Owner"] == "111111111111"
    assert details[0]["AcceptanceRequired"] is True
    assert consume(ec2_b, provider, consumer_subnet)["State"] == "pendingAcceptance"


def test_removing_principal_hides_service_again(ec2: Any, ec2_b: Any, provider: dict[str, Any]) -> None:
    allow(ec2, provider)
    assert provider["ServiceName"] in ec2_b.describe_vpc_endpoint_services()["ServiceNames"]
    ec2.modify_vpc_endpoint_service_permissions(ServiceId=provider["ServiceId"],
                                                RemoveAllowedPrincipals=["arn:aws:iam::222222222222:root"])
    assert provider["ServiceName"] not in ec2_b.describe_vpc_endpoint_services()["ServiceNames"]


def test_private_dns_on_consumer_only_after_acceptance_and_verification(
        lab: Any, ec2: Any, ec2_b: Any, consumer_subnet: tuple[str, str]) -> None:
    vpc_id = make_vpc(ec2, "10.12.0.0/16")
    service = make_service(lab, ec2, make_subnet(ec2, vpc_id, "10.12.1.0/24"), acceptance=True,
                           PrivateDnsName="app.example.internal")
    config = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service["ServiceId"]])
    assert config["ServiceConfigurations"][0]["PrivateDnsNameConfiguration"]["State"] == "pendingVerification"
    allow(ec2, service)

    with pytest.raises(ClientError) as error:
        consume(ec2_b, service, consumer_subnet, PrivateDnsEnabled=True)
    assert error.value.response["Error"]["Code"] == "InvalidParameter"

    ec2.start_vpc_endpoint_service_private_dns_verification(ServiceId=service["ServiceId"])
    wait_for(lambda: ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service["ServiceId"]])[
        "ServiceConfigurations"][0]["PrivateDnsNameConfiguration"]["State"], lambda state: state == "verified")

    endpoint_id = consume(ec2_b, service, consumer_subnet)["VpcEndpointId"]
    with pytest.raises(ClientError):
        ec2_b.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PrivateDnsEnabled=True)
    ec2.accept_vpc_endpoint_connections(ServiceId=service["ServiceId"], VpcEndpointIds=[endpoint_id])
    states_until(lambda: endpoint_state(ec2_b, endpoint_id), "available")
    ec2_b.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PrivateDnsEnabled=True)
    names = [entry["DnsName"] for entry in endpoint(ec2_b, endpoint_id)["DnsEntries"]]
    assert "app.example.internal" in names


def test_service_with_live_connection_cannot_be_deleted(ec2: Any, ec2_b: Any, provider: dict[str, Any],
                                                        consumer_subnet: tuple[str, str]) -> None:
    allow(ec2, provider)
    consume(ec2_b, provider, consumer_subnet)
    answer = ec2.delete_vpc_endpoint_service_configurations(ServiceIds=[provider["ServiceId"]])
    assert answer["Unsuccessful"][0]["Error"]["Code"] == "ExistingVpcEndpointConnections"


def test_service_configuration_is_pending_then_available_and_idempotent(lab: Any, ec2: Any) -> None:
    from .helpers import make_nlb

    vpc_id = make_vpc(ec2, "10.13.0.0/16")
    arn = make_nlb(lab, make_subnet(ec2, vpc_id, "10.13.1.0/24"))
    with lab.clock_stopped():
        first = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[arn], ClientToken="svc-1")
        second = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[arn], ClientToken="svc-1")
        service_id = first["ServiceConfiguration"]["ServiceId"]
        assert second["ServiceConfiguration"]["ServiceId"] == service_id
        assert first["ServiceConfiguration"]["ServiceState"] == "Pending"
    states_until(lambda: ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])[
        "ServiceConfigurations"][0]["ServiceState"], "Available")
    assert len(ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]) == 1


def test_describe_endpoint_services_filters(ec2: Any, ec2_b: Any, provider: dict[str, Any]) -> None:
    allow(ec2, provider)
    by_name = ec2_b.describe_vpc_endpoint_services(
        Filters=[{"Name": "service-name", "Values": [provider["ServiceName"]]}])["ServiceNames"]
    assert by_name == [provider["ServiceName"]]
    sqs = ec2_b.describe_vpc_endpoint_services(
        Filters=[{"Name": "service-name", "Values": ["com.amazonaws.ap-northeast-1.sqs"]},
                 {"Name": "service-type", "Values": ["Interface"]}])["ServiceDetails"]
    assert [detail["ServiceName"] for detail in sqs] == ["com.amazonaws.ap-northeast-1.sqs"]
