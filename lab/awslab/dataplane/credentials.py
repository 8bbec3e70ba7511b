"""Temporary credentials of an instance's role, from the lab's STS (in-process), as IMDS serves them."""

from __future__ import annotations

import datetime
import threading
from typing import Any

from awslab.dataplane import iam_enforcement
from awslab.dataplane.topology import InstanceNode

REFRESH_BEFORE = datetime.timedelta(minutes=10)


class RoleCredentials:
    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def __call__(self, node: InstanceNode) -> dict[str, str] | None:
        if not node.role_arn:
            return None
        key = (node.instance_id, node.role_arn)
        with self._lock:
            role = self._cache.get(key)
            now = datetime.datetime.now(datetime.UTC)
            if role is None or _aware(role.expiration) - now < REFRESH_BEFORE:
                role = _assume(node)
                self._cache[key] = role
                iam_enforcement.enforce_for(role.access_key_id)
        return {
            "Code": "Success",
            "LastUpdated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Type": "AWS-HMAC",
            "AccessKeyId": role.access_key_id,
            "SecretAccessKey": role.secret_access_key,
            "Token": role.session_token,
            "Expiration": _aware(role.expiration).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def _aware(value: datetime.datetime) -> datetime.datetime:
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _assume(node: InstanceNode) -> Any:
    from moto.backends import get_backend

    account = (node.role_arn or "").split(":")[4] or node.account
    sts = get_backend("sts")[account]["global"]
    try:
        from awslab.controlplane.state import LOCK
    except ImportError:
        import contextlib

        LOCK = contextlib.nullcontext()  # noqa: N806
    with LOCK:
        return sts.assume_role(
            region_name=node.region,
            role_session_name=node.instance_id,
            role_arn=node.role_arn,
            policy="",
            duration=6 * 3600,
            external_id="",
        )
