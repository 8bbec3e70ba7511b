"""bench/results.md from bench/results.json: targets first, then one table per measure, then the settings."""

from __future__ import annotations

from typing import Any


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "–" if value is None else f"{value:.{digits}f}{suffix}"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def targets(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    scen = {k: v for k, v in results.get("scenarios", {}).items() if "ours" in v}
    for name, entry in scen.items():
        ours = entry["ours"]
        conv = ours["converge"]["seconds"]
        r = ratio(conv, entry["ideal_seconds"])
        rows.append((f"{name}: converge ≤ 1.3 × ideal", fmt(r, 2, " ×"),
                     f"{conv:.1f} s vs ideal {entry['ideal_seconds']:.1f} s", verdict(r is not None and r <= 1.3)))
        if "floor" in entry:
            floor_s = entry["floor"]["converge"]["seconds"]
            floor_r = ratio(floor_s, entry["ideal_seconds"])
            rows.append((f"({name}: the floor playbook, same run; not the issue's target)", fmt(floor_r, 2, " ×"),
                         f"{floor_s:.1f} s vs ideal {entry['ideal_seconds']:.1f} s; ours {fmt(ratio(conv, floor_s))} × "
                         "the floor", verdict(floor_r is not None and floor_r <= 1.3)))
        noop = ours["noop"]
        managed = ours["inventory"]["managed_resources"]
        rows.append((f"{name}: no-op mutating calls = 0", str(noop["calls"]["mutating"]),
                     ", ".join(f"{k} {v}" for k, v in noop["calls"]["by_action"].items()) or "none",
                     verdict(noop["calls"]["mutating"] == 0)))
        rows.append((f"{name}: no-op reads ≤ 2 × managed resources",
                     fmt(ratio(noop["calls"]["reads"], managed), 2, " ×"),
                     f"{noop['calls']['reads']} reads, {managed} resources",
                     verdict(None if managed is None else noop["calls"]["reads"] <= 2 * managed)))
        rows.append((f"{name}: no-op wall ≤ 30 % of converge", fmt(100 * noop["seconds"] / conv, 0, " %"),
                     f"{noop['seconds']:.1f} s vs {conv:.1f} s", verdict(noop["seconds"] <= 0.3 * conv)))
    interface = scen.get("interface")
    if interface and "baseline" in interface:
        ours_s = interface["ours"]["converge"]["seconds"]
        base_s = interface["baseline"]["converge"]["seconds"]
        rows.append((f"interface ({interface['endpoints']} endpoints): ours ≤ 0.5 × baseline",
                     fmt(ratio(ours_s, base_s), 2, " ×"), f"{ours_s:.1f} s vs {base_s:.1f} s (whole playbooks)",
                     verdict(ours_s <= 0.5 * base_s)))
        ours_w = interface["ours"]["converge"]["calls"].get("endpoint_window_seconds")
        base_w = interface["baseline"]["converge"]["calls"].get("endpoint_window_seconds")
        if ours_w is not None and base_w:
            rows.append(("(same, endpoint phase only; not the issue's target)", fmt(ratio(ours_w, base_w), 2, " ×"),
                         f"{ours_w:.1f} s vs {base_w:.1f} s", verdict(ours_w <= 0.5 * base_w)))
    sizes = {k: v for k, v in results.get("scale", {}).get("sizes", {}).items() if "baseline" in v}
    if sizes:
        largest = max(sizes, key=int)
        entry = sizes[largest]
        r = ratio(entry["ours"]["seconds"], entry["bound_seconds"])
        rows.append((f"{largest} interface endpoints: ours ≤ 1.25 × bound", fmt(r, 2, " ×"),
                     f"{entry['ours']['seconds']:.1f} s vs bound {entry['bound_seconds']:.1f} s",
                     verdict(r is not None and r <= 1.25)))
    ssh = results.get("ssh")
    if ssh and "direct" in ssh:
        via, direct = ssh["via_bastion"]["median_per_task_seconds"], ssh["direct"]["median_per_task_seconds"]
        r = ratio(via, direct)
        rows.append(("SSH via bastion ≤ 1.15 × direct per task", fmt(r, 2, " ×"),
                     f"{via * 1000:.0f} ms vs {direct * 1000:.0f} ms per task", verdict(r is not None and r <= 1.15)))
    return rows


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def scenario_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, entry in results.get("scenarios", {}).items():
        if "ours" not in entry:
            continue
        base_conv = entry.get("baseline", {}).get("converge", {}).get("seconds")
        for side in ("ours", "baseline", "floor"):
            if side not in entry:
                continue
            data = entry[side]
            conv = data["converge"]
            if "noop" not in data:  # a floor: converge only
                rows.append([name, side, fmt(ratio(conv["seconds"], entry["ideal_seconds"]), 2, " ×"),
                             fmt(ratio(conv["seconds"], base_conv), 2, " ×"), fmt(conv["seconds"], 1),
                             fmt(entry["ideal_seconds"], 1), fmt(conv["calls"].get("endpoint_window_seconds"), 1),
                             f"{conv['calls']['mutating']} / –", str(conv["calls"]["reads"]),
                             str(conv["calls"]["throttled"]), "–", "–", "–"])
                continue
            noop, inv = data["noop"], data["inventory"]
            rows.append([
                name, side,
                fmt(ratio(conv["seconds"], entry["ideal_seconds"]), 2, " ×"),
                fmt(ratio(conv["seconds"], base_conv), 2, " ×") if side == "ours" else "1.00 ×" if base_conv else "–",
                fmt(conv["seconds"], 1), fmt(entry["ideal_seconds"], 1),
                fmt(conv["calls"].get("endpoint_window_seconds"), 1),
                f"{conv['calls']['mutating']} / {inv['minimum_mutating']}",
                str(conv["calls"]["reads"]), str(conv["calls"]["throttled"]),
                f"{fmt(noop['seconds'], 1)} ({fmt(100 * noop['seconds'] / conv['seconds'], 0)} %)",
                str(noop["calls"]["mutating"]),
                f"{noop['calls']['reads']} / {inv['managed_resources']}",
            ])
    return rows


def scale_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for size, entry in sorted(results.get("scale", {}).get("sizes", {}).items(), key=lambda kv: int(kv[0])):
        if "baseline" not in entry:
            continue
        ours, base, bound = entry["ours"], entry["baseline"], entry["bound_seconds"]
        rows.append([
            size, fmt(ratio(ours["seconds"], bound), 2, " ×"), fmt(ratio(base["seconds"], bound), 2, " ×"),
            fmt(ratio(ours["seconds"], base["seconds"]), 2, " ×"),
            fmt(ours["seconds"], 1), fmt(base["seconds"], 1), fmt(bound, 1),
            f"{fmt(ours['calls'].get('endpoint_window_seconds'), 1)} / "
            f"{fmt(base['calls'].get('endpoint_window_seconds'), 1)}",
            f"{ours['calls']['mutating']} / {ours['calls']['reads']} / {ours['calls']['throttled']}",
            f"{base['calls']['mutating']} / {base['calls']['reads']} / {base['calls']['throttled']}",
        ])
    return rows


def render(results: dict[str, Any]) -> str:
    settings, machine = results["settings"], results["machine"]
    out = ["# privnet.aws benchmark results", "",
           "Generated by `bench/run.py` from the JSON file of the same name (do not edit by hand). What each measure "
           "means and how the ideal times and bounds are computed: `bench/README.md`.", ""]
    out += [f"Written {machine['date_utc']} UTC; {settings['mode']} run; time scale {settings['time_scale']}; throttle "
            f"{settings['throttle']}; {machine['cores']} cores shared with other sessions (load averages per measure "
            "at the end).", ""]
    out += ["## Targets (issue 12)", ""]
    out += table(["target", "measured", "figures", "verdict"], [list(r) for r in targets(results)])
    if results.get("scenarios"):
        out += ["## Scenarios: converge from empty, then a no-op re-run (AWS side)", "",
                "Ratios first. *mutating / min*: attempted mutating calls (throttled attempts and DryRun probes not "
                "counted) against the minimum the resources left in the lab need. *throttled*: answers "
                "RequestLimitExceeded. *no-op reads / managed*: read calls of the re-run against the managed "
                "resources. *endpoint phase*: first CreateVpcEndpoint to last DescribeVpcEndpoints, on the lab's clock "
                "(the endpoint part alone; the rest is the base: ours with its roles, the baseline with amazon.aws). "
                "*floor*: bench/floor, the same resources with the fewest tasks in the best order and no validation, "
                "converge only: how close to the ideal any Ansible run comes on this machine.",
                ""]
        out += table(["scenario", "side", "converge / ideal", "vs baseline", "converge s", "ideal s",
                      "endpoint phase s", "mutating / min",
                      "reads", "throttled", "no-op s (% of converge)", "no-op mutating", "no-op reads / managed"],
                     scenario_rows(results))
        out += ["Ideal (longest chain of the lab's delayed transitions at this time scale):", ""]
        out += [f"- {name}: {entry['ideal_derivation']} = {entry['ideal_seconds']:.1f} s"
                + (f" ({'; '.join(entry['notes'])})" if entry.get("notes") else "")
                for name, entry in results["scenarios"].items()]
        out += [""]
        for name, entry in results["scenarios"].items():
            if "ours" not in entry:
                continue
            inv = entry["ours"]["inventory"]
            for side in ("ours", "baseline"):
                reads = entry.get(side, {}).get("noop", {}).get("calls", {}).get("reads_by_action", {})
                if reads:
                    top = sorted(reads.items(), key=lambda kv: -kv[1])[:8]
                    out += [f"- {name} {side} no-op, most repeated reads: " + ", ".join(f"{k} {v}" for k, v in top)]
            out += [f"- {name} managed resources ({inv['managed_resources']}): "
                    + ", ".join(f"{k} {v}" for k, v in inv["resources"].items())
                    + "; relations: " + ", ".join(f"{k} {v}" for k, v in inv["relations"].items())]
        out += [""]
    if results.get("scale"):
        out += ["## Scale: N interface endpoints in one VPC", "",
                "Bound = CreateVpcEndpoint bucket (first calls at once, then one per 1/refill s) + one interface "
                "endpoint provisioning delay. Wall times are whole ansible-playbook runs (start, inventory, the "
                "role's validation lookups included); the endpoint phase (first CreateVpcEndpoint to last "
                "DescribeVpcEndpoints) is what the bucket bounds. Calls: mutating / reads / throttled.", ""]
        out += table(["N", "ours / bound", "baseline / bound", "ours / baseline", "ours s", "baseline s", "bound s",
                      "endpoint phase s ours / baseline", "ours calls", "baseline calls"], scale_rows(results))
    measured = [*results.get("scenarios", {}).items(), ("scale", results.get("scale", {})),
                ("ssh", results.get("ssh", {}))]
    errors = [f"- {name}: {entry['error']}" for name, entry in measured if "error" in entry]
    ssh = results.get("ssh")
    if ssh and "direct" in ssh:
        out += ["## SSH: 20 tasks on a private host through the bastion vs on the bastion directly", "",
                f"Per task = (wall of connect + {ssh['tasks']} tasks − wall of connect alone) / {ssh['tasks']}, "
                f"median of {ssh['repeats']} repeats; repo ansible.cfg (pipelining, ControlPersist 60 s).", ""]
        via, direct = ssh["via_bastion"], ssh["direct"]
        out += table(["path", "ratio", "median per task ms", "samples ms"], [
            ["private host via bastion", fmt(ratio(via["median_per_task_seconds"], direct["median_per_task_seconds"]),
                                             2, " ×"),
             fmt(via["median_per_task_seconds"] * 1000, 0),
             ", ".join(f"{v * 1000:.0f}" for v in via["per_task_seconds"])],
            ["bastion direct", "1.00 ×", fmt(direct["median_per_task_seconds"] * 1000, 0),
             ", ".join(f"{v * 1000:.0f}" for v in direct["per_task_seconds"])],
        ])
    if errors:
        out += ["## Measures that failed in the last run", "", *errors, ""]
    out += ["## Machine and settings", ""]
    out += table(["fact", "value"], [[k, str(v)] for k, v in {**machine, **settings}.items()])
    out += ["Measures (each written when it finished; load average = 1/5/15 min before and after):", ""]
    out += table(["measure", "finished UTC", "mode", "took s", "lab", "load before", "load after"], [
        [name, run["finished_utc"], run["mode"], str(run["seconds"]), run["lab"], str(run["loadavg_before"]),
         str(run["loadavg_after"])] for name, run in sorted(results.get("runs", {}).items())])
    return "\n".join(out).rstrip() + "\n"
