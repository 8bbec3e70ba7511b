"""Error translation, retries and batched waiting, against botocore's Stubber."""

from __future__ import annotations

import pytest
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.privnet.aws.plugins.module_utils import _endpoint_api as api
from ansible_collections.privnet.aws.plugins.module_utils import _endpoint_service_api as service_api
from ansible_collections.privnet.aws.plugins.module_utils._endpoint_wait import (
    EndpointStateError,
    WaitTimeoutError,
    describe_endpoints_batch,
    wait_for_connections,
    wait_for_endpoints,
)
from botocore.stub import Stubber


@pytest.fixture
def stub(ec2_client):
    stubber = Stubber(ec2_client)
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


def test_error_message_names_verb_resource_id_and_keeps_the_aws_error(stub, ec2_client):
    stub.add_client_error("modify_vpc_endpoint", service_error_code="InvalidParameter", service_message="bad subnet")

    with pytest.raises(AnsibleEC2Error) as raised:
        api.modify_vpc_endpoint(ec2_client, "vpce-1", AddSubnetIds=["subnet-x"])

    assert raised.value.message == "Failed to modify VPC endpoint vpce-1"
    assert raised.value.exception.response["Error"]["Code"] == "InvalidParameter"


def test_not_found_on_describe_means_empty(stub, ec2_client):
    stub.add_client_error("describe_vpc_endpoints", service_error_code="InvalidVpcEndpointId.NotFound")

    assert api.describe_vpc_endpoints(ec2_client, vpc_endpoint_ids=["vpce-1"]) == []


def test_throttling_and_server_errors_are_retried(stub, ec2_client, sleeps):
    stub.add_client_error("describe_vpc_endpoint_connections", service_error_code="RequestLimitExceeded")
    stub.add_client_error("describe_vpc_endpoint_connections", service_error_code="Weird", http_status_code=503)
    stub.add_response("describe_vpc_endpoint_connections", {"VpcEndpointConnections": []})

    assert service_api.describe_endpoint_connections(ec2_client) == []
    assert len(sleeps) == 2


def test_client_errors_are_not_retried(stub, ec2_client, sleeps):
    stub.add_client_error("delete_vpc_endpoints", service_error_code="UnauthorizedOperation", http_status_code=403)

    with pytest.raises(AnsibleEC2Error):
        api.delete_vpc_endpoints(ec2_client, ["vpce-1"])
    assert sleeps == []


def test_batch_describe_drops_ids_named_in_not_found(stub, ec2_client, aws_shapes):
    stub.add_client_error(
        "describe_vpc_endpoints",
        service_error_code="InvalidVpcEndpointId.NotFound",
        service_message="The VpcEndPoint ID 'vpce-2' does not exist",
        expected_params={"VpcEndpointIds": ["vpce-1", "vpce-2", "vpce-3"]},
    )
    stub.add_response(
        "describe_vpc_endpoints",
        {"VpcEndpoints": [aws_shapes.endpoint("vpce-1"), aws_shapes.endpoint("vpce-3")]},
        {"VpcEndpointIds": ["vpce-1", "vpce-3"]},
    )

    found = describe_endpoints_batch(ec2_client, ["vpce-3", "vpce-2", "vpce-1"])

    assert found["vpce-2"] is None
    assert found["vpce-1"]["VpcEndpointId"] == "vpce-1"


def test_batch_describe_falls_back_to_one_by_one_when_the_error_names_nothing(stub, ec2_client, aws_shapes):
    stub.add_client_error("describe_vpc_endpoints", service_error_code="InvalidVpcEndpointId.NotFound")
    stub.add_response(
        "describe_vpc_endpoints", {"VpcEndpoints": [aws_shapes.endpoint("vpce-1")]}, {"VpcEndpointIds": ["vpce-1"]}
    )
    stub.add_client_error(
        "describe_vpc_endpoints",
        service_error_code="InvalidVpcEndpointId.NotFound",
        expected_params={"VpcEndpointIds": ["vpce-2"]},
    )

    found = describe_endpoints_batch(ec2_client, ["vpce-1", "vpce-2"])

    assert found == {"vpce-1": aws_shapes.endpoint("vpce-1"), "vpce-2": None}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_unknown_id_waits_for_visibility_then_times_out(stub, ec2_client):
    clock = FakeClock()
    for _poll in range(3):
        stub.add_client_error("describe_vpc_endpoints", service_error_code="InvalidVpcEndpointId.NotFound")

    with pytest.raises(WaitTimeoutError) as raised:
        wait_for_endpoints(ec2_client, ["vpce-1"], timeout=10, delay=4, sleep=clock.sleep, now=clock.time)

    assert "vpce-1=not found" in raised.value.message
    assert clock.sleeps == [4, 4]


def test_connection_wait_fails_fast_on_rejection(stub, ec2_client, aws_shapes):
    stub.add_response(
        "describe_vpc_endpoint_connections",
        {"VpcEndpointConnections": [aws_shapes.connection("vpce-1", "rejected")]},
        {"Filters": [{"Name": "service-id", "Values": ["vpce-svc-1"]}]},
    )

    with pytest.raises(EndpointStateError) as raised:
        wait_for_connections(ec2_client, "vpce-svc-1", ["vpce-1"])

    assert "vpce-1" in raised.value.message
    assert "rejected" in raised.value.message
