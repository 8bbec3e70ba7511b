"""Run the lab's control plane in this process: moto + extensions + journal + gates on a threaded WSGI server."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import ThreadedWSGIServer

from ..config import LabConfig
from .app import RESET_FLAG, SOCKET_KEY, LabApp
from .gates import Gate
from .journal import Journal
from .scheduler import SCHEDULER
from .state import LOCK

MOTO_ENVIRONMENT = {"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}


def prepare_moto_environment() -> None:
    """Settings moto reads from the environment; must run before moto creates backends."""
    for key, value in MOTO_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


def _handler_class() -> type:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class LabRequestHandler(MotoRequestHandler):  # type: ignore[misc,valid-type]
        def make_environ(self) -> dict[str, Any]:
            environ = super().make_environ()
            environ[SOCKET_KEY] = self.connection
            return environ

        def connection_dropped(self, error: BaseException, environ: dict[str, Any] | None = None) -> None:
            self.close_connection = True
            if environ and environ.get(RESET_FLAG):
                self.server.reset_on_close(self.connection)

        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """The journal records requests; werkzeug's access log would only duplicate it."""

    return LabRequestHandler


class _LabWSGIServer(ThreadedWSGIServer):
    daemon_threads = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reset_ids: set[int] = set()

    def reset_on_close(self, sock: socket.socket) -> None:
        self._reset_ids.add(id(sock))

    def shutdown_request(self, request: Any) -> None:
        if id(request) in self._reset_ids:
            self._reset_ids.discard(id(request))
            self.close_request(request)  # SO_LINGER 0 was set: close sends RST, no FIN first
            return
        super().shutdown_request(request)


def discard_moto_state() -> None:
    """What POST /moto-api/reset does, without re-initialising every backend only to throw it away (moto's own
    reset rebuilds each region's EC2 backend, AMIs included, which takes seconds once many regions were used)."""
    from moto.core.base_backend import BackendDict, BaseBackend, backend_lock
    from moto.core.model_instances import reset_model_data

    with backend_lock:
        for backend_dict in BackendDict._instances:
            for account_backend in list(backend_dict.values()):
                for region_backend in list(account_backend.values()):
                    if type(region_backend).reset is not BaseBackend.reset:
                        region_backend.reset()  # backends with resources to release (S3 files, Batch threads)
            backend_dict.clear()
        BackendDict._instances.clear()
    reset_model_data()


class LabServer:
    """The control plane: start() serves in a background thread, stop() ends it."""

    def __init__(self, config: LabConfig, journal_path: Path | None = None) -> None:
        prepare_moto_environment()
        from .ext import install_all
        from .gating import build_gates

        install_all()
        self.config = config
        self.journal = Journal(journal_path)
        self.gates: list[Gate] = build_gates(config)
        SCHEDULER.time_scale = config.time_scale
        self.app = LabApp(self.journal, self.gates, self.reset_state, self._health)
        self._server: _LabWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    def start(self) -> None:
        self._server = _LabWSGIServer(self.config.host, self.config.port, self.app, handler=_handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, name="awslab-server", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        SCHEDULER.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def reconfigure(self, config: LabConfig) -> None:
        """Change time scale, throttling and faults of a running server (tests use this in-process)."""
        from .gating import build_gates

        self.config = LabConfig.from_dict({**config.__dict__, "port": self.config.port, "host": self.config.host})
        SCHEDULER.time_scale = config.time_scale
        self.gates[:] = build_gates(config)
        self.app.set_gates(self.gates)

    def set_faults(self, spec: str) -> None:
        """Replace fault injection on the running server (the runtime switch); other gates keep their state."""
        from .faults import FaultGate
        from .faultspec import parse_fault_spec

        parsed = parse_fault_spec(spec)
        others = [gate for gate in self.gates if not isinstance(gate, FaultGate)]
        self.gates[:] = [FaultGate(parsed), *others] if parsed.active else others
        self.app.set_gates(self.gates)
        self.config = LabConfig.from_dict({**self.config.__dict__, "faults": spec})

    def watch_faults(self, path: Path | None) -> None:
        """Follow the fault switch file `path` (None: stop following it)."""
        from .faultswitch import FaultSwitch

        self.app.before_request = FaultSwitch(path, self.config.faults, self.set_faults).poll if path else None

    def faults_injected(self) -> int:
        from .faults import FaultGate

        return sum(gate.injected for gate in self.gates if isinstance(gate, FaultGate))

    def reset_state(self) -> None:
        """Empty all AWS state (like POST /moto-api/reset), keep serving."""
        from .ext import after_reset

        with LOCK:
            SCHEDULER.cancel_all()
            discard_moto_state()
            after_reset()
            for gate in self.gates:
                reset = getattr(gate, "reset", None)
                if reset is not None:
                    reset()

    def _health(self) -> dict[str, object]:
        return {
            "time_scale": self.config.time_scale,
            "throttle": self.config.throttle,
            "faults": self.config.faults,
            "faults_injected": self.faults_injected(),
            "network": self.config.network,
            "journal_position": self.journal.position,
            "scheduled": SCHEDULER.pending(),
        }
