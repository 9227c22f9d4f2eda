"""CloudWatch alarms must reach someone: at least one alarm action, and actions enabled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagestack_infra.policy.rules.props import as_list, is_set

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
# A composite alarm pages through its own actions just as a metric alarm does.
ALARM_TYPES = frozenset({METRIC_ALARM, "aws:cloudwatch/compositeAlarm:CompositeAlarm"})


def silent_alarm_problems(props: Mapping[str, Any]) -> list[str]:
    problems = []
    if not any(is_set(action) for action in as_list(props.get("alarmActions"))):
        problems.append("alarmActions is empty: the alarm must notify (e.g. the on-call topic)")
    if props.get("actionsEnabled") is False:
        problems.append("actionsEnabled is false: the alarm's actions would never run")
    return problems
