"""Every target invocation the local EventBridge made, so tests and the demo can inspect them.

AWS only exposes Invocations / FailedInvocations metrics; locally each delivery is kept with the
input the target received and what the target answered (or why it failed).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"


@dataclass(frozen=True)
class Delivery:
    rule_arn: str
    target_id: str
    target_arn: str
    event_id: str
    status: str  # SUCCEEDED or FAILED
    input: str  # the exact text the target received
    response: dict[str, Any] = field(default_factory=dict)
    error_code: str | None = None
    error_message: str | None = None
    delivered_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class DeliveryLog:
    """A thread-safe, append-only record of deliveries (the server's request threads append)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deliveries: list[Delivery] = []

    def record(self, delivery: Delivery) -> None:
        with self._lock:
            self._deliveries.append(delivery)

    def all(self, rule_arn: str | None = None, status: str | None = None) -> list[Delivery]:
        with self._lock:
            found = list(self._deliveries)
        return [
            d
            for d in found
            if (rule_arn is None or d.rule_arn == rule_arn)
            and (status is None or d.status == status)
        ]

    def clear(self) -> None:
        with self._lock:
            self._deliveries.clear()


DELIVERIES = DeliveryLog()

ROUTE = "/_sagestack/events/deliveries"


def http_app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
    """``GET /_sagestack/events/deliveries[?rule_arn=...&status=FAILED]``: the record as JSON."""
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    found = DELIVERIES.all(rule_arn=query.get("rule_arn"), status=query.get("status"))
    payload = json.dumps({"Deliveries": [d.to_json() for d in found]}).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]
