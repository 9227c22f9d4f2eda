"""AWS-shaped error responses in the three protocols an SDK parses: JSON (``{"__type",
"message"}``), query (``<ErrorResponse>``) and rest-xml (a bare ``<Error>``)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from xml.sax.saxutils import escape

from sagestack.localcloud.moto.registry import RequestInfo, claiming_addon

log = logging.getLogger(__name__)

NOT_IMPLEMENTED_STATUS = 501


_MOTO_MISSING_ACTION = re.compile(r"The (?P<action>[a-z0-9_]+) action has not been implemented")


def operation_from_moto_error(error: NotImplementedError) -> str | None:
    """moto names a missing operation in snake case: ``list_things`` -> ``ListThings``."""
    match = _MOTO_MISSING_ACTION.search(str(error))
    if match is None:
        return None
    return "".join(part.capitalize() for part in match["action"].split("_"))


def _operation_name(environ: dict[str, Any], info: RequestInfo, known: str | None) -> str:
    if known:
        return known
    if info.operation_from_target:
        return info.operation_from_target
    query_action = re.search(r"(?:^|&)Action=([A-Za-z0-9]+)", environ.get("QUERY_STRING", ""))
    if query_action:
        return query_action[1]
    return f"{info.method} {info.path}"


# Services whose protocol is rest-xml: their errors are a bare <Error> document.
_REST_XML_SERVICES = frozenset({"s3", "s3control", "route53", "cloudfront"})


def _error_protocol(environ: dict[str, Any], info: RequestInfo) -> str:
    """The error shape the caller's SDK parses: "json", "query" (XML) or "rest-xml"."""
    if info.signing_service in _REST_XML_SERVICES:
        return "rest-xml"
    is_form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    if is_form or "Action=" in environ.get("QUERY_STRING", ""):
        return "query"
    return "json"  # the JSON and REST-JSON protocols, and anything unsigned


def not_implemented_message(service: str, operation: str) -> str:
    return f"sagestack local cloud does not implement {service}.{operation}"


def _service_name(info: RequestInfo) -> str:
    """The add-on's service when one claims the request (the Feature Store runtime is signed
    for ``sagemaker``), else the service the request was signed for."""
    addon = claiming_addon(info)
    return addon.name if addon is not None else info.signing_service or "unknown-service"


def not_implemented(
    environ: dict[str, Any], start_response: Callable, info: RequestInfo, form_action: str | None
) -> list:
    message = not_implemented_message(
        _service_name(info), _operation_name(environ, info, form_action)
    )
    log.warning(message)
    return aws_error(
        environ, start_response, info, NOT_IMPLEMENTED_STATUS, "NotImplemented", message
    )


def aws_error(
    environ: dict[str, Any],
    start_response: Callable,
    info: RequestInfo,
    status: int,
    code: str,
    message: str,
) -> list:
    """Answer with ``code`` in the error shape the caller's SDK parses (JSON, query or rest-xml)."""
    return error_response(start_response, _error_protocol(environ, info), status, code, message)


def error_response(
    start_response: Callable,
    protocol: str,
    status: int,
    code: str,
    message: str,
    headers: tuple[tuple[str, str], ...] = (),
) -> list:
    """An AWS error in ``protocol``: "json" and "rest-json" (``{"__type", "message"}`` plus
    ``x-amzn-ErrorType``), "query" (``<ErrorResponse>``) or "rest-xml" (a bare ``<Error>``)."""
    if protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message}).encode()
        content_type = "application/x-amz-json-1.1"
    else:
        error = f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        if protocol == "query":
            fault = "Receiver" if status >= 500 else "Sender"
            error = f"<ErrorResponse><Error><Type>{fault}</Type>{error}</Error></ErrorResponse>"
        else:
            error = f"<Error>{error}</Error>"
        body = error.encode()
        content_type = "text/xml"
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [
            ("Content-Type", content_type),
            ("x-amzn-ErrorType", code),
            ("Content-Length", str(len(body))),
            *headers,
        ],
    )
    return [body]
