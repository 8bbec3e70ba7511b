"""The lab's data plane: VPCs, instances, endpoints and PrivateLink as Linux network namespaces.

Entry points used by the control plane (see LAB_CONTRACT): network_supported, DataPlane, register_cli.
They are imported lazily, so that an instance's boot process (`python -m awslab.dataplane.instance_boot`) starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DataPlane": "awslab.dataplane.plane",
    "Topology": "awslab.dataplane.topology",
    "desired_topology": "awslab.dataplane.topology",
    "network_supported": "awslab.dataplane.safety",
    "register_cli": "awslab.dataplane.cli",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
