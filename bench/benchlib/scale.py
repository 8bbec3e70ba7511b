"""Measure 2: N interface endpoints in one VPC, ours vs the baseline, against the CreateVpcEndpoint bucket bound."""

from __future__ import annotations

import time
from typing import Any

from awslab.controlplane.throttle import ACTION_BUCKETS

from .bounds import interface_endpoints_bound
from .lab import Lab
from .playbook import PlaybookRunner

PROJECT = "privnet-bench-scale"
REGION = "ap-northeast-1"
SERVICES = ["sqs", "sts", "logs", "kms", "secretsmanager", "ssm", "ssmmessages", "ec2messages", "ecr.api", "ecr.dkr",
            "monitoring", "events", "lambda", "ecs", "sns", "kinesis-streams"]


def check_services(lab: Lab, services: list[str]) -> None:
    """Fail unless the lab offers every service as an Interface endpoint service."""
    offered = lab.aws_json("ec2", "describe-vpc-endpoint-services")["ServiceNames"]
    missing = [s for s in services if f"com.amazonaws.{REGION}.{s}" not in offered]
    if missing:
        raise RuntimeError(f"the lab does not offer {missing}")


def private_subnets(lab: Lab) -> tuple[str, list[str], list[str]]:
    subnets = lab.aws_json("ec2", "describe-subnets", "--filters", f"Name=tag:privnet:project,Values={PROJECT}",
                           "Name=tag:privnet:tier,Values=private")["Subnets"]
    subnets.sort(key=lambda s: s["AvailabilityZone"])
    return subnets[0]["VpcId"], [s["SubnetId"] for s in subnets], [s["CidrBlock"] for s in subnets]


def wait_for_full_bucket(last_create_end: float | None) -> None:
    """The bound assumes a full CreateVpcEndpoint bucket at the start: wait until it has refilled."""
    capacity, refill = ACTION_BUCKETS["CreateVpcEndpoint"]
    if last_create_end is not None:
        remaining = capacity / refill - (time.monotonic() - last_create_end)
        if remaining > 0:
            time.sleep(remaining + 0.2)


def measure_scale(runner: PlaybookRunner, lab: Lab, time_scale: float, sizes: list[int]) -> dict[str, Any]:
    print("scale", flush=True)
    check_services(lab, SERVICES[:max(sizes)])
    base_vars = {"bench_project": PROJECT, "bench_region": REGION}
    runner.run("scale-vpc", "bench/playbooks/scale_network.yml", base_vars)
    vpc_id, subnet_ids, cidrs = private_subnets(lab)
    run_vars = {**base_vars, "bench_vpc_id": vpc_id, "bench_subnet_ids": subnet_ids, "bench_client_cidrs": cidrs}
    results: dict[str, Any] = {"services": SERVICES[:max(sizes)], "subnets": len(subnet_ids), "sizes": {}}
    last_create_end: float | None = None
    try:
        for size in sizes:
            entry: dict[str, Any] = {"bound_seconds": round(interface_endpoints_bound(size, time_scale), 2)}
            sides = {"ours": ("bench/playbooks/scale.yml", "bench/playbooks/scale.yml", {"bench_state": "absent"}),
                     "baseline": ("bench/baseline/scale.yml", "bench/baseline/scale_teardown.yml", {})}
            for side, (playbook, teardown, teardown_vars) in sides.items():
                wait_for_full_bucket(last_create_end)
                size_vars = {**run_vars, "bench_services": SERVICES[:size]}
                converge = runner.run(f"scale-{size}-{side}", playbook, size_vars)
                last_create_end = time.monotonic()
                runner.run(f"scale-{size}-{side}-teardown", teardown, {**size_vars, **teardown_vars})
                entry[side] = converge.as_dict()
            results["sizes"][str(size)] = entry
    finally:
        runner.run("scale-vpc-teardown", "bench/playbooks/scale_network.yml", {**base_vars, "bench_state": "absent"},
                   check=False)
    return results
