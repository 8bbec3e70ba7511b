#!/usr/bin/python

# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_endpoint
short_description: Declaratively manage a VPC endpoint (Gateway, Interface, GatewayLoadBalancer)
version_added: 0.1.0
description:
  - Creates, converges in place and deletes one AWS VPC endpoint.
  - The endpoint is found without an id, by O(vpc_id) + O(service_name) + O(vpc_endpoint_type), or by O(vpc_id)
    + the C(Name) tag given in O(name), so O(state=absent) works declaratively.
  - An existing endpoint is converged with C(ModifyVpcEndpoint) (subnets, security groups, route tables, policy,
    private DNS, DNS options, IP address type) and tags, keeping its id.
  - Fields AWS cannot change in place (VPC, service, type) make the module fail with a clear message; it never
    deletes and re-creates an endpoint by itself.
  - Creation uses a deterministic client token derived from the identity and the desired parameters, so a retried
    or interrupted run never creates a duplicate.
  - To create many endpoints without waiting for each, set O(wait=false) and wait for all of them at once with
    M(privnet.aws.vpc_endpoint_wait).
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  state:
    description:
      - V(present) creates or converges the endpoint, V(absent) deletes every endpoint with this identity.
    type: str
    choices: [present, absent]
    default: present
  vpc_endpoint_id:
    description:
      - The id of an existing endpoint to manage. Optional; without it the endpoint is found by its identity.
    type: str
  vpc_id:
    description:
      - The VPC of the endpoint. Required unless O(vpc_endpoint_id) is set.
      - Cannot be changed in place.
    type: str
  service_name:
    description:
      - The service name, for example V(com.amazonaws.ap-northeast-1.s3) or an endpoint service's
        V(com.amazonaws.vpce.ap-northeast-1.vpce-svc-0123456789abcdef0).
      - Required to create an endpoint. Cannot be changed in place.
    type: str
    aliases: [service]
  vpc_endpoint_type:
    description:
      - The endpoint type. Required to create an endpoint; when finding one, limits the match to this type.
      - Cannot be changed in place.
    type: str
    choices: [Gateway, Interface, GatewayLoadBalancer]
  name:
    description:
      - Value of the endpoint's C(Name) tag. When set, the endpoint is identified by O(vpc_id) and this name instead
        of by service and type, which allows several endpoints to the same service in one VPC.
    type: str
  subnet_ids:
    description:
      - Subnets for the endpoint's network interfaces (Interface and GatewayLoadBalancer endpoints only).
      - Unset leaves the subnets as they are.
    type: list
    elements: str
  purge_subnet_ids:
    description:
      - Remove subnets not listed in O(subnet_ids). With V(false) the listed subnets are only added.
    type: bool
    default: true
  security_group_ids:
    description:
      - Security groups of the endpoint's network interfaces (Interface endpoints only).
      - AWS attaches the VPC's default security group when an Interface endpoint is created without any.
      - Unset leaves the security groups as they are.
    type: list
    elements: str
  purge_security_group_ids:
    description:
      - Remove security groups not listed in O(security_group_ids). With V(false) the listed groups are only added.
    type: bool
    default: true
  route_table_ids:
    description:
      - Route tables that get the service's prefix-list route (Gateway endpoints only).
      - Unset leaves the route tables as they are.
    type: list
    elements: str
  purge_route_table_ids:
    description:
      - Remove route tables not listed in O(route_table_ids). With V(false) the listed route tables are only added.
    type: bool
    default: true
  policy:
    description:
      - The endpoint policy, as a dict or a JSON string. Compared semantically (key, statement and list order,
        C(Principal) spelling and the default C(Version) do not count as differences).
      - Unset leaves the policy as it is. Use O(reset_policy=true) to return to the AWS default full-access policy.
    type: json
  reset_policy:
    description:
      - Replace the endpoint policy with the AWS default full-access policy. Mutually exclusive with O(policy).
    type: bool
    default: false
  private_dns_enabled:
    description:
      - Associate a private hosted zone with the VPC (Interface endpoints only).
      - Needs C(enableDnsSupport) and C(enableDnsHostnames) on the VPC.
      - For an endpoint service that requires acceptance, AWS allows private DNS only after the provider accepts
        the connection; while the endpoint is C(pendingAcceptance) a change is reported as a warning and applied
        on a later run.
    type: bool
  dns_options:
    description:
      - DNS options of an Interface endpoint. Only the sub-options that are set are managed.
    type: dict
    suboptions:
      dns_record_ip_type:
        description: The DNS records created for the endpoint.
        type: str
        choices: [ipv4, dualstack, ipv6, service-defined]
      private_dns_only_for_inbound_resolver_endpoint:
        description:
          - Enable private DNS only for inbound Route 53 Resolver endpoints (S3 Interface endpoints).
        type: bool
  ip_address_type:
    description:
      - The IP address type of the endpoint.
    type: str
    choices: [ipv4, dualstack, ipv6]
  client_token:
    description:
      - Client token for C(CreateVpcEndpoint). By default one is derived from the identity and desired
        parameters; set this only to share a token with another tool.
    type: str
  wait:
    description:
      - Wait until the endpoint is C(available) (or deleted for O(state=absent)).
      - Fails at once when the endpoint becomes C(failed), C(rejected) or C(expired), with the reason AWS gives.
    type: bool
    default: true
  allow_pending_acceptance:
    description:
      - When waiting, also accept C(pendingAcceptance) as done (for endpoint services that require acceptance, when
        the provider accepts later).
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait.
    type: int
    default: 600
  wait_delay:
    description: Seconds between two polls while waiting.
    type: int
    default: 2
