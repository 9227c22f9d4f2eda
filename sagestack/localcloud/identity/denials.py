"""Refusals as each service answers them: its error code, HTTP status and wording.

The code is the one the service's botocore model declares for a denied request where it declares
one (S3 ``AccessDenied``, SNS ``AuthorizationError``, the Feature Store runtime
``AccessForbidden``), else AWS's default for the protocol: ``AccessDenied`` for query services,
``AccessDeniedException`` for JSON ones. The message is AWS's::

    User: <session ARN> is not authorized to perform: <action> on resource: <ARN> <reason>

(S3 quotes its resource ARNs; SNS writes its prefix ``SNS:``.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.identity.decision import Denial

_HTTP_REASONS = {400: "Bad Request", 403: "Forbidden"}


@dataclass(frozen=True)
class ErrorShape:
    code: str
    status: int
    query_compatible: bool = False  # a JSON service that tells query SDKs the code by header


# botocore service -> the shape of its access-denied error
ERROR_SHAPES = {
    "s3": ErrorShape("AccessDenied", 403),
    "sts": ErrorShape("AccessDenied", 403),
    "iam": ErrorShape("AccessDenied", 403),
    "cloudwatch": ErrorShape("AccessDenied", 403, query_compatible=True),
    "sqs": ErrorShape("AccessDenied", 403, query_compatible=True),
    "sns": ErrorShape("AuthorizationError", 403),
    "sagemaker-featurestore-runtime": ErrorShape("AccessForbidden", 403),
    "codeconnections": ErrorShape("AccessDeniedException", 403),
}
DEFAULT_JSON = ErrorShape("AccessDeniedException", 400)
DEFAULT_QUERY = ErrorShape("AccessDenied", 403)


def message(principal_arn: str, denial: Denial, service: str) -> str:
    action = denial.action
    if action.startswith("sns:"):
        action = "SNS:" + action.removeprefix("sns:")
    # S3 quotes its own resources; a KMS refusal S3 passes on keeps KMS's wording
    resource = f'"{denial.resource}"' if action.startswith("s3:") else denial.resource
    reason = denial.reason.replace(denial.action, action)
    return (
        f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource} "
        + reason
    )


def error_shape(service: str | None, protocol: str) -> ErrorShape:
    if service in ERROR_SHAPES:
        return ERROR_SHAPES[service]
    return DEFAULT_QUERY if protocol in ("query", "rest-xml") else DEFAULT_JSON


def refusal(protocol: str, shape: ErrorShape, text: str) -> Callable[..., Any]:
    """A WSGI app answering the error ``shape`` in ``protocol`` with ``text``."""
    headers: tuple[tuple[str, str], ...] = ()
    code = shape.code
    if shape.query_compatible and protocol == "json":
        headers = (("x-amzn-query-error", f"{shape.code};Sender"),)
        code = f"com.amazon.coral.service#{shape.code}"

    def app(_environ: dict[str, Any], start_response: Callable) -> list:
        return moto_internals.error_response(
            start_response, protocol, shape.status, code, text, headers
        )

    return app


# Credentials the local cloud's STS issued but no longer honours, in each protocol's wording.
EXPIRED = {
    "s3": ErrorShape("ExpiredToken", 400),
    None: ErrorShape("ExpiredTokenException", 400),
    "query": ErrorShape("ExpiredToken", 403),
}
EXPIRED_TEXT = {"s3": "The provided token has expired."}
INVALID = {
    "s3": ErrorShape("InvalidToken", 400),
    None: ErrorShape("UnrecognizedClientException", 400),
    "query": ErrorShape("InvalidClientTokenId", 403),
}
INVALID_TEXT = {"s3": "The provided token is malformed or otherwise invalid."}


def token_refusal(expired: bool, service: str | None, protocol: str) -> Callable[..., Any]:
    shapes, texts = (EXPIRED, EXPIRED_TEXT) if expired else (INVALID, INVALID_TEXT)
    key = "s3" if service == "s3" else ("query" if protocol == "query" else None)
    default = (
        "The security token included in the request is expired"
        if expired
        else "The security token included in the request is invalid."
    )
    return refusal(protocol, shapes[key], texts.get(key or "", default))
