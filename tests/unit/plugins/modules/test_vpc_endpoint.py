"""privnet.aws.vpc_endpoint against botocore's Stubber: create, no-op, modify, delete, check mode, errors."""

from __future__ import annotations

import json

import pytest
from ansible_collections.privnet.aws.plugins.modules import vpc_endpoint
from botocore.stub import ANY

SQS = "com.amazonaws.ap-northeast-1.sqs"
S3 = "com.amazonaws.ap-northeast-1.s3"
IDENTITY = {"vpc_id": "vpc-1", "service_name": SQS, "vpc_endpoint_type": "Interface"}
LOOKUP = {"Filters": [{"Name": "vpc-id", "Values": ["vpc-1"]}, {"Name": "service-name", "Values": [SQS]}]}
SQS_POLICY = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]}


def expect_lookup(ec2, endpoints, params=None):
    ec2.add_response("describe_vpc_endpoints", {"VpcEndpoints": endpoints}, params or LOOKUP)


def expect_describe_ids(ec2, endpoints, ids):
    ec2.add_response("describe_vpc_endpoints", {"VpcEndpoints": endpoints}, {"VpcEndpointIds": ids})


def test_create_interface_endpoint_waits_until_available(ec2, run_module, aws_shapes, sleeps):
    created = aws_shapes.endpoint(state="pending", SubnetIds=["subnet-a"], Groups=[{"GroupId": "sg-1"}])
    expect_lookup(ec2, [])
    ec2.add_response(
        "create_vpc_endpoint",
        {"VpcEndpoint": created},
        {
            "VpcId": "vpc-1",
            "ServiceName": SQS,
            "VpcEndpointType": "Interface",
            "SubnetIds": ["subnet-a"],
            "SecurityGroupIds": ["sg-1"],
            "PrivateDnsEnabled": True,
            "TagSpecifications": [{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": "sqs"}]}],
            "ClientToken": ANY,
        },
    )
    expect_describe_ids(ec2, [created], ["vpce-0a1"])
    expect_describe_ids(ec2, [created], ["vpce-0a1"])
    expect_describe_ids(ec2, [dict(created, State="available")], ["vpce-0a1"])

    result = run_module(
        vpc_endpoint.main,
        dict(
            IDENTITY,
            subnet_ids=["subnet-a"],
            security_group_ids=["sg-1"],
            private_dns_enabled=True,
            tags={"Name": "sqs"},
        ),
    )

    assert result["changed"] is True
    assert result["vpc_endpoint_id"] == "vpce-0a1"
    assert result["vpc_endpoint"]["state"] == "available"
    assert len(sleeps) == 1


def test_existing_endpoint_that_matches_is_not_changed(ec2, run_module, aws_shapes):
    current = aws_shapes.endpoint(SubnetIds=["subnet-b", "subnet-a"], Groups=[{"GroupId": "sg-1", "GroupName": "x"}])
    expect_lookup(ec2, [current])
    expect_describe_ids(ec2, [current], ["vpce-0a1"])

    result = run_module(
        vpc_endpoint.main, dict(IDENTITY, subnet_ids=["subnet-a", "subnet-b"], security_group_ids=["sg-1"])
    )

    assert result["changed"] is False
    assert result["vpc_endpoint_id"] == "vpce-0a1"


def test_semantically_equal_policy_is_not_a_change(ec2, run_module, aws_shapes):
    stored = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Resource": "*",
                "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
                "Principal": {"AWS": "*"},
                "Effect": "Allow",
            }
        ],
    }
    desired = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": ["sqs:ReceiveMessage", "sqs:SendMessage"], "Resource": "*"}
        ],
    }
    current = aws_shapes.endpoint(PolicyDocument=json.dumps(stored))
    expect_lookup(ec2, [current])

    result = run_module(vpc_endpoint.main, dict(IDENTITY, policy=json.dumps(desired), wait=False))

    assert result["changed"] is False


