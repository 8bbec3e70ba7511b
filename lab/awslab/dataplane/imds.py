"""Instance metadata service (IMDSv1/v2) for one instance, served by the daemon inside the instance's namespace."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from awslab.dataplane.topology import InstanceNode

MAX_TOKEN_TTL = 21600


@dataclass
class ImdsState:
    node: InstanceNode
    credentials: Callable[[InstanceNode], dict[str, str] | None]
    tokens: dict[str, float] = field(default_factory=dict)


def _role_name(node: InstanceNode) -> str | None:
    return node.role_arn.rsplit("/", 1)[-1] if node.role_arn else None


def _tree(state: ImdsState) -> dict[str, object]:
    node = state.node
    meta: dict[str, object] = {
        "ami-id": node.image_id,
        "hostname": node.hostname,
        "instance-id": node.instance_id,
        "instance-type": node.instance_type,
        "local-hostname": node.hostname,
        "local-ipv4": node.host.address,
        "mac": node.mac,
        "placement/availability-zone": node.az,
        "placement/region": node.region,
        "security-groups": "",
        "services/domain": "amazonaws.com",
    }
    if node.public_ip:
        meta["public-ipv4"] = node.public_ip
    if node.key_name and node.public_key:
        meta["public-keys/0/openssh-key"] = node.public_key
    return meta


def _document(node: InstanceNode) -> str:
    return json.dumps(
        {
            "accountId": node.account,
            "architecture": "x86_64",
            "availabilityZone": node.az,
            "imageId": node.image_id,
            "instanceId": node.instance_id,
            "instanceType": node.instance_type,
            "privateIp": node.host.address,
            "region": node.region,
            "version": "2017-09-30",
        },
        indent=2,
    )


def _listing(keys: list[str], prefix: str) -> str | None:
    children = sorted(
        {
            k[len(prefix) :].split("/")[0] + ("/" if "/" in k[len(prefix) :] else "")
            for k in keys
            if k.startswith(prefix)
        }
    )
    return "\n".join(children) if children else None


def respond(state: ImdsState, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
    node = state.node
    if node.http_endpoint != "enabled":
        return 404, ""
    now = time.monotonic()
    state.tokens = {t: exp for t, exp in state.tokens.items() if exp > now}
    if method == "PUT":
        if path != "/latest/api/token":
            return 405, ""
        try:
            ttl = int(headers.get("x-aws-ec2-metadata-token-ttl-seconds", ""))
        except ValueError:
            return 400, ""
        if not 1 <= ttl <= MAX_TOKEN_TTL:
            return 400, ""
        token = secrets.token_urlsafe(32)
        state.tokens[token] = now + ttl
        return 200, token
    if method != "GET":
        return 405, ""
    token = headers.get("x-aws-ec2-metadata-token")
    if token is not None and token not in state.tokens:
        return 401, ""
    if token is None and node.http_tokens == "required":
        return 401, ""
    if path in ("/latest/user-data", "/latest/user-data/"):
        return (200, node.user_data.decode(errors="replace")) if node.user_data else (404, "")
    if path == "/latest/dynamic/instance-identity/document":
        return 200, _document(node)
    if not path.startswith("/latest/meta-data"):
        return (200, "dynamic\nmeta-data\nuser-data") if path in ("/latest", "/latest/") else (404, "")
    key = path[len("/latest/meta-data") :].strip("/")
    tree = {k: str(v) for k, v in _tree(state).items()}
    role = _role_name(node)
    if role:
        tree["iam/info"] = json.dumps(
            {"Code": "Success", "InstanceProfileArn": node.role_arn or "", "InstanceProfileId": "AIPAAWSLAB"}
        )
        tree[f"iam/security-credentials/{role}"] = ""
    if role and key in (f"iam/security-credentials/{role}",):
        creds = state.credentials(node)
        return (200, json.dumps(creds, indent=2)) if creds else (500, "")
    if key in tree and tree[key] != "":
        return 200, tree[key]
    listing = _listing(list(tree), f"{key}/" if key else "")
    return (200, listing) if listing else (404, "")


REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
}


async def handle(state: ImdsState, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            lines = head.decode("latin-1").split("\r\n")
            method, path, _version = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if length:
                await reader.readexactly(length)
            loop = asyncio.get_running_loop()
            status, body = await loop.run_in_executor(None, respond, state, method, path.split("?")[0], headers)
            payload = body.encode()
            extra = ""
            if method == "PUT" and status == 200:
                ttl = headers.get("x-aws-ec2-metadata-token-ttl-seconds")
                extra = f"X-Aws-Ec2-Metadata-Token-Ttl-Seconds: {ttl}\r\n"
            writer.write(
                f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {len(payload)}\r\n{extra}Server: EC2ws\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()
