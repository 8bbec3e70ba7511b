"""privnet.aws.vpc_endpoint_service against botocore's Stubber."""

from __future__ import annotations

from ansible_collections.privnet.aws.plugins.modules import vpc_endpoint_service
from botocore.stub import ANY

NLB = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/net/app/1"
CONSUMER = "arn:aws:iam::444455556666:root"
OTHER = "arn:aws:iam::777788889999:root"
BY_NAME = {"Filters": [{"Name": "tag:Name", "Values": ["app"]}]}
NAME_TAG = [{"Key": "Name", "Value": "app"}]


def expect_permissions(ec2, principals):
    ec2.add_response(
        "describe_vpc_endpoint_service_permissions",
        {"AllowedPrincipals": [{"Principal": principal, "PrincipalType": "Account"} for principal in principals]},
        {"ServiceId": "vpce-svc-1"},
    )


def expect_service(ec2, services, params=None):
    ec2.add_response(
        "describe_vpc_endpoint_service_configurations",
        {"ServiceConfigurations": services},
        {"ServiceIds": ["vpce-svc-1"]} if params is None else params,
    )


def test_create_service_with_principals_waits_until_available(ec2, run_module, aws_shapes, sleeps):
    expect_service(ec2, [], BY_NAME)
    ec2.add_response(
        "create_vpc_endpoint_service_configuration",
        {"ServiceConfiguration": aws_shapes.service(state="Pending", Tags=NAME_TAG)},
        {
            "AcceptanceRequired": True,
            "NetworkLoadBalancerArns": [NLB],
            "TagSpecifications": [{"ResourceType": "vpc-endpoint-service", "Tags": NAME_TAG}],
            "ClientToken": ANY,
        },
    )
    expect_service(ec2, [aws_shapes.service(state="Pending", Tags=NAME_TAG)])
    ec2.add_response(
        "modify_vpc_endpoint_service_permissions",
        {"ReturnValue": True},
        {"ServiceId": "vpce-svc-1", "AddAllowedPrincipals": [CONSUMER]},
    )
    expect_service(ec2, [aws_shapes.service(state="Pending", Tags=NAME_TAG)])
    expect_service(ec2, [aws_shapes.service(Tags=NAME_TAG)])
    expect_permissions(ec2, [CONSUMER])

    result = run_module(
        vpc_endpoint_service.main,
        dict(name="app", network_load_balancer_arns=[NLB], allowed_principals=[CONSUMER]),
    )

    assert result["changed"] is True
    assert result["service_id"] == "vpce-svc-1"
    assert result["service"]["service_state"] == "Available"
    assert result["allowed_principals"] == [CONSUMER]
    assert len(sleeps) == 1


def test_matching_service_is_not_changed(ec2, run_module, aws_shapes):
    expect_service(ec2, [aws_shapes.service(Tags=NAME_TAG)], BY_NAME)
    expect_permissions(ec2, [CONSUMER])

    result = run_module(
        vpc_endpoint_service.main,
        dict(name="app", network_load_balancer_arns=[NLB], allowed_principals=[CONSUMER]),
    )

    assert result["changed"] is False


def test_found_by_load_balancer_arn_without_id_or_name(ec2, run_module, aws_shapes):
    other = aws_shapes.service("vpce-svc-2", NetworkLoadBalancerArns=[NLB.replace("/1", "/2")])
    expect_service(ec2, [other, aws_shapes.service()], {})
    expect_permissions(ec2, [])

    result = run_module(vpc_endpoint_service.main, dict(network_load_balancer_arns=[NLB]))

    assert result["changed"] is False
    assert result["service_id"] == "vpce-svc-1"


def test_remove_a_principal_and_change_acceptance_in_place(ec2, run_module, aws_shapes):
    expect_service(ec2, [aws_shapes.service(Tags=NAME_TAG)], BY_NAME)
    expect_permissions(ec2, [CONSUMER, OTHER])
    ec2.add_response(
        "modify_vpc_endpoint_service_configuration",
        {"Return": True},
        {"ServiceId": "vpce-svc-1", "AcceptanceRequired": False},
    )
    ec2.add_response(
        "modify_vpc_endpoint_service_permissions",
        {"ReturnValue": True},
        {"ServiceId": "vpce-svc-1", "RemoveAllowedPrincipals": [OTHER]},
    )
    expect_service(ec2, [aws_shapes.service(AcceptanceRequired=False, Tags=NAME_TAG)])
    expect_permissions(ec2, [CONSUMER])

    result = run_module(
        vpc_endpoint_service.main,
        dict(name="app", acceptance_required=False, allowed_principals=[CONSUMER]),
        diff=True,
    )

    assert result["changed"] is True
    assert result["service_id"] == "vpce-svc-1"
    assert result["diff"]["before"]["allowed_principals"] == [CONSUMER, OTHER]
    assert result["diff"]["after"]["allowed_principals"] == [CONSUMER]
    assert result["diff"]["after"]["acceptance_required"] is False


