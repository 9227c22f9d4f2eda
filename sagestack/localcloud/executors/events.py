"""Putting a service's events on the default event bus of an account and region, as the
service does (EventBridge delivers them to matching rules: the events add-on's job)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sagestack.localcloud import moto as moto_internals


def put_event(
    account_id: str,
    region: str,
    source: str,
    detail_type: str,
    detail: dict[str, Any],
    resources: Sequence[str] = (),
) -> None:
    events = moto_internals.backend("events", account_id, region)
    events.put_events(
        [
            {
                "Source": source,
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
                "Resources": list(resources),
            }
        ]
    )
