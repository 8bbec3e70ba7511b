"""Who asked what: service, action, account and region of one AWS API request, read from the WSGI environ."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_READ_PREFIXES = (
    "Describe", "List", "Get", "Head", "Lookup", "Search", "Query", "Scan", "Select", "BatchGet", "Check",
    "Preview", "Validate", "Estimate", "Test", "Simulate", "Receive", "Export",
)


@dataclass(frozen=True)
class RequestInfo:
    service: str
    action: str
    account: str
    region: str
    access_key: str
    mutating: bool
    params: dict[str, list[str]] = field(default_factory=dict)

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def params_with_prefix(self, prefix: str) -> list[str]:
        return [values[0] for key, values in sorted(self.params.items()) if key.startswith(prefix) and values]


def read_form_body(environ: dict[str, Any]) -> bytes:
    """Read a form-encoded body and put it back so that moto can read it again."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return b""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return b""
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def account_for_access_key(access_key: str) -> str:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import get_account_id_from

    if not access_key:
        return DEFAULT_ACCOUNT_ID
    return get_account_id_from(access_key)


def is_mutating(method: str, action: str) -> bool:
    if action.startswith(_READ_PREFIXES):
        return False
    if " " in action:  # an unresolved REST call, classified by its HTTP method
        return method not in ("GET", "HEAD", "OPTIONS")
    return True


def _rest_action(service: str, environ: dict[str, Any]) -> str:
    if service == "s3":
        from .s3actions import s3_action

        return s3_action(environ)
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "/")
    try:
        from moto.core.routing import get_service_router
        from werkzeug.wrappers import Request

        operation, _ = get_service_router(service).match(Request(dict(environ)))
        return str(operation.name)
    except Exception:  # noqa: BLE001 - routing is best effort; fall back to METHOD path
        return f"{method} {path}"


def describe_request(environ: dict[str, Any]) -> RequestInfo:
    method = environ.get("REQUEST_METHOD", "GET")
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _CREDENTIAL.search(auth)
    access_key, region, service = (match.group(1), match.group(2), match.group(3)) if match else ("", "", "")
    body = read_form_body(environ)
    params = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if body else {}
    if not params and environ.get("QUERY_STRING"):
        params = parse_qs(environ["QUERY_STRING"], keep_blank_values=True)
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if params.get("Action"):
        action = params["Action"][0]
    elif target:
        action = target.rsplit(".", 1)[-1]
    elif service:
        action = _rest_action(service, environ)
    else:
        action = f"{method} {environ.get('PATH_INFO', '/')}"
    return RequestInfo(
        service=service or "unknown",
        action=action,
        account=account_for_access_key(access_key),
        region=region or "",
        access_key=access_key,
        mutating=is_mutating(method, action),
        params=params,
    )