def test_principals_are_only_added_without_purge(ec2, run_module, aws_shapes):
    expect_service(ec2, [aws_shapes.service(Tags=NAME_TAG)], BY_NAME)
    expect_permissions(ec2, [OTHER])
    ec2.add_response(
        "modify_vpc_endpoint_service_permissions",
        {"ReturnValue": True},
        {"ServiceId": "vpce-svc-1", "AddAllowedPrincipals": [CONSUMER]},
    )
    expect_service(ec2, [aws_shapes.service(Tags=NAME_TAG)])
    expect_permissions(ec2, [CONSUMER, OTHER])

    result = run_module(
        vpc_endpoint_service.main, dict(name="app", allowed_principals=[CONSUMER], purge_allowed_principals=False)
    )

    assert result["changed"] is True
    assert result["allowed_principals"] == [CONSUMER, OTHER]


def test_private_dns_name_returns_the_verification_record(ec2, run_module, aws_shapes):
    before = aws_shapes.service(Tags=NAME_TAG)
    after = aws_shapes.service(
        Tags=NAME_TAG,
        PrivateDnsName="app.example.test",
        PrivateDnsNameConfiguration={"State": "pendingVerification", "Type": "TXT", "Name": "_v", "Value": "vpce:1"},
    )
    expect_service(ec2, [before], BY_NAME)
    expect_permissions(ec2, [])
    ec2.add_response(
        "modify_vpc_endpoint_service_configuration",
        {"Return": True},
        {"ServiceId": "vpce-svc-1", "PrivateDnsName": "app.example.test"},
    )
    ec2.add_response(
        "start_vpc_endpoint_service_private_dns_verification", {"ReturnValue": True}, {"ServiceId": "vpce-svc-1"}
    )
    expect_service(ec2, [after])
    expect_permissions(ec2, [])

    result = run_module(
        vpc_endpoint_service.main,
        dict(name="app", private_dns_name="app.example.test", start_private_dns_verification=True),
    )

    assert result["changed"] is True
    configuration = result["service"]["private_dns_name_configuration"]
    assert configuration == {"state": "pendingVerification", "type": "TXT", "name": "_v", "value": "vpce:1"}


def test_check_mode_predicts_without_mutating(ec2, run_module, aws_shapes):
    expect_service(ec2, [aws_shapes.service(Tags=NAME_TAG)], BY_NAME)
    expect_permissions(ec2, [CONSUMER, OTHER])

    result = run_module(
        vpc_endpoint_service.main, dict(name="app", allowed_principals=[CONSUMER]), check_mode=True, diff=True
    )

    assert result["changed"] is True
    assert result["diff"]["after"]["allowed_principals"] == [CONSUMER]


def test_check_mode_create_makes_no_call(ec2, run_module):
    expect_service(ec2, [], BY_NAME)

    result = run_module(vpc_endpoint_service.main, dict(name="app", network_load_balancer_arns=[NLB]), check_mode=True)

    assert result["changed"] is True
    assert result["service_id"] is None
    assert result["service"]["network_load_balancer_arns"] == [NLB]


def test_delete_refuses_while_connections_exist(ec2, run_module, aws_shapes):
    expect_service(ec2, [aws_shapes.service(Tags=NAME_TAG)], BY_NAME)
    expect_permissions(ec2, [])
    ec2.add_response(
        "describe_vpc_endpoint_connections",
        {"VpcEndpointConnections": [aws_shapes.connection("vpce-c1", "available")]},
        {"Filters": [{"Name": "service-id", "Values": ["vpce-svc-1"]}]},
    )

    result = run_module(vpc_endpoint_service.main, dict(name="app", state="absent"))

    assert result["failed"] is True
    assert "vpce-c1" in result["msg"]
    assert "connections_on_delete=reject" in result["msg"]


