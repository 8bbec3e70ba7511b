"""Start, find and stop the lab daemon (used by the CLI; the daemon itself is in daemon.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..config import LabConfig, StatePaths, load_config, save_config
from . import dataplane_bridge
from .faultswitch import faults_file

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class LabError(RuntimeError):
    """A lab command cannot do what was asked; the message says why."""


@dataclass(frozen=True)
class DaemonStatus:
    pid: int | None
    alive: bool
    health: dict[str, object] | None
    config: LabConfig | None

    @property
    def up(self) -> bool:
        return self.alive and self.health is not None


def read_pid(paths: StatePaths) -> int | None:
    try:
        return int(paths.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def process_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def is_lab_daemon(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return False
    return b"_daemon" in cmdline and any(b"awslab" in part for part in cmdline)


def call_control_plane(
    paths: StatePaths, config: LabConfig, method: str, path: str, timeout: float = 10.0
) -> tuple[int, bytes] | None:
    """An HTTP request to the control plane from where the control node runs (the lab namespace in network mode)."""
    url = f"{config.endpoint_url}{path}"
    prefix = dataplane_bridge.exec_prefix(paths, config) if config.network else []
    if not prefix:
        request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, OSError):
            return None
    code = (
        "import sys,urllib.request\n"
        f"q=urllib.request.Request({url!r},method={method!r},data=b'' if {method!r}=='POST' else None)\n"
        f"r=urllib.request.urlopen(q,timeout={timeout!r})\n"
        "sys.stdout.write(str(r.status)+chr(10)+r.read().decode())\n"
    )
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    first, _, rest = done.stdout.partition("\n")
    return int(first), rest.encode()


def fetch_health(paths: StatePaths, config: LabConfig) -> dict[str, object] | None:
    answer = call_control_plane(paths, config, "GET", "/awslab/health", timeout=2.0)
    if answer is None or answer[0] != 200:
        return None
    try:
        return json.loads(answer[1])
    except ValueError:
        return None


def status(paths: StatePaths) -> DaemonStatus:
    pid = read_pid(paths)
    config = load_config(paths)
    alive = pid is not None and process_alive(pid) and is_lab_daemon(pid)
    health = fetch_health(paths, config) if alive and config is not None else None
    return DaemonStatus(pid, alive, health, config)


def up(paths: StatePaths, config: LabConfig) -> DaemonStatus:
    current = status(paths)
    if current.up:
        assert current.config is not None
        if _same_options(current.config, config):
            return current
        raise LabError(
            f"the lab is already up (pid {current.pid}) with other options {current.config.to_json()}; "
            "run `awslab down` first"
        )
    if paths.home.exists():
        clean(paths)
    if paths.home.exists() and any(paths.home.iterdir()):
        raise LabError(f"{paths.home} is not empty and not a lab state dir: choose another AWSLAB_HOME")
    paths.home.mkdir(parents=True, exist_ok=True)
    paths.marker_file.write_text("state dir of the privnet.aws lab; `awslab down` removes it\n")
    paths.log_dir.mkdir(parents=True, exist_ok=True)
    save_config(paths, config)
    prefix = dataplane_bridge.prepare(paths, config) if config.network else []
    process = _spawn(paths, prefix)
    return _wait_until_up(paths, config, process)


def down(paths: StatePaths) -> bool:
    """Stop the daemon, tear the data plane down, remove the state dir. True when something was running."""
    pid = read_pid(paths)
    was_running = pid is not None and process_alive(pid) and is_lab_daemon(pid)
    if was_running:
        assert pid is not None
        _terminate(pid)
    clean(paths)
    return was_running


def clean(paths: StatePaths) -> None:
    """Remove what an earlier (maybe crashed) lab left: its daemon, data plane and state dir."""
    pid = read_pid(paths)
    if pid is not None and process_alive(pid) and is_lab_daemon(pid):
        _terminate(pid)
    config = load_config(paths)
    if config is not None and config.network:
        dataplane_bridge.teardown(paths, config)
    _remove_state_dir(paths)


def _remove_state_dir(paths: StatePaths) -> None:
    """Remove the state dir when it is the lab's (marked by `up`); otherwise only the lab's own files in it."""
    if paths.marker_file.exists():
        shutil.rmtree(paths.home, ignore_errors=True)
        return
    for path in (paths.pid_file, paths.config_file, paths.journal_file, faults_file(paths.home)):
        path.unlink(missing_ok=True)
    shutil.rmtree(paths.log_dir, ignore_errors=True)


def _same_options(running: LabConfig, wanted: LabConfig) -> bool:
    keys = ("port", "host", "time_scale", "throttle", "faults", "network")
    return all(getattr(running, key) == getattr(wanted, key) for key in keys)


def _spawn(paths: StatePaths, prefix: list[str]) -> subprocess.Popen[bytes]:
    env = dict(os.environ, AWSLAB_HOME=str(paths.home), PYTHONUNBUFFERED="1")
    command = [*prefix, sys.executable, "-m", "awslab.cli", "_daemon"]
    with open(paths.daemon_log, "ab") as log, open(os.devnull, "rb") as devnull:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, stdin=devnull, stdout=log, stderr=log, env=env, cwd="/", start_new_session=True, close_fds=True
        )


def _wait_until_up(paths: StatePaths, config: LabConfig, process: subprocess.Popen[bytes]) -> DaemonStatus:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        if read_pid(paths) is not None:
            current = status(paths)
            if current.up:
                return current
        time.sleep(0.05)
    log_tail = paths.daemon_log.read_text(errors="replace")[-3000:] if paths.daemon_log.exists() else ""
    clean(paths)
    raise LabError(f"the lab daemon did not come up on {config.endpoint_url}:\n{log_tail}")


def _terminate(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline and process_alive(pid):
        time.sleep(0.05)
    if process_alive(pid):
        raise LabError(f"the lab daemon (pid {pid}) does not stop")
