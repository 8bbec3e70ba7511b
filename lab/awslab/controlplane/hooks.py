"""Mutation listeners: how the data plane learns that control-plane state changed.

Listeners run in the thread that produced the change (a request thread after its response is built, or the
scheduler thread after a delayed state transition). A failing listener is logged and never breaks the API call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiEvent:
    """One successful mutating API call, or one state transition the control plane applied on its own."""

    service: str
    action: str
    account: str
    region: str
    status: int


Listener = Callable[[ApiEvent], None]

_listeners: list[Listener] = []
_lock = threading.Lock()


def add_mutation_listener(fn: Listener) -> None:
    with _lock:
        _listeners.append(fn)


def remove_mutation_listener(fn: Listener) -> None:
    with _lock:
        if fn in _listeners:
            _listeners.remove(fn)


def notify(event: ApiEvent) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(event)
        except Exception:  # noqa: BLE001 - a listener must never break the API
            LOG.exception("mutation listener %r failed on %s", listener, event)
