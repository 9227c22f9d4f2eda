"""The endpoint's SNS URLs that subscribers visit: SubscribeURL, UnsubscribeURL and the signing
certificate (SigningCertURL), answered as SNS does (XML documents, a PEM file); plus the local
record of HTTP/HTTPS delivery attempts as JSON.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.sns import http_delivery, messages, signing, subscriptions

_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/"


def app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    """WSGI application for everything under :data:`messages.ROUTE_PREFIX`."""
    path = environ.get("PATH_INFO", "")
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if path == messages.certificate_path():
        return _respond(start_response, "200 OK", signing.signer().certificate_pem, "text/plain")
    if path == messages.CONFIRM_PATH:
        return _confirm(query, start_response)
    if path == messages.UNSUBSCRIBE_PATH:
        return _unsubscribe(query, start_response)
    if path == messages.DELIVERIES_PATH:
        return _deliveries(start_response)
    return _error(start_response, "404 Not Found", "NotFound", f"No SNS page at {path}")


def _backend_for(arn: str) -> Any:
    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "sns":
        return None
    return moto_internals.backend("sns", parts[4], parts[3])


def _confirm(query: dict[str, str], start_response: Callable) -> Iterable[bytes]:
    topic_arn, token = query.get("TopicArn", ""), query.get("Token", "")
    backend = _backend_for(topic_arn)
    subscription = backend and subscriptions.find_by_token(backend, topic_arn, token)
    if not subscription:
        return _error(start_response, "400 Bad Request", "InvalidParameter", "Invalid token")
    subscriptions.confirm(subscription)
    result = f"<SubscriptionArn>{escape(subscription.arn)}</SubscriptionArn>"
    return _document(start_response, "ConfirmSubscription", result)


def _unsubscribe(query: dict[str, str], start_response: Callable) -> Iterable[bytes]:
    arn = query.get("SubscriptionArn", "")
    backend = _backend_for(arn)
    if backend is None or arn not in backend.subscriptions:
        return _error(start_response, "404 Not Found", "NotFound", "Subscription does not exist")
    backend.unsubscribe(arn)
    return _document(start_response, "Unsubscribe", "")


def _deliveries(start_response: Callable) -> Iterable[bytes]:
    records = [asdict(record) for record in http_delivery.SENDER.records()]
    body = json.dumps({"Deliveries": records}).encode()
    return _respond(start_response, "200 OK", body, "application/json")


def _document(start_response: Callable, action: str, result: str) -> Iterable[bytes]:
    body = (
        f'<{action}Response xmlns="{_NAMESPACE}">'
        f"<{action}Result>{result}</{action}Result>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    )
    return _respond(start_response, "200 OK", body.encode(), "text/xml")


def _error(start_response: Callable, status: str, code: str, message: str) -> Iterable[bytes]:
    body = (
        f'<ErrorResponse xmlns="{_NAMESPACE}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return _respond(start_response, status, body.encode(), "text/xml")


def _respond(
    start_response: Callable, status: str, body: bytes, content_type: str
) -> Iterable[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
