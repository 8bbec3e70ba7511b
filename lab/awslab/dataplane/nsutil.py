"""Thin wrappers around ip/nft and a way to open sockets inside a lab network namespace."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import socket
import subprocess
import threading
from collections.abc import Iterator, Sequence

from awslab.dataplane.names import NETNS_DIR

LOG = logging.getLogger(__name__)
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
_setns_lock = threading.Lock()


class CommandError(RuntimeError):
    pass


def run(cmd: Sequence[str], *, input_text: str | None = None, check: bool = True, timeout: float = 20) -> str:
    result = subprocess.run(list(cmd), check=False, input=input_text, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise CommandError(f"{' '.join(cmd)}: rc={result.returncode}: {result.stderr.strip()}")
    return result.stdout


def ip(netns: str, *args: str, check: bool = True) -> str:
    """`ip -n <netns> ...`: always inside a lab namespace, never the host's."""
    if not netns:
        raise ValueError("refusing to run ip without a lab namespace")
    return run(["ip", "-n", netns, *args], check=check)


def netns_exec(netns: str, *args: str, check: bool = True, input_text: str | None = None) -> str:
    if not netns:
        raise ValueError("refusing to run without a lab namespace")
    return run(["ip", "netns", "exec", netns, *args], check=check, input_text=input_text)


def nft_apply(netns: str, ruleset: str) -> None:
    netns_exec(netns, "nft", "-f", "-", input_text=ruleset)


def netns_exists(name: str) -> bool:
    return (NETNS_DIR / name).exists()


def netns_pids(name: str) -> list[int]:
    out = run(["ip", "netns", "pids", name], check=False)
    return [int(pid) for pid in out.split()]


def sysctl(netns: str, key: str, value: str) -> None:
    netns_exec(netns, "sysctl", "-qw", f"{key}={value}")


@contextlib.contextmanager
def in_netns(name: str) -> Iterator[None]:
    """Switch this thread (only) into a lab namespace; sockets made meanwhile stay there."""
    target = os.open(NETNS_DIR / name, os.O_RDONLY)
    original = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    with _setns_lock:
        try:
            if _libc.setns(target, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"setns {name}")
            yield
        finally:
            if _libc.setns(original, CLONE_NEWNET) != 0:
                # The thread would be stranded in a lab namespace: never continue silently.
                os._exit(70)
            os.close(target)
            os.close(original)


def netns_socket(name: str, kind: int = socket.SOCK_STREAM) -> socket.socket:
    with in_netns(name):
        return socket.socket(socket.AF_INET, kind)


def listening_socket(name: str, address: str, port: int, kind: int = socket.SOCK_STREAM) -> socket.socket:
    sock = netns_socket(name, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    if kind == socket.SOCK_STREAM:
        sock.listen(128)
    sock.setblocking(False)
    return sock


def set_thread_netns(name: str) -> None:
    """Move the calling thread into a lab namespace for good (used by tests and the daemon's main thread)."""
    fd = os.open(NETNS_DIR / name, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {name}")
    finally:
        os.close(fd)
