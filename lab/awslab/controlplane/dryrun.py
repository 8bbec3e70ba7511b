"""DryRun for every EC2 action: AWS answers DryRunOperation (HTTP 412) and changes nothing; moto honours DryRun
on some actions only (CreateVpc with DryRun=true creates a VPC), so the lab answers it before moto sees it."""

from __future__ import annotations

from .errors import ErrorAnswer
from .gates import Intervention
from .requestinfo import RequestInfo

DRY_RUN_ANSWER = ErrorAnswer(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")


class DryRunGate:
    def before(self, info: RequestInfo) -> Intervention | None:
        if info.service == "ec2" and (info.param("DryRun") or "").lower() == "true":
            return Intervention("dryrun", DRY_RUN_ANSWER, injected=False)
        return None

    def after(self, info: RequestInfo, status: int, body: bytes) -> None:
        return None

    def hold_seconds(self, info: RequestInfo, status: int) -> float:
        return 0.0
