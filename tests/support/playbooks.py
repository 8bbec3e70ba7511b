"""Runs ansible-playbook from the repository root, the way a user does, and reads its PLAY RECAP."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .paths import COLLECTIONS_PATH, ROOT, VENV_BIN

RECAP_LINE = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


@dataclass(frozen=True)
class HostRecap:
    ok: int
    changed: int
    unreachable: int
    failed: int


@dataclass(frozen=True)
class PlaybookRun:
    returncode: int
    output: str

    @property
    def recap(self) -> dict[str, HostRecap]:
        """Host -> counts from the last PLAY RECAP of the run."""
        tail = self.output[self.output.rfind("PLAY RECAP"):] if "PLAY RECAP" in self.output else ""
        return {m[1]: HostRecap(int(m[2]), int(m[3]), int(m[4]), int(m[5])) for m in RECAP_LINE.finditer(tail)}

    @property
    def changed(self) -> int:
        return sum(h.changed for h in self.recap.values())

    @property
    def succeeded(self) -> bool:
        recap = self.recap
        return self.returncode == 0 and bool(recap) and all(h.failed == h.unreachable == 0 for h in recap.values())

    @property
    def failure_text(self) -> str:
        """The output from the first failure on (where the role's message is)."""
        starts = [i for i in (self.output.find("[ERROR]"), self.output.find("fatal:")) if i >= 0]
        return self.output[min(starts):] if starts else ""


def playbook_command(playbook: str, extra_vars_file: Path, *args: str) -> list[str]:
    return [str(VENV_BIN / "ansible-playbook"), playbook, "-e", f"@{extra_vars_file}", *args]


def playbook_env(ssh_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a run: the lab's (from `awslab exec`), the collection from the checkout, keys in ssh_dir."""
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", COLLECTIONS_PATH)
    env.update(PRIVNET_SSH_DIR=str(ssh_dir), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", **overrides)
    return env


def run_playbook(playbook: str, extra_vars: dict[str, Any], workdir: Path, *args: str,
                 timeout: int = 1200, **env_overrides: str) -> PlaybookRun:
    """Run `playbook` (path relative to the repository root) with `extra_vars`; private keys live in workdir/ssh."""
    workdir.mkdir(parents=True, exist_ok=True)
    vars_file = workdir / "extra_vars.json"
    vars_file.write_text(json.dumps(extra_vars))
    process = subprocess.run(playbook_command(playbook, vars_file, *args), cwd=ROOT,
                             env=playbook_env(workdir / "ssh", **env_overrides),
                             capture_output=True, text=True, timeout=timeout)
    return PlaybookRun(process.returncode, process.stdout + process.stderr)
