"""One timed ansible-playbook run inside the lab: time.monotonic around the real process, calls from the journal."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .lab import ROOT, VENV_BIN, CallCounts, Lab

RECAP = "PLAY RECAP"


@dataclass(frozen=True)
class Run:
    label: str
    seconds: float
    returncode: int
    changed: int
    calls: CallCounts
    log: Path

    def as_dict(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 2), "returncode": self.returncode, "changed": self.changed,
                "calls": self.calls.as_dict(), "log": str(self.log)}


class PlaybookRunner:
    def __init__(self, lab: Lab, workdir: Path, ssh_dir: Path, control_path_dir: Path) -> None:
        self.lab = lab
        self.workdir = workdir
        self.ssh_dir = ssh_dir
        self.control_path_dir = control_path_dir
        self.count = 0

    def env(self) -> dict[str, str]:
        return {**self.lab.env, "ANSIBLE_COLLECTIONS_PATH": str(ROOT / "build" / "collections"),
                "PRIVNET_SSH_DIR": str(self.ssh_dir), "ANSIBLE_SSH_CONTROL_PATH_DIR": str(self.control_path_dir),
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}

    def run(self, label: str, playbook: str, extra_vars: dict[str, Any], *args: str, check: bool = True) -> Run:
        """Run `playbook` (relative to the repository root) and measure it."""
        self.count += 1
        stem = f"{self.count:03d}-{label}"
        vars_file = self.workdir / f"{stem}.json"
        vars_file.write_text(json.dumps(extra_vars))
        log = self.workdir / f"{stem}.log"
        command = [*self.lab.exec_prefix(), str(VENV_BIN / "ansible-playbook"), playbook, "-e", f"@{vars_file}", *args]
        mark = self.lab.mark()
        started = time.monotonic()
        process = subprocess.run(command, cwd=ROOT, env=self.env(), capture_output=True, text=True)
        seconds = time.monotonic() - started
        output = process.stdout + process.stderr
        log.write_text(output)
        run = Run(label, seconds, process.returncode, changed_count(output), self.lab.calls_since(mark), log)
        print(f"  {label}: {seconds:.1f} s, rc {process.returncode}, changed {run.changed}, "
              f"{run.calls.mutating} mutating / {run.calls.reads} read calls ({run.calls.throttled} throttled)",
              flush=True)
        if check and process.returncode != 0:
            raise RuntimeError(f"{playbook} failed (rc {process.returncode}), see {log}")
        return run


def changed_count(output: str) -> int:
    """Sum of changed= over the hosts of the last PLAY RECAP."""
    tail = output[output.rfind(RECAP):] if RECAP in output else ""
    total = 0
    for word in tail.split():
        if word.startswith("changed="):
            total += int(word.split("=", 1)[1])
    return total
