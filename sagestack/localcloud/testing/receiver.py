"""A tiny HTTP subscriber for SNS on loopback: the local on-call receiver that records every page.

It behaves as a careful subscriber in AWS should: it verifies each message's signature against the
certificate at SigningCertURL (fetched only from trusted hosts), rejects what does not verify
(403), confirms a subscription by visiting its SubscribeURL, and records everything it accepted.

>>> with SnsReceiver() as pager:
...     sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
...     pager.wait_for(1)            # the SubscriptionConfirmation, already confirmed
...     sns.publish(TopicArn=topic, Message="drift!")
...     [page] = pager.wait_for(1, NOTIFICATION)
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from sagestack.localcloud.services.sns.messages import NOTIFICATION, SUBSCRIPTION_CONFIRMATION
from sagestack.localcloud.testing import sns_signature

SHUTDOWN_POLL_SECONDS = 0.05  # how soon stop() is noticed (the default half second adds up)

LOOPBACK = "127.0.0.1"
TRUSTED_CERTIFICATE_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
FETCH_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class ReceivedMessage:
    message_type: str  # the x-amz-sns-message-type header
    headers: dict[str, str]
    body: Any  # the JSON body as a dict, or the text of a raw delivery
    verified: bool  # the signature checked out (raw deliveries carry none)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def message(self) -> Any:
        """The published message: the body's Message, or the whole raw body."""
        return self.body.get("Message") if isinstance(self.body, dict) else self.body


class SnsReceiver:
    """Records SNS HTTP deliveries on a free loopback port until stopped."""

    def __init__(
        self,
        host: str = LOOPBACK,
        port: int = 0,
        confirm_subscriptions: bool = True,
        trusted_certificate_hosts: frozenset[str] = TRUSTED_CERTIFICATE_HOSTS,
        record_to: Path | None = None,
    ):
        """``record_to``: also append each accepted message to this JSON-lines file."""
        self.confirm_subscriptions = confirm_subscriptions
        self.record_to = record_to
        self.trusted_certificate_hosts = trusted_certificate_hosts
        self.rejected: list[tuple[dict[str, str], str]] = []
        self._messages: list[ReceivedMessage] = []
        self._certificates: dict[str, bytes] = {}
        self._condition = threading.Condition()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            name="sagestack-sns-receiver",
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> SnsReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> SnsReceiver:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def pages(self) -> list[Any]:
        """The message of every Notification received, oldest first."""
        return [m.message for m in self.messages(NOTIFICATION)]

    def messages(self, message_type: str | None = None) -> list[ReceivedMessage]:
        with self._condition:
            return [m for m in self._messages if message_type in (None, m.message_type)]

    def wait_for(
        self, count: int, message_type: str | None = None, timeout: float = 10.0
    ) -> list[ReceivedMessage]:
        """The first ``count`` messages of ``message_type``; TimeoutError if they do not come."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(found := self._matching(message_type)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{len(found)} of {count} {message_type or 'SNS'} message(s) arrived "
                        f"at {self.url} within {timeout} s"
                    )
                self._condition.wait(remaining)
            return found[:count]

    def _matching(self, message_type: str | None) -> list[ReceivedMessage]:
        return [m for m in self._messages if message_type in (None, m.message_type)]

    # --- handling one delivery ---------------------------------------------------------------

    def accept(self, headers: dict[str, str], text: str) -> int:
        """Check and record one delivery; returns the HTTP status to answer with."""
        message_type = headers.get("x-amz-sns-message-type", "")
        if headers.get("x-amz-sns-rawdelivery") == "true":
            self._record(ReceivedMessage(message_type, headers, text, verified=False))
            return 200
        try:
            body = json.loads(text)
        except json.JSONDecodeError:
            return self._reject(headers, "body is not JSON")
        if not self._verified(body):
            return self._reject(headers, "signature does not verify")
        if message_type == SUBSCRIPTION_CONFIRMATION and self.confirm_subscriptions:
            self._visit(body["SubscribeURL"])
        self._record(ReceivedMessage(message_type, headers, body, verified=True))
        return 200

    def _verified(self, body: dict[str, Any]) -> bool:
        certificate_url = body.get("SigningCertURL", "")
        if urlsplit(certificate_url).hostname not in self.trusted_certificate_hosts:
            return False
        if certificate_url not in self._certificates:
            response = requests.get(certificate_url, timeout=FETCH_TIMEOUT_SECONDS)
            if response.status_code != 200:
                return False
            self._certificates[certificate_url] = response.content
        return sns_signature.is_authentic(body, self._certificates[certificate_url])

    def _visit(self, subscribe_url: str) -> None:
        if urlsplit(subscribe_url).hostname in self.trusted_certificate_hosts:
            requests.get(subscribe_url, timeout=FETCH_TIMEOUT_SECONDS).raise_for_status()

    def _reject(self, headers: dict[str, str], why: str) -> int:
        with self._condition:
            self.rejected.append((headers, why))
        return 403

    def _record(self, message: ReceivedMessage) -> None:
        with self._condition:
            self._messages.append(message)
            if self.record_to is not None:
                with self.record_to.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(_as_json(message)) + "\n")
            self._condition.notify_all()


def _as_json(message: ReceivedMessage) -> dict[str, Any]:
    return {
        "type": message.message_type,
        "received_at": message.received_at.isoformat(),
        "verified": message.verified,
        "headers": message.headers,
        "body": message.body,
    }


def _handler_for(receiver: SnsReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            text = self.rfile.read(length).decode("utf-8")
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = receiver.accept(headers, text)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # keep test output clean; every delivery is recorded instead

    return Handler


__all__ = ["NOTIFICATION", "SUBSCRIPTION_CONFIRMATION", "ReceivedMessage", "SnsReceiver"]
