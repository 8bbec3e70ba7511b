"""The WSGI application the lab serves: moto behind the journal, throttling, fault injection and mutation hooks."""

from __future__ import annotations

import json
import logging
import os
import socket
import struct
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import hooks
from .errors import ErrorAnswer, error_code_of, render
from .gates import Gate, Intervention
from .journal import Journal
from .requestinfo import RequestInfo, describe_request
from .state import LOCK

LOG = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
RESET_FLAG = "awslab.reset_connection"
SOCKET_KEY = "awslab.socket"
_PASSTHROUGH_PREFIXES = ("/moto-api", "/latest/", "/favicon.ico")


class LabApp:
    def __init__(
        self,
        journal: Journal,
        gates: Sequence[Gate],
        reset_state: Callable[[], None],
        health: Callable[[], dict[str, object]],
    ) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self._moto = DomainDispatcherApplication(create_backend_app)
        self.journal = journal
        self._gates = list(gates)
        self._reset_state = reset_state
        self._health = health
        self.before_request: Callable[[], None] | None = None  # e.g. the fault switch's poll

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.before_request is not None:
            self.before_request()
        path = environ.get("PATH_INFO", "")
        if path == "/awslab/health":
            return _json(start_response, 200, {"status": "ok", "pid": os.getpid(), **self._health()})
        if path == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
            self._reset_state()
            hooks.notify(hooks.ApiEvent("moto", "Reset", "", "", 200))
            return _json(start_response, 200, {"status": "ok"})
        if path.startswith(_PASSTHROUGH_PREFIXES):
            status, headers, body = self._call_moto(environ)
            start_response(status, headers)
            return [body]
        return self._api_call(environ, start_response)

    def _api_call(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        info = describe_request(environ)
        intervention = self._first_intervention(info)
        if intervention is not None and intervention.answer is None:
            self._record(info, 0, "ConnectionReset", started, intervention.kind)
            _drop_connection(environ)
            raise ConnectionResetError("awslab: injected connection reset")
        if intervention is not None:
            assert intervention.answer is not None
            code, headers, body = render(info.service, intervention.answer)
            injected = intervention.kind if intervention.injected else None
            self._record(info, code, intervention.answer.code, started, injected)
            start_response(_status_line(code), headers)
            return [body]
        try:
            status_line, headers, body = self._call_moto(environ)
        except Exception as error:  # noqa: BLE001 - moto crashed or lacks the action: answer as AWS would (500)
            LOG.exception("moto failed on %s:%s", info.service, info.action)
            message = f"awslab: moto failed on {info.action}: {type(error).__name__}: {error}"[:500]
            code, error_headers, error_body = render(info.service, ErrorAnswer(500, "InternalError", message))
            self._record(info, code, "InternalError", started, None)
            start_response(_status_line(code), error_headers)
            return [error_body]
        status = int(status_line.split(" ", 1)[0])
        for gate in self._gates:
            gate.after(info, status, body)
        hold = max((gate.hold_seconds(info, status) for gate in self._gates), default=0.0)
        self._record(info, status, error_code_of(status, headers, body), started, "hold" if hold else None)
        if info.mutating and status < 300:
            hooks.notify(hooks.ApiEvent(info.service, info.action, info.account, info.region, status))
        if hold:
            time.sleep(hold)  # journaled, not yet answered: a test kills the client in this window
        start_response(status_line, headers)
        return [body]

    def set_gates(self, gates: Sequence[Gate]) -> None:
        self._gates = list(gates)

    def _first_intervention(self, info: RequestInfo) -> Intervention | None:
        for gate in self._gates:
            intervention = gate.before(info)
            if intervention is not None:
                return intervention
        return None

    def _call_moto(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        with LOCK:
            result = self._moto(environ, capture)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        return captured["status"], list(captured["headers"]), b"".join(chunks)

    def _record(self, info: RequestInfo, status: int, error: str | None, started: float, injected: str | None) -> None:
        self.journal.record(
            account=info.account,
            region=info.region,
            service=info.service,
            action=info.action,
            mutating=info.mutating,
            status=status,
            error=error,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            injected=injected,
        )


def _status_line(code: int) -> str:
    from http import HTTPStatus

    return f"{code} {HTTPStatus(code).phrase}"


def _json(start_response: StartResponse, code: int, payload: dict[str, object]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(_status_line(code), [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _drop_connection(environ: dict[str, Any]) -> None:
    """Make the server close this connection with a TCP RST instead of an answer."""
    sock = environ.get(SOCKET_KEY)
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    environ[RESET_FLAG] = True
