#!/usr/bin/python
# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: privatelink_provider_layout_info
short_description: Compare an application behind an internal NLB with its plan, in one read per resource kind
version_added: 0.1.0
description:
  - Reads the security group and the instance C(<name>-app), the target group C(<name>-tg) with its targets and the
    NLB C(<name>-nlb) with its listeners, and lists every way they differ from the plan (what
    M(privnet.aws.privatelink_provider) builds; its endpoint service is not read here).
  - The comparison is at least as strict as the amazon.aws and community.aws modules the role converges with, tags
    and listeners purged. The role runs them only when this module reports a difference.
  - Seven read calls (security groups, instances, target group, targets, NLB, listeners, ELB tags), fewer when the
    target group or the NLB is missing.
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  name:
    description: The name the role derives every resource name from.
    type: str
    required: true
  project:
    description: The C(privnet:project) tag the instance is found by.
    type: str
    required: true
  vpc_id:
    description: The VPC of the security group and the target group.
    type: str
    required: true
  tags:
    description:
      - The tags every resource carries besides C(Name) (and C(privnet:role) on the instance).
      - Tags with the C(aws:) prefix are left out of the comparison of the group and the instance.
    type: dict
    default: {}
  subnet_ids:
    description: The NLB's subnets; the instance runs in the first.
    type: list
    elements: str
    required: true
  subnet_cidrs:
    description: The blocks the security group admits on O(app_port), and nothing else.
    type: list
    elements: str
    required: true
  app_port:
    description: The application's TCP port, the target group's port.
    type: int
    required: true
  listener_port:
    description: The NLB listener's TCP port.
    type: int
    required: true
  instance_type:
    description: The instance's type.
    type: str
    required: true
  health_check_interval:
    description: The target group's health check interval in seconds.
    type: int
    required: true
  healthy_threshold:
    description: The target group's healthy and unhealthy threshold counts.
    type: int
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - privnet.aws.attributes
  - privnet.aws.attributes.info_module
"""

EXAMPLES = r"""
- name: Compare the application, its target group and its NLB with their plan
  privnet.aws.privatelink_provider_layout_info:
    name: demo
    project: demo
    vpc_id: vpc-0123456789abcdef0
    tags:
      privnet:project: demo
    subnet_ids: [subnet-0123456789abcdef0]
    subnet_cidrs: [10.1.128.0/24]
    app_port: 8080
    listener_port: 80
    instance_type: t3.micro
    health_check_interval: 10
    healthy_threshold: 3
  register: provider
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
  sample: ["load balancer demo-nlb state: 'provisioning', wanted 'active'"]
provider:
  description: What was found. Complete only when RV(in_sync) is true.
  type: dict
  returned: always
  contains:
    security_group_id:
      description: The application group's id.
      type: str
    instance:
      description: The application instance, snake_case with tags as a dict, as amazon.aws.ec2_instance_info has it.
      type: dict
    target_group_arn:
      description: The target group's ARN.
      type: str
    load_balancer:
      description: The NLB's C(load_balancer_arn) and C(dns_name).
      type: dict
"""

from ansible_collections.privnet.aws.plugins.module_utils._layout_compare import run_layout_info  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._provider_layout import (  # noqa: E402
    compare_provider,
    read_provider,
)


def main() -> None:
    argument_spec = dict(
        name=dict(type="str", required=True),
        project=dict(type="str", required=True),
        vpc_id=dict(type="str", required=True),
        tags=dict(type="dict", default={}),
        subnet_ids=dict(type="list", elements="str", required=True),
        subnet_cidrs=dict(type="list", elements="str", required=True),
        app_port=dict(type="int", required=True),
        listener_port=dict(type="int", required=True),
        instance_type=dict(type="str", required=True),
        health_check_interval=dict(type="int", required=True),
        healthy_threshold=dict(type="int", required=True),
    )
    run_layout_info(argument_spec, ("ec2", "elbv2"), read_provider, compare_provider, "provider")


if __name__ == "__main__":
    main()
