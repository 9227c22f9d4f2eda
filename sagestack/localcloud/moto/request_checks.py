"""Requests AWS refuses before any service reads them, refused here with AWS's codes.

moto's services assume a well-formed request: a JSON body that is not an object, bytes that are
not UTF-8 or an action the service lacks end in a Python exception, which the server turned into
an HTML 500. The codes and wordings are AWS's common errors (each service's API reference has
the page, e.g. https://docs.aws.amazon.com/sagemaker/latest/APIReference/CommonErrors.html);
``SerializationException`` is what JSON-protocol services answer to a body they cannot read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import UNSIGNED_REQUESTS

from sagestack.localcloud.moto import shape_checks
from sagestack.localcloud.moto.registry import RequestInfo, claiming_addon

_REST_XML_SERVICES = frozenset({"s3", "s3control"})
_FORM = "application/x-www-form-urlencoded"
# signing names whose botocore model has another name
_MODEL_NAMES = {"monitoring": "cloudwatch", "eventbridge": "events"}


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str


MISSING_AUTHENTICATION = Refusal(
    403,
    "MissingAuthenticationToken",
    "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
)
INVALID_ACTION = Refusal(
    400,
    "InvalidAction",
    "The action or operation requested is invalid. Verify that the action is typed correctly.",
)
INTERNAL_FAILURE = Refusal(
    500,
    "InternalFailure",
    "The request processing has failed because of an unknown error, exception or failure.",
)


def refusal(environ: dict[str, Any], info: RequestInfo, body: bytes) -> Refusal | None:
    """Why AWS would refuse this request before its service saw it, or None."""
    unsigned = info.target and info.signing_service is None
    if unsigned and info.target.split(".", 1)[0] not in UNSIGNED_REQUESTS:
        return MISSING_AUTHENTICATION
    if body and _is_json_protocol(environ, info):
        return _unreadable_json(body) or _shape_refusal(info, json.loads(body))
    if body and environ.get("CONTENT_TYPE", "").startswith(_FORM) and info.signing_service:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        service = _MODEL_NAMES.get(info.signing_service, info.signing_service)
        problem = shape_checks.form_problem(service, form)
        return Refusal(400, *problem) if problem else None
    return None


def _service_of(info: RequestInfo) -> str | None:
    addon = claiming_addon(info)
    service = addon.name if addon else _MODEL_NAMES.get(info.signing_service or "")
    return service or info.signing_service


def _shape_refusal(info: RequestInfo, document: dict) -> Refusal | None:
    service = _service_of(info)
    if service is None:
        return None
    operation = shape_checks.operation_for(service, info.target, info.method, info.path)
    problem = operation and shape_checks.body_problem(service, operation, document)
    return Refusal(400, *problem) if problem else None


def _is_json_protocol(environ: dict[str, Any], info: RequestInfo) -> bool:
    if info.target:
        return True
    content_type = environ.get("CONTENT_TYPE", "")
    if info.signing_service in _REST_XML_SERVICES or "json" not in content_type:
        return False
    service = _service_of(info)
    operation = service and shape_checks.operation_for(service, None, info.method, info.path)
    # a REST operation whose body is one raw member (a model's JSON input) is not JSON protocol
    return not (operation and shape_checks.takes_raw_payload(service, operation))


def _unreadable_json(body: bytes) -> Refusal | None:
    try:
        document = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        return _serialization(f"the request body is not valid UTF-8 ({error.reason})")
    except ValueError as error:
        return _serialization(f"the request body is not JSON ({error})")
    if not isinstance(document, dict):
        found = type(document).__name__.replace("dict", "object")
        return _serialization(f"Start of {found} found where a JSON object was expected")
    return None


def _serialization(message: str) -> Refusal:
    return Refusal(400, "SerializationException", message)