def test_modify_in_place_keeps_the_id_and_shows_a_diff(ec2, run_module, aws_shapes):
    current = aws_shapes.endpoint(SubnetIds=["subnet-a"], Groups=[{"GroupId": "sg-old", "GroupName": "old"}])
    after = aws_shapes.endpoint(
        SubnetIds=["subnet-a", "subnet-b"],
        Groups=[{"GroupId": "sg-new", "GroupName": "new"}],
        PolicyDocument=json.dumps(SQS_POLICY),
        PrivateDnsEnabled=True,
        Tags=[{"Key": "team", "Value": "net"}],
    )
    expect_lookup(ec2, [current])
    ec2.add_response(
        "modify_vpc_endpoint",
        {"Return": True},
        {
            "VpcEndpointId": "vpce-0a1",
            "AddSubnetIds": ["subnet-b"],
            "AddSecurityGroupIds": ["sg-new"],
            "RemoveSecurityGroupIds": ["sg-old"],
            "PolicyDocument": json.dumps(SQS_POLICY, sort_keys=True, separators=(",", ":")),
            "PrivateDnsEnabled": True,
        },
    )
    ec2.add_response("create_tags", {}, {"Resources": ["vpce-0a1"], "Tags": [{"Key": "team", "Value": "net"}]})
    expect_describe_ids(ec2, [after], ["vpce-0a1"])

    result = run_module(
        vpc_endpoint.main,
        dict(
            IDENTITY,
            subnet_ids=["subnet-a", "subnet-b"],
            security_group_ids=["sg-new"],
            policy=json.dumps(SQS_POLICY),
            private_dns_enabled=True,
            tags={"team": "net"},
        ),
        diff=True,
    )

    assert result["changed"] is True
    assert result["vpc_endpoint_id"] == "vpce-0a1"
    assert result["diff"]["before"]["subnet_ids"] == ["subnet-a"]
    assert result["diff"]["after"]["subnet_ids"] == ["subnet-a", "subnet-b"]
    assert result["diff"]["before"]["security_group_ids"] == ["sg-old"]
    assert result["diff"]["after"]["security_group_ids"] == ["sg-new"]
    assert result["diff"]["after"]["private_dns_enabled"] is True


def test_route_tables_and_tag_purge_on_gateway_endpoint(ec2, run_module, aws_shapes):
    current = aws_shapes.endpoint(
        endpoint_type="Gateway",
        service_name=S3,
        RouteTableIds=["rtb-1", "rtb-2"],
        Tags=[{"Key": "old", "Value": "1"}, {"Key": "aws:cloudformation:stack", "Value": "x"}],
    )
    lookup = {"Filters": [{"Name": "vpc-id", "Values": ["vpc-1"]}, {"Name": "service-name", "Values": [S3]}]}
    expect_lookup(ec2, [current], lookup)
    ec2.add_response(
        "modify_vpc_endpoint",
        {"Return": True},
        {"VpcEndpointId": "vpce-0a1", "AddRouteTableIds": ["rtb-3"], "RemoveRouteTableIds": ["rtb-1"]},
    )
    ec2.add_response("delete_tags", {}, {"Resources": ["vpce-0a1"], "Tags": [{"Key": "old"}]})
    ec2.add_response("create_tags", {}, {"Resources": ["vpce-0a1"], "Tags": [{"Key": "new", "Value": "2"}]})
    ec2.add_response("describe_vpc_endpoints", {"VpcEndpoints": [current]}, {"VpcEndpointIds": ["vpce-0a1"]})

    result = run_module(
        vpc_endpoint.main,
        dict(
            vpc_id="vpc-1",
            service_name=S3,
            vpc_endpoint_type="Gateway",
            route_table_ids=["rtb-2", "rtb-3"],
            tags={"new": "2"},
            wait=False,
        ),
    )

    assert result["changed"] is True


def test_check_mode_create_predicts_without_mutating(ec2, run_module):
    expect_lookup(ec2, [])

    result = run_module(
        vpc_endpoint.main, dict(IDENTITY, subnet_ids=["subnet-a"], tags={"Name": "sqs"}), check_mode=True, diff=True
    )

    assert result["changed"] is True
    assert result["vpc_endpoint_id"] is None
    assert result["vpc_endpoint"]["subnet_ids"] == ["subnet-a"]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["tags"] == {"Name": "sqs"}


def test_check_mode_modify_predicts_without_mutating(ec2, run_module, aws_shapes):
    expect_lookup(ec2, [aws_shapes.endpoint(SubnetIds=["subnet-a"])])

    result = run_module(vpc_endpoint.main, dict(IDENTITY, subnet_ids=["subnet-b"]), check_mode=True, diff=True)

    assert result["changed"] is True
    assert result["vpc_endpoint_id"] == "vpce-0a1"
    assert result["diff"]["after"]["subnet_ids"] == ["subnet-b"]


