# Copyright: privnet.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate the bastion role's inputs before any API call.

Run on the controller by the role (pipe lookup) with one JSON argument, prints one JSON object:
{"errors": [...], "policy": <normalised policy document or null>}. Every message names the variable at fault.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from typing import Any

PROJECT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
WILDCARD_ACTION = re.compile(r"^(\*|[a-z0-9-]+:\*)$", re.IGNORECASE)


def admin_cidr_errors(cidrs: Any, allow_world: bool) -> list[str]:
    if not isinstance(cidrs, list) or not cidrs:
        return ["bastion_admin_cidrs: give at least one CIDR allowed to SSH to the bastion (the list is empty)"]
    errors = []
    for index, cidr in enumerate(cidrs):
        label = f"bastion_admin_cidrs[{index}]"
        try:
            network = ipaddress.ip_network(str(cidr), strict=True)
        except ValueError as error:
            errors.append(f"{label}: {cidr!r} is not a valid CIDR ({error})")
            continue
        if not isinstance(cidr, str) or "/" not in cidr:
            errors.append(f"{label}: {cidr!r} has no prefix length (write it as a.b.c.d/n)")
        elif network.prefixlen == 0 and not allow_world:
            errors.append(
                f"{label}: {cidr} opens SSH to the whole internet; set bastion_allow_world_ssh: true to allow it"
            )
    return errors


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_errors(policy: Any, allow_wildcards: bool) -> tuple[list[str], dict[str, Any] | None]:
    label = "bastion_private_instance_policy"
    if policy in (None, "", {}):
        return [], None
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError as error:
            return [f"{label}: not valid JSON ({error})"], None
    if not isinstance(policy, dict) or "Statement" not in policy:
        return [f"{label}: expected a policy document with a Statement"], None
    errors = []
    for index, statement in enumerate(_as_list(policy["Statement"])):
        if not isinstance(statement, dict):
            errors.append(f"{label}.Statement[{index}]: expected a mapping")
            continue
        if statement.get("Effect") not in ("Allow", "Deny"):
            errors.append(f"{label}.Statement[{index}]: Effect must be Allow or Deny")
        if statement.get("Effect") != "Allow" or allow_wildcards:
            continue
        if "NotAction" in statement:
            errors.append(
                f"{label}.Statement[{index}]: Allow with NotAction grants nearly everything; list the actions "
                "(or set bastion_private_allow_wildcard_actions: true)"
            )
        for action in _as_list(statement.get("Action", [])):
            if isinstance(action, str) and WILDCARD_ACTION.match(action):
                errors.append(
                    f"{label}.Statement[{index}]: action {action!r} is a wildcard; list the actions needed "
                    "(or set bastion_private_allow_wildcard_actions: true)"
                )
    return errors, policy


def check(request: dict[str, Any]) -> dict[str, Any]:
    errors: list[str] = []
    project = request.get("project")
    if not isinstance(project, str) or not PROJECT_PATTERN.match(project):
        errors.append(f"bastion_project: {project!r} must be 1-40 lower case letters, digits or hyphens")
    if request.get("state") == "absent":
        return {"errors": errors, "policy": None}
    errors += admin_cidr_errors(request.get("admin_cidrs"), bool(request.get("allow_world_ssh")))
    count = request.get("private_instance_count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        errors.append(f"bastion_private_instance_count: expected an integer >= 0, got {count!r}")
    found, policy = policy_errors(request.get("policy"), bool(request.get("allow_wildcard_actions")))
    return {"errors": errors + found, "policy": policy}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(json.dumps({"errors": ["bastion_check.py expects one JSON argument"], "policy": None}))
        return 0
    print(json.dumps(check(json.loads(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
