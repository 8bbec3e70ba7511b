"""NAT gateways, instances, load balancers, public addresses, SSM AMI parameters, IAM managed policies."""

from __future__ import annotations

import ipaddress
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from .helpers import Lab, make_subnet, make_vpc, states_until

LAB_PUBLIC = ipaddress.ip_network("198.18.0.0/16")
AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"


@pytest.fixture
def subnet(ec2: Any) -> str:
    return make_subnet(ec2, make_vpc(ec2, "10.40.0.0/16"), "10.40.1.0/24")


def al2023(lab: Any, region: str = "ap-northeast-1", arch: str = "x86_64") -> str:
    return str(lab.client("ssm", region=region).get_parameter(Name=AL2023.format(arch=arch))["Parameter"]["Value"])


def nat_state(ec2: Any, nat_id: str) -> str:
    return str(ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"])


def test_nat_gateway_lifecycle_address_and_tags(lab: Any, ec2: Any, subnet: str) -> None:
    allocation = ec2.allocate_address(Domain="vpc")
    assert ipaddress.ip_address(allocation["PublicIp"]) in LAB_PUBLIC
    with lab.clock_stopped():
        nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation["AllocationId"], TagSpecifications=[
            {"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "egress"}]}])["NatGateway"]
        assert nat_state(ec2, nat["NatGatewayId"]) == "pending"
    address = nat["NatGatewayAddresses"][0]
    assert ipaddress.ip_address(address["PrivateIp"]) in ipaddress.ip_network("10.40.1.0/24")
    assert address["PublicIp"] == allocation["PublicIp"]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [nat["NatGatewayId"]]}])["Tags"]
    assert [(tag["ResourceType"], tag["Key"]) for tag in tags] == [("natgateway", "Name")]
    states_until(lambda: nat_state(ec2, nat["NatGatewayId"]), "available")
    with lab.clock_stopped():
        ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
        assert nat_state(ec2, nat["NatGatewayId"]) == "deleting"
    states_until(lambda: nat_state(ec2, nat["NatGatewayId"]), "deleted")


def test_nat_gateway_client_token(ec2: Any, subnet: str) -> None:
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    first = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation, ClientToken="nat-1")["NatGateway"]
    again = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation, ClientToken="nat-1")["NatGateway"]
    assert first["NatGatewayId"] == again["NatGatewayId"]
    assert len(ec2.describe_nat_gateways()["NatGateways"]) == 1


def test_instance_states_and_client_token(lab: Any, ec2: Any, subnet: str) -> None:
    image = al2023(lab)
    launch = {"ImageId": image, "MinCount": 1, "MaxCount": 1, "SubnetId": subnet, "InstanceType": "t3.micro"}
    first = ec2.run_instances(ClientToken="launch-1", **launch)["Instances"][0]
    again = ec2.run_instances(ClientToken="launch-1", **launch)["Instances"][0]
    assert first["InstanceId"] == again["InstanceId"]
    with pytest.raises(ClientError) as error:
        ec2.run_instances(ClientToken="launch-1", **{**launch, "InstanceType": "t3.small"})
    assert error.value.response["Error"]["Code"] == "IdempotentParameterMismatch"
    assert first["State"]["Name"] == "pending"
    instance_id = first["InstanceId"]

    def state() -> str:
        reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
        return str(reservations[0]["Instances"][0]["State"]["Name"])

    states_until(state, "running")
    for call, transient, final in ((ec2.stop_instances, "stopping", "stopped"),
                                   (ec2.start_instances, "pending", "running"),
                                   (ec2.terminate_instances, "shutting-down", "terminated")):
        with lab.clock_stopped():
            call(InstanceIds=[instance_id])
            assert state() == transient
        states_until(state, final)


def test_public_ips_come_from_the_lab_range(lab: Any, ec2: Any, subnet: str) -> None:
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    reservation = ec2.run_instances(ImageId=al2023(lab), MinCount=3, MaxCount=3, SubnetId=subnet)
    public = [instance["PublicIpAddress"] for instance in reservation["Instances"]]
    assert len(set(public)) == 3
    assert all(ipaddress.ip_address(address) in LAB_PUBLIC for address in public)
    private = [instance["PrivateIpAddress"] for instance in reservation["Instances"]]
    assert all(ipaddress.ip_address(address) in ipaddress.ip_network("10.40.1.0/24") for address in private)


def test_network_load_balancer_arn_state_and_enis(lab: Any, ec2: Any, subnet: str) -> None:
    elb = lab.client("elbv2")
    with lab.clock_stopped():
        balancer = elb.create_load_balancer(Name="app-nlb", Subnets=[subnet], Type="network", Scheme="internal",
                                            Tags=[{"Key": "team", "Value": "lab"}])["LoadBalancers"][0]
        arn = balancer["LoadBalancerArn"]
        assert elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]["State"]["Code"] == (
            "provisioning")
    assert ":loadbalancer/net/app-nlb/" in arn
    assert elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"] == [{"Key": "team", "Value": "lab"}]

    def state() -> str:
        return str(elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]["State"]["Code"])

    states_until(state, "active")
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"]
    mine = [eni for eni in enis if eni["Description"].startswith("ELB net/app-nlb/")]
    assert len(mine) == 1
    assert ipaddress.ip_address(mine[0]["PrivateIpAddress"]) in ipaddress.ip_network("10.40.1.0/24")
    elb.delete_load_balancer(LoadBalancerArn=arn)
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"]
    assert not [eni for eni in enis if eni["Description"].startswith("ELB net/app-nlb/")]


def test_application_load_balancer_keeps_app_arn(lab: Any, ec2: Any, subnet: str) -> None:
    vpc_id = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    other = make_subnet(ec2, vpc_id, "10.40.2.0/24", "c")
    balancer = lab.client("elbv2").create_load_balancer(Name="web", Subnets=[subnet, other])["LoadBalancers"][0]
    assert ":loadbalancer/app/web/" in balancer["LoadBalancerArn"]


@pytest.mark.parametrize("region", boto3.session.Session().get_available_regions("ec2"))
@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_al2023_parameter_resolves_to_an_existing_ami(lab_server: Any, region: str, arch: str) -> None:
    lab = Lab(lab_server)  # read-only: no need to empty the state first
    image = al2023(lab, region, arch)
    images = lab.client("ec2", region=region).describe_images(ImageIds=[image])["Images"]
    assert images[0]["Architecture"] == arch
    assert images[0]["Name"].startswith("al2023-ami-")


def test_aws_managed_policies_are_loaded(lab: Any) -> None:
    policy = lab.client("iam").get_policy(PolicyArn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
    assert policy["Policy"]["PolicyName"] == "AmazonSSMManagedInstanceCore"


def test_dynamodb_table_has_a_stable_table_id(lab: Lab) -> None:
    dynamodb = lab.client("dynamodb")
    created = dynamodb.create_table(TableName="ids", BillingMode="PAY_PER_REQUEST",
                                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])["TableDescription"]
    described = dynamodb.describe_table(TableName="ids")["Table"]
    assert created["TableId"] == described["TableId"]
    assert len(described["TableId"]) == 36
