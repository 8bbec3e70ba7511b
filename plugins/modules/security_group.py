#!/usr/bin/python
# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: security_group
short_description: Converge one VPC security group with exactly the planned rules, both ways, and tags
version_added: 0.1.0
description:
  - Finds the group by O(name) in O(vpc_id) and creates it, tagged, when there is none. Then it gets exactly the
    inbound rules O(rules), the outbound rules O(rules_egress) (descriptions included) and the tags O(tags).
  - It manages what M(amazon.aws.ec2_security_group) manages with purging rules, outbound rules and tags, for
    the rule forms below. It does not pause after creating a group, as a new group is known to hold AWS's one default
    outbound rule (all traffic to V(0.0.0.0/0)). When it changed anything, it reads the group once more for its
    result. M(amazon.aws.ec2_security_group) pauses 3 s after each creation.
  - A rule whose description differs is revoked and authorized again.
  - An existing group's description is left as it is (AWS cannot change it).
  - To remove a group, use M(amazon.aws.ec2_security_group) with O(amazon.aws.ec2_security_group#module:state=absent).
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  name:
    description: The group's name, unique in its VPC.
    type: str
    required: true
  description:
    description: The group's description, used when it is created.
    type: str
    required: true
  vpc_id:
    description: The VPC of the group.
    type: str
    required: true
  rules:
    description: The inbound rules, and only they.
    type: list
    elements: dict
    default: []
    suboptions: &rule_options
      proto:
        description: The protocol; V(all) is every protocol and port.
        type: str
        choices: [all, "-1", tcp, udp, icmp, icmpv6]
        required: true
      ports:
        description:
          - Ports (V(443)) or port ranges (V(8000-8080)). Required unless the protocol is V(all).
        type: list
        elements: raw
      cidr_ip:
        description: IPv4 sources (or destinations, outbound).
        type: list
        elements: str
      cidr_ipv6:
        description: IPv6 sources (or destinations, outbound).
        type: list
        elements: str
      group_id:
        description: A security group as the source (or destination, outbound).
        type: str
      rule_desc:
        description: The description of every rule this entry makes.
        type: str
  rules_egress:
    description: The outbound rules, and only they. V([]) removes AWS's default outbound rule.
    type: list
    elements: dict
    default: []
    suboptions: *rule_options
  tags:
    description: The group's tags, and only they (tags with the C(aws:) prefix are left alone).
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
      - Lists in RV(changes) what it would change. A group it would create has no RV(group_id).
  diff_mode:
    support: partial
    details:
      - RV(diff) is returned whenever the group changed, outside check mode.
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: HTTPS to the endpoints from the private subnets only, nothing outbound
  privnet.aws.security_group:
    name: demo-endpoints
    description: HTTPS to the interface endpoints
    vpc_id: "{{ vpc_id }}"
    rules:
      - proto: tcp
        ports: [443]
        cidr_ip: [10.0.128.0/24, 10.0.129.0/24]
        rule_desc: HTTPS to the interface endpoints
    rules_egress: []
    tags:
      Name: demo-endpoints
  register: group
"""

RETURN = r"""
changes:
  description: What was changed (or, in check mode, would be), one line each.
  returned: always
  type: list
  elements: str
  sample: ["create security group demo-endpoints", "authorize inbound tcp/443 10.0.128.0/24"]
group_id:
  description: The group's id.
  returned: unless check mode would create the group
  type: str
  sample: sg-0123456789abcdef0
ip_permissions:
  description: Its inbound rules, as EC2 describes them.
  returned: unless check mode would create the group
  type: list
  elements: dict
ip_permissions_egress:
  description: Its outbound rules, as EC2 describes them.
  returned: unless check mode would create the group
  type: list
  elements: dict
tags:
  description: Its tags.
  returned: unless check mode would create the group
  type: dict
diff:
  description: The group before and after (snake_case, as EC2 describes it; V({}) before a creation).
  returned: when the group changed, outside check mode
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._security_group import (  # noqa: E402
    converge_security_group,
)

RULE_SPEC = dict(
    proto=dict(type="str", required=True, choices=["all", "-1", "tcp", "udp", "icmp", "icmpv6"]),
    ports=dict(type="list", elements="raw"),
    cidr_ip=dict(type="list", elements="str"),
    cidr_ipv6=dict(type="list", elements="str"),
    group_id=dict(type="str"),
    rule_desc=dict(type="str"),
)
RULE_LIST = dict(type="list", elements="dict", default=[], options=RULE_SPEC,
                 required_one_of=[("cidr_ip", "cidr_ipv6", "group_id")],
                 mutually_exclusive=[("cidr_ip", "cidr_ipv6", "group_id")])


def rule_errors(params: dict) -> list[str]:
    errors = []
    for option in ("rules", "rules_egress"):
        for index, rule in enumerate(params[option]):
            where = f"{option}[{index}]"
            if rule["proto"] not in ("all", "-1") and not rule["ports"]:
                errors.append(f"{where}.ports is required for proto {rule['proto']}")
            for port in rule["ports"] or []:
                low, high = (str(port).split("-", 1) + [""])[:2]
                if not (low.isdigit() and (not high or high.isdigit())) or int(high or low) > 65535 \
                        or int(low) > int(high or low):
                    errors.append(f"{where}.ports: {port!r} is not a port or a range like 8000-8080")
    return errors


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            description=dict(type="str", required=True),
            vpc_id=dict(type="str", required=True),
            rules=RULE_LIST,
            rules_egress=RULE_LIST,
            tags=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    errors = rule_errors(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors))
    try:
        result = converge_security_group(module.client("ec2"), module.params, module.check_mode)
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