def test_delete_by_identity_waits_until_deleted(ec2, run_module, aws_shapes, sleeps):
    current = aws_shapes.endpoint()
    expect_lookup(ec2, [current, aws_shapes.endpoint("vpce-old", state="deleted")])
    ec2.add_response("delete_vpc_endpoints", {"Unsuccessful": []}, {"VpcEndpointIds": ["vpce-0a1"]})
    expect_describe_ids(ec2, [dict(current, State="deleting")], ["vpce-0a1"])
    ec2.add_client_error(
        "describe_vpc_endpoints",
        service_error_code="InvalidVpcEndpointId.NotFound",
        service_message="The VpcEndPoint ID 'vpce-0a1' does not exist",
        expected_params={"VpcEndpointIds": ["vpce-0a1"]},
    )

    result = run_module(vpc_endpoint.main, dict(IDENTITY, state="absent"), diff=True)

    assert result["changed"] is True
    assert result["deleted_vpc_endpoint_ids"] == ["vpce-0a1"]
    assert "vpce-0a1" in result["diff"]["before"]


def test_absent_when_nothing_matches_is_not_changed(ec2, run_module):
    expect_lookup(ec2, [])

    result = run_module(vpc_endpoint.main, dict(IDENTITY, state="absent"))

    assert result["changed"] is False
    assert result["deleted_vpc_endpoint_ids"] == []


def test_check_mode_delete_makes_no_call(ec2, run_module, aws_shapes):
    expect_lookup(ec2, [aws_shapes.endpoint()])

    result = run_module(vpc_endpoint.main, dict(IDENTITY, state="absent"), check_mode=True)

    assert result["changed"] is True
    assert result["deleted_vpc_endpoint_ids"] == ["vpce-0a1"]


def test_create_error_names_the_resource_and_aws_detail(ec2, run_module):
    expect_lookup(ec2, [])
    ec2.add_client_error(
        "create_vpc_endpoint", service_error_code="UnauthorizedOperation", service_message="You are not authorized"
    )

    result = run_module(vpc_endpoint.main, dict(IDENTITY, wait=False))

    assert result["failed"] is True
    assert result["msg"].startswith(f"Failed to create VPC endpoint for {SQS} in vpc-1: ")
    assert result["msg"].endswith("You are not authorized")
    assert result["error"]["code"] == "UnauthorizedOperation"


def test_failed_endpoint_fails_fast_with_last_error(ec2, run_module, aws_shapes):
    failed = aws_shapes.endpoint(state="failed", LastError={"Code": "InsufficientCapacity", "Message": "no room"})
    expect_lookup(ec2, [])
    ec2.add_response("create_vpc_endpoint", {"VpcEndpoint": aws_shapes.endpoint(state="pending")})
    expect_describe_ids(ec2, [aws_shapes.endpoint(state="pending")], ["vpce-0a1"])
    expect_describe_ids(ec2, [failed], ["vpce-0a1"])

    result = run_module(vpc_endpoint.main, IDENTITY)

    assert result["failed"] is True
    assert "vpce-0a1" in result["msg"]
    assert "InsufficientCapacity: no room" in result["msg"]


def test_pending_acceptance_is_enough_when_the_caller_says_so(ec2, run_module, aws_shapes):
    pending = aws_shapes.endpoint(state="pendingAcceptance")
    expect_lookup(ec2, [pending])
    expect_describe_ids(ec2, [pending], ["vpce-0a1"])

    result = run_module(vpc_endpoint.main, dict(IDENTITY, allow_pending_acceptance=True))

    assert result["changed"] is False
    assert result["vpc_endpoint"]["state"] == "pendingAcceptance"


def test_not_found_right_after_create_is_retried(ec2, run_module, aws_shapes, sleeps):
    expect_lookup(ec2, [])
    ec2.add_response("create_vpc_endpoint", {"VpcEndpoint": aws_shapes.endpoint(state="pending")})
    ec2.add_client_error(
        "describe_vpc_endpoints",
        service_error_code="InvalidVpcEndpointId.NotFound",
        expected_params={"VpcEndpointIds": ["vpce-0a1"]},
    )
    expect_describe_ids(ec2, [aws_shapes.endpoint(state="pending")], ["vpce-0a1"])

    result = run_module(vpc_endpoint.main, dict(IDENTITY, wait=False))

    assert result["changed"] is True
    assert result["vpc_endpoint_id"] == "vpce-0a1"
    assert len(sleeps) == 1


