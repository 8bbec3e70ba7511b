"""Accounts by access key: a 12-digit access key id is that account's root credential (moto maps unknown keys to
its single default account 123456789012). AssumeRole keys keep working through moto's own mapping."""

from __future__ import annotations

import re
from typing import Any

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_CREDENTIAL = re.compile(r"Credential=(\d{12})/")


def account_of_access_key(access_key: str, fallback: Any) -> str:
    if _ACCOUNT_ID.match(access_key or ""):
        return access_key
    return fallback(access_key)


def install() -> None:
    import moto.iam.models as iam_models
    from moto.core.responses import BaseResponse
    from moto.sts.models import STSBackend

    original_access_key = BaseResponse.get_access_key

    def get_access_key(self: Any) -> str:
        """moto only recognises 20-character key ids; the lab's account keys are 12 digits."""
        match = _CREDENTIAL.search(self.headers.get("Authorization", "") or "")
        return match.group(1) if match else original_access_key(self)

    BaseResponse.get_access_key = get_access_key

    original_lookup = iam_models.get_account_id_from

    def get_account_id_from(access_key: str) -> str:
        return account_of_access_key(access_key, original_lookup)

    iam_models.get_account_id_from = get_account_id_from

    original_identity = STSBackend.get_caller_identity

    def get_caller_identity(self: Any, access_key_id: str, region: str) -> tuple[str, str, str]:
        if _ACCOUNT_ID.match(access_key_id or "") and access_key_id == self.account_id:
            return access_key_id, f"arn:aws:iam::{access_key_id}:root", access_key_id
        return original_identity(self, access_key_id, region)

    STSBackend.get_caller_identity = get_caller_identity
