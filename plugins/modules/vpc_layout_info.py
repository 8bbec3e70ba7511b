#!/usr/bin/python
# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_layout_info
short_description: Compare a VPC with public and private subnets with its plan, in one read per resource kind
version_added: 0.1.0
description:
  - Reads the VPC named O(name) with block O(cidr), its internet gateway, subnets, route tables, default security
    group and NAT gateways, and lists every way they differ from the plan (the layout M(privnet.aws.vpc_base)
    builds).
  - The comparison is at least as strict as the amazon.aws modules the role converges with, tags purged. The role
    runs them only when this module reports a difference.
  - Eight read calls when the VPC exists (VPCs, two VPC attributes, internet gateways, subnets, route tables, the
    default security group, NAT gateways), one when it does not.
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  name:
    description: The VPC's C(Name) tag.
    type: str
    required: true
  cidr:
    description: The VPC's IPv4 block.
    type: str
    required: true
  tags:
    description:
      - The tags every resource carries besides C(Name) (and C(privnet:tier) on subnets and route tables).
      - Tags with the C(aws:) prefix are left out of the comparison.
    type: dict
    default: {}
  public_subnets:
    description: The planned public subnets.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The subnet's C(Name) tag, also the C(Name) tag of its route table for private ones.
        type: str
        required: true
      cidr:
        description: The subnet's block.
        type: str
        required: true
      az:
        description: The subnet's availability zone.
        type: str
        required: true
  private_subnets:
    description: The planned private subnets, each with its own route table named like it.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The subnet's C(Name) tag, also the C(Name) tag of its route table for private ones.
        type: str
        required: true
      cidr:
        description: The subnet's block.
        type: str
        required: true
      az:
        description: The subnet's availability zone.
        type: str
        required: true
  nat_gateway:
    description:
      - Whether an available NAT gateway of the project sits in the first public subnet with the private route
        tables' default route to it. When false, the project may have no live NAT gateway in the VPC.
    type: bool
    default: false
  restrict_default_security_group:
    description: Whether the default security group must hold no rule.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - privnet.aws.attributes
  - privnet.aws.attributes.info_module
"""

EXAMPLES = r"""
- name: Compare the VPC with its plan
  privnet.aws.vpc_layout_info:
    name: demo
    cidr: 10.0.0.0/16
    tags:
      privnet:project: demo
    public_subnets:
      - {name: demo-public-a, cidr: 10.0.0.0/24, az: ap-northeast-1a}
    private_subnets:
      - {name: demo-private-a, cidr: 10.0.128.0/24, az: ap-northeast-1a}
  register: layout

- name: Show what differs
  ansible.builtin.debug:
    var: layout.differences
"""

RETURN = r"""
in_sync:
  description: Whether nothing differs from the plan.
  type: bool
  returned: always
  sample: true
differences:
  description: One line per difference; empty when O(name) is laid out as planned.
  type: list
  elements: str
  returned: always
  sample: ["route table demo-private-a subnets: [], wanted ['subnet-0123456789abcdef0']"]
layout:
  description: The ids found. Complete only when RV(in_sync) is true.
  type: dict
  returned: always
  contains:
    vpc_id:
      description: The VPC's id.
      type: str
      sample: vpc-0123456789abcdef0
    vpc_cidr:
      description: The VPC's block.
      type: str
      sample: 10.0.0.0/16
    igw_id:
      description: The internet gateway's id.
      type: str
      sample: igw-0123456789abcdef0
    public_subnets:
      description: The public subnets in plan order, snake_case, with C(id) and C(tags) as a dict.
      type: list
      elements: dict
    private_subnets:
      description: The private subnets in plan order, snake_case, with C(id) and C(tags) as a dict.
      type: list
      elements: dict
    public_route_table_id:
      description: The public route table's id.
      type: str
    private_route_table_ids:
      description: The private route tables' ids, in the order of the private subnets.
      type: list
      elements: str
    nat_gateway_id:
      description: The NAT gateway's id, empty without one.
      type: str
"""

from ansible_collections.privnet.aws.plugins.module_utils._layout_compare import run_layout_info  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._vpc_layout import (  # noqa: E402
    compare_layout,
    read_layout,
)

SUBNET_SPEC = dict(name=dict(type="str", required=True), cidr=dict(type="str", required=True),
                   az=dict(type="str", required=True))


def main() -> None:
    argument_spec = dict(
        name=dict(type="str", required=True),
        cidr=dict(type="str", required=True),
        tags=dict(type="dict", default={}),
        public_subnets=dict(type="list", elements="dict", default=[], options=SUBNET_SPEC),
        private_subnets=dict(type="list", elements="dict", default=[], options=SUBNET_SPEC),
        nat_gateway=dict(type="bool", default=False),
        restrict_default_security_group=dict(type="bool", default=True),
    )
    run_layout_info(argument_spec, ("ec2",), lambda ec2, params: read_layout(ec2, params["name"], params["cidr"]),
                    compare_layout, "layout")


if __name__ == "__main__":
    main()
