"""The lab CA (kept in the state dir) and TLS server contexts for service names."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path

import trustme


class LabCA:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._contexts: dict[tuple[str, ...], ssl.SSLContext] = {}
        key_file = directory / "ca.key"
        cert_file = directory / "ca.pem"
        directory.mkdir(parents=True, exist_ok=True)
        if key_file.exists() and cert_file.exists():
            self._ca = trustme.CA.from_pem(cert_bytes=cert_file.read_bytes(), private_key_bytes=key_file.read_bytes())
        else:
            self._ca = trustme.CA(organization_name="awslab", organization_unit_name="privnet.aws lab CA")
            key_file.touch(mode=0o600)
            key_file.write_bytes(self._ca.private_key_pem.bytes())
            cert_file.write_bytes(self._ca.cert_pem.bytes())
        self.cert_file = cert_file

    @property
    def cert_pem(self) -> bytes:
        return self._ca.cert_pem.bytes()

    def server_context(self, server_names: tuple[str, ...]) -> ssl.SSLContext:
        with self._lock:
            context = self._contexts.get(server_names)
            if context is None:
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                self._ca.issue_cert(*server_names).configure_cert(context)
                self._contexts[server_names] = context
            return context
