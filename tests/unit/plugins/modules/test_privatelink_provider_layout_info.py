"""privnet.aws.privatelink_provider_layout_info: the reads against botocore's Stubber, and every drift the
comparison must see."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ansible_collections.privnet.aws.plugins.module_utils._provider_layout import compare_provider
from ansible_collections.privnet.aws.plugins.modules import privatelink_provider_layout_info

TAGS = {"privnet:project": "demo"}
PLAN = {
    "name": "demo",
    "project": "demo",
    "vpc_id": "vpc-b",
    "tags": TAGS,
    "subnet_ids": ["subnet-b1", "subnet-b2"],
    "subnet_cidrs": ["10.1.128.0/24", "10.1.129.0/24"],
    "app_port": 8080,
    "listener_port": 80,
    "instance_type": "t3.micro",
    "health_check_interval": 10,
    "healthy_threshold": 3,
}
TG_ARN = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/demo-tg/0123456789abcdef"
NLB_ARN = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/net/demo-nlb/0123456789abcdef"


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def converged() -> dict[str, Any]:
    """What read_provider returns for what the provider role built from PLAN."""
    app_port = {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                "IpRanges": [{"CidrIp": "10.1.128.0/24"}, {"CidrIp": "10.1.129.0/24"}]}
    return {
        "groups": [{"GroupId": "sg-app", "GroupName": "demo-app", "VpcId": "vpc-b", "IpPermissions": [app_port],
                    "IpPermissionsEgress": [], "Tags": tag_list({**TAGS, "Name": "demo-app"})}],
        "instances": [{
            "InstanceId": "i-app", "InstanceType": "t3.micro", "SubnetId": "subnet-b1", "State": {"Name": "running"},
            "PrivateIpAddress": "10.1.128.20", "SecurityGroups": [{"GroupId": "sg-app", "GroupName": "demo-app"}],
            "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 1},
            "Tags": tag_list({**TAGS, "Name": "demo-app", "privnet:role": "application"}),
        }],
        "target_groups": [{
            "TargetGroupArn": TG_ARN, "TargetGroupName": "demo-tg", "Protocol": "TCP", "Port": 8080,
            "VpcId": "vpc-b", "TargetType": "instance", "HealthCheckProtocol": "TCP", "HealthCheckPort": "traffic-port",
            "HealthCheckIntervalSeconds": 10, "HealthyThresholdCount": 3, "UnhealthyThresholdCount": 3,
        }],
        "targets": ["i-app"],
        "load_balancers": [{
            "LoadBalancerArn": NLB_ARN, "LoadBalancerName": "demo-nlb", "DNSName": "demo-nlb.elb.example",
            "Type": "network", "Scheme": "internal", "State": {"Code": "active"}, "VpcId": "vpc-b",
            "AvailabilityZones": [{"ZoneName": "ap-northeast-1c", "SubnetId": "subnet-b2"},
                                  {"ZoneName": "ap-northeast-1a", "SubnetId": "subnet-b1"}],
        }],
        "listeners": [{"ListenerArn": "arn:listener", "LoadBalancerArn": NLB_ARN, "Protocol": "TCP", "Port": 80,
                       "DefaultActions": [{"Type": "forward", "TargetGroupArn": TG_ARN}]}],
        "elb_tags": {TG_ARN: {**TAGS, "Name": "demo-tg"}, NLB_ARN: {**TAGS, "Name": "demo-nlb"}},
    }


def test_the_converged_provider_has_no_difference_and_gives_every_fact():
    differences, facts = compare_provider(converged(), PLAN)

    assert differences == []
    assert facts["security_group_id"] == "sg-app"
    assert facts["instance"]["instance_id"] == "i-app"
    assert facts["instance"]["private_ip_address"] == "10.1.128.20"
    assert facts["target_group_arn"] == TG_ARN
    assert facts["load_balancer"] == {"load_balancer_arn": NLB_ARN, "dns_name": "demo-nlb.elb.example"}


DRIFTS = {
    "app port open to the world": (
        lambda p: p["groups"][0]["IpPermissions"][0]["IpRanges"].append({"CidrIp": "0.0.0.0/0"}),
        "security group demo-app inbound rules"),
    "SSH from a group": (lambda p: p["groups"][0]["IpPermissions"].append(
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [{"GroupId": "sg-x"}]}),
        "security group demo-app inbound rules"),
    "egress opened": (lambda p: p["groups"][0].update(
        IpPermissionsEgress=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]),
        "security group demo-app outbound rules"),
    "IMDSv1 re-enabled": (lambda p: p["instances"][0]["MetadataOptions"].update(HttpTokens="optional"),
                          "instance demo-app metadata options"),
    "instance stopped": (lambda p: p["instances"][0].update(State={"Name": "stopped"}), "instance demo-app state"),
    "instance gone": (lambda p: p.update(instances=[]), "instance demo-app: 0 found"),
    "target deregistered": (lambda p: p.update(targets=[]), "target group demo-tg targets"),
    "health check slowed": (lambda p: p["target_groups"][0].update(HealthCheckIntervalSeconds=30),
                            "target group demo-tg settings"),
    "target group tag removed": (lambda p: p["elb_tags"][TG_ARN].pop("Name"), "target group demo-tg tags"),
    "NLB still provisioning": (lambda p: p["load_balancers"][0].update(State={"Code": "provisioning"}),
                               "load balancer demo-nlb state"),
    "NLB missing": (lambda p: p.update(load_balancers=[], listeners=[]), "load balancer demo-nlb: 0 found"),
    "listener removed": (lambda p: p.update(listeners=[]), "load balancer demo-nlb listeners"),
    "listener on another port": (lambda p: p["listeners"][0].update(Port=8081), "load balancer demo-nlb listeners"),
    "NLB in one subnet only": (lambda p: p["load_balancers"][0]["AvailabilityZones"].pop(0),
                               "load balancer demo-nlb subnets"),
}


@pytest.mark.parametrize("case", DRIFTS)
def test_every_drift_the_provider_role_repairs_is_a_difference(case):
    change, expected = DRIFTS[case]
    provider = converged()
    change(provider)

    differences = compare_provider(provider, PLAN)[0]

    assert any(expected in line for line in differences), differences


def test_the_module_reads_seven_times_and_reports_in_sync(stubbers, run_module):
    ec2, elbv2 = stubbers("ec2", "elbv2")
    provider = converged()
    ec2.add_response("describe_security_groups", {"SecurityGroups": provider["groups"]}, {"Filters": [
        {"Name": "vpc-id", "Values": ["vpc-b"]}, {"Name": "group-name", "Values": ["demo-app"]}]})
    ec2.add_response("describe_instances", {"Reservations": [{"Instances": provider["instances"]}]}, {"Filters": [
        {"Name": "tag:privnet:project", "Values": ["demo"]}, {"Name": "tag:Name", "Values": ["demo-app"]},
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}]})
    elbv2.add_response("describe_target_groups", {"TargetGroups": provider["target_groups"]}, {"Names": ["demo-tg"]})
    elbv2.add_response("describe_load_balancers", {"LoadBalancers": provider["load_balancers"]},
                       {"Names": ["demo-nlb"]})
    elbv2.add_response("describe_target_health", {"TargetHealthDescriptions": [
        {"Target": {"Id": "i-app", "Port": 8080}, "TargetHealth": {"State": "healthy"}}]}, {"TargetGroupArn": TG_ARN})
    elbv2.add_response("describe_listeners", {"Listeners": provider["listeners"]}, {"LoadBalancerArn": NLB_ARN})
    elbv2.add_response("describe_tags", {"TagDescriptions": [
        {"ResourceArn": arn, "Tags": tag_list(tags)} for arn, tags in provider["elb_tags"].items()]},
        {"ResourceArns": [TG_ARN, NLB_ARN]})

    result = run_module(privatelink_provider_layout_info.main, copy.deepcopy(PLAN))

    assert result["changed"] is False
    assert result["in_sync"] is True, result["differences"]
    assert result["provider"]["target_group_arn"] == TG_ARN


def test_nothing_built_yet_is_a_difference_not_a_failure(stubbers, run_module):
    ec2, elbv2 = stubbers("ec2", "elbv2")
    ec2.add_response("describe_security_groups", {"SecurityGroups": []})
    ec2.add_response("describe_instances", {"Reservations": []})
    elbv2.add_client_error("describe_target_groups", service_error_code="TargetGroupNotFound", http_status_code=400)
    elbv2.add_client_error("describe_load_balancers", service_error_code="LoadBalancerNotFound",
                           http_status_code=400)

    result = run_module(privatelink_provider_layout_info.main, copy.deepcopy(PLAN))

    assert result["in_sync"] is False
    assert "load balancer demo-nlb: 0 found, wanted 1" in result["differences"]
    assert result["provider"]["load_balancer"] == {}
