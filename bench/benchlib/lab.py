"""The benchmark's own lab: started with the options the run needs, its journal read through `awslab`."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
AWSLAB = str(VENV_BIN / "awslab")


@dataclass(frozen=True)
class CallCounts:
    mutating: int
    reads: int
    throttled: int
    by_action: dict[str, int]
    reads_by_action: dict[str, int]
    endpoint_window: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"mutating": self.mutating, "reads": self.reads, "throttled": self.throttled,
                "by_action": self.by_action, "reads_by_action": self.reads_by_action,
                "endpoint_window_seconds": None if self.endpoint_window is None else round(self.endpoint_window, 2)}


def endpoint_window(entries: list[dict[str, Any]]) -> float | None:
    """Seconds from the first CreateVpcEndpoint attempt to the last DescribeVpcEndpoints after it: the endpoints'
    create-and-wait phase, measured on the lab's clock. None when the run created no endpoint."""
    creates = [e["time"] for e in entries if e["action"] == "CreateVpcEndpoint"]
    if not creates:
        return None
    describes = [e["time"] for e in entries if e["action"] == "DescribeVpcEndpoints" and e["time"] >= creates[0]]
    return max([*creates, *describes]) - creates[0]


class Lab:
    def __init__(self, home: Path, port: int, time_scale: float) -> None:
        self.home = home
        self.port = port
        self.time_scale = time_scale
        self.started_here = False

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "AWSLAB_HOME": str(self.home)}

    def _awslab(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([AWSLAB, *args], env=self.env, capture_output=True, text=True, check=check)

    def status(self) -> dict[str, Any] | None:
        out = self._awslab("status", "--json", check=False)
        return json.loads(out.stdout) if out.returncode == 0 else None

    def up(self) -> None:
        """Start the lab with --throttle aws and the time scale; a lab up with other options is restarted."""
        status = self.status()
        if status and (status.get("time_scale") != self.time_scale or status.get("throttle") != "aws"
                       or status.get("faults")):
            self.down()
            status = None
        if status is None:
            self._awslab("up", "--port", str(self.port), "--throttle", "aws", "--time-scale", str(self.time_scale))
            self.started_here = True

    def down(self) -> None:
        self._awslab("down")

    def reset(self) -> None:
        self._awslab("reset")

    def exec_prefix(self) -> list[str]:
        return [AWSLAB, "exec", "--"]

    def mark(self) -> int:
        return int(self._awslab("mark").stdout.strip())

    def entries_since(self, mark: int) -> list[dict[str, Any]]:
        out = self._awslab("journal", "--json", "--since", str(mark))
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    def calls_since(self, mark: int) -> CallCounts:
        """Calls answered since the mark. Mutating: attempted changes (DryRun probes and throttled attempts left
        out, as they change nothing); reads: answered reads (throttled ones left out); throttled: all answered
        RequestLimitExceeded."""
        entries = self.entries_since(mark)
        throttled = [e for e in entries if e.get("error") == "RequestLimitExceeded"]
        counted = [e for e in entries if e.get("error") not in ("RequestLimitExceeded", "DryRunOperation")]
        mutating = [e for e in counted if e["mutating"]]
        by_action = Counter(f"{e['service']}:{e['action']}" for e in mutating)
        reads = Counter(f"{e['service']}:{e['action']}" for e in counted if not e["mutating"])
        return CallCounts(len(mutating), len(counted) - len(mutating), len(throttled), dict(sorted(by_action.items())),
                          dict(reads.most_common()), endpoint_window(entries))

    def aws_json(self, *args: str) -> Any:
        """Run the AWS CLI inside the lab (outside any measured window) and parse its JSON answer."""
        # The AWS CLI v1 does not apply AWS_ENDPOINT_URL to every service (SQS): name the endpoint.
        endpoint = ["--endpoint-url", f"http://127.0.0.1:{self.port}"]
        out = subprocess.run([*self.exec_prefix(), "aws", *args, *endpoint, "--output", "json"], env=self.env,
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout) if out.stdout.strip() else None
