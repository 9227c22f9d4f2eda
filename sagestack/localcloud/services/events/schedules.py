"""Scheduled rules: a ``rate(...)`` rule sends a "Scheduled Event" to its targets on the local
cloud's clock, every interval counted from when the rule was created (as EventBridge does).

``cron(...)`` rules are accepted (moto validates them) but do not fire locally; that is logged
once per rule, never silent.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from sagestack.localcloud import clock
from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.events.rule_delivery import SCHEDULED_EVENT

log = logging.getLogger(__name__)

_RATE = re.compile(r"^rate\((?P<value>[1-9]\d*) (?P<unit>minutes?|hours?|days?)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_ANCHOR = "_sagestack_schedule_anchor"  # epoch seconds the rate counts from
_WARNED = "_sagestack_schedule_warned"


def rate_seconds(expression: str | None) -> int | None:
    """The interval of a ``rate(...)`` expression in seconds; None for anything else."""
    match = _RATE.fullmatch(expression or "")
    if not match:
        return None
    return int(match["value"]) * _UNIT_SECONDS[match["unit"].rstrip("s")]


def rate_error(expression: str | None) -> str | None:
    """Why EventBridge refuses a ``rate(...)`` expression (None when it does not): AWS wants a
    singular unit for 1 and a plural one above, which moto does not check."""
    if not (expression or "").startswith("rate("):
        return None
    match = _RATE.fullmatch(expression or "")
    if match is None:
        return f"'{expression}' is not rate(value unit) with a positive whole value"
    if (match["value"] == "1") == match["unit"].endswith("s"):
        return (
            f"'{expression}' is invalid: the unit is singular for a value of 1 and plural "
            "otherwise, e.g. rate(1 hour), rate(5 hours)"
        )
    return None


def anchored_put_rule(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    """Wrapper of the backend's ``put_rule``: a schedule counts from creation, and an update
    that keeps the schedule keeps its anchor."""
    name = args[0] if args else kwargs.get("name")
    bus = backend.event_buses.get("default")
    previous = bus.rules.get(name) if bus is not None else None
    rule = original(*args, **kwargs)
    if previous is not None and previous.scheduled_expression == rule.scheduled_expression:
        anchor = getattr(previous, _ANCHOR, None)
    else:
        anchor = None
    setattr(rule, _ANCHOR, anchor if anchor is not None else clock.current().now().timestamp())
    return rule


def fire_due(previous: datetime, now: datetime) -> None:
    """Clock listener: send the Scheduled Events that fell due in ``(previous, now]``."""
    for _account, _region, backend in moto_internals.iter_backends("events"):
        bus = backend.event_buses.get("default")
        for rule in list(bus.rules.values()) if bus is not None else []:
            if rule.scheduled_expression and rule.state == "ENABLED":
                _fire_rule(rule, previous.timestamp(), now.timestamp())


def _fire_rule(rule: Any, previous: float, now: float) -> None:
    interval = rate_seconds(rule.scheduled_expression)
    if interval is None:
        if not getattr(rule, _WARNED, False):
            log.warning("rule %s: %s does not fire locally", rule.arn, rule.scheduled_expression)
            setattr(rule, _WARNED, True)
        return
    anchor = getattr(rule, _ANCHOR, None)
    if anchor is None:
        return
    first = anchor + (max(previous - anchor, 0) // interval + 1) * interval
    moment = first
    while moment <= now:
        rule.send_to_targets(scheduled_event(rule, moment))
        moment += interval


def scheduled_event(rule: Any, moment: float) -> dict[str, Any]:
    """The event EventBridge sends for a schedule (detail-type "Scheduled Event")."""
    return {
        "version": "0",
        "id": moto_internals.random_uuid(),
        "detail-type": SCHEDULED_EVENT,
        "source": "aws.events",
        "account": rule.account_id,
        "time": moment,
        "region": rule.region_name,
        "resources": [rule.arn],
        "detail": {},
    }
