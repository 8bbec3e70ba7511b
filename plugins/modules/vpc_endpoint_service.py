#!/usr/bin/python

# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_endpoint_service
short_description: Manage a VPC endpoint service (PrivateLink provider side)
version_added: 0.1.0
description:
  - Creates, modifies in place and deletes a VPC endpoint service configuration for Network Load Balancers or
    Gateway Load Balancers, with its allowed principals, acceptance setting, private DNS name, supported IP address
    types and tags.
  - The service is found by O(service_id), by the C(Name) tag given in O(name), or by any of its load balancer ARNs
    (a load balancer belongs to at most one endpoint service).
  - For a private DNS name, the result carries the TXT record (name and value) to publish for domain verification;
    O(start_private_dns_verification=true) asks AWS to verify it.
  - Switching between Network and Gateway Load Balancers is not possible in place; the module fails instead of
    re-creating the service.
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  state:
    description:
      - V(present) creates or converges the service, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  service_id:
    description:
      - The id of an existing endpoint service (C(vpce-svc-...)). Optional.
    type: str
  name:
    description:
      - Value of the service's C(Name) tag, used to identify it when O(service_id) is not set.
    type: str
  network_load_balancer_arns:
    description:
      - The Network Load Balancers of the service. The list replaces the current one.
      - Unset leaves the load balancers as they are.
    type: list
    elements: str
  gateway_load_balancer_arns:
    description:
      - The Gateway Load Balancers of the service. The list replaces the current one.
      - Unset leaves the load balancers as they are.
    type: list
    elements: str
  acceptance_required:
    description:
      - Whether the provider must accept each connection request (see M(privnet.aws.vpc_endpoint_connection)).
    type: bool
    default: true
  allowed_principals:
    description:
      - ARNs of the principals allowed to connect, for example V(arn:aws:iam::123456789012:root), or V(*).
      - Compared as a set. Unset leaves the permissions as they are.
    type: list
    elements: str
  purge_allowed_principals:
    description:
      - Remove allowed principals not listed in O(allowed_principals). With V(false) the listed ones are only added.
    type: bool
    default: true
  private_dns_name:
    description:
      - The private DNS name consumers' endpoints get for the service. An empty string removes it.
      - Unset leaves it as it is.
    type: str
  start_private_dns_verification:
    description:
      - Ask AWS to verify the private DNS name (once the TXT record from RV(service.private_dns_name_configuration)
        is published), unless it is verified already.
      - AWS does not tell whether a verification is under way, so each run asks again and reports a change until
        the name is verified.
    type: bool
    default: false
  supported_ip_address_types:
    description:
      - The IP address types the service supports. Unset leaves them as they are.
    type: list
    elements: str
    choices: [ipv4, ipv6]
  connections_on_delete:
    description:
      - What O(state=absent) does when endpoints are still connected (pending acceptance, pending or available).
      - V(refuse) fails and deletes nothing; V(reject) rejects the connections and deletes the service.
    type: str
    choices: [refuse, reject]
    default: refuse
  client_token:
    description:
      - Client token for the create call. By default one is derived from the identity and desired parameters.
    type: str
  wait:
    description:
      - Wait until a new service is C(Available), or a deleted one is gone.
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
  - amazon.aws.tags
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
- name: Publish an internal NLB as an endpoint service for one consumer account
  privnet.aws.vpc_endpoint_service:
    name: app-service
    network_load_balancer_arns:
      - arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:loadbalancer/net/app/0123456789abcdef
    acceptance_required: true
    allowed_principals:
      - arn:aws:iam::444455556666:root
    tags:
      Environment: prod
  register: app_service

- name: Show the TXT record to publish for the private DNS name
  ansible.builtin.debug:
    msg: "{{ app_service.service.private_dns_name_configuration }}"

- name: Delete the service, rejecting endpoints still connected
  privnet.aws.vpc_endpoint_service:
    name: app-service
    state: absent
    connections_on_delete: reject
"""

RETURN = r"""
service_id:
  description: The service id; V(null) when it is to be created in check mode or absent.
  type: str
  returned: always
  sample: vpce-svc-0123456789abcdef0
