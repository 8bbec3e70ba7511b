"""`awslab topology`: what the data plane built (text, Mermaid or JSON), from the daemon's last reconcile."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

DEFAULT_HOME = "/run/awslab"


def _topology_file() -> Path:
    return Path(os.environ.get("AWSLAB_HOME", DEFAULT_HOME)) / "dataplane" / "topology.json"


def render_text(data: dict[str, Any]) -> str:
    lines = []
    hosts_by_bridge: dict[str, list[dict[str, Any]]] = {}
    for host in data["hosts"]:
        hosts_by_bridge.setdefault(host["bridge"], []).append(host)
    instances = {i["instance_id"]: i for i in data["instances"]}
    for router in data["routers"]:
        lines.append(
            f"VPC {router['vpc_id']}  router {router['netns']}  uplink {router['uplink_address']}"
            f"  dns {', '.join(router['resolver_addresses'])}"
        )
        for subnet in router["subnets"]:
            routes = ["local"]
            if subnet["internet"]:
                routes.append("0.0.0.0/0 -> igw (1:1 NAT)")
            if subnet["nat"]:
                routes.append("0.0.0.0/0 -> nat")
            routes += [f"{c} -> gateway endpoint" for c in subnet["service_cidrs"]]
            lines.append(f"  subnet {subnet['subnet_id']} {subnet['cidr']}  routes: {'; '.join(routes)}")
            for host in hosts_by_bridge.get(subnet["bridge"], []):
                extra = ""
                if host["kind"] == "instance" and host["ident"] in instances:
                    node = instances[host["ident"]]
                    extra = f" public {node['public_ip']}" if node["public_ip"] else ""
                    extra += " booted" if node.get("booted") else " booting"
                lines.append(f"    {host['kind']:<8} {host['ident']:<28} {host['address']}{extra}")
    for proxy in data["aws_proxies"]:
        lines.append(f"endpoint {proxy['address']}:{proxy['port']} -> {proxy['service']} (TLS, lab CA)")
    for forward in data["forwards"]:
        targets = ", ".join(f"{ip}:{port}" for ip, port in forward["targets"])
        lines.append(f"forward {forward['address']}:{forward['port']} -> {targets or 'no targets'}")
    for public, uplink in data["public_routes"]:
        lines.append(f"internet route {public} via {uplink}")
    for reason in data["skipped"]:
        lines.append(f"skipped: {reason}")
    return "\n".join(lines) + "\n"


def render_mermaid(data: dict[str, Any]) -> str:
    lines = ["flowchart LR", "  internet((internet / control node))"]
    for router in data["routers"]:
        vpc = router["vpc_id"].replace("-", "_")
        lines.append(f"  subgraph {vpc}[{router['vpc_id']}]")
        for subnet in router["subnets"]:
            sid = subnet["subnet_id"].replace("-", "_")
            lines.append(f"    subgraph {sid}[{subnet['subnet_id']} {subnet['cidr']}]")
            for host in data["hosts"]:
                if host["bridge"] == subnet["bridge"]:
                    hid = host["netns"].replace("-", "_")
                    lines.append(f"      {hid}[{host['kind']} {host['ident']}<br/>{host['address']}]")
            lines.append("    end")
            if subnet["internet"] or subnet["nat"]:
                lines.append(f"    {sid} --- internet")
        lines.append("  end")
    return "\n".join(lines) + "\n"


def cmd_topology(args: argparse.Namespace) -> int:
    try:
        data = json.loads(_topology_file().read_text())
    except FileNotFoundError:
        print("no data plane topology: is the lab up in network mode?")
        return 1
    if args.format == "json":
        print(json.dumps(data, indent=1))
    elif args.format == "mermaid":
        print(render_mermaid(data), end="")
    else:
        print(render_text(data), end="")
    return 0


def register_cli(subparsers: Any) -> None:
    parser = subparsers.add_parser("topology", help="show the lab's networks, instances, endpoints and routes")
    parser.add_argument("--format", choices=("text", "mermaid", "json"), default="text")
    parser.set_defaults(func=cmd_topology)
