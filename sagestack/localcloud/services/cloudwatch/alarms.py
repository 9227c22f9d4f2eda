"""Evaluating moto's metric alarms on the local cloud's clock, and what a state change does.

Alarms with a period of a minute or more are evaluated every minute, high-resolution ones (10, 20
and 30 s) every 10 seconds, each over the last complete periods (aligned to the period, as
GetMetricStatistics aligns them). A state change (from evaluation or SetAlarmState) runs the
alarm's actions for the new state when actions are enabled (SNS topics; other action types are
logged as unsupported) and always puts a "CloudWatch Alarm State Change" event on the default bus.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sagestack.localcloud import clock
from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.cloudwatch import evaluation, notifications, statistics
from sagestack.localcloud.services.cloudwatch.metric_index import MetricIndex, as_utc, metric_key
from sagestack.localcloud.services.cloudwatch.notifications import StateSnapshot

log = logging.getLogger(__name__)

# Held while alarms are evaluated (clock thread) and while PutMetricAlarm / SetAlarmState change
# one (request threads): otherwise an update can copy the state an evaluation is about to change,
# or two state changes announce the same transition.
STATE_LOCK = threading.RLock()

STANDARD_INTERVAL = 60
HIGH_RESOLUTION_INTERVAL = 10


def evaluation_interval(period: int) -> int:
    return HIGH_RESOLUTION_INTERVAL if period < STANDARD_INTERVAL else STANDARD_INTERVAL


def to_moto_time(moment: datetime) -> datetime:
    return as_utc(moment).replace(tzinfo=None)


# --- the clock listener ------------------------------------------------------------------------


def evaluate_due(previous: datetime, now: datetime) -> None:
    """Evaluate every alarm at each of its evaluation times in ``(previous, now]``, in order."""
    moments = list(_evaluation_times(previous, now))
    if not moments:
        return
    for account_id, region, backend in moto_internals.iter_backends("cloudwatch"):
        with STATE_LOCK:
            index = MetricIndex(list(backend.metric_data))
            for moment in moments:
                for alarm in list(backend.alarms.values()):
                    if _is_due(alarm, moment):
                        _evaluate_safely(alarm, account_id, region, index, moment)


def _evaluate_safely(
    alarm: Any, account_id: str, region: str, index: MetricIndex, moment: datetime
) -> None:
    try:
        evaluate_alarm(alarm, account_id, region, index, moment)
    except ValueError as error:  # an alarm moto took that CloudWatch would refuse
        log.warning("alarm %s not evaluated: %s", alarm.name, error)


def _evaluation_times(previous: datetime, now: datetime) -> Iterator[datetime]:
    step = HIGH_RESOLUTION_INTERVAL
    first = (int(previous.timestamp()) // step + 1) * step
    for second in range(first, int(now.timestamp()) + 1, step):
        yield datetime.fromtimestamp(second, UTC)


def _is_due(alarm: Any, moment: datetime) -> bool:
    if not _is_metric_alarm(alarm):
        return False
    return int(moment.timestamp()) % evaluation_interval(int(alarm.period)) == 0


def _is_metric_alarm(alarm: Any) -> bool:
    # metric-math and composite alarms are not evaluated locally (see the module's report)
    return bool(alarm.metric_name) and not alarm.metric_data_queries and not alarm.rule


def evaluate_alarm(
    alarm: Any, account_id: str, region: str, index: MetricIndex, now: datetime
) -> None:
    datapoints, low_samples = _evaluation_range(alarm, index, now)
    rule = _rule_of(alarm)
    verdict = evaluation.decide(rule, datapoints)
    if verdict.state is None or low_samples:
        return
    if verdict.state != alarm.state_value:
        reason_data = _reason_data(alarm, verdict, datapoints, now)
        change_state(alarm, account_id, region, verdict.state, verdict.reason, reason_data, now)


def _rule_of(alarm: Any) -> evaluation.AlarmRule:
    periods = int(alarm.evaluation_periods)
    return evaluation.AlarmRule(
        evaluation_periods=periods,
        datapoints_to_alarm=int(alarm.datapoints_to_alarm or periods),
        comparison=alarm.comparison_operator,
        threshold=float(alarm.threshold),
        treat_missing_data=alarm.treat_missing_data or "missing",
    )


def _evaluation_range(
    alarm: Any, index: MetricIndex, now: datetime
) -> tuple[list[evaluation.Datapoint], bool]:
    """One datapoint per period of the range (oldest first) and whether a percentile alarm set
    to ignore low sample counts must wait for more data."""
    period = int(alarm.period)
    length = int(alarm.evaluation_periods) + evaluation.EXTRA_PERIODS
    start = int(now.timestamp()) // period * period - length * period
    key = metric_key(alarm.namespace, alarm.metric_name, alarm.dimensions)
    name = alarm.extended_statistic or alarm.statistic
    datapoints, low = [], False
    for slot_start in range(start, start + length * period, period):
        in_slot = index.samples(key, slot_start, slot_start + period, alarm.unit)
        datapoints.append(
            evaluation.Datapoint(
                datetime.fromtimestamp(slot_start, UTC), statistics.statistic(in_slot, name)
            )
        )
        low = low or (bool(in_slot) and _too_few_for_percentile(alarm, in_slot))
    return datapoints, low


def _too_few_for_percentile(alarm: Any, samples: list[statistics.Sample]) -> bool:
    if not alarm.extended_statistic or alarm.evaluate_low_sample_count_percentile != "ignore":
        return False
    stat = statistics.parse_extended(alarm.extended_statistic)
    if stat.kind != "p":  # the setting is for percentile alarms only
        return False
    return statistics.low_sample_count(sum(s.count for s in samples), stat.high or 0.0)


def _reason_data(
    alarm: Any,
    verdict: evaluation.Verdict,
    datapoints: list[evaluation.Datapoint],
    now: datetime,
) -> str:
    data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": notifications.cloudwatch_time(now),
        "startDate": notifications.cloudwatch_time(datapoints[0].timestamp),
        "period": int(alarm.period),
        "recentDatapoints": [d.value for d in verdict.evaluated],
        "threshold": float(alarm.threshold),
        "evaluatedDatapoints": [
            {"timestamp": notifications.cloudwatch_time(d.timestamp), "value": d.value}
            for d in reversed(verdict.evaluated)
        ],
    }
    data["extendedStatistic" if alarm.extended_statistic else "statistic"] = (
        alarm.extended_statistic or alarm.statistic
    )
    return json.dumps(data)


# --- state changes -----------------------------------------------------------------------------


def snapshot(alarm: Any) -> StateSnapshot:
    return StateSnapshot(
        value=alarm.state_value,
        reason=alarm.state_reason,
        reason_data=alarm.state_reason_data,
        timestamp=as_utc(alarm.state_updated_timestamp),
    )


def change_state(
    alarm: Any,
    account_id: str,
    region: str,
    state: str,
    reason: str,
    reason_data: str,
    now: datetime | None = None,
) -> None:
    """Move ``alarm`` to ``state`` and do what CloudWatch does on a state change."""
    old = snapshot(alarm)
    alarm.update_state(reason, reason_data, state)
    alarm.state_updated_timestamp = to_moto_time(now or clock.current().now())
    announce_change(alarm, account_id, region, old)


def announce_change(alarm: Any, account_id: str, region: str, old: StateSnapshot) -> None:
    """Run the actions of the alarm's new state and emit the state change event."""
    new = snapshot(alarm)
    if alarm.actions_enabled:
        for action in _actions_for(alarm, new.value):
            _run_action(action, alarm, account_id, region, old, new)
    events = moto_internals.backend("events", account_id, region)
    events.put_events([notifications.state_change_event(alarm, old, new)])


def _actions_for(alarm: Any, state: str) -> list[str]:
    return list(
        {
            evaluation.ALARM: alarm.alarm_actions,
            evaluation.OK: alarm.ok_actions,
            evaluation.INSUFFICIENT_DATA: alarm.insufficient_data_actions,
        }[state]
        or []
    )


def _run_action(
    action: str, alarm: Any, account_id: str, region: str, old: StateSnapshot, new: StateSnapshot
) -> None:
    parts = action.split(":", 5)
    if len(parts) != 6 or parts[2] != "sns":
        log.warning("alarm %s: action %s is not an SNS topic; not run locally", alarm.name, action)
        return
    sns = moto_internals.backend("sns", parts[4], parts[3])
    if action not in sns.topics:
        # CloudWatch does not validate actions; a missing topic fails silently in AWS too
        log.warning("alarm %s: SNS topic %s does not exist", alarm.name, action)
        return
    message = notifications.sns_message(alarm, account_id, region, old, new)
    sns.publish(
        message=json.dumps(message),
        arn=action,
        subject=notifications.sns_subject(alarm, new.value, region),
    )
