# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read the application privnet.aws.privatelink_provider runs behind an internal NLB (its security group, instance,
target group with its targets, NLB with its listeners) in one call per resource kind and compare it with the plan.

The comparison is at least as strict as the modules the role converges with (``amazon.aws.ec2_security_group``,
``amazon.aws.ec2_instance``, ``community.aws.elb_target_group``, ``community.aws.elb_network_lb``, tags and
listeners purged): whatever they would change shows up as a difference. The endpoint service is not read here: the
role converges it on every run.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ._aws_call import aws_call, retry
from ._endpoint_results import tags_of
from ._layout_compare import LIVE_INSTANCE_STATES, Comparison, compare_instance, describe_all, rules

ELB_MISSING = ("TargetGroupNotFound", "LoadBalancerNotFound")


@aws_call("describe target group {name}", missing_codes=ELB_MISSING, missing_value=list)
@retry()
def _target_groups(elbv2, name: str) -> list[dict[str, Any]]:
    return elbv2.describe_target_groups(Names=[name])["TargetGroups"]


@aws_call("describe the targets of {arn}")
@retry()
def _target_ids(elbv2, arn: str) -> list[str]:
    return sorted(item["Target"]["Id"] for item in elbv2.describe_target_health(TargetGroupArn=arn)
                  ["TargetHealthDescriptions"])


@aws_call("describe load balancer {name}", missing_codes=ELB_MISSING, missing_value=list)
@retry()
def _load_balancers(elbv2, name: str) -> list[dict[str, Any]]:
    return elbv2.describe_load_balancers(Names=[name])["LoadBalancers"]


@aws_call("describe the listeners of {arn}")
@retry()
def _listeners(elbv2, arn: str) -> list[dict[str, Any]]:
    return elbv2.get_paginator("describe_listeners").paginate(LoadBalancerArn=arn).build_full_result()["Listeners"]


@aws_call("describe the tags of {arns}")
@retry()
def _elb_tags(elbv2, arns: list[str]) -> dict[str, dict[str, str]]:
    descriptions = elbv2.describe_tags(ResourceArns=arns)["TagDescriptions"]
    return {item["ResourceArn"]: tags_of(item) for item in descriptions}


def read_provider(ec2, elbv2, params: dict[str, Any]) -> dict[str, Any]:
    """Everything the provider role manages but the endpoint service: five to seven read calls."""
    name, project, vpc_id = params["name"], params["project"], params["vpc_id"]
    groups = describe_all(ec2, "describe_security_groups", "SecurityGroups", [
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [f"{name}-app"]}])
    reservations = describe_all(ec2, "describe_instances", "Reservations", [
        {"Name": "tag:privnet:project", "Values": [project]}, {"Name": "tag:Name", "Values": [f"{name}-app"]},
        {"Name": "instance-state-name", "Values": list(LIVE_INSTANCE_STATES)}])
    target_groups = _target_groups(elbv2, f"{name}-tg")
    load_balancers = _load_balancers(elbv2, f"{name}-nlb")
    arns = [item["TargetGroupArn"] for item in target_groups] + [item["LoadBalancerArn"] for item in load_balancers]
    return {
        "groups": groups,
        "instances": [instance for reservation in reservations for instance in reservation["Instances"]],
        "target_groups": target_groups,
        "targets": _target_ids(elbv2, target_groups[0]["TargetGroupArn"]) if len(target_groups) == 1 else [],
        "load_balancers": load_balancers,
        "listeners": _listeners(elbv2, load_balancers[0]["LoadBalancerArn"]) if len(load_balancers) == 1 else [],
        "elb_tags": _elb_tags(elbv2, arns) if arns else {},
    }


