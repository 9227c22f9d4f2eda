"""Alarm evaluation itself, without a local cloud: the missing-data rules row by row against both
tables of the CloudWatch user guide ("How alarm state is evaluated when data is missing"), each
comparison operator at its threshold, the evaluation range, and the reasons CloudWatch writes.
test_cloudwatch_alarms.py drives the same rules through boto3."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from sagestack.localcloud.services.cloudwatch import evaluation

START = datetime(2024, 1, 1, tzinfo=UTC)


def series(*values: float | None) -> list[evaluation.Datapoint]:
    """One datapoint a minute from START, oldest first; None for a period without data."""
    return [evaluation.Datapoint(START + timedelta(minutes=i), v) for i, v in enumerate(values)]


def _row(row: str) -> list[evaluation.Datapoint]:
    """A row of the documented tables: X breaches the threshold of 0.5, 0 does not, - is missing."""
    return series(*(None if c == "-" else float(c == "X") for c in row.split()))


# (data points oldest first, expected state for missing, ignore, breaching, notBreaching)
THREE_OF_THREE = [
    ("0 - X - X", ("OK", "OK", "OK", "OK")),
    ("0 - - - -", ("OK", "OK", "OK", "OK")),
    ("- - - - -", ("INSUFFICIENT_DATA", None, "ALARM", "OK")),
    ("0 X X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("- - - - X", ("INSUFFICIENT_DATA", None, "ALARM", "OK")),
    ("X - - - -", ("ALARM", None, "ALARM", "OK")),
]
TWO_OF_THREE = [
    ("0 - X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 0 X 0 X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 - X - -", ("OK", "OK", "ALARM", "OK")),
    ("- - - - 0", ("OK", "OK", "ALARM", "OK")),
    ("- - - - X", ("INSUFFICIENT_DATA", None, "ALARM", "OK")),
]
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")


def _documented_cases():
    for datapoints_to_alarm, table in ((3, THREE_OF_THREE), (2, TWO_OF_THREE)):
        for row, states in table:
            for treatment, state in zip(TREATMENTS, states, strict=True):
                case = f"{datapoints_to_alarm}of3 [{row}] {treatment}"
                yield pytest.param(datapoints_to_alarm, row, treatment, state, id=case)


@pytest.mark.parametrize(
    ("datapoints_to_alarm", "row", "treatment", "state"), list(_documented_cases())
)
def test_missing_data_rule_gives_documented_state(datapoints_to_alarm, row, treatment, state):
    rule = evaluation.AlarmRule(3, datapoints_to_alarm, "GreaterThanThreshold", 0.5, treatment)
    assert evaluation.decide(rule, _row(row)).state == state  # None: the state is kept


def test_reasons_name_the_transition_and_its_minimum_as_cloudwatch_writes_them():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rule = evaluation.AlarmRule(3, 2, "GreaterThanThreshold", 0.5)
    breaching = [evaluation.Datapoint(start + timedelta(minutes=i), 1.0) for i in range(3)]
    calm = [evaluation.Datapoint(start + timedelta(minutes=i), 0.0) for i in range(3)]
    assert evaluation.decide(rule, breaching).reason.endswith(
        "were greater than the threshold (0.5) (minimum 2 datapoints for OK -> ALARM transition)."
    )
    # to leave ALARM, 3 - 2 + 1 = 2 periods must not breach
    assert evaluation.decide(rule, calm).reason.endswith(
        "were not greater than the threshold (0.5) (minimum 2 datapoints for ALARM -> OK "
        "transition)."
    )
    one_of_one = evaluation.AlarmRule(1, 1, "GreaterThanThreshold", 0.5)
    assert evaluation.decide(one_of_one, calm[-1:]).reason == (
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0 (01/01/24 00:02:00)] was not "
        "greater than the threshold (0.5) (minimum 1 datapoint for ALARM -> OK transition)."
    )


# Every comparison operator at its threshold of 0.2: just below, on it, just above.
COMPARISON_STATES = {
    "GreaterThanThreshold": ("OK", "OK", "ALARM"),
    "GreaterThanOrEqualToThreshold": ("OK", "ALARM", "ALARM"),
    "LessThanThreshold": ("ALARM", "OK", "OK"),
    "LessThanOrEqualToThreshold": ("ALARM", "ALARM", "OK"),
}
RELATIONS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


@pytest.mark.parametrize("comparison", COMPARISON_STATES)
@pytest.mark.parametrize(("value", "column"), [(0.19, 0), (0.2, 1), (0.21, 2)])
def test_each_comparison_operator_decides_at_its_threshold(comparison, value, column):
    rule = evaluation.AlarmRule(1, 1, comparison, 0.2)
    verdict = evaluation.decide(rule, series(value))
    assert verdict.state == COMPARISON_STATES[comparison][column]
    negation = "" if verdict.state == "ALARM" else "not "
    assert f"was {negation}{RELATIONS[comparison]} the threshold (0.2)" in verdict.reason


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            (3, 1, "GreaterThan", "missing"),
            "ComparisonOperator 'GreaterThan' is invalid: expected one of "
            "GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, "
            "LessThanOrEqualToThreshold",
        ),
        (
            (3, 1, "LessThanThreshold", "zero"),
            "TreatMissingData 'zero' is invalid: expected one of missing, ignore, breaching, "
            "notBreaching",
        ),
        (
            (3, 0, "LessThanThreshold", "missing"),
            "DatapointsToAlarm 0 is invalid: it must be between 1 and EvaluationPeriods (3)",
        ),
        (
            (3, 4, "LessThanThreshold", "missing"),
            "DatapointsToAlarm 4 is invalid: it must be between 1 and EvaluationPeriods (3)",
        ),
    ],
)
def test_a_rule_cloudwatch_refuses_is_refused_naming_the_value(settings, message):
    periods, datapoints_to_alarm, comparison, treatment = settings
    with pytest.raises(ValueError) as error:
        evaluation.AlarmRule(periods, datapoints_to_alarm, comparison, 0.5, treatment)
    assert str(error.value) == message


@pytest.mark.parametrize("datapoints_to_alarm", [1, 3])
def test_datapoints_to_alarm_may_be_anything_from_one_to_every_period(datapoints_to_alarm):
    rule = evaluation.AlarmRule(3, datapoints_to_alarm, "GreaterThanThreshold", 0.5)
    assert rule.datapoints_to_alarm == datapoints_to_alarm


def test_the_evaluation_range_is_two_periods_longer_than_the_evaluation_periods():
    assert evaluation.AlarmRule(3, 3, "GreaterThanThreshold", 0.5).range_length == 5
    assert evaluation.AlarmRule(1, 1, "GreaterThanThreshold", 0.5).range_length == 3


@pytest.mark.parametrize("treatment", ["missing", "ignore", "breaching", "notBreaching"])
def test_with_enough_real_datapoints_the_newest_are_evaluated_whatever_the_treatment(treatment):
    rule = evaluation.AlarmRule(3, 2, "GreaterThanThreshold", 0.5, treatment)
    datapoints = series(1.0, 1.0, None, 0.0, 1.0, 0.0)
    verdict = evaluation.decide(rule, datapoints)
    assert verdict.evaluated == tuple(datapoints[3:])
    assert verdict.state == "OK"


def test_the_reason_lists_the_evaluated_datapoints_newest_first():
    rule = evaluation.AlarmRule(3, 2, "GreaterThanOrEqualToThreshold", 0.5)
    verdict = evaluation.decide(rule, series(0.0, 0.5, 0.7))
    assert verdict.reason == (
        "Threshold Crossed: 2 out of the last 3 datapoints [0.7 (01/01/24 00:02:00), "
        "0.5 (01/01/24 00:01:00), 0.0 (01/01/24 00:00:00)] were greater than or equal to the "
        "threshold (0.5) (minimum 2 datapoints for OK -> ALARM transition)."
    )


def test_leaving_alarm_counts_the_datapoints_that_do_not_breach():
    rule = evaluation.AlarmRule(3, 3, "LessThanThreshold", 0.5)
    verdict = evaluation.decide(rule, series(0.1, 0.9, 0.2))
    assert verdict.state == "OK"
    assert verdict.reason.startswith("Threshold Crossed: 1 out of the last 3 datapoints [")
    assert verdict.reason.endswith(
        "was not less than the threshold (0.5) (minimum 1 datapoint for ALARM -> OK transition)."
    )


@pytest.mark.parametrize(
    ("treatment", "state", "reason"),
    [
        ("missing", "INSUFFICIENT_DATA", "Insufficient Data: 5 datapoints were unknown."),
        ("ignore", None, "Insufficient Data: 5 datapoints were unknown."),
        (
            "breaching",
            "ALARM",
            "Threshold Crossed: no datapoints were received for 5 periods and missing data is "
            "treated as breaching.",
        ),
        (
            "notBreaching",
            "OK",
            "Threshold Crossed: no datapoints were received for 5 periods and missing data is "
            "treated as not breaching.",
        ),
    ],
)
def test_a_range_without_any_datapoint_is_judged_by_the_treatment(treatment, state, reason):
    rule = evaluation.AlarmRule(3, 3, "GreaterThanThreshold", 0.5, treatment)
    verdict = evaluation.decide(rule, series(None, None, None, None, None))
    assert (verdict.state, verdict.reason, verdict.evaluated) == (state, reason, ())


@pytest.mark.parametrize(
    ("treatment", "state"), [("missing", "INSUFFICIENT_DATA"), ("ignore", None)]
)
def test_too_few_breaching_datapoints_to_decide_say_how_many_were_unknown(treatment, state):
    rule = evaluation.AlarmRule(3, 3, "GreaterThanThreshold", 0.5, treatment)
    datapoints = series(None, None, None, 1.0, 1.0)
    verdict = evaluation.decide(rule, datapoints)
    assert (verdict.state, verdict.reason) == (
        state,
        "Insufficient Data: 3 datapoints were unknown.",
    )
    assert verdict.evaluated == tuple(datapoints[3:])


def test_missing_datapoints_treated_as_breaching_count_towards_the_alarm():
    rule = evaluation.AlarmRule(3, 3, "GreaterThanThreshold", 0.5, "breaching")
    verdict = evaluation.decide(rule, series(None, None, None, 1.0, None))
    assert verdict.state == "ALARM"


def test_leaving_alarm_counts_one_of_two_datapoints_that_does_not_breach():
    rule = evaluation.AlarmRule(2, 2, "GreaterThanThreshold", 0.5)
    verdict = evaluation.decide(rule, series(1.0, 0.0))
    assert verdict.state == "OK"
    assert verdict.reason.startswith("Threshold Crossed: 1 out of the last 2 datapoints [")


def test_no_datapoint_that_does_not_breach_is_counted_in_the_plural():
    rule = evaluation.AlarmRule(3, 3, "GreaterThanThreshold", 0.5, "notBreaching")
    verdict = evaluation.decide(rule, series(None, None, None, None, 1.0))
    assert verdict.state == "OK"
    assert verdict.reason.startswith(
        "Threshold Crossed: 0 out of the last 1 datapoints [1.0 (01/01/24 00:04:00)] were not "
        "greater than"
    )


@pytest.mark.parametrize("treatment", TREATMENTS)
@pytest.mark.parametrize(
    ("datapoints_to_alarm", "row"),
    [(2, "- - - X X"), (1, "- - - X X"), (1, "- - - X 0")],
    ids=["2of3 [- - - X X]", "1of3 [- - - X X]", "1of3 [- - - X 0]"],
)
def test_enough_breaching_datapoints_alarm_whatever_is_missing(datapoints_to_alarm, row, treatment):
    rule = evaluation.AlarmRule(3, datapoints_to_alarm, "GreaterThanThreshold", 0.5, treatment)
    assert evaluation.decide(rule, _row(row)).state == "ALARM"


@pytest.mark.parametrize(
    ("breaching", "state"), [(300, "ALARM"), (280, "INSUFFICIENT_DATA")], ids=["all", "too few"]
)
def test_a_range_of_hundreds_of_periods_is_decided_like_a_short_one(breaching, state):
    """A one-minute alarm over five hours: 300 periods, every one of them breaching to alarm."""
    rule = evaluation.AlarmRule(300, 300, "GreaterThanThreshold", 0.5)
    datapoints = series(*[None] * (302 - breaching), *[1.0] * breaching)
    assert evaluation.decide(rule, datapoints).state == state


@pytest.mark.parametrize("row", THREE_OF_THREE, ids=[row for row, _ in THREE_OF_THREE])
def test_the_documented_states_hold_for_treatments_read_from_a_request(row):
    """The service builds a rule from the request's own strings, not this module's literals."""
    datapoints, states = row
    for treatment, state in zip(TREATMENTS, states, strict=True):
        from_request = json.loads(json.dumps([treatment]))[0]
        rule = evaluation.AlarmRule(3, 3, "GreaterThanThreshold", 0.5, from_request)
        assert evaluation.decide(rule, _row(datapoints)).state == state, treatment


def test_missing_data_treated_as_breaching_fills_only_the_missing_periods():
    rule = evaluation.AlarmRule(2, 2, "GreaterThanThreshold", 0.5, "breaching")
    assert evaluation.decide(rule, series(None, None, None, 0.0)).state == "OK"


def test_leaving_a_one_of_three_alarm_takes_three_datapoints_that_do_not_breach():
    rule = evaluation.AlarmRule(3, 1, "GreaterThanThreshold", 0.5)
    assert evaluation.decide(rule, series(0.0, 0.0, 0.0)).reason.endswith(
        "(minimum 3 datapoints for ALARM -> OK transition)."
    )
