"""Ideal times and lower bounds from the lab's own provisioning delays and throttling buckets (not hard-coded)."""

from __future__ import annotations

from awslab.controlplane import durations
from awslab.controlplane.throttle import ACTION_BUCKETS


def bucket_delay(action: str, calls: int) -> float:
    """Seconds until the last of `calls` requests of `action` gets a token, the bucket full at the start: the first
    `capacity` go at once, each further one after 1/refill seconds. Throttling is real time (not scaled)."""
    capacity, refill = ACTION_BUCKETS[action]
    return max(0.0, calls - capacity) / refill


def interface_endpoints_bound(endpoints: int, time_scale: float) -> float:
    """Lower bound for N interface endpoints in one VPC: the CreateVpcEndpoint bucket plus one provisioning delay."""
    return bucket_delay("CreateVpcEndpoint", endpoints) + durations.INTERFACE_ENDPOINT_CREATE * time_scale


def scenario_ideal(scenario: str, time_scale: float, endpoints: int = 1) -> tuple[float, str]:
    """The longest dependency chain of a scenario's delayed transitions, and how it was derived. Everything that is
    not a delayed transition (API round trips, Ansible) counts as zero: the ideal is what AWS itself imposes."""
    s = time_scale
    instance = durations.INSTANCE_LAUNCH * s
    if scenario == "interface":
        chain = interface_endpoints_bound(endpoints, s)
        return max(instance, chain), (
            f"max(instance launch {instance:.1f}, CreateVpcEndpoint bucket for {endpoints} "
            f"{bucket_delay('CreateVpcEndpoint', endpoints):.1f} "
            f"+ interface endpoint {durations.INTERFACE_ENDPOINT_CREATE * s:.1f})")
    if scenario == "gateway":
        gateway = durations.GATEWAY_ENDPOINT_CREATE * s
        return max(instance, gateway), f"max(instance launch {instance:.1f}, gateway endpoint {gateway:.1f})"
    if scenario == "privatelink":
        nlb = durations.NLB_CREATE * s
        service = durations.ENDPOINT_SERVICE_CREATE * s
        accepted = durations.ENDPOINT_AFTER_ACCEPT * s
        return max(instance, nlb + service + accepted), (
            f"max(instance launch {instance:.1f}, NLB {nlb:.1f} + endpoint service {service:.1f} "
            f"+ endpoint after acceptance {accepted:.1f})")
    if scenario == "base":
        return instance, f"instance launch {instance:.1f}"
    raise ValueError(scenario)
