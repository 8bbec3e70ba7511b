"""AWS error responses in the wire shape of each protocol, for answers the lab gives itself (throttling, faults)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

_QUERY_SERVICES = {"iam", "sts", "elasticloadbalancing", "autoscaling", "cloudformation", "rds", "sns", "ses"}
_XML_CODE = re.compile(rb"<Code>([^<]+)</Code>")
_JSON_TYPE = re.compile(rb'"(?:__type|code)"\s*:\s*"([^"]+)"')


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    code: str
    message: str


def throttling_answer(service: str) -> ErrorAnswer:
    if service == "ec2":
        return ErrorAnswer(503, "RequestLimitExceeded", "Request limit exceeded.")
    if service == "s3":
        return ErrorAnswer(503, "SlowDown", "Please reduce your request rate.")
    if service in _QUERY_SERVICES:
        return ErrorAnswer(400, "Throttling", "Rate exceeded")
    return ErrorAnswer(400, "ThrottlingException", "Rate exceeded")


def server_error_answer(service: str, status: int) -> ErrorAnswer:
    if status == 503:
        code = "Unavailable" if service == "ec2" else "ServiceUnavailable"
        return ErrorAnswer(503, code, "The service is unavailable. Please try again shortly.")
    return ErrorAnswer(500, "InternalError", "An internal error has occurred.")


def render(service: str, answer: ErrorAnswer) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of the error as the service's protocol carries it."""
    request_id = str(uuid.uuid4())
    code, message = escape(answer.code), escape(answer.message)
    if service == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
        content_type = "text/xml;charset=UTF-8"
    elif service == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        )
        content_type = "application/xml"
    elif service in _QUERY_SERVICES:
        fault = "Receiver" if answer.status >= 500 else "Sender"
        body = (
            f"<ErrorResponse><Error><Type>{fault}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        content_type = "text/xml"
    else:
        body = json.dumps({"__type": answer.code, "message": answer.message})
        content_type = "application/x-amz-json-1.1"
    payload = body.encode("utf-8")
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(payload))),
        ("x-amzn-RequestId", request_id),
    ]
    if service not in ("ec2", "s3") and service not in _QUERY_SERVICES:
        headers.append(("x-amzn-ErrorType", answer.code))
    return answer.status, headers, payload


def error_code_of(status: int, headers: list[tuple[str, str]], body: bytes) -> str | None:
    """The AWS error code of a response, or None for a success."""
    if status < 300:
        return None
    for name, value in headers:
        if name.lower() == "x-amzn-errortype" and value:
            return value.split(":", 1)[0]
    match = _XML_CODE.search(body) or _JSON_TYPE.search(body)
    if match:
        return match.group(1).decode("utf-8", "replace").rsplit("#", 1)[-1]
    return f"HTTP{status}"
