# Copyright: privnet.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan the gateway_endpoint role: validate its inputs, build endpoint and bucket policies, merge bucket policies.

Run on the controller by the role (pipe lookup) with one JSON argument, prints one JSON object.
Mode "plan": {"errors": [...], "endpoints": [...], "bucket_policy": {...}}. Without region and account (the static
check before any API call) only "errors" is meaningful. Every message names the variable at fault.
Mode "merge": {"errors": [], "policy": <bucket policy with this role's statement replaced, added or removed>};
an empty policy means "no statement left: delete the bucket policy".
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

SERVICES = ("s3", "dynamodb")
PROJECT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
WILDCARD_ACTION = re.compile(r"^(\*|[a-z0-9-]+:\*)$", re.IGNORECASE)
ACTION_PATTERN = re.compile(r"^(s3|dynamodb):[A-Za-z*]+$")
BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
TABLE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/*-]+$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
VPCE_ID = re.compile(r"^vpce-[0-9a-f]{8,17}$")
# Amazon Linux 2023 package repositories are S3 buckets (AWS: "Amazon Linux 2023 repositories through a gateway
# endpoint" needs s3:GetObject on this bucket in the endpoint policy).
AL2023_REPOSITORY_BUCKET = "al2023-repos-{region}-de612dc2"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _names_errors(label: str, values: Any, pattern: re.Pattern[str], what: str) -> list[str]:
    if not isinstance(values, list):
        return [f"{label}: expected a list of {what}s, got {values!r}"]
    errors = []
    for index, value in enumerate(values):
        if not isinstance(value, str) or not pattern.match(value):
            errors.append(f"{label}[{index}]: {value!r} is not a valid {what}")
    if len(set(map(str, values))) != len(values):
        errors.append(f"{label}: lists a {what} twice")
    return errors


def _action_errors(label: str, actions: Any, service: str) -> list[str]:
    if not isinstance(actions, list) or not actions:
        return [f"{label}: give at least one {service} action"]
    errors = []
    for index, action in enumerate(actions):
        if not isinstance(action, str) or not ACTION_PATTERN.match(action) or not action.startswith(f"{service}:"):
            errors.append(f"{label}[{index}]: {action!r} is not a {service} action ({service}:Name)")
        elif WILDCARD_ACTION.match(action):
            errors.append(f"{label}[{index}]: {action!r} is a wildcard; list the actions needed "
                          "(or set gateway_endpoint_full_access: true for the AWS default full-access policy)")
    return errors


def _principal_errors(label: str, principals: Any, required: bool) -> list[str]:
    if not isinstance(principals, list):
        return [f"{label}: expected a list of IAM principal ARNs or account ids, got {principals!r}"]
    if required and not principals:
        return [f"{label}: give at least one principal"]
    errors = []
    for index, principal in enumerate(principals):
        if principal == "*":
            errors.append(f"{label}[{index}]: '*' is any principal of any account; name the accounts or principals")
        elif not isinstance(principal, str) or not (PRINCIPAL_ARN.match(principal) or ACCOUNT_ID.match(principal)):
            errors.append(f"{label}[{index}]: {principal!r} is neither an IAM principal ARN nor a 12-digit account id")
    return errors


def _custom_policy_errors(policies: Any) -> list[str]:
    label = "gateway_endpoint_policies"
    if not isinstance(policies, dict):
        return [f"{label}: expected a mapping of service to policy document"]
    errors = []
    for service, document in policies.items():
        if service not in SERVICES:
            errors.append(f"{label}: unknown service {service!r} (choose from {', '.join(SERVICES)})")
            continue
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError as error:
                errors.append(f"{label}.{service}: not valid JSON ({error})")
                continue
        if not isinstance(document, dict) or "Statement" not in document:
            errors.append(f"{label}.{service}: expected a policy document with a Statement")
    return errors


def static_errors(request: dict[str, Any]) -> list[str]:
    """Everything that can be checked without any API call."""
    errors: list[str] = []
    project = request.get("project")
    if not isinstance(project, str) or not PROJECT_PATTERN.match(project):
        errors.append(f"gateway_endpoint_project: {project!r} must be 1-40 lower case letters, digits or hyphens")
    name = request.get("name")
    if not isinstance(name, str) or not name:
        errors.append("gateway_endpoint_name: must be a non-empty string")
    services = request.get("services")
    if not isinstance(services, list) or not services:
        errors.append("gateway_endpoint_services: give at least one of s3, dynamodb")
        services = []
    for index, service in enumerate(services):
        if service not in SERVICES:
            errors.append(f"gateway_endpoint_services[{index}]: {service!r} has no gateway endpoint "
                          "(choose from s3, dynamodb)")
    if len(set(map(str, services))) != len(services):
        errors.append("gateway_endpoint_services: lists a service twice")
    errors += _names_errors("gateway_endpoint_route_table_ids", request.get("route_table_ids"),
                            re.compile(r"^rtb-[0-9a-f]{8,17}$"), "route table id")
    vpc_id = request.get("vpc_id")
    if vpc_id and not re.match(r"^vpc-[0-9a-f]{8,17}$", str(vpc_id)):
        errors.append(f"gateway_endpoint_vpc_id: {vpc_id!r} is not a VPC id")
    errors += _names_errors("gateway_endpoint_s3_buckets", request.get("s3_buckets"), BUCKET_PATTERN, "bucket name")
    errors += _names_errors("gateway_endpoint_dynamodb_tables", request.get("dynamodb_tables"), TABLE_PATTERN,
                            "table name")
    errors += _custom_policy_errors(request.get("policies"))
    if request.get("state") == "absent":
        return errors
    errors += _principal_errors("gateway_endpoint_policy_principals", request.get("principals"), False)
    full_access = bool(request.get("full_access"))
    custom = request.get("policies") if isinstance(request.get("policies"), dict) else {}
    if "s3" in services and not full_access and "s3" not in custom:
        errors += _action_errors("gateway_endpoint_s3_actions", request.get("s3_actions"), "s3")
        if not request.get("s3_buckets") and not request.get("s3_extra_resources"):
            errors.append("gateway_endpoint_s3_buckets: give the buckets the S3 endpoint may reach "
                          "(or gateway_endpoint_s3_extra_resources, or gateway_endpoint_full_access: true)")
    if "dynamodb" in services and not full_access and "dynamodb" not in custom:
        errors += _action_errors("gateway_endpoint_dynamodb_actions", request.get("dynamodb_actions"), "dynamodb")
        if not request.get("dynamodb_tables") and not request.get("dynamodb_extra_resources"):
            errors.append("gateway_endpoint_dynamodb_tables: give the tables the DynamoDB endpoint may reach "
                          "(or gateway_endpoint_dynamodb_extra_resources, or gateway_endpoint_full_access: true)")
    if request.get("bucket_policy"):
        if "s3" not in services:
            errors.append("gateway_endpoint_bucket_policy: needs s3 in gateway_endpoint_services")
        buckets = request.get("bucket_policy_buckets")
        if buckets is not None:
            errors += _names_errors("gateway_endpoint_bucket_policy_buckets", buckets, BUCKET_PATTERN, "bucket name")
        if not (buckets if buckets is not None else request.get("s3_buckets")):
            errors.append("gateway_endpoint_bucket_policy_buckets: no bucket to protect (the default is "
                          "gateway_endpoint_s3_buckets, which is empty)")
        errors += _principal_errors("gateway_endpoint_admin_principals", request.get("admin_principals"), False)
        errors += _names_errors("gateway_endpoint_bucket_policy_extra_vpce_ids",
                                request.get("extra_vpce_ids"), VPCE_ID, "VPC endpoint id")
    return errors


def _principal_arn(principal: str, partition: str) -> str:
    return f"arn:{partition}:iam::{principal}:root" if ACCOUNT_ID.match(principal) else principal


def role_arn_of(caller_arn: str) -> str:
    """aws:PrincipalArn of a caller: an assumed-role session is matched by its role's ARN."""
    match = re.match(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/.+$", caller_arn)
    return f"arn:{match.group(1)}:iam::{match.group(2)}:role/{match.group(3)}" if match else caller_arn


def _statement(sid: str, principals: list[str], actions: list[str] | str, resources: list[str] | str) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": principals}, "Action": actions,
            "Resource": resources}


def s3_policy(request: dict[str, Any], partition: str, region: str, principals: list[str]) -> dict[str, Any]:
    resources = []
    for bucket in request.get("s3_buckets") or []:
        resources += [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"]
    resources += list(request.get("s3_extra_resources") or [])
    statements = [_statement("ScenarioBuckets", principals, list(request["s3_actions"]), resources)]
    if request.get("s3_list_all_buckets"):
        # ListAllMyBuckets (`aws s3 ls`) has no resource type: AWS only accepts "*" as its resource.
        statements.append(_statement("ListBuckets", principals, ["s3:ListAllMyBuckets"], "*"))
    if request.get("s3_os_repositories"):
        bucket = AL2023_REPOSITORY_BUCKET.format(region=region)
        statements.append(_statement("AmazonLinuxRepositories", principals, ["s3:GetObject"],
                                     [f"arn:{partition}:s3:::{bucket}/*"]))
    return {"Version": "2012-10-17", "Statement": statements}


def dynamodb_policy(request: dict[str, Any], partition: str, region: str, account: str,
                    principals: list[str]) -> dict[str, Any]:
    resources = []
    for table in request.get("dynamodb_tables") or []:
        arn = f"arn:{partition}:dynamodb:{region}:{account}:table/{table}"
        resources += [arn, f"{arn}/index/*"]
    resources += list(request.get("dynamodb_extra_resources") or [])
    statements = [_statement("ScenarioTables", principals, list(request["dynamodb_actions"]), resources)]
    if request.get("dynamodb_list_tables"):
        # ListTables has no resource type either.
        statements.append(_statement("ListTables", principals, ["dynamodb:ListTables"], "*"))
    return {"Version": "2012-10-17", "Statement": statements}


def service_name(service: str, region: str, partition: str) -> str:
    prefix = "cn.com.amazonaws" if partition == "aws-cn" else "com.amazonaws"
    return f"{prefix}.{region}.{service}"


def bucket_statement_sid(project: str) -> str:
    return "PrivnetVpceOnly" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", project))


def plan(request: dict[str, Any]) -> dict[str, Any]:
    errors = static_errors(request)
    result: dict[str, Any] = {"errors": errors, "endpoints": [], "bucket_policy": None}
    region, account, caller = request.get("region"), request.get("account_id"), request.get("caller_arn")
    if errors or not region or not account or not caller:
        return result
    partition = caller.split(":")[1]
    principals = sorted({_principal_arn(p, partition) for p in request.get("principals") or [account]})
    custom = request.get("policies") or {}
    for service in request["services"]:
        endpoint: dict[str, Any] = {"service": service, "name": f"{request['name']}-{service}",
                                    "service_name": service_name(service, region, partition),
                                    "policy": None, "reset_policy": False}
        if service in custom:
            document = custom[service]
            endpoint["policy"] = json.loads(document) if isinstance(document, str) else document
        elif request.get("full_access"):
            endpoint["reset_policy"] = True
        elif service == "s3":
            endpoint["policy"] = s3_policy(request, partition, region, principals)
        else:
            endpoint["policy"] = dynamodb_policy(request, partition, region, account, principals)
        result["endpoints"].append(endpoint)
    # Always planned: with the bucket policy off, the role removes its statement from these buckets.
    admins = request.get("admin_principals") or [role_arn_of(caller)]
    buckets = request.get("bucket_policy_buckets")
    result["bucket_policy"] = {
        "enabled": bool(request.get("bucket_policy")) and request.get("state") != "absent",
        "sid": bucket_statement_sid(request["project"]),
        "buckets": buckets if buckets is not None else (request.get("s3_buckets") or []),
        "admin_principals": sorted({_principal_arn(p, partition) for p in admins}),
        "partition": partition,
    }
    return result


def deny_statement(sid: str, bucket: str, partition: str, vpce_ids: list[str], admins: list[str]) -> dict[str, Any]:
    """Deny everything on the bucket unless it comes through the allowed endpoints or from an administrator."""
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
        "Condition": {
            "StringNotEquals": {"aws:SourceVpce": sorted(set(vpce_ids))},
            # The administrator guard: without it the statement locks out everyone not on the endpoint,
            # including whoever must change or delete this very policy.
            "ArnNotLike": {"aws:PrincipalArn": sorted(set(admins))},
        },
    }


def merge(request: dict[str, Any]) -> dict[str, Any]:
    current = request.get("current") or {}
    if isinstance(current, str):
        current = json.loads(current) if current.strip() else {}
    sid = request["sid"]
    kept = [s for s in _as_list(current.get("Statement")) if not (isinstance(s, dict) and s.get("Sid") == sid)]
    wanted = request.get("bucket")
    if wanted:
        kept.append(deny_statement(sid, wanted, request["partition"], request["vpce_ids"],
                                   request["admin_principals"]))
    if not kept:
        return {"errors": [], "policy": {}}
    policy = {key: value for key, value in current.items() if key != "Statement"}
    policy.setdefault("Version", "2012-10-17")
    policy["Statement"] = kept
    return {"errors": [], "policy": policy}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(json.dumps({"errors": ["gateway_endpoint_plan.py expects one JSON argument"]}))
        return 0
    request = json.loads(argv[1])
    print(json.dumps(merge(request) if request.get("mode") == "merge" else plan(request)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
