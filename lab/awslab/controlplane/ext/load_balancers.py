"""Load balancers as AWS runs them: provisioning -> active after a scaled delay (moto activates on the first
describe), ARNs `loadbalancer/net/...` for network and `loadbalancer/gwy/...` for gateway load balancers
(moto always says `app`), and for network load balancers one ENI per subnet, addressed inside it, as AWS
creates them (the data plane gives the NLB those addresses)."""

from __future__ import annotations

from typing import Any

from .. import durations
from ..hooks import ApiEvent
from ._common import create_eni_in_subnet, delete_eni, later

_ARN_KIND = {"network": "net", "gateway": "gwy"}


def install() -> None:
    from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer

    FakeLoadBalancer.activate = lambda self: None  # the scheduler activates, not a describe

    original_create = ELBv2Backend.create_load_balancer

    def create_load_balancer(self: Any, *args: Any, **kwargs: Any) -> Any:
        balancer = original_create(self, *args, **kwargs)
        kind = _ARN_KIND.get(balancer.type)
        if kind is not None:
            old_arn = balancer.arn
            balancer.arn = old_arn.replace(":loadbalancer/app/", f":loadbalancer/{kind}/", 1)
            self.load_balancers[balancer.arn] = self.load_balancers.pop(old_arn)
            tags = self.tagging_service.list_tags_for_resource(old_arn).get("Tags", [])
            self.tagging_service.delete_all_tags_for_resource(old_arn)
            if tags:
                self.tagging_service.tag_resource(balancer.arn, tags)
        balancer._lab_eni_ids = []
        if balancer.type == "network":
            lb_id = balancer.arn.rsplit("/", 1)[-1]
            for subnet in balancer.subnets:
                eni = create_eni_in_subnet(self.ec2_backend, subnet.id, list(balancer.security_groups or []),
                                           f"ELB net/{balancer.name}/{lb_id}", "network_load_balancer")
                balancer._lab_eni_ids.append(eni.id)

        def active() -> Any:
            if self.load_balancers.get(balancer.arn) is balancer and balancer.state == "provisioning":
                balancer.state = "active"
                return ApiEvent("elasticloadbalancing", "Transition:LoadBalancer:active", self.account_id,
                                self.region_name, 200)
            return None

        later(durations.NLB_CREATE, active)
        return balancer

    ELBv2Backend.create_load_balancer = create_load_balancer

    original_delete = ELBv2Backend.delete_load_balancer

    def delete_load_balancer(self: Any, arn: str) -> None:
        balancer = self.load_balancers.get(arn)
        original_delete(self, arn)
        for eni_id in getattr(balancer, "_lab_eni_ids", []):
            delete_eni(self.ec2_backend, eni_id)

    ELBv2Backend.delete_load_balancer = delete_load_balancer
