"""What the add-on changes in moto's CloudWatch backend: alarms start in INSUFFICIENT_DATA and keep
their state when updated, alarm definitions are validated as AWS does, and SetAlarmState runs the
new state's actions and emits the state change event."""

from __future__ import annotations

from typing import Any

from sagestack.localcloud import clock
from sagestack.localcloud.services.cloudwatch import alarms, evaluation, statistics
from sagestack.localcloud.services.exceptions import ValidationError

INITIAL_REASON = "Unchecked: Initial alarm creation"
HIGH_RESOLUTION_PERIODS = (10, 20, 30)
_PERCENTILE_STAND_IN = "p50"


def put_metric_alarm(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    """New alarms start in INSUFFICIENT_DATA; an updated alarm keeps its state (moto resets both
    to OK); every extended statistic AWS documents is taken (moto takes percentiles only)."""
    _validate_alarm(kwargs)
    with alarms.STATE_LOCK:
        return _put_alarm_keeping_state(original, backend, *args, **kwargs)


def _put_alarm_keeping_state(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    previous = backend.alarms.get(kwargs.get("name"))
    extended = kwargs.get("extended_statistic")
    if extended and not extended.startswith("p"):
        # moto refuses all but percentiles; the statistic is validated above and set back below
        kwargs["extended_statistic"] = _PERCENTILE_STAND_IN
    alarm = original(*args, **kwargs)
    if extended:
        alarm.extended_statistic = extended
    now = alarms.to_moto_time(clock.current().now())
    alarm.configuration_updated_timestamp = now
    if previous is not None:
        for field in ("state_value", "state_reason", "state_reason_data", "history"):
            setattr(alarm, field, getattr(previous, field))
        alarm.state_updated_timestamp = previous.state_updated_timestamp
    else:
        alarm.state_value = evaluation.INSUFFICIENT_DATA
        alarm.state_reason = INITIAL_REASON
        alarm.state_updated_timestamp = now
    return alarm


def _validate_alarm(kwargs: dict[str, Any]) -> None:
    if kwargs.get("rule") or kwargs.get("metric_data_queries"):
        return
    periods = int(kwargs.get("evaluation_periods") or 0)
    try:
        evaluation.AlarmRule(
            evaluation_periods=periods,
            datapoints_to_alarm=int(kwargs.get("datapoints_to_alarm") or periods),
            comparison=kwargs.get("comparison_operator") or "",
            threshold=float(kwargs.get("threshold") or 0.0),
            treat_missing_data=kwargs.get("treat_missing_data") or "missing",
        )
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if bool(kwargs.get("statistic")) == bool(kwargs.get("extended_statistic")):
        raise ValidationError(
            "Exactly one of Statistic and ExtendedStatistic must be given for a metric alarm"
        )
    if kwargs.get("statistic") and kwargs["statistic"] not in statistics.STATISTICS:
        raise ValidationError(
            f"Statistic '{kwargs['statistic']}' is invalid: expected one of "
            f"{', '.join(statistics.STATISTICS)}"
        )
    if kwargs.get("extended_statistic"):
        try:
            statistics.parse_extended(kwargs["extended_statistic"])
        except ValueError as error:
            raise ValidationError(str(error)) from None
    period = int(kwargs.get("period") or 0)
    if period not in HIGH_RESOLUTION_PERIODS and (period <= 0 or period % 60):
        raise ValidationError(
            f"Period {period} is invalid: it must be 10, 20, 30 or a multiple of 60 seconds"
        )


def set_alarm_state(original: Any, backend: Any, alarm_name: str, *args: Any, **kwargs: Any) -> Any:
    """SetAlarmState runs the new state's actions and emits the event, when the state changes."""
    with alarms.STATE_LOCK:
        alarm = backend.alarms.get(alarm_name)
        old = alarms.snapshot(alarm) if alarm is not None else None
        result = original(alarm_name, *args, **kwargs)
        if old is not None and alarm.state_value != old.value:
            alarm.state_updated_timestamp = alarms.to_moto_time(clock.current().now())
            alarms.announce_change(alarm, backend.account_id, backend.region_name, old)
        return result
