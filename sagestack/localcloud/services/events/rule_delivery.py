"""Delivering an event that reached a rule: match the pattern, shape the input, invoke each target.

moto calls ``Rule.send_to_targets`` for every rule of the bus an event was put on (put_events,
replays, cross-bus forwarding). :func:`send_to_targets` runs in its place for the target types
sagestack uses (SNS, SQS, CodeBuild, SageMaker pipelines) and hands the others (log groups,
archives, buses, API destinations) back to moto. Unlike moto it skips DISABLED rules, and a rule
that only has a schedule gets its own Scheduled Events (:mod:`.schedules`) and nothing else.
Delivery is synchronous: the event has reached its targets when PutEvents returns.
"""

from __future__ import annotations

import copy
import logging
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.events import delivery_log, patterns, targets
from sagestack.localcloud.services.events.transform import (
    PathError,
    RuleContext,
    compact,
    target_input,
)

log = logging.getLogger(__name__)

SCHEDULED_EVENT = "Scheduled Event"


def aws_time(value: Any) -> str:
    """EventBridge's event time: ISO 8601 in UTC to the second (moto keeps epoch seconds)."""
    if isinstance(value, int | float):
        moment = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        return str(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def event_as_delivered(event_message: dict[str, Any]) -> dict[str, Any]:
    """The event as targets see it: AWS's envelope, ``time`` as ISO 8601, no moto-only keys."""
    event = {k: v for k, v in event_message.items() if k != "ingestion-time"}
    event["time"] = aws_time(event_message.get("time"))
    return event


@lru_cache(maxsize=1024)
def _compiled_pattern(raw: str | None) -> dict[str, Any]:
    return patterns.parse_pattern(raw)


def send_to_targets(
    original: Any, rule: Any, event_message: dict[str, Any], transform_input: bool = True
) -> None:
    """Wrapper of moto's ``Rule.send_to_targets`` (see module docstring)."""
    if rule.state != "ENABLED":
        return
    event = event_as_delivered(event_message)
    if _is_schedule_only(rule):
        if not _is_its_schedule(rule, event):
            return
    elif not patterns.matches(_compiled_pattern(rule.event_pattern.dump()), event):
        return
    context = RuleContext(
        rule_arn=rule.arn,
        rule_name=rule.name,
        ingestion_time=aws_time(event_message.get("ingestion-time", event_message.get("time"))),
    )
    for target in list(rule.targets):
        try:
            handler = targets.handler_for(target["Arn"])
        except targets.TargetError as error:
            _record_failure(rule, target, event, "", error)
            continue
        if handler is None:
            original(_rule_with_only(rule, target), event_message, transform_input)
            continue
        try:
            text = target_input(target, event, context) if transform_input else compact(event)
        except PathError as error:  # a path stored before validation, e.g. restored state
            _record_failure(
                rule, target, event, "", targets.TargetError("InvalidInput", str(error))
            )
            continue
        _invoke(handler, rule, target, event, text)


def _is_schedule_only(rule: Any) -> bool:
    # moto matches every event to a rule without a pattern; a scheduled rule matches none
    return bool(rule.scheduled_expression) and not rule.event_pattern.dump()


def _is_its_schedule(rule: Any, event: dict[str, Any]) -> bool:
    return (
        event.get("source") == "aws.events"
        and event.get("detail-type") == SCHEDULED_EVENT
        and event.get("resources") == [rule.arn]
    )


def _rule_with_only(rule: Any, target: dict[str, Any]) -> Any:
    view = copy.copy(rule)
    view.targets = [target]
    return view


def _invoke(
    handler: targets.Handler, rule: Any, target: dict[str, Any], event: dict, text: str
) -> None:
    try:
        response = handler(target, targets.Arn.parse(target["Arn"]), text, event)
    except targets.TargetError as error:
        _record_failure(rule, target, event, text, error)
        _dead_letter(target, rule, event, error)
        return
    delivery_log.DELIVERIES.record(
        delivery_log.Delivery(
            status=delivery_log.SUCCEEDED, response=response, **_identity(rule, target, event, text)
        )
    )


def _record_failure(
    rule: Any, target: dict[str, Any], event: dict, text: str, error: targets.TargetError
) -> None:
    log.warning("rule %s: target %s failed: %s", rule.arn, target["Arn"], error)
    delivery_log.DELIVERIES.record(
        delivery_log.Delivery(
            status=delivery_log.FAILED,
            error_code=error.code,
            error_message=error.message,
            **_identity(rule, target, event, text),
        )
    )


def _identity(rule: Any, target: dict[str, Any], event: dict, text: str) -> dict[str, str]:
    return {
        "rule_arn": rule.arn,
        "target_id": target["Id"],
        "target_arn": target["Arn"],
        "event_id": event["id"],
        "input": text,
    }


def _dead_letter(
    target: dict[str, Any], rule: Any, event: dict[str, Any], error: targets.TargetError
) -> None:
    """Send the undeliverable event to the target's dead-letter queue, as EventBridge does."""
    dead_letter_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
    if not dead_letter_arn:
        return
    queue = targets.Arn.parse(dead_letter_arn)
    attributes = {
        "RULE_ARN": rule.arn,
        "TARGET_ARN": target["Arn"],
        "ERROR_CODE": error.code,
        "ERROR_MESSAGE": error.message,
    }
    sqs = moto_internals.backend("sqs", queue.account, queue.region)
    try:
        sqs.send_message(
            queue_name=queue.resource,
            message_body=compact(event),
            message_attributes={
                name: {"DataType": "String", "StringValue": value}
                for name, value in attributes.items()
            },
        )
    except Exception:  # noqa: BLE001 - as in AWS, a lost dead letter never fails PutEvents
        log.warning("dead-letter queue %s of rule %s is unusable", dead_letter_arn, rule.arn)
