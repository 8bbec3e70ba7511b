"""Lab-wide defaults, the state directory layout and the `up` options persisted in config.json."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_HOME = "/run/awslab"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566
DEFAULT_REGION = "ap-northeast-1"
DEFAULT_ACCOUNT = "111111111111"
SECOND_ACCOUNT = "222222222222"
DEFAULT_TIME_SCALE = 0.02
DEFAULT_SECRET_KEY = "awslab-secret-key"
THROTTLE_MODES = ("aws", "off")


@dataclass
class LabConfig:
    """The options `awslab up` was started with."""

    port: int = DEFAULT_PORT
    host: str = DEFAULT_HOST
    time_scale: float = DEFAULT_TIME_SCALE
    throttle: str = "off"
    faults: str = ""
    network: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LabConfig:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})  # type: ignore[arg-type]


@dataclass(frozen=True)
class StatePaths:
    """Files the lab keeps in its state directory (AWSLAB_HOME)."""

    home: Path

    @property
    def marker_file(self) -> Path:
        return self.home / ".awslab"

    @property
    def pid_file(self) -> Path:
        return self.home / "awslab.pid"

    @property
    def config_file(self) -> Path:
        return self.home / "config.json"

    @property
    def journal_file(self) -> Path:
        return self.home / "journal.jsonl"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def daemon_log(self) -> Path:
        return self.log_dir / "daemon.log"


def lab_home() -> Path:
    return Path(os.environ.get("AWSLAB_HOME", DEFAULT_HOME))


def state_paths() -> StatePaths:
    return StatePaths(lab_home())


def load_config(paths: StatePaths) -> LabConfig | None:
    try:
        return LabConfig.from_dict(json.loads(paths.config_file.read_text()))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def save_config(paths: StatePaths, config: LabConfig) -> None:
    paths.home.mkdir(parents=True, exist_ok=True)
    tmp = paths.config_file.with_suffix(".tmp")
    tmp.write_text(config.to_json() + "\n")
    tmp.replace(paths.config_file)
