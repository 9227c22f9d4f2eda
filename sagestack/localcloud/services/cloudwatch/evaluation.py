"""The state a metric alarm moves to, from the datapoints of its evaluation range.

Implements "How alarm state is evaluated when data is missing" of the CloudWatch user guide:
CloudWatch reads a few more periods than EvaluationPeriods (the *evaluation range*; five for
three in the documented tables, so two more here). With at least N real datapoints it evaluates
the newest N of them and ignores TreatMissingData. With fewer, ``breaching`` / ``notBreaching``
fill the gap up to N; ``missing`` and ``ignore`` judge the real datapoints alone and, when those
cannot decide, go to INSUFFICIENT_DATA / keep the current state. Every row of both documented
tables is a test in ``tests/localcloud/test_cloudwatch_alarms.py``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

ALARM = "ALARM"
OK = "OK"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"

EXTRA_PERIODS = 2

COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}
TREAT_MISSING_DATA = ("missing", "ignore", "breaching", "notBreaching")


@dataclass(frozen=True)
class AlarmRule:
    evaluation_periods: int
    datapoints_to_alarm: int
    comparison: str
    threshold: float
    treat_missing_data: str = "missing"

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise ValueError(
                f"ComparisonOperator '{self.comparison}' is invalid: expected one of "
                f"{', '.join(COMPARISONS)}"
            )
        if self.treat_missing_data not in TREAT_MISSING_DATA:
            raise ValueError(
                f"TreatMissingData '{self.treat_missing_data}' is invalid: expected one of "
                f"{', '.join(TREAT_MISSING_DATA)}"
            )
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError(
                f"DatapointsToAlarm {self.datapoints_to_alarm} is invalid: it must be between 1 "
                f"and EvaluationPeriods ({self.evaluation_periods})"
            )

    @property
    def range_length(self) -> int:
        return self.evaluation_periods + EXTRA_PERIODS

    def breaches(self, value: float) -> bool:
        return COMPARISONS[self.comparison][0](value, self.threshold)


@dataclass(frozen=True)
class Datapoint:
    timestamp: datetime  # start of the period
    value: float | None  # None: no data in that period


@dataclass(frozen=True)
class Verdict:
    """``state`` None means: keep the current state (TreatMissingData ``ignore``)."""

    state: str | None
    reason: str
    evaluated: tuple[Datapoint, ...]


def decide(rule: AlarmRule, datapoints: Sequence[Datapoint]) -> Verdict:
    """The verdict for the evaluation range ``datapoints`` (oldest first, one per period)."""
    real = [d for d in datapoints if d.value is not None]
    if len(real) >= rule.evaluation_periods:
        evaluated = tuple(real[-rule.evaluation_periods :])
        return _threshold_verdict(rule, evaluated, filled_breaching=0)
    if not real:
        return _all_missing(rule, len(datapoints))
    missing = rule.evaluation_periods - len(real)
    if rule.treat_missing_data == "breaching":
        return _threshold_verdict(rule, tuple(real), filled_breaching=missing)
    if rule.treat_missing_data == "notBreaching":
        return _threshold_verdict(rule, tuple(real), filled_breaching=0)
    return _judged_on_real_datapoints(rule, datapoints, tuple(real))


def _threshold_verdict(
    rule: AlarmRule, evaluated: tuple[Datapoint, ...], filled_breaching: int
) -> Verdict:
    breaching = sum(1 for d in evaluated if rule.breaches(d.value)) + filled_breaching  # type: ignore[arg-type]
    state = ALARM if breaching >= rule.datapoints_to_alarm else OK
    return Verdict(state, _threshold_reason(rule, evaluated, breaching, state), evaluated)


def _all_missing(rule: AlarmRule, periods: int) -> Verdict:
    reason = f"Insufficient Data: {periods} datapoints were unknown."
    treatment = rule.treat_missing_data
    if treatment == "breaching":
        return Verdict(
            ALARM,
            f"Threshold Crossed: no datapoints were received for {periods} "
            "periods and missing data is treated as breaching.",
            (),
        )
    if treatment == "notBreaching":
        return Verdict(
            OK,
            f"Threshold Crossed: no datapoints were received for {periods} "
            "periods and missing data is treated as not breaching.",
            (),
        )
    if treatment == "ignore":
        return Verdict(None, reason, ())
    return Verdict(INSUFFICIENT_DATA, reason, ())


def _judged_on_real_datapoints(
    rule: AlarmRule, datapoints: Sequence[Datapoint], real: tuple[Datapoint, ...]
) -> Verdict:
    breaching = [d for d in real if rule.breaches(d.value)]  # type: ignore[arg-type]
    if len(breaching) >= rule.datapoints_to_alarm or len(breaching) < len(real):
        state = ALARM if len(breaching) >= rule.datapoints_to_alarm else OK
        return Verdict(state, _threshold_reason(rule, real, len(breaching), state), real)
    # only breaching datapoints, too few to alarm: the documented tables keep ALARM when the
    # oldest datapoint of the range breaches ("X - - - -"), and cannot decide otherwise
    if rule.treat_missing_data == "missing" and datapoints[0].value is not None:
        return Verdict(ALARM, _threshold_reason(rule, real, len(breaching), ALARM), real)
    reason = f"Insufficient Data: {len(datapoints) - len(real)} datapoints were unknown."
    if rule.treat_missing_data == "ignore":
        return Verdict(None, reason, real)
    return Verdict(INSUFFICIENT_DATA, reason, real)


def _threshold_reason(
    rule: AlarmRule, evaluated: tuple[Datapoint, ...], breaching: int, state: str
) -> str:
    relation = COMPARISONS[rule.comparison][1]
    shown = ", ".join(
        f"{d.value} ({d.timestamp.strftime('%d/%m/%y %H:%M:%S')})" for d in reversed(evaluated)
    )
    if state == ALARM:
        negation, counted, transition = "", breaching, "OK -> ALARM"
        minimum = rule.datapoints_to_alarm
    else:  # leaving ALARM takes enough non-breaching datapoints that fewer than M breach
        negation, counted, transition = "not ", len(evaluated) - breaching, "ALARM -> OK"
        minimum = rule.evaluation_periods - rule.datapoints_to_alarm + 1
    verb = "was" if counted == 1 else "were"
    return (
        f"Threshold Crossed: {counted} out of the last {len(evaluated)} datapoints [{shown}] "
        f"{verb} {negation}{relation} the threshold ({rule.threshold}) (minimum "
        f"{minimum} datapoint{'s' if minimum != 1 else ''} for {transition} transition)."
    )
