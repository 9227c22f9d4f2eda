"""IAM enforcement for requests signed with role credentials, run by the dispatcher before a
request reaches its service.

A request is checked when its SigV4 credential (``Authorization`` header or presigned
``X-Amz-Credential``) is an access key the local cloud's STS issued: its session token must be
that session's and unexpired, then every permission its operation needs (:mod:`.actions`) is
decided against the role's policies and the resource's (:mod:`.decision`); the first refusal is
answered in the service's own error shape (:mod:`.denials`). Requests signed with any other key
(the admin key ``test``, a test's fake key) pass unchecked, as before.

Not checked (docs/localcloud.md): the signature itself (the access key and session token
identify the session), session policies, permission boundaries, SCPs.
"""

from __future__ import annotations

import io
import logging
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from sagestack.localcloud import clock
from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.identity import actions, denials, operations
from sagestack.localcloud.identity.credentials import (
    STS_KEY_PREFIX,
    RoleSession,
    role_of_access_key,
)
from sagestack.localcloud.identity.decision import decide

log = logging.getLogger(__name__)

_CREDENTIAL = re.compile(r"Credential=(?P<key>[^/]+)/\d+/(?P<region>[^/]+)/(?P<service>[^/]+)/")
# moto's (and STS's) temporary access keys: an unknown one is a session that no longer exists
_STS_KEY = re.compile(STS_KEY_PREFIX + r"[A-Z0-9]{16}")
_READ_LIMIT = 1 << 20  # bodies parsed for parameters; larger ones are payloads (S3 objects)
_PARSED_TYPES = ("application/x-amz-json", "application/json", "application/x-www-form-urlencoded")


def install() -> None:
    """Check every role-signed request from now on (idempotent)."""
    moto_internals.register_authorizer(authorize)


def authorize(environ: dict[str, Any], _info: Any) -> Callable[..., Any] | None:
    """A WSGI app refusing the request, or None to let it through."""
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    credential = _credential(environ, query)
    if credential is None:
        return None
    access_key, region, signing_service = credential
    token = (
        environ.get("HTTP_X_AMZ_SECURITY_TOKEN")
        or (query.get("X-Amz-Security-Token") or query.get("x-amz-security-token") or [None])[0]
    )
    session = role_of_access_key(access_key)
    if session is None and not (token and _STS_KEY.fullmatch(access_key)):
        return None
    request = _http_request(environ, query, signing_service, region)
    operation = operations.resolve(request)
    protocol = _protocol(request, operation)
    service = operation.service if operation else None
    if session is None or token != session.session_token:
        return denials.token_refusal(expired=False, service=service, protocol=protocol)
    if session.expired():
        return denials.token_refusal(expired=True, service=service, protocol=protocol)
    return _refusal(session, request, operation, protocol, environ)


def _refusal(
    session: RoleSession,
    request: operations.HttpRequest,
    operation: operations.Operation | None,
    protocol: str,
    environ: dict[str, Any],
) -> Callable[..., Any] | None:
    if operation is None:
        operation = operations.Operation(request.signing_service, _unresolved_name(request))
        log.debug("no botocore operation explains %s %s", request.method, request.path)
    needed = actions.authorizations(operation, request.region, session.account_id)
    if not needed:
        return None
    documents = moto_internals.role_policy_documents(session.role_arn)
    context = request_context(session, request, environ)
    for permission in needed:
        denial = decide(session, documents, permission, context)
        if denial is not None:
            shape = denials.error_shape(operation.service, protocol)
            text = denials.message(session.arn, denial, operation.service)
            log.info("AccessDenied: %s", text)
            return denials.refusal(protocol, shape, text)
    return None


def _credential(
    environ: dict[str, Any], query: dict[str, list[str]]
) -> tuple[str, str, str] | None:
    """``(access key, region, signing service)`` of a SigV4 header or presigned URL; S3's
    SigV2 forms (``AWS key:signature``, ``?AWSAccessKeyId=``) have no scope: us-east-1."""
    header = environ.get("HTTP_AUTHORIZATION", "")
    scope = _CREDENTIAL.search(header or "Credential=" + (query.get("X-Amz-Credential") or [""])[0])
    if scope is not None:
        return scope["key"], scope["region"], scope["service"].lower()
    if header.startswith("AWS ") and ":" in header:
        return header[4:].split(":", 1)[0], "us-east-1", "s3"
    if query.get("AWSAccessKeyId"):
        return query["AWSAccessKeyId"][0], "us-east-1", "s3"
    return None


def _unresolved_name(request: operations.HttpRequest) -> str:
    target = request.headers.get("x-amz-target", "")
    return target.rpartition(".")[2] or (request.query.get("Action") or ["Unknown"])[0]


def _http_request(
    environ: dict[str, Any], query: dict[str, list[str]], service: str, region: str
) -> operations.HttpRequest:
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
    return operations.HttpRequest(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=path,
        query=query,
        headers=headers,
        body=_read_body(environ, service),
        signing_service=service,
        region=region,
    )


def _read_body(environ: dict[str, Any], service: str) -> bytes | None:
    """The body of a parameters-carrying request, put back for the service to read again."""
    content_type = environ.get("CONTENT_TYPE", "")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    parsed = content_type.startswith(_PARSED_TYPES) or (
        service == "sagemaker" and environ.get("PATH_INFO", "").startswith("/FeatureGroup")
    )
    if service == "s3" or not parsed or not 0 < length <= _READ_LIMIT:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _protocol(request: operations.HttpRequest, operation: operations.Operation | None) -> str:
    if "x-amz-target" in request.headers:
        return "json"
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return "query"
    if "Action" in request.query:
        return "query"
    model = operations.service_model(operation.service) if operation else None
    if model is not None and model.protocol in ("rest-json", "rest-xml"):
        return model.protocol
    return "rest-xml" if request.signing_service == "s3" else "json"


def request_context(
    session: RoleSession, request: operations.HttpRequest, environ: dict[str, Any]
) -> dict[str, list[str]]:
    """The global condition keys the local cloud fills for a role session's request.

    ``aws:SecureTransport`` is true: the local endpoint stands in for AWS's HTTPS endpoints, and
    a policy denying plain HTTP (as the platform's bucket policy does) must not deny it.
    """
    now = clock.current().now()
    role = moto_internals.find_role(session.role_arn)
    context = {
        "aws:principalarn": [session.role_arn],
        "aws:principalaccount": [session.account_id],
        "aws:principaltype": ["AssumedRole"],
        "aws:userid": [session.user_id],
        "aws:securetransport": ["true"],
        "aws:sourceip": [environ.get("REMOTE_ADDR", "127.0.0.1")],
        "aws:requestedregion": [request.region],
        "aws:currenttime": [now.strftime("%Y-%m-%dT%H:%M:%SZ")],
        "aws:epochtime": [str(int(now.timestamp()))],
    }
    for key, value in (role.tags if role else {}).items():
        context[f"aws:principaltag/{key.lower()}"] = [value]
    if request.signing_service == "s3":
        presigned = "X-Amz-Credential" in request.query or "AWSAccessKeyId" in request.query
        context["s3:authtype"] = ["REST-QUERY-STRING" if presigned else "REST-HEADER"]
        context["s3:signatureversion"] = ["AWS4-HMAC-SHA256"]
    return context
