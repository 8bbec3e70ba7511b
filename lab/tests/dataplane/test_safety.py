"""network_supported() refuses when isolation cannot be guaranteed (no root needed: the host is simulated)."""

from __future__ import annotations

import ipaddress

import pytest

from awslab.dataplane import addressing, safety


@pytest.fixture
def as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety.os, "geteuid", lambda: 0)
    monkeypatch.setattr(safety.shutil, "which", lambda cmd: f"/usr/bin/{cmd}")


def test_refuses_when_a_host_network_overlaps_the_lab_range(as_root: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(addressing, "host_networks", lambda: [ipaddress.ip_network("198.18.4.0/24")])
    supported, reason = safety.network_supported()
    assert not supported and "198.18.4.0/24" in reason


def test_refuses_without_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety.os, "geteuid", lambda: 1000)
    assert safety.network_supported() == (False, "the data plane needs root (network namespaces, mounts)")


def test_accepts_an_isolated_host(as_root: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(addressing, "host_networks", lambda: [ipaddress.ip_network("192.0.2.0/24")])
    assert safety.network_supported()[0]


@pytest.mark.parametrize(
    ("cidr", "allowed"),
    [
        ("10.0.0.0/16", True),
        ("192.0.2.0/25", False),
        ("198.19.0.0/16", False),
        ("169.254.0.0/16", False),
        ("127.0.0.0/8", False),
        ("172.16.0.0/12", False),
    ],
)
def test_vpc_cidrs_never_reuse_host_or_reserved_networks(cidr: str, allowed: bool) -> None:
    host = [ipaddress.ip_network("172.17.0.0/16")]
    assert addressing.cidr_allowed(cidr, host) is allowed
