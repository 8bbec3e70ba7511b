#!/usr/bin/python
# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc
short_description: Converge one VPC, its internet gateway and its subnets in one call
version_added: 0.1.0
description:
  - Finds the VPC by its C(Name) tag O(name) and its block O(cidr), as M(amazon.aws.ec2_vpc_net) does, and creates
    it when there is none. It gets the DNS attributes O(dns_support) and O(dns_hostnames) and exactly the tags
    O(tags) plus C(Name).
  - With O(internet_gateway), the VPC gets an attached internet gateway tagged exactly O(internet_gateway_tags). A
    gateway created by a run stopped before attaching it is found by those tags and attached.
  - Each of O(subnets) is found by its block in the VPC and created, tagged, in its zone when missing. It gets exactly
    its tags, and public addresses on launch and IPv6 addresses on creation are turned off. Subnets not listed are
    left alone. A subnet found in another zone than planned fails the run, since a subnet cannot move.
  - It manages what M(amazon.aws.ec2_vpc_net), M(amazon.aws.ec2_vpc_igw) and M(amazon.aws.ec2_vpc_subnet) manage with
    their purging defaults, in one module run instead of one per resource. Every resource is created with its tags.
  - Tags with the C(aws:) prefix are left alone. To remove a VPC, use M(amazon.aws.ec2_vpc_net).
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  name:
    description: The VPC's C(Name) tag, which finds it together with O(cidr).
    type: str
    required: true
  cidr:
    description: The VPC's primary IPv4 block.
    type: str
    required: true
  tags:
    description: The VPC's tags besides C(Name), and only they.
    type: dict
    default: {}
  dns_support:
    description: Whether the VPC resolves DNS names.
    type: bool
    default: true
  dns_hostnames:
    description: Whether instances in the VPC get DNS host names (private DNS of interface endpoints needs it).
    type: bool
    default: true
  internet_gateway:
    description: Whether the VPC has an internet gateway attached. V(false) leaves any attached gateway alone.
    type: bool
    default: true
  internet_gateway_tags:
    description: The gateway's tags, and only they.
    type: dict
    default: {}
  subnets:
    description: The subnets, found by block.
    type: list
    elements: dict
    default: []
    suboptions:
      cidr:
        description: The subnet's block, inside the VPC's.
        type: str
        required: true
      az:
        description: The subnet's availability zone.
        type: str
        required: true
      tags:
        description: The subnet's tags, and only they.
        type: dict
        default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - privnet.aws.attributes
attributes:
  check_mode:
    support: full
    details:
      - Lists in RV(changes) what it would change. A VPC it would create has an empty RV(vpc) and no RV(subnets); a
        gateway or subnet it would create has an empty id.
  diff_mode:
    support: none
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: A VPC with DNS host names, an internet gateway, one public and one private subnet
  privnet.aws.vpc:
    name: demo
    cidr: 10.0.0.0/16
    tags:
      privnet:project: demo
    internet_gateway_tags:
      Name: demo-igw
    subnets:
      - cidr: 10.0.0.0/24
        az: ap-northeast-1a
        tags:
          Name: demo-public-1
      - cidr: 10.0.128.0/24
        az: ap-northeast-1a
        tags:
          Name: demo-private-1
  register: network
"""

RETURN = r"""
changes:
  description: What was changed (or, in check mode, would be), one line each.
  returned: always
  type: list
  elements: str
  sample: ["create VPC demo 10.0.0.0/16", "set enableDnsHostnames of VPC demo to True"]
vpc:
  description: The VPC as EC2 describes it (snake_case, tags as a dict), with C(id). Empty when check mode would
    create it.
  returned: always
  type: dict
  contains:
    id:
      description: The VPC's id (also in C(vpc_id)).
      type: str
    cidr_block:
      description: Its primary block.
      type: str
    tags:
      description: Its tags.
      type: dict
internet_gateway_id:
  description: The attached gateway's id; empty without O(internet_gateway) or when check mode would create it.
  returned: always
  type: str
subnets:
  description: The subnets in the order of O(subnets), as EC2 describes them (snake_case, tags as a dict), each with
    C(id) (empty when check mode would create it).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The subnet's id (also in C(subnet_id)).
      type: str
    cidr_block:
      description: Its block.
      type: str
    availability_zone:
      description: Its zone.
      type: str
    tags:
      description: Its tags.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._vpc import converge_vpc  # noqa: E402

SUBNET_SPEC = dict(cidr=dict(type="str", required=True), az=dict(type="str", required=True),
                   tags=dict(type="dict", default={}))


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            cidr=dict(type="str", required=True),
            tags=dict(type="dict", default={}),
            dns_support=dict(type="bool", default=True),
            dns_hostnames=dict(type="bool", default=True),
            internet_gateway=dict(type="bool", default=True),
            internet_gateway_tags=dict(type="dict", default={}),
            subnets=dict(type="list", elements="dict", default=[], options=SUBNET_SPEC),
        ),
        supports_check_mode=True,
    )
    cidrs = [subnet["cidr"] for subnet in module.params["subnets"]]
    if len(set(cidrs)) != len(cidrs):
        module.fail_json(msg=f"subnets: each block may be listed once, got {', '.join(cidrs)}")
    try:
        result = converge_vpc(module.client("ec2"), module.params, module.check_mode)
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
