"""IAM authorization for requests signed with instance-role credentials the data plane handed out (via IMDS).

moto can evaluate identity policies (moto.iam.access_control), but its switch (INITIAL_NO_AUTH_ACTION_COUNT) applies
to every caller, and the control node's account-id access keys are not IAM identities. So the lab enforces IAM only
for the temporary keys of instance roles: those requests are checked with moto's own signature and policy checks;
everything else keeps moto's default (no authorization).
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import urlparse

_keys: set[str] = set()
_lock = threading.Lock()
_CREDENTIAL = re.compile(r"Credential=([A-Z0-9]+)/")


def enforce_for(access_key_id: str) -> None:
    with _lock:
        _keys.add(access_key_id)


def _access_key(headers: Any) -> str | None:
    match = _CREDENTIAL.search(str(headers.get("Authorization", "") or ""))
    return match.group(1) if match else None


def install() -> None:
    from moto.core.authorization import ActionAuthenticatorMixin

    original = ActionAuthenticatorMixin._authenticate_and_authorize_action
    if getattr(original, "awslab_instance_roles", False):
        return

    def authenticate_and_authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        key = _access_key(self.headers)
        with _lock:
            enforced = key in _keys
        if not enforced:
            return original(self, iam_request_cls, resource)
        path = self.raw_path
        query = urlparse(self.uri).query
        if query:
            path += "?" + query
        request = iam_request_cls(
            account_id=self.current_account,
            method=self.method,
            path=path,
            data=self.data,
            body=self.raw_body,
            headers=self.headers,
            action=self._get_action(),
        )
        request.check_signature()
        request.check_action_permitted(resource)
        return None

    authenticate_and_authorize.awslab_instance_roles = True  # type: ignore[attr-defined]
    ActionAuthenticatorMixin._authenticate_and_authorize_action = authenticate_and_authorize  # type: ignore[method-assign]