notes:
  - Every AWS call is retried with jittered backoff on throttling and server errors.
  - Check mode makes no mutating call; it returns the predicted endpoint and C(diff).
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
- name: Create an S3 gateway endpoint for the private route tables
  privnet.aws.vpc_endpoint:
    vpc_id: vpc-0123456789abcdef0
    service_name: com.amazonaws.ap-northeast-1.s3
    vpc_endpoint_type: Gateway
    route_table_ids:
      - rtb-0123456789abcdef0
    tags:
      Name: private-s3
  register: s3_endpoint

- name: Create an SQS interface endpoint with private DNS
  privnet.aws.vpc_endpoint:
    vpc_id: vpc-0123456789abcdef0
    service_name: com.amazonaws.ap-northeast-1.sqs
    vpc_endpoint_type: Interface
    subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
    security_group_ids: [sg-0123456789abcdef0]
    private_dns_enabled: true
    policy:
      Statement:
        - Effect: Allow
          Principal: "*"
          Action: "sqs:*"
          Resource: "*"

- name: Create several endpoints without waiting for each
  privnet.aws.vpc_endpoint:
    vpc_id: vpc-0123456789abcdef0
    service_name: "com.amazonaws.ap-northeast-1.{{ item }}"
    vpc_endpoint_type: Interface
    subnet_ids: [subnet-0123456789abcdef0]
    wait: false
  loop: [sqs, sts, ssm]
  register: created

- name: Wait for all of them with one Describe call per poll
  privnet.aws.vpc_endpoint_wait:
    vpc_endpoint_ids: "{{ created.results | map(attribute='vpc_endpoint_id') | list }}"

- name: Connect to a PrivateLink service, done once the provider sees the request
  privnet.aws.vpc_endpoint:
    vpc_id: vpc-0123456789abcdef0
    service_name: com.amazonaws.vpce.ap-northeast-1.vpce-svc-0123456789abcdef0
    vpc_endpoint_type: Interface
    name: app-link
    subnet_ids: [subnet-0123456789abcdef0]
    allow_pending_acceptance: true

- name: Delete the SQS endpoint by identity, no id needed
  privnet.aws.vpc_endpoint:
    state: absent
    vpc_id: vpc-0123456789abcdef0
    service_name: com.amazonaws.ap-northeast-1.sqs
    vpc_endpoint_type: Interface
"""

RETURN = r"""
vpc_endpoint_id:
  description: The id of the endpoint; V(null) when it is to be created in check mode or absent.
  type: str
  returned: always
  sample: vpce-0123456789abcdef0
