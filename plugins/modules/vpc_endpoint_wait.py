#!/usr/bin/python

# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_endpoint_wait
short_description: Wait for many VPC endpoints at once, with one Describe call per poll
version_added: 0.1.0
description:
  - Waits until every listed VPC endpoint is C(available) (or deleted), polling all of them with a single
    C(DescribeVpcEndpoints) call per round instead of one waiter per endpoint.
  - Fails at once when an endpoint becomes C(failed), C(rejected) or C(expired), with the reason AWS gives.
  - Pair it with M(privnet.aws.vpc_endpoint) and O(privnet.aws.vpc_endpoint#module:wait=false) to create N
    endpoints without N sequential waits.
  - Makes no change; O(vpc_endpoint_ids) that AWS does not know yet are treated as not visible yet when
    waiting for C(available) and as deleted when waiting for C(deleted).
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  vpc_endpoint_ids:
    description:
      - The endpoints to wait for. Empty or null entries are ignored, so a registered loop result can be mapped in
        directly.
    type: list
    elements: str
    required: true
  state:
    description:
      - The state to wait for.
    type: str
    choices: [available, deleted]
    default: available
  allow_pending_acceptance:
    description:
      - Also accept C(pendingAcceptance) as done when waiting for C(available).
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait in total.
    type: int
    default: 600
  wait_delay:
    description: Seconds between two polls.
    type: int
    default: 2
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - privnet.aws.attributes
  - privnet.aws.attributes.info_module
"""

EXAMPLES = r"""
- name: Create interface endpoints without waiting for each
  privnet.aws.vpc_endpoint:
    vpc_id: vpc-0123456789abcdef0
    service_name: "com.amazonaws.ap-northeast-1.{{ item }}"
    vpc_endpoint_type: Interface
    subnet_ids: [subnet-0123456789abcdef0]
    wait: false
  loop: [sqs, sts, ssm, ec2messages]
  register: endpoints

- name: Wait for all of them together
  privnet.aws.vpc_endpoint_wait:
    vpc_endpoint_ids: "{{ endpoints.results | map(attribute='vpc_endpoint_id') | list }}"
    wait_timeout: 900

- name: Wait until deleted endpoints are gone
  privnet.aws.vpc_endpoint_wait:
    vpc_endpoint_ids: "{{ deleted_ids }}"
    state: deleted
"""

RETURN = r"""
vpc_endpoints:
  description: The last description of each endpoint still known to AWS, snake_case with tags as a dict.
  type: list
  elements: dict
  returned: always
  sample: [{"vpc_endpoint_id": "vpce-0123456789abcdef0", "state": "available", "tags": {}}]
states:
  description: The final state of each requested endpoint id (C(deleted) for ids AWS no longer knows).
  type: dict
  returned: always
  sample: {"vpce-0123456789abcdef0": "available"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._endpoint_results import to_result  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._endpoint_wait import wait_for_endpoints  # noqa: E402


def main() -> None:
    argument_spec = dict(
        vpc_endpoint_ids=dict(type="list", elements="str", required=True),
        state=dict(type="str", choices=["available", "deleted"], default="available"),
        allow_pending_acceptance=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
        wait_delay=dict(type="int", default=2),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    ids = sorted({endpoint_id for endpoint_id in module.params["vpc_endpoint_ids"] if endpoint_id})
    try:
        settled = wait_for_endpoints(
            client,
            ids,
            target=module.params["state"],
            allow_pending_acceptance=module.params["allow_pending_acceptance"],
            timeout=module.params["wait_timeout"],
            delay=module.params["wait_delay"],
        )
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    endpoints = [settled[endpoint_id] for endpoint_id in ids if settled.get(endpoint_id)]
    states = {
        endpoint_id: (settled[endpoint_id] or {}).get("State") if settled.get(endpoint_id) else "deleted"
        for endpoint_id in ids
    }
    module.exit_json(changed=False, vpc_endpoints=[to_result(endpoint) for endpoint in endpoints], states=states)


if __name__ == "__main__":
    main()