def test_delete_rejects_connections_when_told_to(ec2, run_module, aws_shapes):
    expect_service(ec2, [aws_shapes.service(Tags=NAME_TAG)], BY_NAME)
    expect_permissions(ec2, [])
    ec2.add_response(
        "describe_vpc_endpoint_connections",
        {
            "VpcEndpointConnections": [
                aws_shapes.connection("vpce-c1", "available"),
                aws_shapes.connection("vpce-c2", "rejected"),
            ]
        },
        {"Filters": [{"Name": "service-id", "Values": ["vpce-svc-1"]}]},
    )
    ec2.add_response(
        "reject_vpc_endpoint_connections",
        {"Unsuccessful": []},
        {"ServiceId": "vpce-svc-1", "VpcEndpointIds": ["vpce-c1"]},
    )
    ec2.add_response("delete_vpc_endpoint_service_configurations", {"Unsuccessful": []}, {"ServiceIds": ["vpce-svc-1"]})
    ec2.add_client_error(
        "describe_vpc_endpoint_service_configurations",
        service_error_code="InvalidVpcEndpointServiceId.NotFound",
        expected_params={"ServiceIds": ["vpce-svc-1"]},
    )

    result = run_module(vpc_endpoint_service.main, dict(name="app", state="absent", connections_on_delete="reject"))

    assert result["changed"] is True
    assert result["rejected_vpc_endpoint_ids"] == ["vpce-c1"]


def test_absent_service_is_not_changed(ec2, run_module):
    expect_service(ec2, [], BY_NAME)

    result = run_module(vpc_endpoint_service.main, dict(name="app", state="absent"))

    assert result["changed"] is False


def test_create_error_names_the_resource(ec2, run_module):
    expect_service(ec2, [], BY_NAME)
    ec2.add_client_error(
        "create_vpc_endpoint_service_configuration",
        service_error_code="InvalidParameter",
        service_message="Load balancer is not internal",
    )

    result = run_module(vpc_endpoint_service.main, dict(name="app", network_load_balancer_arns=[NLB]))

    assert result["failed"] is True
    assert result["msg"].startswith("Failed to create VPC endpoint service: ")
    assert result["msg"].endswith("Load balancer is not internal")


def test_unsuccessful_delete_is_an_error(ec2, run_module, aws_shapes):
    expect_service(ec2, [aws_shapes.service(Tags=NAME_TAG)], BY_NAME)
    expect_permissions(ec2, [])
    ec2.add_response(
        "describe_vpc_endpoint_connections",
        {"VpcEndpointConnections": []},
        {"Filters": [{"Name": "service-id", "Values": ["vpce-svc-1"]}]},
    )
    ec2.add_response(
        "delete_vpc_endpoint_service_configurations",
        {
            "Unsuccessful": [
                {"ResourceId": "vpce-svc-1", "Error": {"Code": "ExistingVpcEndpointConnections", "Message": "in use"}}
            ]
        },
        {"ServiceIds": ["vpce-svc-1"]},
    )

    result = run_module(vpc_endpoint_service.main, dict(name="app", state="absent"))

    assert result["failed"] is True
    assert result["msg"] == (
        "Failed to delete VPC endpoint service vpce-svc-1: vpce-svc-1: ExistingVpcEndpointConnections in use"
    )


def test_switching_load_balancer_kind_fails_clearly(ec2, run_module, aws_shapes):
    expect_service(ec2, [aws_shapes.service(Tags=NAME_TAG)], BY_NAME)
    expect_permissions(ec2, [])

    result = run_module(
        vpc_endpoint_service.main,
        dict(name="app", gateway_load_balancer_arns=[NLB.replace("/net/", "/gwy/")]),
    )

    assert result["failed"] is True
    assert "cannot switch between Network and Gateway Load Balancers in place" in result["msg"]


def test_identity_is_required(ec2, run_module):
    result = run_module(vpc_endpoint_service.main, dict(acceptance_required=True))

    assert result["failed"] is True
    assert "service_id, name, network_load_balancer_arns or gateway_load_balancer_arns" in result["msg"]


def test_verified_private_dns_name_is_not_verified_again(ec2, run_module, aws_shapes):
    verified = aws_shapes.service(
        Tags=NAME_TAG,
        PrivateDnsName="app.example.test",
        PrivateDnsNameConfiguration={"State": "verified", "Type": "TXT", "Name": "_v", "Value": "vpce:1"},
    )
    expect_service(ec2, [verified], BY_NAME)
    expect_permissions(ec2, [])

    result = run_module(
        vpc_endpoint_service.main,
        dict(name="app", private_dns_name="app.example.test", start_private_dns_verification=True),
    )

    assert result["changed"] is False
