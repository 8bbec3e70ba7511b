"""The body of `awslab _daemon`: serve the control plane until SIGTERM, with its PID in the state dir."""

from __future__ import annotations

import logging
import os
import signal
import threading

from ..config import StatePaths, load_config
from . import dataplane_bridge
from .faultswitch import faults_file
from .server import LabServer

LOG = logging.getLogger("awslab.daemon")


def run_daemon(paths: StatePaths) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config(paths)
    if config is None:
        LOG.error("no config.json in %s: start the lab with `awslab up`", paths.home)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = LabServer(config, journal_path=paths.journal_file)
    server.watch_faults(faults_file(paths.home))
    server.start()
    LOG.info("control plane serving on %s (pid %d)", server.endpoint_url, os.getpid())
    plane = dataplane_bridge.data_plane(paths, config) if config.network else None
    if plane is not None:
        plane.attach()
    _write_pid(paths)
    stop.wait()
    LOG.info("stopping")
    server.stop()
    return 0


def _write_pid(paths: StatePaths) -> None:
    tmp = paths.pid_file.with_suffix(".tmp")
    tmp.write_text(f"{os.getpid()}\n")
    tmp.replace(paths.pid_file)
