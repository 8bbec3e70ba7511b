"""What may stand between a request and moto: throttling and fault injection implement this interface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .errors import ErrorAnswer
from .requestinfo import RequestInfo


@dataclass(frozen=True)
class Intervention:
    """The lab answers instead of moto: an AWS error, or (answer None) a dropped connection."""

    kind: str
    answer: ErrorAnswer | None
    injected: bool = True


class Gate(Protocol):
    def before(self, info: RequestInfo) -> Intervention | None:
        """Decide, before moto sees the request, whether the lab answers it instead."""

    def after(self, info: RequestInfo, status: int, body: bytes) -> None:
        """Observe moto's answer (for example, remember a resource id that was just created)."""

    def hold_seconds(self, info: RequestInfo, status: int) -> float:
        """How long moto's journaled answer waits before it leaves (0: it leaves at once)."""
