#!/usr/bin/python
# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: bastion_layout_info
short_description: Compare a bastion and its private hosts with their plan, in one read per resource kind
version_added: 0.1.0
description:
  - Reads the security groups C(<name>-bastion) and C(<name>-private) of O(vpc_id), the private hosts' IAM role
    and instance profile C(<name>-private) with its inline policy, and the project's instances, and lists every way
    they differ from the plan (what M(privnet.aws.bastion) builds; its key pair is not read here).
  - The comparison is at least as strict as the amazon.aws modules the role converges with, tags purged. The role
    runs them only when this module reports a difference.
  - Six read calls (security groups, instances, the role, its managed policies, its inline policy, the profile).
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  name:
    description: The name the role derives every resource name from.
    type: str
    required: true
  project:
    description: The C(privnet:project) tag the instances are found by.
    type: str
    required: true
  vpc_id:
    description: The VPC of the security groups.
    type: str
    required: true
  tags:
    description:
      - The tags every resource carries besides C(Name) (and C(privnet:role) on instances).
      - Tags with the C(aws:) prefix are left out of the comparison.
    type: dict
    default: {}
  admin_cidrs:
    description: The IPv4 and IPv6 blocks the bastion group admits on TCP 22, and nothing else.
    type: list
    elements: str
    required: true
  public_subnet_id:
    description: The bastion's subnet.
    type: str
    required: true
  private_subnet_ids:
    description: The private hosts' subnets, used in turn.
    type: list
    elements: str
    default: []
  private_instance_count:
    description: How many private hosts C(<name>-private-1) ... run.
    type: int
    default: 1
  instance_type:
    description: The bastion's instance type.
    type: str
    required: true
  private_instance_type:
    description: The private hosts' instance type.
    type: str
    required: true
  key_name:
    description: The key pair every instance has.
    type: str
    required: true
  policy:
    description: The inline policy of the private hosts' role; empty for none.
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - privnet.aws.attributes
  - privnet.aws.attributes.info_module
"""

EXAMPLES = r"""
- name: Compare the bastion and one private host with their plan
  privnet.aws.bastion_layout_info:
    name: demo
    project: demo
    vpc_id: vpc-0123456789abcdef0
    tags:
      privnet:project: demo
    admin_cidrs: [203.0.113.10/32]
    public_subnet_id: subnet-0123456789abcdef0
    private_subnet_ids: [subnet-0123456789abcdef1]
    instance_type: t3.micro
    private_instance_type: t3.micro
    key_name: demo-key
  register: hosts
"""

RETURN = r"""
in_sync:
  description: Whether nothing differs from the plan.
  type: bool
  returned: always
  sample: false
differences:
  description: One line per difference; empty when everything is as planned.
  type: list
  elements: str
  returned: always
  sample: ["instance demo-private-1 metadata options: ('enabled', 'optional', 1), wanted ('enabled', 'required', 1)"]
hosts:
  description: What was found. Complete only when RV(in_sync) is true.
  type: dict
  returned: always
  contains:
    security_group_id:
      description: The bastion group's id.
      type: str
    private_security_group_id:
      description: The private hosts' group id.
      type: str
    instance_role_arn:
      description: The private hosts' role.
      type: str
    bastion:
      description: The bastion instance, snake_case with tags as a dict (as amazon.aws.ec2_instance_info returns it).
      type: dict
    private_instances:
      description: The private instances in name order, the same way.
      type: list
      elements: dict
"""

from ansible_collections.privnet.aws.plugins.module_utils._bastion_layout import (  # noqa: E402
    compare_hosts,
    read_hosts,
)
from ansible_collections.privnet.aws.plugins.module_utils._layout_compare import run_layout_info  # noqa: E402


def main() -> None:
    argument_spec = dict(
        name=dict(type="str", required=True),
        project=dict(type="str", required=True),
        vpc_id=dict(type="str", required=True),
        tags=dict(type="dict", default={}),
        admin_cidrs=dict(type="list", elements="str", required=True),
        public_subnet_id=dict(type="str", required=True),
        private_subnet_ids=dict(type="list", elements="str", default=[]),
        private_instance_count=dict(type="int", default=1),
        instance_type=dict(type="str", required=True),
        private_instance_type=dict(type="str", required=True),
        key_name=dict(type="str", required=True, no_log=False),
        policy=dict(type="dict", default={}),
    )
    run_layout_info(argument_spec, ("ec2", "iam"), read_hosts, compare_hosts, "hosts")


if __name__ == "__main__":
    main()