vpc_endpoint:
  description: The endpoint as AWS describes it, in snake_case, with tags as a dict. Empty when absent.
  type: dict
  returned: always
  contains:
    vpc_endpoint_id:
      description: The endpoint id.
      type: str
      returned: when present
      sample: vpce-0123456789abcdef0
    vpc_endpoint_type:
      description: The endpoint type.
      type: str
      returned: when present
      sample: Interface
    vpc_id:
      description: The VPC id.
      type: str
      returned: when present
      sample: vpc-0123456789abcdef0
    service_name:
      description: The service name.
      type: str
      returned: when present
      sample: com.amazonaws.ap-northeast-1.sqs
    state:
      description: The endpoint state, for example C(pending), C(pendingAcceptance), C(available).
      type: str
      returned: when present
      sample: available
    policy_document:
      description: The endpoint policy as AWS returns it (a JSON string).
      type: str
      returned: when present
      sample: '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}'
    route_table_ids:
      description: Route tables of a Gateway endpoint.
      type: list
      elements: str
      returned: when present
      sample: [rtb-0123456789abcdef0]
    subnet_ids:
      description: Subnets of an Interface or GatewayLoadBalancer endpoint.
      type: list
      elements: str
      returned: when present
      sample: [subnet-0123456789abcdef0]
    groups:
      description: Security groups of an Interface endpoint.
      type: list
      elements: dict
      returned: when present
      sample: [{"group_id": "sg-0123456789abcdef0", "group_name": "endpoints"}]
    private_dns_enabled:
      description: Whether private DNS is enabled.
      type: bool
      returned: when present
      sample: true
    ip_address_type:
      description: The IP address type.
      type: str
      returned: when present
      sample: ipv4
    dns_options:
      description: DNS options.
      type: dict
      returned: when present
      sample: {"dns_record_ip_type": "ipv4"}
    network_interface_ids:
      description: Network interfaces of an Interface endpoint.
      type: list
      elements: str
      returned: when present
      sample: [eni-0123456789abcdef0]
    dns_entries:
      description: DNS names of the endpoint.
      type: list
      elements: dict
      returned: when present
      sample: [{"dns_name": "vpce-0123-abcd.sqs.ap-northeast-1.vpce.amazonaws.com", "hosted_zone_id": "Z2E726K9Y6RL4W"}]
    last_error:
      description: The reason of a C(failed) state.
      type: dict
      returned: when AWS reports one
      sample: {"code": "InsufficientCapacity", "message": "no capacity"}
    tags:
      description: The endpoint's tags.
      type: dict
      returned: when present
      sample: {"Name": "private-sqs"}
deleted_vpc_endpoint_ids:
  description: Ids of the endpoints deleted (or to be deleted in check mode).
  type: list
  elements: str
  returned: when O(state=absent)
  sample: [vpce-0123456789abcdef0]
diff:
  description: The managed fields before and after, when run with C(--diff).
  type: dict
  returned: when diff mode is on
  sample: {"before": {"subnet_ids": ["subnet-a"]}, "after": {"subnet_ids": ["subnet-a", "subnet-b"]}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._endpoint_compare import PolicyError  # noqa: E402
from ansible_collections.privnet.aws.plugins.module_utils._vpc_endpoint_manager import VpcEndpointManager  # noqa: E402


def main() -> None:
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        vpc_endpoint_id=dict(type="str"),
        vpc_id=dict(type="str"),
        service_name=dict(type="str", aliases=["service"]),
        vpc_endpoint_type=dict(type="str", choices=["Gateway", "Interface", "GatewayLoadBalancer"]),
        name=dict(type="str"),
        subnet_ids=dict(type="list", elements="str"),
        purge_subnet_ids=dict(type="bool", default=True),
        security_group_ids=dict(type="list", elements="str"),
        purge_security_group_ids=dict(type="bool", default=True),
        route_table_ids=dict(type="list", elements="str"),
        purge_route_table_ids=dict(type="bool", default=True),
        policy=dict(type="json"),
        reset_policy=dict(type="bool", default=False),
        private_dns_enabled=dict(type="bool"),
        dns_options=dict(
            type="dict",
            options=dict(
                dns_record_ip_type=dict(type="str", choices=["ipv4", "dualstack", "ipv6", "service-defined"]),
                private_dns_only_for_inbound_resolver_endpoint=dict(type="bool"),
            ),
        ),
        ip_address_type=dict(type="str", choices=["ipv4", "dualstack", "ipv6"]),
        client_token=dict(type="str", no_log=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        allow_pending_acceptance=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
        wait_delay=dict(type="int", default=2),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_one_of=[("vpc_endpoint_id", "vpc_id")],
        mutually_exclusive=[("policy", "reset_policy")],
    )
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    manager = VpcEndpointManager(module, client)
    try:
        if module.params["state"] == "present":
            result = manager.ensure_present()
        else:
            result = manager.ensure_absent()
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    except PolicyError as e:
        module.fail_json(msg=f"Invalid option policy: {e}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
