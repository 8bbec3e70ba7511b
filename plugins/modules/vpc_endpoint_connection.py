#!/usr/bin/python

# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_endpoint_connection
short_description: Accept or reject connection requests to a VPC endpoint service
version_added: 0.1.0
description:
  - Accepts or rejects the connections of consumers' VPC endpoints to one of your endpoint services (PrivateLink
    provider side), then waits for accepted endpoints to become C(available).
  - Connections are selected by O(vpc_endpoint_ids), O(requester_account_ids) and/or O(requester_vpc_ids); when
    several are given, a connection must match all of them.
  - Only connections that need it are touched, so a second run reports no change.
  - The provider's credentials may differ from the play's defaults (set O(access_key)/O(secret_key) or O(profile)
    on this task), so one play can drive both the consumer and the provider account.
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  service_id:
    description:
      - The endpoint service (C(vpce-svc-...)) whose connections to manage.
    type: str
    required: true
  state:
    description:
      - V(accepted) accepts pending requests; V(rejected) rejects pending and established connections.
    type: str
    choices: [accepted, rejected]
    default: accepted
  vpc_endpoint_ids:
    description:
      - The consumer endpoints whose connections to manage. With O(wait=true) the module waits for requests that
        are not listed yet (they can appear shortly after the consumer created the endpoint).
    type: list
    elements: str
  requester_account_ids:
    description:
      - Manage connections of endpoints owned by these AWS account ids.
    type: list
    elements: str
  requester_vpc_ids:
    description:
      - Manage connections of endpoints in these VPCs.
      - The VPCs' endpoints are looked up with the credentials of this task, so this works only when those
        credentials can describe the consumer's endpoints (for example a single-account setup).
    type: list
    elements: str
  wait:
    description:
      - Wait until accepted connections are C(available), or rejected ones C(rejected).
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait.
    type: int
    default: 600
  wait_delay:
    description: Seconds between two polls while waiting.
    type: int
    default: 2
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - privnet.aws.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Accept the consumer endpoint's connection request
  privnet.aws.vpc_endpoint_connection:
    service_id: "{{ app_service.service_id }}"
    vpc_endpoint_ids:
      - "{{ consumer_endpoint.vpc_endpoint_id }}"

- name: Accept every pending request from the consumer account, with the provider's profile
  privnet.aws.vpc_endpoint_connection:
    profile: provider
    service_id: vpce-svc-0123456789abcdef0
    requester_account_ids:
      - "444455556666"

- name: Reject connections from a VPC
  privnet.aws.vpc_endpoint_connection:
    service_id: vpce-svc-0123456789abcdef0
    requester_vpc_ids: [vpc-0123456789abcdef0]
    state: rejected
"""

RETURN = r"""
service_id:
  description: The endpoint service.
  type: str
  returned: always
  sample: vpce-svc-0123456789abcdef0
connections:
  description: The selected connections after the run (predicted in check mode), snake_case.
  type: list
  elements: dict
  returned: always
  contains:
    vpc_endpoint_id:
      description: The consumer endpoint.
      type: str
      sample: vpce-0123456789abcdef0
    vpc_endpoint_owner:
      description: The consumer account.
      type: str
      sample: "444455556666"
    vpc_endpoint_state:
      description: The connection state.
      type: str
      sample: available
accepted_vpc_endpoint_ids:
  description: Endpoints whose connections were accepted (or would be, in check mode).
  type: list
  elements: str
  returned: when O(state=accepted)
  sample: [vpce-0123456789abcdef0]
rejected_vpc_endpoint_ids:
  description: Endpoints whose connections were rejected (or would be, in check mode).
  type: list
  elements: str
  returned: when O(state=rejected)
  sample: [vpce-0123456789abcdef0]
diff:
  description: Connection states before and after, by endpoint id, when run with C(--diff).
  type: dict
  returned: when diff mode is on
  sample: {"before": {"vpce-0123456789abcdef0": "pendingAcceptance"}, "after": {"vpce-0123456789abcdef0": "available"}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._endpoint_connection_manager import (  # noqa: E402
    EndpointConnectionManager,
)


def main() -> None:
    argument_spec = dict(
        service_id=dict(type="str", required=True),
        state=dict(type="str", choices=["accepted", "rejected"], default="accepted"),
        vpc_endpoint_ids=dict(type="list", elements="str"),
        requester_account_ids=dict(type="list", elements="str"),
        requester_vpc_ids=dict(type="list", elements="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
        wait_delay=dict(type="int", default=2),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_one_of=[("vpc_endpoint_ids", "requester_account_ids", "requester_vpc_ids")],
    )
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    try:
        result = EndpointConnectionManager(module, client).ensure()
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
