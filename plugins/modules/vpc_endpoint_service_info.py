#!/usr/bin/python

# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_endpoint_service_info
short_description: Provider-side facts about VPC endpoint services
version_added: 0.1.0
description:
  - Lists your VPC endpoint service configurations with, for each, its allowed principals and the connections of
    consumers' endpoints.
author:
  - privnet.aws maintainers (@privnet-aws)
options:
  service_ids:
    description:
      - Only these services (C(vpce-svc-...)). Unknown ids are left out of the result.
    type: list
    elements: str
  names:
    description:
      - Only services whose C(Name) tag is one of these.
    type: list
    elements: str
  filters:
    description:
      - "Filters for C(DescribeVpcEndpointServiceConfigurations), for example C({\"service-state\": \"Available\"})."
      - See U(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointServiceConfigurations.html).
    type: dict
    default: {}
  include_permissions:
    description:
      - Add each service's allowed principals (one call per service).
    type: bool
    default: true
  include_connections:
    description:
      - Add each service's endpoint connections (one call in total).
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
- name: Describe one service with its principals and connections
  privnet.aws.vpc_endpoint_service_info:
    service_ids: [vpce-svc-0123456789abcdef0]
  register: service_info

- name: List the endpoints waiting for acceptance
  ansible.builtin.debug:
    msg: >-
      {{ service_info.services[0].connections
         | selectattr('vpc_endpoint_state', 'equalto', 'pendingAcceptance')
         | map(attribute='vpc_endpoint_id') | list }}

- name: Describe every available service named app-service
  privnet.aws.vpc_endpoint_service_info:
    names: [app-service]
    filters:
      service-state: Available
"""

RETURN = r"""
services:
  description: The service configurations, snake_case with tags as a dict.
  type: list
  elements: dict
  returned: always
  contains:
    service_id:
      description: The service id.
      type: str
      sample: vpce-svc-0123456789abcdef0
    service_name:
      description: The service name consumers use.
      type: str
      sample: com.amazonaws.vpce.ap-northeast-1.vpce-svc-0123456789abcdef0
    service_state:
      description: The service state.
      type: str
      sample: Available
    acceptance_required:
      description: Whether connections must be accepted.
      type: bool
      sample: true
    private_dns_name_configuration:
      description: The domain verification TXT record for the private DNS name.
      type: dict
      sample: {"name": "_0123abcd", "value": "vpce:0123456789abcdef", "type": "TXT", "state": "pendingVerification"}
    allowed_principals:
      description: The allowed principal ARNs.
      type: list
      elements: str
      returned: when O(include_permissions=true)
      sample: ["arn:aws:iam::444455556666:root"]
    connections:
      description: The connections of consumers' endpoints, snake_case.
      type: list
      elements: dict
      returned: when O(include_connections=true)
      sample:
        - vpc_endpoint_id: vpce-0123456789abcdef0
          vpc_endpoint_owner: "444455556666"
          vpc_endpoint_state: available
    tags:
      description: The service's tags.
      type: dict
      sample: {"Name": "app-service"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.transformation import (  # noqa: E402
    ansible_dict_to_boto3_filter_list,
)
from ansible_collections.privnet.aws.plugins.module_utils._endpoint_results import (  # noqa: E402
    principals_of,
    tags_of,
    to_result,
)
from ansible_collections.privnet.aws.plugins.module_utils._endpoint_service_api import (  # noqa: E402
    describe_endpoint_connections,
    describe_service_configurations,
    describe_service_permissions,
)


def gather(module: AnsibleAWSModule, client) -> list:
    filters = dict(module.params["filters"])
    if module.params.get("names"):
        filters["tag:Name"] = module.params["names"]
    if module.params.get("service_ids"):
        # A filter (unlike ServiceIds) leaves unknown ids out instead of failing the whole call.
        filters["service-id"] = module.params["service_ids"]
    services = describe_service_configurations(
        client, filters=ansible_dict_to_boto3_filter_list(filters) if filters else None
    )
    # Filter again here: some AWS-compatible endpoints ignore these filters.
    if module.params.get("service_ids"):
        services = [service for service in services if service["ServiceId"] in module.params["service_ids"]]
    if module.params.get("names"):
        services = [service for service in services if tags_of(service).get("Name") in module.params["names"]]
    connections_by_service: dict = {}
    if module.params["include_connections"] and services:
        service_ids = [service["ServiceId"] for service in services]
        connections = describe_endpoint_connections(client, filters=[{"Name": "service-id", "Values": service_ids}])
        for connection in connections:
            connections_by_service.setdefault(connection.get("ServiceId"), []).append(to_result(connection))
    results = []
    for service in sorted(services, key=lambda item: item["ServiceId"]):
        result = to_result(service)
        if module.params["include_permissions"]:
            result["allowed_principals"] = principals_of(describe_service_permissions(client, service["ServiceId"]))
        if module.params["include_connections"]:
            result["connections"] = sorted(
                connections_by_service.get(service["ServiceId"], []), key=lambda item: item["vpc_endpoint_id"]
            )
        results.append(result)
    return results


def main() -> None:
    argument_spec = dict(
        service_ids=dict(type="list", elements="str"),
        names=dict(type="list", elements="str"),
        filters=dict(type="dict", default={}),
        include_permissions=dict(type="bool", default=True),
        include_connections=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    try:
        services = gather(module, client)
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, services=services)


if __name__ == "__main__":
    main()
