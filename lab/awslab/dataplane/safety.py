"""Whether the data plane can run here with isolation guaranteed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from awslab.dataplane import addressing

REQUIRED_COMMANDS = ("ip", "nft", "nsenter", "unshare", "mount", "sshd", "ssh-keygen", "useradd", "sudo")


def network_supported() -> tuple[bool, str]:
    if os.geteuid() != 0:
        return False, "the data plane needs root (network namespaces, mounts)"
    missing = [cmd for cmd in REQUIRED_COMMANDS if shutil.which(cmd) is None and not Path(f"/usr/sbin/{cmd}").exists()]
    if missing:
        return False, f"missing commands: {', '.join(missing)}"
    if "overlay" not in Path("/proc/filesystems").read_text():
        return False, "the kernel has no overlay filesystem"
    try:
        host_nets = addressing.host_networks()
    except Exception as error:  # noqa: BLE001 - any failure to read means isolation is not proven
        return False, f"cannot read the host's networks: {error}"
    clashes = [str(n) for n in host_nets if n.overlaps(addressing.LAB_PUBLIC_RANGE)]
    if clashes:
        return False, f"host networks {', '.join(clashes)} overlap the lab range {addressing.LAB_PUBLIC_RANGE}"
    return True, "network namespaces, nftables, overlay and sshd available; lab range isolated from the host"
