"""privnet.aws.vpc_endpoint_service_info against botocore's Stubber."""

from __future__ import annotations

from ansible_collections.privnet.aws.plugins.modules import vpc_endpoint_service_info


def test_services_come_with_principals_and_connections(ec2, run_module, aws_shapes):
    ec2.add_response(
        "describe_vpc_endpoint_service_configurations",
        {"ServiceConfigurations": [aws_shapes.service(Tags=[{"Key": "Name", "Value": "app"}])]},
        {"Filters": [{"Name": "service-id", "Values": ["vpce-svc-1", "vpce-svc-unknown"]}]},
    )
    ec2.add_response(
        "describe_vpc_endpoint_connections",
        {
            "VpcEndpointConnections": [
                aws_shapes.connection("vpce-2", "available"),
                aws_shapes.connection("vpce-1", "pendingAcceptance"),
            ]
        },
        {"Filters": [{"Name": "service-id", "Values": ["vpce-svc-1"]}]},
    )
    ec2.add_response(
        "describe_vpc_endpoint_service_permissions",
        {"AllowedPrincipals": [{"Principal": "arn:aws:iam::444455556666:root"}]},
        {"ServiceId": "vpce-svc-1"},
    )

    result = run_module(vpc_endpoint_service_info.main, dict(service_ids=["vpce-svc-1", "vpce-svc-unknown"]))

    assert result["changed"] is False
    [service] = result["services"]
    assert service["service_id"] == "vpce-svc-1"
    assert service["tags"] == {"Name": "app"}
    assert service["allowed_principals"] == ["arn:aws:iam::444455556666:root"]
    assert [item["vpc_endpoint_id"] for item in service["connections"]] == ["vpce-1", "vpce-2"]


def test_no_service_means_no_further_call(ec2, run_module):
    ec2.add_response(
        "describe_vpc_endpoint_service_configurations",
        {"ServiceConfigurations": []},
        {"Filters": [{"Name": "tag:Name", "Values": ["app"]}]},
    )

    result = run_module(vpc_endpoint_service_info.main, dict(names=["app"]))

    assert result["services"] == []


def test_error_is_reported(ec2, run_module):
    ec2.add_client_error(
        "describe_vpc_endpoint_service_configurations", service_error_code="UnauthorizedOperation", service_message="no"
    )

    result = run_module(vpc_endpoint_service_info.main, dict())

    assert result["failed"] is True
    assert result["msg"].startswith("Failed to describe VPC endpoint services")


def test_names_are_filtered_even_when_the_api_ignores_tag_filters(ec2, run_module, aws_shapes):
    ec2.add_response(
        "describe_vpc_endpoint_service_configurations",
        {
            "ServiceConfigurations": [
                aws_shapes.service("vpce-svc-1", Tags=[{"Key": "Name", "Value": "app"}]),
                aws_shapes.service("vpce-svc-2", Tags=[{"Key": "Name", "Value": "other"}]),
            ]
        },
        {"Filters": [{"Name": "tag:Name", "Values": ["app"]}]},
    )

    result = run_module(
        vpc_endpoint_service_info.main, dict(names=["app"], include_permissions=False, include_connections=False)
    )

    assert [service["service_id"] for service in result["services"]] == ["vpce-svc-1"]
    assert "allowed_principals" not in result["services"][0]
