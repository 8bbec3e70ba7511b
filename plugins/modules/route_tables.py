#!/usr/bin/python
# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: route_tables
short_description: Converge several route tables of one VPC, each found by its tags, with exact routes and subnets
version_added: 0.1.0
description:
  - Each table of O(tables) is found in the VPC by its tags (every tag given must match, as
    M(amazon.aws.ec2_vpc_route_table) with C(lookup=tag) finds it) and created,
    tagged, when there is none. Then it gets exactly the tags, IPv4 routes and subnet associations planned.
  - Routes someone created that are not planned are removed. The local route, propagated routes and gateway endpoint
    routes (prefix lists) are left alone. A subnet associated with another table is moved to this one, and subnets
    associated with this table that are not planned are disassociated.
  - It reads all the tables of the VPC in one call and changes them without pausing. When it changed anything, it
    reads its tables once more for its result. M(amazon.aws.ec2_vpc_route_table) reads the tags of every
    table and pauses 5 s after each change.
  - Tags with the C(aws:) prefix are left alone.
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  vpc_id:
    description: The VPC whose route tables these are.
    type: str
    required: true
  tables:
    description: The route tables, in the order of the result.
    type: list
    elements: dict
    required: true
    suboptions:
      tags:
        description:
          - The table's tags, which find it. They must include C(Name) and identify at most one table.
          - Other tags are removed.
        type: dict
        required: true
      subnets:
        description: Ids of the subnets associated with this table, and only they.
        type: list
        elements: str
        default: []
      routes:
        description: The table's IPv4 routes besides the local one, and only they.
        type: list
        elements: dict
        default: []
        suboptions:
          dest:
            description: The destination IPv4 block.
            type: str
            required: true
          gateway_id:
            description: An internet gateway's id (a NAT gateway's id is accepted too).
            type: str
          nat_gateway_id:
            description: A NAT gateway's id.
            type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - privnet.aws.attributes
attributes:
  check_mode:
    support: full
    details:
      - Lists in RV(changes) what it would change. A table it would create has an empty id in RV(route_tables).
  diff_mode:
    support: none
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: A public table with the internet route, and one table per private subnet without one
  privnet.aws.route_tables:
    vpc_id: "{{ vpc_id }}"
    tables:
      - tags: {Name: demo-public, privnet:tier: public}
        subnets: "{{ public_subnet_ids }}"
        routes:
          - dest: 0.0.0.0/0
            gateway_id: "{{ igw_id }}"
      - tags: {Name: demo-private-1-a, privnet:tier: private}
        subnets: ["{{ private_subnet_ids[0] }}"]
  register: tables
"""

RETURN = r"""
changes:
  description: What was changed (or, in check mode, would be), one line each.
  returned: always
  type: list
  elements: str
  sample: ["create route table demo-public", "add route 0.0.0.0/0 to route table demo-public"]
route_tables:
  description:
    - The tables in the order of O(tables), as EC2 describes them (snake_case, tags as a dict), each with C(id).
    - In check mode a table that would be created has an empty C(id) and C(route_table_id).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The route table's id (also in C(route_table_id)).
      type: str
    routes:
      description: Its routes.
      type: list
      elements: dict
    associations:
      description: Its associations.
      type: list
      elements: dict
    tags:
      description: Its tags.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._route_tables import converge_route_tables  # noqa: E402

ROUTE_SPEC = dict(dest=dict(type="str", required=True), gateway_id=dict(type="str"), nat_gateway_id=dict(type="str"))
TABLE_SPEC = dict(
    tags=dict(type="dict", required=True),
    subnets=dict(type="list", elements="str", default=[]),
    routes=dict(type="list", elements="dict", default=[], options=ROUTE_SPEC,
                required_one_of=[("gateway_id", "nat_gateway_id")],
                mutually_exclusive=[("gateway_id", "nat_gateway_id")]),
)


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=dict(
            vpc_id=dict(type="str", required=True),
            tables=dict(type="list", elements="dict", required=True, options=TABLE_SPEC),
        ),
        supports_check_mode=True,
    )
    for index, table in enumerate(module.params["tables"]):
        if not table["tags"].get("Name"):
            module.fail_json(msg=f"tables[{index}].tags must include a non-empty Name")
    try:
        result = converge_route_tables(module.client("ec2"), module.params["vpc_id"], module.params["tables"],
                                       module.check_mode)
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
