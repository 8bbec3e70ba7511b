"""NAT gateways as AWS runs them: pending -> available, deleting -> deleted (still listed, as on AWS), ClientToken
idempotency, the ENI addressed inside its subnet, and tags whose resource type is `natgateway` (moto says
`nat-gateway`, which breaks amazon.aws ec2_vpc_nat_gateway idempotency)."""

from __future__ import annotations

from typing import Any

from .. import durations
from ._common import ec2_error, ec2_event, later, readdress_eni


def install() -> None:
    import moto.ec2.utils as ec2_utils
    from moto.core.responses import ActionResult
    from moto.ec2.models.nat_gateways import NatGatewayBackend
    from moto.ec2.responses import EC2Response
    from moto.ec2.utils import add_tag_specification

    ec2_utils.EC2_PREFIX_TO_RESOURCE["nat"] = "natgateway"  # the dict moto's tag code shares

    original_create = NatGatewayBackend.create_nat_gateway

    def create_nat_gateway(self: Any, subnet_id: str, allocation_id: str, tags: Any = None,
                           connectivity_type: str = "public", client_token: str | None = None) -> Any:
        fingerprint = (subnet_id, allocation_id, connectivity_type or "public")
        if client_token:
            for existing in self.nat_gateways.values():
                if getattr(existing, "_lab_client_token", None) == client_token:
                    if existing._lab_fingerprint != fingerprint:
                        raise ec2_error("IdempotentParameterMismatch", "The client token you have provided is "
                                        "associated with a resource that has different parameters.")
                    return existing
        self.get_subnet(subnet_id)
        nat = original_create(self, subnet_id, allocation_id, tags, connectivity_type or "public")
        subnet = self.get_subnet(subnet_id)
        address = readdress_eni(subnet, nat._eni)
        nat.private_ip = address
        for entry in nat.address_set:
            entry["privateIp"] = address
        nat._eni.interface_type = "nat_gateway"
        nat._eni.description = f"Interface for NAT Gateway {nat.id}"
        nat._eni.requester_managed = True
        nat._lab_client_token = client_token
        nat._lab_fingerprint = fingerprint
        nat.state = "pending"

        def available() -> Any:
            if self.nat_gateways.get(nat.id) is nat and nat.state == "pending":
                nat.state = "available"
                return ec2_event("Transition:NatGateway:available", self)
            return None

        later(durations.NAT_GATEWAY_CREATE, available)
        return nat

    NatGatewayBackend.create_nat_gateway = create_nat_gateway

    def delete_nat_gateway(self: Any, nat_gateway_id: str) -> Any:
        nat = self.nat_gateways.get(nat_gateway_id)
        if nat is None:
            raise ec2_error("NatGatewayNotFound", f"The Nat Gateway {nat_gateway_id} was not found")
        if nat.state in ("deleting", "deleted"):
            return nat
        nat.state = "deleting"

        def deleted() -> Any:
            if self.nat_gateways.get(nat.id) is not nat or nat.state != "deleting":
                return None
            nat.state = "deleted"
            for address in list(self.addresses):
                if address.eni is nat._eni and address.association_id:
                    self.disassociate_address(association_id=address.association_id)
            self.enis.pop(nat._eni.id, None)
            subnet = nat._eni.subnet
            if subnet is not None and nat._eni.private_ip_address in subnet._subnet_ips:
                subnet.del_subnet_ip(nat._eni.private_ip_address)
            return ec2_event("Transition:NatGateway:deleted", self)

        later(durations.NAT_GATEWAY_DELETE, deleted)
        return nat

    NatGatewayBackend.delete_nat_gateway = delete_nat_gateway

    def create_nat_gateway_response(self: Any) -> Any:
        self.error_on_dryrun()
        nat = self.ec2_backend.create_nat_gateway(
            subnet_id=self._get_param("SubnetId"),
            allocation_id=self._get_param("AllocationId"),
            tags=add_tag_specification(self._get_param("TagSpecifications", [])),
            connectivity_type=self._get_param("ConnectivityType"),
            client_token=self._get_param("ClientToken"),
        )
        return ActionResult({"NatGateway": nat, "ClientToken": self._get_param("ClientToken")})

    EC2Response.create_nat_gateway = create_nat_gateway_response
