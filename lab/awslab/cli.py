"""The `awslab` command: run and inspect the lab."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from collections.abc import Sequence

from .config import (
    DEFAULT_ACCOUNT,
    DEFAULT_PORT,
    DEFAULT_REGION,
    DEFAULT_SECRET_KEY,
    DEFAULT_TIME_SCALE,
    THROTTLE_MODES,
    LabConfig,
    StatePaths,
    load_config,
    state_paths,
)
from .controlplane import dataplane_bridge, lifecycle
from .controlplane.faultspec import parse_fault_spec
from .controlplane.faultswitch import faults_file, write_fault_spec
from .controlplane.journal import format_entry, format_summary, read_entries, summarize


def lab_environment(paths: StatePaths, config: LabConfig, account: str) -> dict[str, str]:
    env = {
        "AWS_ENDPOINT_URL": config.endpoint_url,
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
        "AWS_DEFAULT_REGION": DEFAULT_REGION,
        "AWS_REGION": DEFAULT_REGION,
    }
    if config.network:
        env.update(dataplane_bridge.extra_env(paths, config))
    return env


def _config_or_default(paths: StatePaths) -> LabConfig:
    return load_config(paths) or LabConfig()


def cmd_up(args: argparse.Namespace) -> int:
    paths = state_paths()
    network = args.network
    if network is None:
        network, _ = dataplane_bridge.available()
    elif network:
        supported, reason = dataplane_bridge.available()
        if not supported:
            print(f"awslab: network mode unavailable: {reason}", file=sys.stderr)
            return 1
    parse_fault_spec(args.faults)  # fail early on a bad spec
    config = LabConfig(
        port=args.port, time_scale=args.time_scale, throttle=args.throttle, faults=args.faults, network=network
    )
    status = lifecycle.up(paths, config)
    mode = "network" if config.network else "host-loopback"
    print(f"awslab up: {config.endpoint_url} (pid {status.pid}, {mode}, time scale {config.time_scale}, "
          f"throttle {config.throttle}, faults {config.faults or 'none'})")
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    was_running = lifecycle.down(state_paths())
    print("awslab down: stopped" if was_running else "awslab down: nothing was running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    paths = state_paths()
    status = lifecycle.status(paths)
    if args.json:
        print(json.dumps({"up": status.up, "pid": status.pid, "health": status.health,
                          "config": status.config.__dict__ if status.config else None}, indent=2))
    elif status.up and status.config is not None:
        print(f"up: {status.config.endpoint_url} pid {status.pid} home {paths.home}")
        print(json.dumps(status.health, indent=2, sort_keys=True))
    elif status.alive:
        print(f"starting or unhealthy: pid {status.pid}")
    else:
        print("down")
    return 0 if status.up else 3


def cmd_env(args: argparse.Namespace) -> int:
    paths = state_paths()
    for key, value in lab_environment(paths, _config_or_default(paths), args.account).items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def cmd_exec(args: argparse.Namespace) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("awslab exec: no command given (awslab exec -- CMD ...)", file=sys.stderr)
        return 2
    paths = state_paths()
    config = _config_or_default(paths)
    env = {key: value for key, value in os.environ.items() if key not in ("AWS_PROFILE", "AWS_SESSION_TOKEN")}
    env.update(lab_environment(paths, config, args.account))
    tools = os.path.dirname(sys.executable)  # the venv's aws, ansible-playbook, ... even when it is not activated
    env["PATH"] = tools + os.pathsep + env.get("PATH", "/usr/local/bin:/usr/bin:/bin")
    prefix = dataplane_bridge.exec_prefix(paths, config) if config.network else []
    argv = [*prefix, *command]
    try:
        os.execvpe(argv[0], argv, env)
    except FileNotFoundError:
        print(f"awslab exec: {argv[0]}: command not found", file=sys.stderr)
        return 127
    return 0  # not reached


FAULT_SWITCH_TIMEOUT = 10.0


def cmd_faults(args: argparse.Namespace) -> int:
    """Show, change (`SPEC`) or turn off (`off`) fault injection on the running lab."""
    paths = state_paths()
    current = lifecycle.status(paths)
    if not current.up or current.health is None:
        print("awslab faults: the lab is not up", file=sys.stderr)
        return 3
    if args.spec is not None:
        wanted = "" if args.spec.strip() in ("off", "none", "") else args.spec.strip()
        write_fault_spec(faults_file(paths.home), wanted)  # ValueError on a bad spec: nothing written
        health = _wait_for_faults(paths, wanted)
        if health is None:
            print(f"awslab faults: the lab did not apply {wanted or 'off'!r} in {FAULT_SWITCH_TIMEOUT:.0f}s",
                  file=sys.stderr)
            return 1
    else:
        health = current.health
    print(f"faults {health.get('faults') or 'none'} (injected so far {health.get('faults_injected', 0)})")
    return 0


def _wait_for_faults(paths: StatePaths, wanted: str) -> dict[str, object] | None:
    """The health answer once the daemon reports `wanted` (each request makes it check the switch file)."""
    config = _config_or_default(paths)
    deadline = time.monotonic() + FAULT_SWITCH_TIMEOUT
    while time.monotonic() < deadline:
        health = lifecycle.fetch_health(paths, config)
        if health is not None and health.get("faults") == wanted:
            return health
        time.sleep(0.1)
    return None


def cmd_reset(args: argparse.Namespace) -> int:
    paths = state_paths()
    config = load_config(paths)
    answer = lifecycle.call_control_plane(paths, config, "POST", "/moto-api/reset") if config else None
    if answer is None or answer[0] != 200:
        print("awslab reset: the lab is not up", file=sys.stderr)
        return 1
    print("awslab reset: all AWS state emptied")
    return 0


def cmd_mark(args: argparse.Namespace) -> int:
    paths = state_paths()
    print(sum(1 for _ in read_entries(paths.journal_file)))
    return 0


def cmd_journal(args: argparse.Namespace) -> int:
    entries = [entry for entry in read_entries(state_paths().journal_file) if entry.seq > args.since]
    if args.summary:
        summary = summarize(entries)
        print(json.dumps(summary, indent=2) if args.json else format_summary(summary))
        return 0
    for entry in entries:
        print(json.dumps(entry.__dict__, sort_keys=True) if args.json else format_entry(entry))
    return 0


def cmd_daemon(args: argparse.Namespace) -> int:
    from .controlplane.daemon import run_daemon

    return run_daemon(state_paths())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="awslab", description="The privnet.aws lab: a local AWS twin.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = sub.add_parser("up", help="start the lab (idempotent: reuses a lab already up with the same options)")
    up.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"control plane port (default {DEFAULT_PORT})")
    up.add_argument("--time-scale", type=float, default=DEFAULT_TIME_SCALE,
                    help=f"factor on AWS-typical provisioning durations (default {DEFAULT_TIME_SCALE}; 1 = real time)")
    up.add_argument("--throttle", choices=THROTTLE_MODES, default="off", help="EC2 API rate limits (default off)")
    up.add_argument("--faults", default="", metavar="SPEC",
                    help="fault injection, e.g. throttle=0.2,5xx=0.05,reset=0.01,notfound=0.3,seed=7 (default none)")
    network = up.add_mutually_exclusive_group()
    network.add_argument("--network", dest="network", action="store_true", default=None,
                         help="with the data plane (namespaces); default when it is available")
    network.add_argument("--no-network", dest="network", action="store_false", help="control plane only")
    up.set_defaults(func=cmd_up)

    sub.add_parser("down", help="stop the lab and remove everything it made").set_defaults(func=cmd_down)

    status = sub.add_parser("status", help="is the lab up, with which options (exit 3 when down)")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)

    for name, func, text in (("env", cmd_env, "print shell exports for a control node"),
                             ("exec", cmd_exec, "run a command as the control node: awslab exec -- CMD ...")):
        command = sub.add_parser(name, help=text)
        command.add_argument("--account", default=DEFAULT_ACCOUNT, help=f"AWS account id (default {DEFAULT_ACCOUNT})")
        if name == "exec":
            command.add_argument("command", nargs=argparse.REMAINDER)
        command.set_defaults(func=func)

    faults = sub.add_parser("faults", help="show or switch fault injection on the running lab: faults [SPEC|off]")
    faults.add_argument("spec", nargs="?", metavar="SPEC|off",
                        help="new spec (same syntax as up --faults) or off; none given: show the current one")
    faults.set_defaults(func=cmd_faults)

    sub.add_parser("reset", help="empty all AWS state, keep the lab running").set_defaults(func=cmd_reset)
    sub.add_parser("mark", help="print the journal position (use with journal --since)").set_defaults(func=cmd_mark)

    journal = sub.add_parser("journal", help="API calls the lab answered")
    journal.add_argument("--json", action="store_true", help="JSON lines (or JSON summary)")
    journal.add_argument("--summary", action="store_true", help="counts by action and by mutating/read")
    journal.add_argument("--since", type=int, default=0, metavar="MARK", help="only calls after this mark")
    journal.set_defaults(func=cmd_journal)

    sub.add_parser("_daemon", help=argparse.SUPPRESS).set_defaults(func=cmd_daemon)
    dataplane_bridge.register_cli(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (lifecycle.LabError, ValueError) as error:
        print(f"awslab {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
