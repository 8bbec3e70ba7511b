"""Build the gates (throttling, faults) an `up` configuration asks for; faults come first, as a network would."""

from __future__ import annotations

from ..config import LabConfig
from .dryrun import DryRunGate
from .faults import FaultGate
from .faultspec import parse_fault_spec
from .gates import Gate
from .throttle import ThrottleGate


def build_gates(config: LabConfig) -> list[Gate]:
    gates: list[Gate] = []
    spec = parse_fault_spec(config.faults)
    if spec.active:
        gates.append(FaultGate(spec))
    if config.throttle == "aws":
        gates.append(ThrottleGate())
    gates.append(DryRunGate())
    return gates
