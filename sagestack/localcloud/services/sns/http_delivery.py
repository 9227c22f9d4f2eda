"""POSTing SNS messages to HTTP/HTTPS subscribers, in the background, as SNS does.

Deliveries leave the publishing request at once (SNS is asynchronous) and go out in order from one
worker thread, retried like SNS's default HTTP delivery policy (3 retries, on no response, 5xx or
429). The local cloud only delivers to loopback subscribers: it never calls the internet, so an
HTTPS subscription to a real service (PagerDuty, say) is recorded as not delivered.
"""

from __future__ import annotations

import ipaddress
import logging
import queue
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from sagestack.localcloud.durability import replaying

log = logging.getLogger(__name__)

RETRIES = 3
RETRY_DELAY_SECONDS = 0.2
TIMEOUT_SECONDS = 15
_RETRIED_STATUSES = frozenset({429}) | frozenset(range(500, 600))


@dataclass(frozen=True)
class HttpDelivery:
    endpoint: str
    message_type: str
    message_id: str
    topic_arn: str
    status_code: int | None  # None when no response came
    error: str | None
    attempts: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class _Request:
    url: str
    body: str
    headers: dict[str, str]


class HttpSender:
    """One worker thread delivering queued requests in order; keeps a record of each."""

    def __init__(self) -> None:
        self._queue: queue.Queue[_Request] = queue.Queue()
        self._records: list[HttpDelivery] = []
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def send(self, url: str, body: str, headers: dict[str, str]) -> None:
        if replaying():  # delivered when the change was first made
            return
        self._ensure_worker()
        self._queue.put(_Request(url, body, headers))

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until every queued delivery has been attempted (tests and the demo use it)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    def records(self) -> list[HttpDelivery]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget the record of past deliveries (queued ones still go out)."""
        with self._lock:
            self._records.clear()

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._run, name="sagestack-sns-http", daemon=True
                )
                self._worker.start()

    def _run(self) -> None:
        while True:
            request = self._queue.get()
            try:
                record = _deliver(request)
                with self._lock:
                    self._records.append(record)
            finally:
                self._queue.task_done()


def _deliver(request: _Request) -> HttpDelivery:
    common = {
        "endpoint": request.url,
        "message_type": request.headers.get("x-amz-sns-message-type", ""),
        "message_id": request.headers.get("x-amz-sns-message-id", ""),
        "topic_arn": request.headers.get("x-amz-sns-topic-arn", ""),
    }
    if not is_loopback(request.url):
        log.warning("SNS delivery to %s skipped: the local cloud only calls loopback", request.url)
        return HttpDelivery(status_code=None, error="not a loopback endpoint", attempts=0, **common)
    status, error, attempts = None, None, 0
    for attempts in range(1, RETRIES + 2):  # noqa: B007 - the count is part of the record
        try:
            response = requests.post(
                request.url,
                data=request.body.encode(),
                headers=request.headers,
                timeout=TIMEOUT_SECONDS,
            )
            status, error = response.status_code, None
            if status not in _RETRIED_STATUSES:
                break
        except requests.RequestException as failure:
            status, error = None, str(failure)
        time.sleep(RETRY_DELAY_SECONDS)
    return HttpDelivery(status_code=status, error=error, attempts=attempts, **common)


SENDER = HttpSender()
