#!/usr/bin/env python3
"""privnet.aws benchmarks (issue 12): ours vs the amazon.aws baseline on the lab with AWS's throttling and scaled
AWS provisioning delays. `make bench` runs this; see bench/README.md. Writes bench/results.json and bench/results.md.

Measures: scenarios (interface, gateway, privatelink: converge, no-op re-run, calls), scale (1/4/8/16 interface
endpoints), ssh (20 tasks through the bastion vs direct). --only takes measure or scenario names."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib.lab import Lab  # noqa: E402
from benchlib.machine import loadavg, machine_facts  # noqa: E402
from benchlib.playbook import PlaybookRunner  # noqa: E402
from benchlib.report import render  # noqa: E402
from benchlib.scale import measure_scale  # noqa: E402
from benchlib.scenarios import measure_scenarios, scenarios  # noqa: E402
from benchlib.ssh import measure_ssh  # noqa: E402

BENCH = Path(__file__).resolve().parent
SCENARIO_NAMES = [s.name for s in scenarios()]
MEASURES = ["scenarios", "scale", "ssh"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-scale", type=float, default=0.1,
                        help="lab --time-scale (default 0.1: an interface endpoint takes 9 s, an NLB 20 s)")
    parser.add_argument("--quick", action="store_true",
                        help="interface scenario only, scale 1 and 4, one SSH repeat (about 10 min)")
    parser.add_argument("--only", nargs="+", choices=MEASURES + SCENARIO_NAMES, help="measures or scenarios to run")
    parser.add_argument("--sizes", type=int, nargs="+", help="scale sizes (default 1 4 8 16)")
    parser.add_argument("--repeats", type=int, help="SSH repeats (default 3)")
    parser.add_argument("--lab-home", type=Path,
                        default=Path(os.environ.get("BENCH_AWSLAB_HOME", "/tmp/privnet-bench/lab")))
    parser.add_argument("--port", type=int, default=4581)
    parser.add_argument("--workdir", type=Path, help="logs and keys (default: a new temporary directory)")
    parser.add_argument("--keep-lab", action="store_true", help="leave the lab up at the end")
    parser.add_argument("--fresh", action="store_true", help="drop earlier results instead of merging into them")
    parser.add_argument("--merge", type=Path, metavar="PARTIAL_JSON",
                        help="merge a run's <workdir>/results.partial.json into bench/results.json, render, no lab")
    parser.add_argument("--results", default="results", metavar="NAME",
                        help="write bench/NAME.json and bench/NAME.md (default results; e.g. results-scale1 for a "
                             "run at --time-scale 1 kept beside the default one)")
    return parser.parse_args()


def selected(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """(measures, scenario names) to run."""
    only = args.only or (["scenarios", "scale", "ssh"] if not args.quick else ["interface", "scale", "ssh"])
    names = [n for n in only if n in SCENARIO_NAMES] or (SCENARIO_NAMES if "scenarios" in only else [])
    measures = [m for m in MEASURES if m in only] + (["scenarios"] if names and "scenarios" not in only else [])
    return measures, names


def load_previous(path: Path, time_scale: float) -> dict[str, Any]:
    if not path.exists():
        return {}
    previous = json.loads(path.read_text())
    return previous if previous.get("settings", {}).get("time_scale") == time_scale else {}


class ResultsFile:
    """bench/results.json and results.md, written after every measure. Each write re-reads the file and replaces
    only what this run measured, so a partial (--only) run, or two runs on two labs, merge instead of clobbering."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.json = BENCH / f"{args.results}.json"
        self.md = BENCH / f"{args.results}.md"
        self.args = args
        self.mine: dict[str, Any] = {}
        self.fresh = args.fresh

    def record(self, path: tuple[str, ...], value: Any, started: float, load_before: list[float]) -> None:
        target = self.mine
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
        self.mine.setdefault("runs", {})[".".join(path)] = {
            "finished_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
            "seconds": round(time.monotonic() - started), "loadavg_before": load_before, "loadavg_after": loadavg(),
            "lab": f"{self.args.lab_home} port {self.args.port}", "mode": "quick" if self.args.quick else "full"}
        self.write()

    def write(self) -> None:
        results = {} if self.fresh else load_previous(self.json, self.args.time_scale)
        self.fresh = False
        for key, value in self.mine.items():
            if isinstance(value, dict) and key in ("scenarios", "runs"):
                results.setdefault(key, {}).update(value)
            else:
                results[key] = value
        modes = {run["mode"] for run in results.get("runs", {}).values()}
        results["settings"] = {"mode": " and ".join(sorted(modes)) or "none", "time_scale": self.args.time_scale,
                               "throttle": "aws"}
        results["machine"] = machine_facts()
        self.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        if self.args.workdir:  # this run's own measures, for --merge
            (self.args.workdir / "results.partial.json").write_text(json.dumps(self.mine, indent=2) + "\n")
        self.md.write_text(render(results))
        print(f"wrote {self.json} and {self.md}", flush=True)


def guarded(measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A measure's results, or the error that stopped it (the other measures still run)."""
    try:
        return measure()
    except (RuntimeError, KeyError, IndexError) as error:
        print(f"  failed: {error!r}", flush=True)
        return {"error": repr(error)}


def main() -> int:
    args = parse_args()
    if args.merge:
        merged = ResultsFile(args)
        merged.mine = json.loads(args.merge.read_text())
        merged.write()
        return 0
    measures, names = selected(args)
    sizes = args.sizes or ([1, 4] if args.quick else [1, 4, 8, 16])
    repeats = args.repeats or (1 if args.quick else 3)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="privnet-bench-"))
    for sub in ("logs", "ssh", "cp"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    results = ResultsFile(args)
    lab = Lab(args.lab_home, args.port, args.time_scale)
    runner = PlaybookRunner(lab, workdir / "logs", workdir / "ssh", workdir / "cp")
    print(f"bench: {measures} {names or ''} time scale {args.time_scale}, logs in {workdir / 'logs'}", flush=True)
    lab.up()
    try:
        for name in names if "scenarios" in measures else []:
            started, load = time.monotonic(), loadavg()
            entry = measure_scenarios(runner, lab, args.time_scale, [name])[name]
            results.record(("scenarios", name), entry, started, load)
        if "scale" in measures:
            started, load = time.monotonic(), loadavg()
            results.record(("scale",), guarded(lambda: measure_scale(runner, lab, args.time_scale, sizes)),
                           started, load)
        if "ssh" in measures:
            started, load = time.monotonic(), loadavg()
            results.record(("ssh",), guarded(lambda: measure_ssh(runner, lab, repeats)), started, load)
    finally:
        if lab.started_here and not args.keep_lab:
            lab.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
