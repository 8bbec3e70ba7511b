# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Collect the differences between what AWS holds and a plan, one readable line each (the *_layout_info modules).

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

from typing import Any

from ._endpoint_results import tags_of


def _user_tags(resource: dict[str, Any]) -> dict[str, str]:
    return {key: value for key, value in tags_of(resource).items() if not key.startswith("aws:")}


class Comparison:
    """The differences found so far; each check adds one line when the actual value is not the wanted one."""

    def __init__(self) -> None:
        self.differences: list[str] = []

    def check(self, what: str, actual: Any, wanted: Any) -> bool:
        if actual != wanted:
            self.differences.append(f"{what}: {actual!r}, wanted {wanted!r}")
            return False
        return True

    def tags(self, what: str, resource: dict[str, Any], wanted: dict[str, str]) -> None:
        self.check(f"{what} tags", _user_tags(resource), wanted)

    def one(self, what: str, found: list[dict[str, Any]]) -> dict[str, Any] | None:
        if len(found) != 1:
            self.differences.append(f"{what}: {len(found)} found, wanted 1")
            return None
        return found[0]