def _compare_group(compare: Comparison, groups: list[dict[str, Any]], plan: dict[str, Any], tags: dict[str, str]):
    name = f"{plan['name']}-app"
    group = compare.one(f"security group {name}", groups)
    if group is None:
        return None
    port = plan["app_port"]
    compare.check(f"security group {name} inbound rules", rules(group.get("IpPermissions")),
                  sorted((("tcp", port, port, cidr, None) for cidr in plan["subnet_cidrs"]), key=repr))
    compare.check(f"security group {name} outbound rules", rules(group.get("IpPermissionsEgress")), [])
    compare.tags(f"security group {name}", group, {**tags, "Name": name})
    return group["GroupId"]


def _compare_target_group(compare, provider, plan, tags, instance_id):
    name = f"{plan['name']}-tg"
    target_group = compare.one(f"target group {name}", provider["target_groups"])
    if target_group is None:
        return None
    interval, threshold = plan["health_check_interval"], plan["healthy_threshold"]
    compare.check(f"target group {name} settings", tuple(target_group.get(key) for key in (
        "Protocol", "Port", "VpcId", "TargetType", "HealthCheckProtocol", "HealthCheckPort",
        "HealthCheckIntervalSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount")),
        ("TCP", plan["app_port"], plan["vpc_id"], "instance", "TCP", "traffic-port", interval, threshold, threshold))
    compare.check(f"target group {name} targets", provider["targets"], [instance_id] if instance_id else ["?"])
    compare.check(f"target group {name} tags", provider["elb_tags"].get(target_group["TargetGroupArn"]),
                  {**tags, "Name": name})
    return target_group["TargetGroupArn"]


def _compare_load_balancer(compare, provider, plan, tags, target_group_arn):
    name = f"{plan['name']}-nlb"
    balancer = compare.one(f"load balancer {name}", provider["load_balancers"])
    if balancer is None:
        return None
    compare.check(f"load balancer {name} kind", (balancer.get("Type"), balancer.get("Scheme")), ("network", "internal"))
    compare.check(f"load balancer {name} state", (balancer.get("State") or {}).get("Code"), "active")
    compare.check(f"load balancer {name} subnets",
                  sorted(zone.get("SubnetId") for zone in balancer.get("AvailabilityZones") or []),
                  sorted(plan["subnet_ids"]))
    listeners = sorted(
        (item.get("Protocol"), item.get("Port"),
         tuple((action.get("Type"), action.get("TargetGroupArn")) for action in item.get("DefaultActions") or []))
        for item in provider["listeners"]
    )
    compare.check(f"load balancer {name} listeners", listeners,
                  [("TCP", plan["listener_port"], (("forward", target_group_arn),))])
    compare.check(f"load balancer {name} tags", provider["elb_tags"].get(balancer["LoadBalancerArn"]),
                  {**tags, "Name": name})
    return {"load_balancer_arn": balancer["LoadBalancerArn"], "dns_name": balancer.get("DNSName", "")}


def compare_provider(provider: dict[str, Any], plan: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """(differences, facts); the facts are complete only when there is no difference.

    ``plan``: name, vpc_id, tags (every resource's tags but Name), subnet_ids, subnet_cidrs, app_port,
    listener_port, instance_type, health_check_interval, healthy_threshold.
    """
    compare = Comparison()
    tags = dict(plan["tags"])
    group_id = _compare_group(compare, provider["groups"], plan, tags)
    instance = compare_instance(compare, provider["instances"], f"{plan['name']}-app", {
        "instance_type": plan["instance_type"], "key_name": None,
        "subnet_id": plan["subnet_ids"][0] if plan["subnet_ids"] else None, "group_id": group_id, "public": False,
        "profile": "", "role": "application"}, tags)
    target_group_arn = _compare_target_group(compare, provider, plan, tags, (instance or {}).get("instance_id"))
    load_balancer = _compare_load_balancer(compare, provider, plan, tags, target_group_arn)
    facts = {
        "security_group_id": group_id or "",
        "instance": instance or {},
        "target_group_arn": target_group_arn or "",
        "load_balancer": load_balancer or {},
    }
    return compare.differences, facts
