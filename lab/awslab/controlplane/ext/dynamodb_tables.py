"""DynamoDB tables carry a TableId, as on AWS (moto omits it; community.aws.dynamodb_table reads it)."""

from __future__ import annotations

import uuid
from typing import Any


def install() -> None:
    from moto.dynamodb.models.table import Table

    original_describe = Table.describe

    def describe(self: Any, base_key: str = "TableDescription") -> dict[str, Any]:
        result = original_describe(self, base_key=base_key)
        if not hasattr(self, "_lab_table_id"):
            self._lab_table_id = str(uuid.uuid4())
        result[base_key]["TableId"] = self._lab_table_id
        return result

    Table.describe = describe
