"""PID 1 of a lab instance: builds its mount view (overlay over the host filesystem), then boots it like
cloud-init would (hostname, ec2-user, authorized key, sshd, user data once). Run by the data plane as
`nsenter --net=<ns> unshare --mount --uts --pid --fork ... python -m awslab.dataplane.instance_boot <dir>`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

SSHD_CONFIG = """# written by the awslab data plane
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
PubkeyAuthentication yes
PidFile /run/sshd.pid
HostKey /etc/ssh/ssh_host_ed25519_key
SetEnv AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
"""

AWS_WRAPPER = """#!/bin/sh
# AWS CLI of the lab "AMI" (the lab's awscli, trusting the lab CA)
: "${AWS_CA_BUNDLE:=/etc/ssl/certs/ca-certificates.crt}"
export AWS_CA_BUNDLE
exec %s "$@"
"""


def sh(*args: str) -> None:
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


def mount(source: str, target: str, fstype: str = "", options: str = "", bind: bool = False) -> None:
    cmd = ["mount"]
    if bind:
        cmd.append("--rbind")
    if fstype:
        cmd += ["-t", fstype]
    if options:
        cmd += ["-o", options]
    sh(*cmd, source, target)


def build_root(directory: Path, state_dir: Path) -> Path:
    upper, work, merged = directory / "upper", directory / "work", directory / "merged"
    for path in (upper, work, merged):
        path.mkdir(parents=True, exist_ok=True)
    sh("mount", "--make-rprivate", "/")
    mount("overlay", str(merged), "overlay", f"lowerdir=/,upperdir={upper},workdir={work}")
    mount("proc", str(merged / "proc"), "proc")
    mount("/dev", str(merged / "dev"), bind=True)
    mount("/sys", str(merged / "sys"), bind=True)
    mount("tmpfs", str(merged / "run"), "tmpfs", "mode=0755")
    mount("tmpfs", str(merged / "tmp"), "tmpfs", "mode=1777")
    fresh = (Path("/run"), Path("/tmp"))
    hidden = state_dir.resolve()
    if not any(hidden.is_relative_to(p) for p in fresh):
        mount("tmpfs", str(merged / hidden.relative_to("/")), "tmpfs", "mode=0700")
    toolchain = Path(sys.prefix).resolve()  # the venv whose AWS CLI the instance runs, when a fresh /tmp hides it
    if any(toolchain.is_relative_to(p) for p in fresh):
        target = merged / toolchain.relative_to("/")
        target.mkdir(parents=True, exist_ok=True)
        mount(str(toolchain), str(target), bind=True)
        sh("mount", "-o", "remount,bind,ro", str(target))
    return merged


def first_boot(cfg: dict[str, str], ca_pem: str) -> None:
    Path("/etc/hostname").write_text(cfg["hostname"] + "\n")
    Path("/etc/hosts").write_text(
        f"127.0.0.1 localhost\n{cfg['address']} {cfg['hostname']} {cfg['hostname'].split('.')[0]}\n"
    )
    resolv = Path("/etc/resolv.conf")
    if resolv.is_symlink():
        resolv.unlink()
    resolv.write_text(f"search {cfg['search']}\nnameserver {cfg['resolver']}\noptions timeout:2 attempts:2\n")
    os.chmod("/root", 0o711)  # the lab's Python lives under /root/.pyenv; only this instance's view changes
    sh("useradd", "--create-home", "--shell", "/bin/bash", "--user-group", "ec2-user")
    sh("usermod", "--password", "*", "ec2-user")
    sudoers = Path("/etc/sudoers.d")
    sudoers.mkdir(mode=0o750, exist_ok=True)
    (sudoers / "90-cloud-init-users").write_text("ec2-user ALL=(ALL) NOPASSWD:ALL\n")
    os.chmod(sudoers / "90-cloud-init-users", 0o440)
    ssh_dir = Path("/home/ec2-user/.ssh")
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    (ssh_dir / "authorized_keys").write_text(cfg["public_key"] + "\n" if cfg["public_key"] else "")
    os.chmod(ssh_dir / "authorized_keys", 0o600)
    sh("chown", "-R", "ec2-user:ec2-user", str(ssh_dir))
    for key in Path("/etc/ssh").glob("ssh_host_*"):
        key.unlink()
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", "/etc/ssh/ssh_host_ed25519_key")
    Path("/etc/ssh/sshd_config.d").mkdir(exist_ok=True)
    Path("/etc/ssh/sshd_config.d/00-awslab.conf").write_text(SSHD_CONFIG)
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    bundle.write_text(bundle.read_text() + "\n" + ca_pem)
    Path("/etc/pki/ca-trust/source/anchors").mkdir(parents=True, exist_ok=True)
    Path("/etc/pki/ca-trust/source/anchors/awslab-ca.pem").write_text(ca_pem)
    wrapper = Path("/usr/local/bin/aws")
    wrapper.write_text(AWS_WRAPPER % cfg["aws_cli"])
    os.chmod(wrapper, 0o755)
    Path("/etc/environment").write_text("AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt\n")
    Path("/etc/profile.d/awslab.sh").write_text("export AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt\n")


def run_user_data(user_data: bytes) -> subprocess.Popen[bytes] | None:
    done = Path("/var/lib/cloud/instance/user-data.done")
    if done.exists() or not user_data.strip():
        return None
    done.parent.mkdir(parents=True, exist_ok=True)
    script = done.parent / "user-data.txt"
    script.write_bytes(user_data)
    os.chmod(script, 0o700)
    done.touch()
    log = open("/var/log/cloud-init-output.log", "ab")  # noqa: SIM115 - handed to the child
    if user_data.startswith(b"#cloud-config"):
        log.write(b"awslab: #cloud-config user data is not supported; only shell scripts run\n")
        log.close()
        return None
    command = [str(script)] if user_data.startswith(b"#!") else ["/bin/sh", str(script)]
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd="/")


def wait_for_sshd(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1].endswith(":0016") and fields[3] == "0A":
                return
        time.sleep(0.02)


def main(directory: Path) -> int:
    cfg = json.loads((directory / "boot.json").read_text())
    ca_pem = Path(cfg["ca_file"]).read_text()
    user_data = (directory / "user-data").read_bytes() if (directory / "user-data").exists() else b""
    merged = build_root(directory, Path(cfg["state_dir"]))
    outside = os.open(directory, os.O_RDONLY)  # the instance directory stays writable after chroot
    socket.sethostname(cfg["hostname"])
    os.chroot(merged)
    os.chdir("/")
    marker = Path("/var/lib/awslab/first-boot.done")
    if not marker.exists():
        first_boot(cfg, ca_pem)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    sshd_log = open("/var/log/sshd.log", "ab")  # noqa: SIM115 - handed to the child
    children = [subprocess.Popen(["/usr/sbin/sshd", "-D", "-e"], stdout=sshd_log, stderr=subprocess.STDOUT)]
    wait_for_sshd()
    booted = os.open("booted", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=outside)
    os.write(booted, f"{time.time()}\n".encode())
    os.close(booted)
    user = run_user_data(user_data)
    if user is not None:
        children.append(user)

    def stop(_signum: int, _frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:  # PID 1 reaps orphans
        try:
            os.wait()
        except ChildProcessError:
            time.sleep(1)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
