"""Facts about the machine and the toolchain a run was measured on."""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from .lab import ROOT, VENV_BIN


def collection_version(namespace: str, name: str) -> str:
    out = subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "list", f"{namespace}.{name}", "--format",
                          "json"], capture_output=True, text=True, cwd=ROOT)
    try:
        found = json.loads(out.stdout)
    except json.JSONDecodeError:
        return "unknown"
    for collections in found.values():
        if f"{namespace}.{name}" in collections:
            return collections[f"{namespace}.{name}"]["version"]
    return "unknown"


def git_commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    return out.stdout.strip() + (" (uncommitted changes)" if dirty else "") if out.returncode == 0 else "unknown"


def machine_facts() -> dict[str, Any]:
    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "unknown"

    cpu_model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), platform.processor())
    return {
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
        "cores": os.cpu_count(),
        "cpu": cpu_model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "ansible_core": version("ansible-core"),
        "ansible": version("ansible"),
        "amazon.aws": collection_version("amazon", "aws"),
        "community.aws": collection_version("community", "aws"),
        "boto3": version("boto3"),
        "botocore": version("botocore"),
        "moto": version("moto"),
        "commit": git_commit(),
    }


def loadavg() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]
