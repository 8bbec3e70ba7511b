"""privnet.aws.vpc_endpoint_wait: many endpoints, one DescribeVpcEndpoints per poll."""

from __future__ import annotations

from ansible_collections.privnet.aws.plugins.modules import vpc_endpoint_wait


def expect_describe(ec2, endpoints, ids):
    ec2.add_response("describe_vpc_endpoints", {"VpcEndpoints": endpoints}, {"VpcEndpointIds": ids})


def test_three_endpoints_cost_one_describe_per_poll(ec2, run_module, aws_shapes, sleeps):
    ids = ["vpce-1", "vpce-2", "vpce-3"]
    expect_describe(
        ec2,
        [
            aws_shapes.endpoint("vpce-1", "pending"),
            aws_shapes.endpoint("vpce-2"),
            aws_shapes.endpoint("vpce-3", "pending"),
        ],
        ids,
    )
    expect_describe(
        ec2,
        [aws_shapes.endpoint("vpce-1"), aws_shapes.endpoint("vpce-2"), aws_shapes.endpoint("vpce-3", "pending")],
        ids,
    )
    expect_describe(ec2, [aws_shapes.endpoint(endpoint_id) for endpoint_id in ids], ids)

    result = run_module(vpc_endpoint_wait.main, dict(vpc_endpoint_ids=["vpce-3", "vpce-1", "vpce-2", "", "vpce-1"]))

    assert result["changed"] is False
    assert result["states"] == {"vpce-1": "available", "vpce-2": "available", "vpce-3": "available"}
    assert sleeps == [2, 2]  # the default wait_delay


def test_rejected_endpoint_fails_fast_with_the_reason(ec2, run_module, aws_shapes):
    expect_describe(
        ec2,
        [
            aws_shapes.endpoint("vpce-1", "pending"),
            aws_shapes.endpoint("vpce-2", "rejected", LastError={"Code": "Rejected", "Message": "by provider"}),
        ],
        ["vpce-1", "vpce-2"],
    )

    result = run_module(vpc_endpoint_wait.main, dict(vpc_endpoint_ids=["vpce-1", "vpce-2"]))

    assert result["failed"] is True
    assert result["msg"] == "Failed to wait for VPC endpoint vpce-2: it is rejected: Rejected: by provider"


def test_deleted_endpoints_that_vanished_count_as_deleted(ec2, run_module, aws_shapes):
    ec2.add_client_error(
        "describe_vpc_endpoints",
        service_error_code="InvalidVpcEndpointId.NotFound",
        service_message="The VpcEndPoint ID 'vpce-1' does not exist",
        expected_params={"VpcEndpointIds": ["vpce-1", "vpce-2"]},
    )
    expect_describe(ec2, [aws_shapes.endpoint("vpce-2", "deleted")], ["vpce-2"])

    result = run_module(vpc_endpoint_wait.main, dict(vpc_endpoint_ids=["vpce-1", "vpce-2"], state="deleted"))

    assert result["states"] == {"vpce-1": "deleted", "vpce-2": "deleted"}


def test_timeout_lists_what_is_still_pending(ec2, run_module, aws_shapes, sleeps):
    expect_describe(ec2, [aws_shapes.endpoint("vpce-1", "pendingAcceptance")], ["vpce-1"])

    result = run_module(vpc_endpoint_wait.main, dict(vpc_endpoint_ids=["vpce-1"], wait_timeout=0, wait_delay=1))

    assert result["failed"] is True
    assert "still vpce-1=pendingAcceptance" in result["msg"]
    assert sleeps == []


def test_pending_acceptance_can_be_enough(ec2, run_module, aws_shapes):
    expect_describe(ec2, [aws_shapes.endpoint("vpce-1", "pendingAcceptance")], ["vpce-1"])

    result = run_module(vpc_endpoint_wait.main, dict(vpc_endpoint_ids=["vpce-1"], allow_pending_acceptance=True))

    assert result["states"] == {"vpce-1": "pendingAcceptance"}