def test_client_token_is_deterministic_and_fresh_after_a_delete(ec2, ec2_client, run_module, aws_shapes):
    tokens = []
    ec2_client.meta.events.register(
        "provide-client-params.ec2.CreateVpcEndpoint", lambda params, **kwargs: tokens.append(params["ClientToken"])
    )
    for existing in ([], [], [aws_shapes.endpoint("vpce-gone", state="deleted")]):
        expect_lookup(ec2, existing)
        ec2.add_response("create_vpc_endpoint", {"VpcEndpoint": aws_shapes.endpoint(state="pending")})
        expect_describe_ids(ec2, [aws_shapes.endpoint(state="pending")], ["vpce-0a1"])
        run_module(vpc_endpoint.main, dict(IDENTITY, wait=False))

    assert tokens[0] == tokens[1]
    assert tokens[2] != tokens[0]
    assert all(0 < len(token) <= 64 for token in tokens)


def test_token_that_returns_a_deleted_endpoint_is_replaced(ec2, run_module, aws_shapes):
    expect_lookup(ec2, [])
    ec2.add_response("create_vpc_endpoint", {"VpcEndpoint": aws_shapes.endpoint("vpce-gone", state="deleted")})
    expect_describe_ids(ec2, [aws_shapes.endpoint("vpce-gone", state="deleted")], ["vpce-gone"])
    ec2.add_response("create_vpc_endpoint", {"VpcEndpoint": aws_shapes.endpoint("vpce-new", state="pending")})
    expect_describe_ids(ec2, [aws_shapes.endpoint("vpce-new", state="pending")], ["vpce-new"])

    result = run_module(vpc_endpoint.main, dict(IDENTITY, wait=False))

    assert result["vpc_endpoint_id"] == "vpce-new"


def test_field_aws_cannot_change_fails_clearly(ec2, run_module, aws_shapes):
    expect_describe_ids(ec2, [aws_shapes.endpoint()], ["vpce-0a1"])

    result = run_module(vpc_endpoint.main, dict(vpc_endpoint_id="vpce-0a1", service_name=S3))

    assert result["failed"] is True
    assert result["msg"].startswith("Option service_name cannot be changed in place on VPC endpoint vpce-0a1")


@pytest.mark.parametrize(
    ("endpoint_type", "option", "value"),
    [
        ("Interface", "route_table_ids", ["rtb-1"]),
        ("Gateway", "subnet_ids", ["subnet-a"]),
        ("Gateway", "private_dns_enabled", True),
        ("GatewayLoadBalancer", "security_group_ids", ["sg-1"]),
    ],
)
def test_option_not_valid_for_the_type_is_named(ec2, run_module, endpoint_type, option, value):
    expect_lookup(ec2, [])

    result = run_module(
        vpc_endpoint.main,
        {"vpc_id": "vpc-1", "service_name": SQS, "vpc_endpoint_type": endpoint_type, option: value},
    )

    assert result["failed"] is True
    assert result["msg"].startswith(f"Option {option} is not supported for {endpoint_type} endpoints")


def test_two_matching_endpoints_are_ambiguous(ec2, run_module, aws_shapes):
    expect_lookup(ec2, [aws_shapes.endpoint("vpce-1"), aws_shapes.endpoint("vpce-2")])

    result = run_module(vpc_endpoint.main, IDENTITY)

    assert result["failed"] is True
    assert "vpce-1, vpce-2" in result["msg"]
    assert "set name or vpc_endpoint_id" in result["msg"]


def test_invalid_policy_json_names_the_option(ec2, run_module, aws_shapes):
    expect_lookup(ec2, [aws_shapes.endpoint()])

    result = run_module(vpc_endpoint.main, dict(IDENTITY, policy="[1, 2]"))

    assert result["failed"] is True
    assert result["msg"].startswith("Invalid option policy")


def test_explicit_client_token_naming_a_deleted_endpoint_fails_clearly(ec2, run_module, aws_shapes):
    expect_lookup(ec2, [])
    ec2.add_response(
        "create_vpc_endpoint",
        {"VpcEndpoint": aws_shapes.endpoint("vpce-gone", state="deleted")},
        {"VpcId": "vpc-1", "ServiceName": SQS, "VpcEndpointType": "Interface", "ClientToken": "mine"},
    )
    expect_describe_ids(ec2, [aws_shapes.endpoint("vpce-gone", state="deleted")], ["vpce-gone"])

    result = run_module(vpc_endpoint.main, dict(IDENTITY, client_token="mine"))

    assert result["failed"] is True
    assert result["msg"].startswith("Option client_token: the token names VPC endpoint vpce-gone")
