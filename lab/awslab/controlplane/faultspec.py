"""Parse `--faults SPEC`: comma-separated key=value, rates in [0, 1].

Keys: throttle, 5xx, reset, notfound (rates); seed (int); max (most faults injected in total, default 100);
burst (most faults in a row on one action, default 2, so SDK retries get through); services (ec2+sts+...);
hold (service:Action+...: a successful answer to these is journaled, then held back `holdfor` seconds, default 5,
so a test can kill its client between the change and the client seeing it).
"""

from __future__ import annotations

from dataclasses import dataclass

RATE_KEYS = ("throttle", "5xx", "reset", "notfound")


@dataclass(frozen=True)
class FaultSpec:
    throttle: float = 0.0
    server_error: float = 0.0
    reset: float = 0.0
    notfound: float = 0.0
    seed: int = 0
    max_total: int = 100
    burst: int = 2
    services: frozenset[str] = frozenset()
    hold: frozenset[str] = frozenset()
    hold_seconds: float = 5.0

    @property
    def active(self) -> bool:
        rates = any((self.throttle, self.server_error, self.reset, self.notfound)) and self.max_total > 0
        return rates or bool(self.hold)


def parse_fault_spec(spec: str) -> FaultSpec:
    values: dict[str, object] = {}
    for item in filter(None, (part.strip() for part in (spec or "").split(","))):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep:
            raise ValueError(f"fault spec item {item!r} is not key=value")
        if key in RATE_KEYS:
            rate = float(raw)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault rate {key}={raw} is outside [0, 1]")
            values["server_error" if key == "5xx" else key] = rate
        elif key == "seed":
            values["seed"] = int(raw)
        elif key == "max":
            values["max_total"] = int(raw)
        elif key == "burst":
            values["burst"] = int(raw)
        elif key == "services":
            values["services"] = frozenset(filter(None, raw.split("+")))
        elif key == "hold":
            values["hold"] = frozenset(_actions(raw))
        elif key == "holdfor":
            values["hold_seconds"] = _hold_seconds(raw)
        else:
            known = ", ".join((*RATE_KEYS, "seed", "max", "burst", "services", "hold", "holdfor"))
            raise ValueError(f"unknown fault spec key {key!r} (known: {known})")
    return FaultSpec(**values)  # type: ignore[arg-type]


def _actions(raw: str) -> list[str]:
    actions = list(filter(None, raw.split("+")))
    bad = [action for action in actions if not all(action.partition(":")[::2])]
    if bad:
        raise ValueError(f"fault spec hold={raw}: {', '.join(bad)} is not service:Action")
    return actions


def _hold_seconds(raw: str) -> float:
    seconds = float(raw)
    if not 0.0 < seconds <= 60.0:
        raise ValueError(f"fault spec holdfor={raw} is outside (0, 60] seconds")
    return seconds
