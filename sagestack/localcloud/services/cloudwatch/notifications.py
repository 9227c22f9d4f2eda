"""What an alarm state change sends, in CloudWatch's own shapes: the SNS notification of an alarm
action (the JSON message and its subject) and the "CloudWatch Alarm State Change" event.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import botocore.loaders

from sagestack.contract import ALARM_STATE_CHANGE

EVENT_SOURCE = "aws.cloudwatch"
SUBJECT_LIMIT = 100  # SNS rejects longer subjects


@dataclass(frozen=True)
class StateSnapshot:
    value: str
    reason: str
    reason_data: str
    timestamp: datetime


def cloudwatch_time(moment: datetime) -> str:
    """CloudWatch's notification timestamps: ``2024-01-02T03:04:05.678+0000``."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}+0000"
    )


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    endpoints = botocore.loaders.create_loader().load_data("endpoints")
    return {
        code: details.get("description", code)
        for partition in endpoints["partitions"]
        for code, details in partition["regions"].items()
    }


def region_name(region: str) -> str:
    """``us-east-1`` -> ``US East (N. Virginia)``, as alarm notifications name regions."""
    return _region_names().get(region, region)


def sns_subject(alarm: Any, new_state: str, region: str) -> str:
    subject = f'{new_state}: "{alarm.name}" in {region_name(region)}'
    return subject[:SUBJECT_LIMIT]


def sns_message(
    alarm: Any, account_id: str, region: str, old: StateSnapshot, new: StateSnapshot
) -> dict[str, Any]:
    """The JSON an SNS alarm action publishes (documented in the CloudWatch user guide)."""
    return {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": account_id,
        "AlarmConfigurationUpdatedTimestamp": cloudwatch_time(
            alarm.configuration_updated_timestamp
        ),
        "NewStateValue": new.value,
        "NewStateReason": new.reason,
        "StateChangeTime": cloudwatch_time(new.timestamp),
        "Region": region_name(region),
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old.value,
        "OKActions": list(alarm.ok_actions),
        "AlarmActions": list(alarm.alarm_actions),
        "InsufficientDataActions": list(alarm.insufficient_data_actions),
        "Trigger": _trigger(alarm),
    }


def _trigger(alarm: Any) -> dict[str, Any]:
    trigger: dict[str, Any] = {
        "MetricName": alarm.metric_name,
        "Namespace": alarm.namespace,
        "StatisticType": "ExtendedStatistic" if alarm.extended_statistic else "Statistic",
        "Unit": alarm.unit,
        "Dimensions": [{"value": d.value, "name": d.name} for d in alarm.dimensions],
        "Period": int(alarm.period),
        "EvaluationPeriods": int(alarm.evaluation_periods),
        "DatapointsToAlarm": int(alarm.datapoints_to_alarm or alarm.evaluation_periods),
        "ComparisonOperator": alarm.comparison_operator,
        "Threshold": float(alarm.threshold),
        "TreatMissingData": alarm.treat_missing_data or "missing",
        "EvaluateLowSampleCountPercentile": alarm.evaluate_low_sample_count_percentile or "",
    }
    if alarm.extended_statistic:
        trigger["ExtendedStatistic"] = alarm.extended_statistic
    else:
        trigger["Statistic"] = (alarm.statistic or "").upper()
    return trigger


def state_change_event(alarm: Any, old: StateSnapshot, new: StateSnapshot) -> dict[str, Any]:
    """A PutEvents entry for "CloudWatch Alarm State Change" with AWS's detail shape."""
    detail = {
        "alarmName": alarm.name,
        "state": _state_detail(new),
        "previousState": _state_detail(old),
        "configuration": _configuration(alarm),
    }
    return {
        "Source": EVENT_SOURCE,
        "DetailType": ALARM_STATE_CHANGE,
        "Detail": json.dumps(detail),
        "Resources": [alarm.alarm_arn],
        "Time": new.timestamp.timestamp(),
    }


def _state_detail(state: StateSnapshot) -> dict[str, Any]:
    detail = {
        "value": state.value,
        "reason": state.reason,
        "timestamp": cloudwatch_time(state.timestamp),
    }
    if state.reason_data:
        detail["reasonData"] = state.reason_data
    return detail


def _metric_id(alarm: Any) -> str:
    # CloudWatch gives a single-metric alarm's metric a generated UUID; a stable one here
    return str(uuid.uuid5(uuid.NAMESPACE_URL, alarm.alarm_arn))


def _configuration(alarm: Any) -> dict[str, Any]:
    metric_stat = {
        "metric": {
            "namespace": alarm.namespace,
            "name": alarm.metric_name,
            "dimensions": {d.name: d.value for d in alarm.dimensions},
        },
        "period": int(alarm.period),
        "stat": alarm.extended_statistic or alarm.statistic,
    }
    configuration: dict[str, Any] = {
        "metrics": [{"id": _metric_id(alarm), "metricStat": metric_stat, "returnData": True}]
    }
    if alarm.description:
        configuration["description"] = alarm.description
    return configuration