service_name:
  description: The service name consumers use in M(privnet.aws.vpc_endpoint).
  type: str
  returned: always
  sample: com.amazonaws.vpce.ap-northeast-1.vpce-svc-0123456789abcdef0
allowed_principals:
  description: The allowed principals after the run.
  type: list
  elements: str
  returned: always
  sample: ["arn:aws:iam::444455556666:root"]
service:
  description: The service configuration as AWS describes it, snake_case, tags as a dict. Empty when absent.
  type: dict
  returned: always
  contains:
    service_id:
      description: The service id.
      type: str
      returned: when present
      sample: vpce-svc-0123456789abcdef0
    service_name:
      description: The service name.
      type: str
      returned: when present
      sample: com.amazonaws.vpce.ap-northeast-1.vpce-svc-0123456789abcdef0
    service_state:
      description: The service state (C(Pending), C(Available), C(Deleting), C(Deleted), C(Failed)).
      type: str
      returned: when present
      sample: Available
    acceptance_required:
      description: Whether connections must be accepted.
      type: bool
      returned: when present
      sample: true
    network_load_balancer_arns:
      description: The Network Load Balancers.
      type: list
      elements: str
      returned: when present
      sample: ["arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:loadbalancer/net/app/0123456789abcdef"]
    gateway_load_balancer_arns:
      description: The Gateway Load Balancers.
      type: list
      elements: str
      returned: when present
      sample: []
    supported_ip_address_types:
      description: Supported IP address types.
      type: list
      elements: str
      returned: when present
      sample: [ipv4]
    base_endpoint_dns_names:
      description: DNS names of the service.
      type: list
      elements: str
      returned: when present
      sample: [vpce-svc-0123456789abcdef0.ap-northeast-1.vpce.amazonaws.com]
    private_dns_name:
      description: The private DNS name.
      type: str
      returned: when set
      sample: app.example.com
    private_dns_name_configuration:
      description: The domain verification record for the private DNS name.
      type: dict
      returned: when a private DNS name is set
      contains:
        state:
          description: The verification state (C(pendingVerification), C(verified), C(failed)).
          type: str
          sample: pendingVerification
        type:
          description: The record type.
          type: str
          sample: TXT
        name:
          description: The name of the TXT record to publish.
          type: str
          sample: _0123abcd
        value:
          description: The value of the TXT record to publish.
          type: str
          sample: vpce:0123456789abcdef
    allowed_principals:
      description: The allowed principals.
      type: list
      elements: str
      returned: when present
      sample: ["arn:aws:iam::444455556666:root"]
    tags:
      description: The service's tags.
      type: dict
      returned: when present
      sample: {"Name": "app-service"}
rejected_vpc_endpoint_ids:
  description: Endpoints whose connections were rejected before deleting (or would be, in check mode).
  type: list
  elements: str
  returned: when O(state=absent) and a service was found
  sample: [vpce-0123456789abcdef0]
diff:
  description: The managed fields before and after, when run with C(--diff).
  type: dict
  returned: when diff mode is on
  sample: {"before": {"allowed_principals": ["arn:aws:iam::444455556666:root"]}, "after": {"allowed_principals": []}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._endpoint_service_manager import (  # noqa: E402
    EndpointServiceManager,
)


def main() -> None:
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        service_id=dict(type="str"),
        name=dict(type="str"),
        network_load_balancer_arns=dict(type="list", elements="str"),
        gateway_load_balancer_arns=dict(type="list", elements="str"),
        acceptance_required=dict(type="bool", default=True),
        allowed_principals=dict(type="list", elements="str"),
        purge_allowed_principals=dict(type="bool", default=True),
        private_dns_name=dict(type="str"),
        start_private_dns_verification=dict(type="bool", default=False),
        supported_ip_address_types=dict(type="list", elements="str", choices=["ipv4", "ipv6"]),
        connections_on_delete=dict(type="str", choices=["refuse", "reject"], default="refuse"),
        client_token=dict(type="str", no_log=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
        wait_delay=dict(type="int", default=2),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    manager = EndpointServiceManager(module, client)
    try:
        if module.params["state"] == "present":
            result = manager.ensure_present()
        else:
            result = manager.ensure_absent()
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
