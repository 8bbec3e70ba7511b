"""moto extensions: each module patches one gap between moto 5.2.5 and AWS. install_all() is idempotent."""

from __future__ import annotations

import importlib
import threading

EXTENSIONS: tuple[str, ...] = (
    "accounts",
    "public_ips",
    "endpoint_services",
    "endpoints",
    "endpoint_connections",
    "nat_gateways",
    "load_balancers",
    "instances",
    "ssm_amis",
    "dynamodb_tables",
)

_installed = False
_lock = threading.Lock()


def install_all() -> None:
    global _installed
    with _lock:
        if _installed:
            return
        for name in EXTENSIONS:
            importlib.import_module(f"{__name__}.{name}").install()
        _installed = True


def after_reset() -> None:
    """Let extensions drop their own state once moto's state was emptied."""
    for name in EXTENSIONS:
        module = importlib.import_module(f"{__name__}.{name}")
        hook = getattr(module, "after_reset", None)
        if hook is not None:
            hook()
