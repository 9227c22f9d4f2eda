"""Moving the local cloud's clock, so scheduled work (alarm evaluation, rate() rules) runs now."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime

from sagestack.contract import LOCAL_CLOCK_ROUTE as ROUTE


def advance_clock(endpoint: str, seconds: float) -> datetime:
    """Advance the clock of the local cloud at ``endpoint`` by ``seconds`` (running everything
    that falls due before this returns); returns the new time. Works for an in-process cloud
    with a frozen test clock as for a separate ``sagestack local up``."""
    request = urllib.request.Request(
        f"{endpoint.rstrip('/')}{ROUTE}",
        data=json.dumps({"advance": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return datetime.fromisoformat(json.loads(response.read())["now"])


def cloud_time(endpoint: str) -> datetime:
    with urllib.request.urlopen(f"{endpoint.rstrip('/')}{ROUTE}", timeout=10) as response:
        return datetime.fromisoformat(json.loads(response.read())["now"])
