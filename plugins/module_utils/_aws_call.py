# Copyright: Contributors to the privnet.aws project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Retry policy and error translation shared by every AWS API wrapper of this collection.

Private to privnet.aws: no compatibility guarantee for other collections.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

try:
    import botocore
except ImportError:
    pass  # Modules report the missing library through AnsibleAWSModule.

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

_SERVER_ERROR = "HTTP5xx"


class EndpointRetry(AWSRetry):
    """AWSRetry that also retries any HTTP 5xx answer, whatever its error code."""

    @staticmethod
    def status_code_from_exception(error):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if status >= 500:
            return _SERVER_ERROR
        return error.response.get("Error", {}).get("Code")

    @staticmethod
    def found(response_code, catch_extra_error_codes=None):
        return response_code == _SERVER_ERROR or AWSRetry.found(response_code, catch_extra_error_codes)


def error_code(exception: BaseException) -> str | None:
    response = getattr(exception, "response", None) or {}
    return response.get("Error", {}).get("Code")


def _render(value: Any) -> str:
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(item) for item in value)
    return str(value)


def _describe(description: str, func: Callable, args: tuple, kwargs: dict[str, Any]) -> str:
    bound = inspect.signature(func).bind_partial(*args, **kwargs)
    fields: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        if isinstance(value, dict) and name != "client":
            fields.update(value)
        else:
            fields[name] = value
    try:
        return description.format(**{key: _render(value) for key, value in fields.items()}).strip()
    except (KeyError, IndexError):
        return description.split("{", 1)[0].strip()


def aws_call(description: str, missing_codes: Iterable[str] = (), missing_value: Any = None) -> Callable:
    """Translate boto errors into AnsibleEC2Error("Failed to <description>").

    ``description`` is a format string over the wrapped function's arguments (and the keys of a ``**params``
    argument), e.g. ``"modify VPC endpoint {vpc_endpoint_id}"``. Error codes in ``missing_codes`` mean "not there"
    and return ``missing_value`` instead of failing.
    """
    missing = frozenset(missing_codes)

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except botocore.exceptions.ClientError as e:
                if error_code(e) in missing:
                    return missing_value() if callable(missing_value) else missing_value
                message = f"Failed to {_describe(description, func, args, kwargs)}"
                raise AnsibleEC2Error(message=message, exception=e) from e
            except botocore.exceptions.BotoCoreError as e:
                message = f"Failed to {_describe(description, func, args, kwargs)}"
                raise AnsibleEC2Error(message=message, exception=e) from e

        return wrapper

    return decorator


def raise_unsuccessful(action: str, resource: str, unsuccessful: list | None) -> None:
    """Fail when a batch call (Delete*, Accept*, Reject*) reports items it could not process."""
    if not unsuccessful:
        return
    details = "; ".join(
        f"{item.get('ResourceId')}: {item.get('Error', {}).get('Code')} {item.get('Error', {}).get('Message')}".strip()
        for item in unsuccessful
    )
    ids = ", ".join(str(item.get("ResourceId")) for item in unsuccessful)
    raise AnsibleEC2Error(message=f"Failed to {action} {resource} {ids}: {details}")


retry = EndpointRetry.jittered_backoff
