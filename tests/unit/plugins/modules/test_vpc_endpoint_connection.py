"""privnet.aws.vpc_endpoint_connection against botocore's Stubber."""

from __future__ import annotations

from ansible_collections.privnet.aws.plugins.modules import vpc_endpoint_connection

BY_SERVICE = {"Filters": [{"Name": "service-id", "Values": ["vpce-svc-1"]}]}


def expect_connections(ec2, connections):
    ec2.add_response("describe_vpc_endpoint_connections", {"VpcEndpointConnections": connections}, BY_SERVICE)


def test_accept_a_pending_connection_and_wait_until_available(ec2, run_module, aws_shapes, sleeps):
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "pendingAcceptance")])
    ec2.add_response(
        "accept_vpc_endpoint_connections",
        {"Unsuccessful": []},
        {"ServiceId": "vpce-svc-1", "VpcEndpointIds": ["vpce-1"]},
    )
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "pending")])
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "available")])

    result = run_module(
        vpc_endpoint_connection.main, dict(service_id="vpce-svc-1", vpc_endpoint_ids=["vpce-1"]), diff=True
    )

    assert result["changed"] is True
    assert result["accepted_vpc_endpoint_ids"] == ["vpce-1"]
    assert result["connections"][0]["vpc_endpoint_state"] == "available"
    assert result["diff"] == {"before": {"vpce-1": "pendingAcceptance"}, "after": {"vpce-1": "available"}}
    assert len(sleeps) == 1


def test_available_connection_is_not_changed(ec2, run_module, aws_shapes):
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "available")])
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "available")])

    result = run_module(vpc_endpoint_connection.main, dict(service_id="vpce-svc-1", vpc_endpoint_ids=["vpce-1"]))

    assert result["changed"] is False
    assert result["accepted_vpc_endpoint_ids"] == []


def test_check_mode_accept_makes_no_call(ec2, run_module, aws_shapes):
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "pendingAcceptance")])

    result = run_module(
        vpc_endpoint_connection.main, dict(service_id="vpce-svc-1", vpc_endpoint_ids=["vpce-1"]), check_mode=True
    )

    assert result["changed"] is True
    assert result["accepted_vpc_endpoint_ids"] == ["vpce-1"]


def test_reject_connections_of_one_requester_account(ec2, run_module, aws_shapes):
    connections = [
        aws_shapes.connection("vpce-1", "available", owner="444455556666"),
        aws_shapes.connection("vpce-2", "pendingAcceptance", owner="777788889999"),
    ]
    expect_connections(ec2, connections)
    ec2.add_response(
        "reject_vpc_endpoint_connections",
        {"Unsuccessful": []},
        {"ServiceId": "vpce-svc-1", "VpcEndpointIds": ["vpce-1"]},
    )
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "rejected", owner="444455556666"), connections[1]])

    result = run_module(
        vpc_endpoint_connection.main,
        dict(service_id="vpce-svc-1", requester_account_ids=["444455556666"], state="rejected"),
    )

    assert result["changed"] is True
    assert result["rejected_vpc_endpoint_ids"] == ["vpce-1"]


def test_select_by_requester_vpc(ec2, run_module, aws_shapes):
    expect_connections(
        ec2,
        [aws_shapes.connection("vpce-1", "pendingAcceptance"), aws_shapes.connection("vpce-2", "pendingAcceptance")],
    )
    ec2.add_response(
        "describe_vpc_endpoint_service_configurations",
        {"ServiceConfigurations": [aws_shapes.service()]},
        {"ServiceIds": ["vpce-svc-1"]},
    )
    ec2.add_response(
        "describe_vpc_endpoints",
        {"VpcEndpoints": [aws_shapes.endpoint("vpce-2", state="pendingAcceptance", vpc_id="vpc-b")]},
        {
            "Filters": [
                {"Name": "vpc-id", "Values": ["vpc-b"]},
                {"Name": "service-name", "Values": ["com.amazonaws.vpce.ap-northeast-1.vpce-svc-1"]},
            ]
        },
    )
    ec2.add_response(
        "accept_vpc_endpoint_connections",
        {"Unsuccessful": []},
        {"ServiceId": "vpce-svc-1", "VpcEndpointIds": ["vpce-2"]},
    )

    result = run_module(
        vpc_endpoint_connection.main, dict(service_id="vpce-svc-1", requester_vpc_ids=["vpc-b"], wait=False)
    )

    assert result["changed"] is True
    assert result["accepted_vpc_endpoint_ids"] == ["vpce-2"]


def test_waits_for_a_request_that_is_not_listed_yet(ec2, run_module, aws_shapes, sleeps):
    expect_connections(ec2, [])
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "pendingAcceptance")])
    ec2.add_response("accept_vpc_endpoint_connections", {"Unsuccessful": []})
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "available")])

    result = run_module(vpc_endpoint_connection.main, dict(service_id="vpce-svc-1", vpc_endpoint_ids=["vpce-1"]))

    assert result["changed"] is True
    assert len(sleeps) == 1


def test_missing_request_without_wait_names_the_option(ec2, run_module):
    expect_connections(ec2, [])

    result = run_module(
        vpc_endpoint_connection.main, dict(service_id="vpce-svc-1", vpc_endpoint_ids=["vpce-1"], wait=False)
    )

    assert result["failed"] is True
    assert result["msg"].startswith("Option vpc_endpoint_ids: no connection request from vpce-1")


def test_accepting_a_rejected_connection_fails_clearly(ec2, run_module, aws_shapes):
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "rejected")])

    result = run_module(vpc_endpoint_connection.main, dict(service_id="vpce-svc-1", vpc_endpoint_ids=["vpce-1"]))

    assert result["failed"] is True
    assert "they were rejected" in result["msg"]


def test_unsuccessful_accept_reports_the_aws_reason(ec2, run_module, aws_shapes):
    expect_connections(ec2, [aws_shapes.connection("vpce-1", "pendingAcceptance")])
    ec2.add_response(
        "accept_vpc_endpoint_connections",
        {"Unsuccessful": [{"ResourceId": "vpce-1", "Error": {"Code": "InvalidState", "Message": "not pending"}}]},
    )

    result = run_module(vpc_endpoint_connection.main, dict(service_id="vpce-svc-1", vpc_endpoint_ids=["vpce-1"]))

    assert result["failed"] is True
    assert result["msg"] == "Failed to accept VPC endpoint connections vpce-1: vpce-1: InvalidState not pending"


def test_api_error_names_the_service(ec2, run_module):
    ec2.add_client_error(
        "describe_vpc_endpoint_connections", service_error_code="UnauthorizedOperation", service_message="denied"
    )

    result = run_module(vpc_endpoint_connection.main, dict(service_id="vpce-svc-1", vpc_endpoint_ids=["vpce-1"]))

    assert result["failed"] is True
    assert result["msg"].startswith("Failed to describe VPC endpoint connections of service vpce-svc-1: ")


def test_accept_by_account_skips_rejected_connections(ec2, run_module, aws_shapes):
    expect_connections(
        ec2, [aws_shapes.connection("vpce-1", "rejected"), aws_shapes.connection("vpce-2", "pendingAcceptance")]
    )
    ec2.add_response(
        "accept_vpc_endpoint_connections",
        {"Unsuccessful": []},
        {"ServiceId": "vpce-svc-1", "VpcEndpointIds": ["vpce-2"]},
    )

    result = run_module(
        vpc_endpoint_connection.main,
        dict(service_id="vpce-svc-1", requester_account_ids=["123456789012"], wait=False),
    )

    assert result["changed"] is True
    assert result["accepted_vpc_endpoint_ids"] == ["vpce-2"]
