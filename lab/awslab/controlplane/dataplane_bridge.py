"""Calls into the data plane (lab/awslab/dataplane), only when it exists and network mode is on."""

from __future__ import annotations

import logging
from typing import Any

from ..config import LabConfig, StatePaths

LOG = logging.getLogger(__name__)


def _module() -> Any | None:
    try:
        import awslab.dataplane as dataplane
    except ImportError:
        return None
    if not all(hasattr(dataplane, name) for name in ("network_supported", "DataPlane")):
        return None  # the data plane package exists but does not offer the contract's entry points (yet)
    return dataplane


def available() -> tuple[bool, str]:
    module = _module()
    if module is None:
        return False, "awslab.dataplane is not installed"
    try:
        supported, reason = module.network_supported()
    except Exception as error:  # noqa: BLE001 - a broken data plane means no network mode, not a broken CLI
        return False, f"awslab.dataplane.network_supported() failed: {error}"
    return bool(supported), str(reason)


def data_plane(paths: StatePaths, config: LabConfig) -> Any | None:
    module = _module()
    if module is None:
        return None
    return module.DataPlane(paths.home, config.__dict__.copy())


def prepare(paths: StatePaths, config: LabConfig) -> list[str]:
    plane = data_plane(paths, config)
    return list(plane.prepare()) if plane is not None else []


def attach(paths: StatePaths, config: LabConfig) -> None:
    plane = data_plane(paths, config)
    if plane is not None:
        plane.attach()


def teardown(paths: StatePaths, config: LabConfig) -> None:
    plane = data_plane(paths, config)
    if plane is not None:
        plane.teardown()


def exec_prefix(paths: StatePaths, config: LabConfig) -> list[str]:
    plane = data_plane(paths, config)
    return list(plane.exec_prefix()) if plane is not None else []


def extra_env(paths: StatePaths, config: LabConfig) -> dict[str, str]:
    plane = data_plane(paths, config)
    return dict(plane.env()) if plane is not None else {}


def register_cli(subparsers: Any) -> None:
    module = _module()
    if module is not None and hasattr(module, "register_cli"):
        module.register_cli(subparsers)
