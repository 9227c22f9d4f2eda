"""CloudWatch Logs: every log group keeps its events for a bounded time, encrypted with a key of
the platform's (a group a service creates on first write has neither)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagestack_infra.policy.rules.props import is_set

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def retention_problems(props: Mapping[str, Any]) -> list[str]:
    days = props.get("retentionInDays")
    if not isinstance(days, int | float) or days <= 0:
        return ["retentionInDays is not set: the group would keep every event forever"]
    return []


def encryption_problems(props: Mapping[str, Any]) -> list[str]:
    if not is_set(props.get("kmsKeyId")):
        return ["kmsKeyId is not set: encrypt the group with the platform's key"]
    return []
