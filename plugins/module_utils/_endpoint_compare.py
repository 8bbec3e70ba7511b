# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure comparison helpers: policies, id sets, tags and deterministic client tokens.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

CLIENT_TOKEN_PREFIX = "privnet-"


class PolicyError(ValueError):
    pass


def load_policy(policy: Any) -> dict[str, Any] | None:
    """Return a policy document as a dict; accepts a dict or a JSON string. None stays None."""
    if policy is None or isinstance(policy, dict):
        return policy
    if isinstance(policy, str):
        if not policy.strip():
            return None
        try:
            loaded = json.loads(policy)
        except ValueError as e:
            raise PolicyError(f"policy is not valid JSON: {e}") from e
        if not isinstance(loaded, dict):
            raise PolicyError("policy must be a JSON object")
        return loaded
    raise PolicyError(f"policy must be a dict or a JSON string, not {type(policy).__name__}")


def policy_changed(current: Any, desired: Any) -> bool:
    """Semantic comparison: key order, statement and list order, Principal '*' forms and the default Version
    do not count as differences."""
    current_doc = load_policy(current) or {}
    desired_doc = load_policy(desired) or {}
    return compare_policies(current_doc, desired_doc)


def canonical_policy_json(policy: Any) -> str | None:
    document = load_policy(policy)
    if document is None:
        return None
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def set_changes(
    current: Iterable[str], desired: Iterable[str] | None, purge: bool = True
) -> tuple[list[str], list[str]]:
    """Return (to_add, to_remove) between two id/ARN collections compared as sets. ``desired=None`` means leave."""
    if desired is None:
        return [], []
    current_set = set(current or [])
    desired_set = set(desired)
    to_add = sorted(desired_set - current_set)
    to_remove = sorted(current_set - desired_set) if purge else []
    return to_add, to_remove


def apply_set_changes(current: Iterable[str], to_add: Iterable[str], to_remove: Iterable[str]) -> list[str]:
    return sorted((set(current or []) | set(to_add)) - set(to_remove))


def tag_changes(
    current: dict[str, str], desired: dict[str, Any] | None, purge: bool
) -> tuple[dict[str, str], list[str]]:
    """Return (tags_to_set, tag_keys_to_remove); ``desired=None`` means leave tags alone; aws: keys never purged."""
    if desired is None:
        return {}, []
    desired_text = {str(key): str(value) for key, value in desired.items()}
    to_set, to_unset = compare_aws_tags(current or {}, desired_text, purge)
    return to_set, sorted(to_unset)


def apply_tag_changes(current: dict[str, str], to_set: dict[str, str], to_remove: Iterable[str]) -> dict[str, str]:
    result = {key: value for key, value in (current or {}).items() if key not in set(to_remove)}
    result.update(to_set)
    return result


def client_token(kind: str, identity: dict[str, Any], desired: dict[str, Any], salt: Iterable[str] = ()) -> str:
    """Deterministic ClientToken (at most 64 ASCII characters) for a create call.

    The same identity and desired parameters always give the same token, so a retried or interrupted run never
    creates a duplicate. ``salt`` (ids of deleted resources with the same identity) gives a fresh token after a
    delete, so re-creating does not return the deleted resource.
    """
    material = json.dumps(
        {"kind": kind, "identity": identity, "desired": desired, "salt": sorted(salt)},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return CLIENT_TOKEN_PREFIX + hashlib.sha256(material.encode("utf-8")).hexdigest()[:48]


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
