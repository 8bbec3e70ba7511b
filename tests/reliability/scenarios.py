"""The scenarios the lifecycle tests drive: playbook, teardown playbook, extra vars (this helper's project names and
VPC blocks, 10.40-10.49, so its runs never meet another test's resources), the switch that skips the private-host
part, and the lab accounts each scenario touches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ADMIN_CIDRS = ["198.19.128.1/32"]
DEFAULT_ACCOUNT = "111111111111"
SECOND_ACCOUNT = "222222222222"
# The lab maps a 12-digit access key id to that account and accepts this fixed secret.
SECOND_ACCOUNT_KEYS = {"access_key": SECOND_ACCOUNT, "secret_key": "awslab-secret-key"}


@dataclass(frozen=True)
class Scenario:
    name: str
    project: str
    playbook: str
    teardown: str
    extra_vars: dict[str, Any]
    # Extra vars that skip the private-host part (SSH through the bastion); None: the playbook has no such switch,
    # then the scenario's AWS-side playbook (playbooks/<scenario>_provision.yml) runs instead.
    skip_private_hosts: dict[str, Any] | None
    accounts: tuple[str, ...] = (DEFAULT_ACCOUNT,)
    # Project resources outside EC2/IAM that teardown must remove as well.
    buckets: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    load_balancers: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    endpoint_services: bool = False
    notes: list[str] = field(default_factory=list)

    def converge_run(self, with_private_hosts: bool) -> tuple[str, dict[str, Any]]:
        """(playbook, extra vars) of a converge with or without the private-host part."""
        if with_private_hosts:
            return self.playbook, self.extra_vars
        if self.skip_private_hosts is None:
            return self.playbook.replace(".yml", "_provision.yml"), self.extra_vars
        return self.playbook, {**self.extra_vars, **self.skip_private_hosts}


GATEWAY = Scenario(
    name="gateway_endpoint",
    project="rel-life-gw",
    playbook="playbooks/gateway_endpoint.yml",
    teardown="playbooks/gateway_endpoint_teardown.yml",
    extra_vars={"gwe_project": "rel-life-gw", "gwe_vpc_cidr": "10.40.0.0/16", "gwe_admin_cidrs": ADMIN_CIDRS,
                "gwe_dynamodb": True},
    skip_private_hosts=None,
    buckets=(f"rel-life-gw-demo-{DEFAULT_ACCOUNT}",),
    tables=("rel-life-gw-demo",),
)

INTERFACE = Scenario(
    name="interface_endpoint",
    project="rel-life-if",
    playbook="playbooks/interface_endpoint.yml",
    teardown="playbooks/interface_endpoint_teardown.yml",
    extra_vars={"interface_scenario_project": "rel-life-if", "interface_scenario_vpc_cidr": "10.41.0.0/16",
                "interface_scenario_admin_cidrs": ADMIN_CIDRS, "interface_scenario_queue_name": "rel-life-if-demo"},
    skip_private_hosts={"interface_scenario_configure_private_hosts": False},
    queues=("rel-life-if-demo",),
)

# Cross-account: the consumer (VPC A, hosts, endpoint) in the default account, the provider (VPC B, NLB, endpoint
# service) in the lab's second account, so teardown is checked in both.
PRIVATELINK = Scenario(
    name="privatelink",
    project="rel-life-pl",
    playbook="playbooks/privatelink.yml",
    teardown="playbooks/privatelink_teardown.yml",
    extra_vars={"privatelink_project": "rel-life-pl", "privatelink_vpc_a_cidr": "10.42.0.0/16",
                "privatelink_vpc_b_cidr": "10.43.0.0/16", "privatelink_admin_cidrs": ADMIN_CIDRS,
                "privatelink_provider_aws": SECOND_ACCOUNT_KEYS},
    skip_private_hosts={"privatelink_configure_private_hosts": False},
    accounts=(DEFAULT_ACCOUNT, SECOND_ACCOUNT),
    load_balancers=("rel-life-pl-nlb",),
    target_groups=("rel-life-pl-tg",),
    endpoint_services=True,
)

SCENARIOS = {s.name: s for s in (GATEWAY, INTERFACE, PRIVATELINK)}
