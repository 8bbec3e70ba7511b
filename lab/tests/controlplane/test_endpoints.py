"""Interface and gateway endpoints: states, ENIs, DNS entries, private DNS rules, idempotency, modify, delete."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import endpoint, endpoint_state, make_subnet, make_vpc, route_table, states_until, wait_for

SQS = "com.amazonaws.ap-northeast-1.sqs"
S3 = "com.amazonaws.ap-northeast-1.s3"


@pytest.fixture
def network(ec2: Any) -> dict[str, str]:
    vpc_id = make_vpc(ec2, "10.30.0.0/16")
    return {
        "vpc": vpc_id,
        "a": make_subnet(ec2, vpc_id, "10.30.1.0/24", "a"),
        "c": make_subnet(ec2, vpc_id, "10.30.2.0/24", "c"),
        "a2": make_subnet(ec2, vpc_id, "10.30.3.0/24", "a"),
        "rt": route_table(ec2, vpc_id),
    }


def interface(ec2: Any, network: dict[str, str], subnets: tuple[str, ...] = ("a",), **extra: Any) -> dict[str, Any]:
    return ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName=SQS, VpcEndpointType="Interface",
                                   SubnetIds=[network[name] for name in subnets], **extra)["VpcEndpoint"]


def addresses(ec2: Any, eni_ids: list[str]) -> dict[str, str]:
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=eni_ids)["NetworkInterfaces"]
    return {eni["SubnetId"]: eni["PrivateIpAddress"] for eni in enis}


def test_interface_endpoint_is_pending_then_available(lab: Any, ec2: Any, network: dict[str, str]) -> None:
    with lab.clock_stopped():
        created = interface(ec2, network)
        assert created["State"] == "pending"
        assert endpoint_state(ec2, created["VpcEndpointId"]) == "pending"
    states_until(lambda: endpoint_state(ec2, created["VpcEndpointId"]), "available")


def test_gateway_endpoint_is_pending_then_available_and_routes_its_tables(lab: Any, ec2: Any,
                                                                         network: dict[str, str]) -> None:
    with lab.clock_stopped():
        created = ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName=S3, RouteTableIds=[network["rt"]])
        endpoint_id = created["VpcEndpoint"]["VpcEndpointId"]
        assert endpoint_state(ec2, endpoint_id) == "pending"
    assert created["VpcEndpoint"]["VpcEndpointType"] == "Gateway"
    assert created["VpcEndpoint"]["DnsEntries"] == []
    states_until(lambda: endpoint_state(ec2, endpoint_id), "available")
    routes = ec2.describe_route_tables(RouteTableIds=[network["rt"]])["RouteTables"][0]["Routes"]
    assert any(route.get("GatewayId") == endpoint_id and route.get("DestinationPrefixListId") for route in routes)


def test_interface_enis_are_inside_their_subnets_in_distinct_zones(ec2: Any, network: dict[str, str]) -> None:
    created = interface(ec2, network, ("a", "c"))
    found = addresses(ec2, created["NetworkInterfaceIds"])
    assert set(found) == {network["a"], network["c"]}
    assert ipaddress.ip_address(found[network["a"]]) in ipaddress.ip_network("10.30.1.0/24")
    assert ipaddress.ip_address(found[network["c"]]) in ipaddress.ip_network("10.30.2.0/24")
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=created["NetworkInterfaceIds"][:1])["NetworkInterfaces"]
    assert eni[0]["InterfaceType"] == "vpc_endpoint"
    assert eni[0]["RequesterManaged"] is True
    with pytest.raises(ClientError) as error:
        interface(ec2, network, ("a", "a2"), PrivateDnsEnabled=False)
    assert error.value.response["Error"]["Code"] == "DuplicateSubnetsInSameZone"


def test_interface_endpoint_without_groups_gets_the_default_group(ec2: Any, network: dict[str, str]) -> None:
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [network["vpc"]]},
                                                    {"Name": "group-name", "Values": ["default"]}])
    created = interface(ec2, network)
    assert [group["GroupId"] for group in created["Groups"]] == [default["SecurityGroups"][0]["GroupId"]]


def test_dns_entries_are_shaped_like_aws(ec2: Any, network: dict[str, str]) -> None:
    created = interface(ec2, network, ("a", "c"))
    endpoint_id = created["VpcEndpointId"]
    names = [entry["DnsName"] for entry in created["DnsEntries"]]
    regional = re.compile(rf"^{endpoint_id}-[a-z0-9]{{8}}\.sqs\.ap-northeast-1\.vpce\.amazonaws\.com$")
    zonal = re.compile(rf"^{endpoint_id}-[a-z0-9]{{8}}-ap-northeast-1[ac]\.sqs\.ap-northeast-1\.vpce\.amazonaws\.com$")
    assert regional.match(names[0])
    assert len([name for name in names if zonal.match(name)]) == 2
    assert created["PrivateDnsEnabled"] is True
    assert "sqs.ap-northeast-1.amazonaws.com" in names


def test_private_dns_needs_vpc_dns_attributes(ec2: Any) -> None:
    vpc_id = make_vpc(ec2, "10.31.0.0/16", dns=False)
    subnet_id = make_subnet(ec2, vpc_id, "10.31.1.0/24")
    with pytest.raises(ClientError) as error:
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=SQS, VpcEndpointType="Interface", SubnetIds=[subnet_id])
    assert error.value.response["Error"]["Code"] == "InvalidParameter"
    created = ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=SQS, VpcEndpointType="Interface",
                                      SubnetIds=[subnet_id], PrivateDnsEnabled=False)["VpcEndpoint"]
    assert created["PrivateDnsEnabled"] is False
    assert "sqs.ap-northeast-1.amazonaws.com" not in [entry["DnsName"] for entry in created["DnsEntries"]]


def test_second_private_dns_endpoint_for_a_service_conflicts(ec2: Any, network: dict[str, str]) -> None:
    interface(ec2, network)
    with pytest.raises(ClientError) as error:
        interface(ec2, network, ("c",))
    assert "conflicting DNS domain" in error.value.response["Error"]["Message"]
    assert interface(ec2, network, ("c",), PrivateDnsEnabled=False)["State"] == "pending"


def test_unknown_service_name_is_rejected(ec2: Any, network: dict[str, str]) -> None:
    with pytest.raises(ClientError) as error:
        ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName="com.amazonaws.ap-northeast-1.nosuch",
                                VpcEndpointType="Interface", SubnetIds=[network["a"]])
    assert error.value.response["Error"]["Code"] == "InvalidServiceName"


def test_client_token_makes_create_idempotent(ec2: Any, network: dict[str, str]) -> None:
    first = interface(ec2, network, ClientToken="token-1")
    second = interface(ec2, network, ClientToken="token-1")
    assert first["VpcEndpointId"] == second["VpcEndpointId"]
    assert len(ec2.describe_vpc_endpoints()["VpcEndpoints"]) == 1
    with pytest.raises(ClientError) as error:
        interface(ec2, network, ("c",), ClientToken="token-1")
    assert error.value.response["Error"]["Code"] == "IdempotentParameterMismatch"


def test_vpc_endpoint_id_filter(ec2: Any, network: dict[str, str]) -> None:
    first = interface(ec2, network)
    interface(ec2, network, ("c",), PrivateDnsEnabled=False)
    found = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-endpoint-id", "Values": [first["VpcEndpointId"]]}])
    assert [item["VpcEndpointId"] for item in found["VpcEndpoints"]] == [first["VpcEndpointId"]]


def test_modify_adds_and_removes_subnets_with_their_enis(lab: Any, ec2: Any, network: dict[str, str]) -> None:
    endpoint_id = interface(ec2, network)["VpcEndpointId"]
    states_until(lambda: endpoint_state(ec2, endpoint_id), "available")
    with lab.clock_stopped():
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddSubnetIds=[network["c"]])
        current = endpoint(ec2, endpoint_id)
        assert current["State"] == "pending"
    assert set(addresses(ec2, current["NetworkInterfaceIds"])) == {network["a"], network["c"]}
    assert len(current["DnsEntries"]) == 4
    states_until(lambda: endpoint_state(ec2, endpoint_id), "available")
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, RemoveSubnetIds=[network["a"]])
    current = endpoint(ec2, endpoint_id)
    assert current["SubnetIds"] == [network["c"]]
    assert set(addresses(ec2, current["NetworkInterfaceIds"])) == {network["c"]}


def test_modify_private_dns_policy_and_groups(ec2: Any, network: dict[str, str]) -> None:
    endpoint_id = interface(ec2, network)["VpcEndpointId"]
    group = ec2.create_security_group(GroupName="endpoint", Description="443", VpcId=network["vpc"])["GroupId"]
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]})
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PrivateDnsEnabled=False, PolicyDocument=policy,
                            AddSecurityGroupIds=[group])
    current = endpoint(ec2, endpoint_id)
    assert current["PrivateDnsEnabled"] is False
    assert "sqs.ap-northeast-1.amazonaws.com" not in [entry["DnsName"] for entry in current["DnsEntries"]]
    assert json.loads(current["PolicyDocument"]) == json.loads(policy)
    assert group in [item["GroupId"] for item in current["Groups"]]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=current["NetworkInterfaceIds"])["NetworkInterfaces"][0]
    assert group in [item["GroupId"] for item in eni["Groups"]]
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, ResetPolicy=True, PrivateDnsEnabled=True)
    current = endpoint(ec2, endpoint_id)
    assert json.loads(current["PolicyDocument"])["Statement"][0]["Action"] == "*"
    assert current["PrivateDnsEnabled"] is True


def test_modify_gateway_route_tables_adds_and_removes_routes(ec2: Any, network: dict[str, str]) -> None:
    endpoint_id = ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName=S3)["VpcEndpoint"]["VpcEndpointId"]

    def routed() -> bool:
        routes = ec2.describe_route_tables(RouteTableIds=[network["rt"]])["RouteTables"][0]["Routes"]
        return any(route.get("GatewayId") == endpoint_id for route in routes)

    assert not routed()
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddRouteTableIds=[network["rt"]])
    assert routed()
    assert endpoint(ec2, endpoint_id)["RouteTableIds"] == [network["rt"]]
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, RemoveRouteTableIds=[network["rt"]])
    assert not routed()


def test_delete_reports_unknown_ids_and_goes_deleting_deleted_gone(lab: Any, ec2: Any,
                                                                   network: dict[str, str]) -> None:
    created = interface(ec2, network)
    endpoint_id = created["VpcEndpointId"]
    states_until(lambda: endpoint_state(ec2, endpoint_id), "available")

    def listed_state() -> str:
        items = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-endpoint-id", "Values": [endpoint_id]}])
        return items["VpcEndpoints"][0]["State"] if items["VpcEndpoints"] else "gone"

    with lab.clock_stopped():
        answer = ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id, "vpce-0000000000000dead"])
        assert [(item["ResourceId"], item["Error"]["Code"]) for item in answer["Unsuccessful"]] == [
            ("vpce-0000000000000dead", "InvalidVpcEndpoint.NotFound")]
        assert listed_state() == "deleting"
        enis = ec2.describe_network_interfaces(
            Filters=[{"Name": "network-interface-id", "Values": created["NetworkInterfaceIds"]}])
        assert enis["NetworkInterfaces"] == []
        lab.step()
        assert listed_state() == "deleted"
        lab.step()
        assert listed_state() == "gone"
    with pytest.raises(ClientError) as error:
        ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])
    assert error.value.response["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"
    assert error.value.response["Error"]["Message"] == f"The Vpc Endpoint Id '{endpoint_id}' does not exist"


def test_dry_run_creates_nothing(ec2: Any, network: dict[str, str]) -> None:
    with pytest.raises(ClientError) as error:
        interface(ec2, network, DryRun=True)
    assert error.value.response["Error"]["Code"] == "DryRunOperation"
    assert wait_for(lambda: ec2.describe_vpc_endpoints()["VpcEndpoints"], lambda items: True) == []
