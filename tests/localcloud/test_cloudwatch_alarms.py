"""CloudWatch alarm evaluation on the local cloud, driven by a frozen clock, through boto3:
datapoints in, alarm state, SNS action message and "CloudWatch Alarm State Change" event out.
The missing-data rules and the reasons are checked without a cloud in
test_cloudwatch_evaluation.py.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from sagestack import contract
from sagestack.localcloud import clock
from sagestack.localcloud.services.cloudwatch import evaluation, statistics

ENDPOINT = "churn"
DIMENSIONS = [{"Name": contract.DIM_ENDPOINT, "Value": ENDPOINT}]

VALUES = [float(v) for v in range(1, 11)]  # 1..10: p10 = 1, p25 = 3, p75 = 8, p90 = 9


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("p90", 9.0),
        ("tm90", sum(range(1, 10)) / 9),  # the top 10% (10) left out
        ("TM(10%:90%)", sum(range(2, 10)) / 8),  # above p10, up to p90
        ("tc90", 9.0),
        ("TS(10%:90%)", float(sum(range(2, 10)))),
        ("wm90", (sum(range(1, 10)) + 9) / 10),  # 10 counts as 9
        ("WM(10%:90%)", (1 + sum(range(2, 10)) + 9) / 10),
        ("IQM", (4 + 5 + 6 + 7 + 8) / 5),  # above p25, up to p75
        ("PR(:5)", 50.0),
        ("PR(2:4)", 20.0),  # 3 and 4
    ],
)
def test_extended_statistics_put_metric_alarm_documents_are_computed(name, expected):
    assert statistics.extended_value(VALUES, statistics.parse_extended(name)) == pytest.approx(
        expected
    )


@pytest.mark.parametrize("name", ["tx99", "TM(90%:10%)", "PR(:)", "p101", "TM(10:90)"])
def test_an_extended_statistic_outside_the_documented_forms_is_refused_by_name(name):
    with pytest.raises(ValueError, match=re.escape(f"ExtendedStatistic '{name}' is invalid")):
        statistics.parse_extended(name)


# --- through the endpoint ----------------------------------------------------------------------


@pytest.fixture
def cloud(fresh_local_cloud):
    if not fresh_local_cloud.is_sagestack:
        pytest.skip("drives the clock of sagestack's local cloud, which LocalStack does not have")
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    with clock.frozen(start=minute + timedelta(seconds=5)) as frozen:
        yield AwsClients(fresh_local_cloud.url, frozen)


class AwsClients:
    def __init__(self, url: str, frozen: clock.Clock):
        self.url = url
        self.clock = frozen
        self.cloudwatch = boto3.client("cloudwatch", endpoint_url=url)
        self.sqs = boto3.client("sqs", endpoint_url=url)

    def queue(self, name: str) -> tuple[str, str]:
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return url, arn["Attributes"]["QueueArn"]

    def received(self, queue_url: str) -> list[str]:
        answer = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        return [m["Body"] for m in answer.get("Messages", [])]

    def topic_into_queue(self, name: str) -> tuple[str, str]:
        """A topic whose messages land raw in a queue; returns (topic ARN, queue URL)."""
        sns = boto3.client("sns", endpoint_url=self.url)
        topic = sns.create_topic(Name=name)["TopicArn"]
        url, arn = self.queue(f"{name}-inbox")
        sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
        )
        return topic, url

    def alarm(self, name: str = "drift", **overrides: object) -> None:
        settings = {
            "AlarmName": name,
            "Namespace": contract.DRIFT_NAMESPACE,
            "MetricName": contract.DRIFT_MAX_METRIC,
            "Dimensions": DIMENSIONS,
            "Statistic": "Maximum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 0.2,
            "ComparisonOperator": "GreaterThanThreshold",
            **overrides,
        }
        # an override of None removes the setting
        self.cloudwatch.put_metric_alarm(**{k: v for k, v in settings.items() if v is not None})

    def put(self, *values: float, seconds_ago: float = 0, metric: str = contract.DRIFT_MAX_METRIC):
        self.cloudwatch.put_metric_data(
            Namespace=contract.DRIFT_NAMESPACE,
            MetricData=[
                {
                    "MetricName": metric,
                    "Dimensions": DIMENSIONS,
                    "Values": list(values),
                    "Timestamp": self.clock.now() - timedelta(seconds=seconds_ago),
                }
            ],
        )

    def state(self, name: str = "drift") -> dict:
        return self.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def test_new_alarm_starts_in_insufficient_data(cloud):
    cloud.alarm()
    alarm = cloud.state()
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["StateReason"] == "Unchecked: Initial alarm creation"


def test_breaching_datapoint_moves_alarm_to_alarm_after_its_period(cloud):
    cloud.alarm()
    cloud.put(0.5)
    cloud.clock.advance(30)
    assert cloud.state()["StateValue"] == "INSUFFICIENT_DATA"  # the period is not complete yet
    cloud.clock.advance(30)
    alarm = cloud.state()
    assert alarm["StateValue"] == "ALARM"
    assert "greater than the threshold (0.2)" in alarm["StateReason"]
    assert json.loads(alarm["StateReasonData"])["recentDatapoints"] == [0.5]


# Every comparison operator at its threshold of 0.2: just below, on it, just above.
COMPARISON_STATES = {
    "GreaterThanThreshold": ("OK", "OK", "ALARM"),
    "GreaterThanOrEqualToThreshold": ("OK", "ALARM", "ALARM"),
    "LessThanThreshold": ("ALARM", "OK", "OK"),
    "LessThanOrEqualToThreshold": ("ALARM", "ALARM", "OK"),
}


@pytest.mark.parametrize("comparison", COMPARISON_STATES)
@pytest.mark.parametrize(("value", "column"), [(0.19, 0), (0.2, 1), (0.21, 2)])
def test_each_comparison_operator_decides_at_its_threshold(cloud, comparison, value, column):
    cloud.alarm(ComparisonOperator=comparison)
    cloud.put(value)
    cloud.clock.advance(60)
    alarm = cloud.state()
    assert alarm["StateValue"] == COMPARISON_STATES[comparison][column]
    negation = "" if alarm["StateValue"] == "ALARM" else "not "
    relation = evaluation.COMPARISONS[comparison][1]
    assert f"[{value} (" in alarm["StateReason"]
    assert f"was {negation}{relation} the threshold (0.2)" in alarm["StateReason"]


@pytest.mark.parametrize(
    ("statistic", "expected"),
    [
        ({"Statistic": "SampleCount"}, 5.0),
        ({"Statistic": "Sum"}, 20.0),
        ({"Statistic": "Average"}, 4.0),
        ({"Statistic": "Minimum"}, 1.0),
        ({"Statistic": "Maximum"}, 10.0),
        ({"ExtendedStatistic": "p50"}, 3.0),
        ({"ExtendedStatistic": "p90"}, 10.0),
    ],
    ids=["SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "p90"],
)
def test_alarm_evaluates_the_statistic_of_the_period(cloud, statistic, expected):
    cloud.alarm(**{"Statistic": None, **statistic, "Threshold": 0.0})
    cloud.put(1.0, 2.0, 3.0, 4.0)
    cloud.put(10.0, seconds_ago=1)
    cloud.clock.advance(60)
    reason = json.loads(cloud.state()["StateReasonData"])
    assert reason["recentDatapoints"] == [expected]


def test_a_trimmed_mean_alarm_is_evaluated_on_the_trimmed_values(cloud):
    cloud.alarm(Statistic=None, ExtendedStatistic="tm90", Threshold=4.9)
    cloud.put(*VALUES[:9], 100.0)  # the outlier is trimmed: tm90 = 5.0, the average 14.5
    cloud.clock.advance(60)
    alarm = cloud.state()
    assert alarm["StateValue"] == "ALARM"
    assert alarm["ExtendedStatistic"] == "tm90"
    assert json.loads(alarm["StateReasonData"])["recentDatapoints"] == [5.0]


def test_statistic_set_datapoints_are_aggregated(cloud):
    cloud.alarm(Statistic="Average", Threshold=100.0)
    cloud.cloudwatch.put_metric_data(
        Namespace=contract.DRIFT_NAMESPACE,
        MetricData=[
            {
                "MetricName": contract.DRIFT_MAX_METRIC,
                "Dimensions": DIMENSIONS,
                "StatisticValues": {"SampleCount": 4, "Sum": 10, "Minimum": 1, "Maximum": 4},
                "Timestamp": cloud.clock.now(),
            }
        ],
    )
    cloud.clock.advance(60)
    assert cloud.state()["StateValue"] == "OK"
    assert json.loads(cloud.state()["StateReasonData"])["recentDatapoints"] == [2.5]


def test_datapoints_of_other_dimensions_or_metrics_are_not_evaluated(cloud):
    cloud.alarm()
    cloud.put(5.0, metric=contract.DRIFT_FEATURE_METRIC)
    cloud.cloudwatch.put_metric_data(
        Namespace=contract.DRIFT_NAMESPACE,
        MetricData=[
            {
                "MetricName": contract.DRIFT_MAX_METRIC,
                "Dimensions": [*DIMENSIONS, {"Name": contract.DIM_FEATURE, "Value": "age"}],
                "Value": 5.0,
                "Timestamp": cloud.clock.now(),
            }
        ],
    )
    cloud.clock.advance(120)
    assert cloud.state()["StateValue"] == "INSUFFICIENT_DATA"


def test_m_out_of_n_needs_m_breaching_periods(cloud):
    cloud.alarm(EvaluationPeriods=3, DatapointsToAlarm=2)
    cloud.put(0.5)
    cloud.clock.advance(60)
    cloud.put(0.1)
    cloud.clock.advance(60)
    assert cloud.state()["StateValue"] == "OK"
    cloud.put(0.9)
    cloud.clock.advance(60)
    assert cloud.state()["StateValue"] == "ALARM"


@pytest.mark.parametrize(
    ("treatment", "state"),
    [
        ("missing", "INSUFFICIENT_DATA"),
        ("ignore", "INSUFFICIENT_DATA"),
        ("breaching", "ALARM"),
        ("notBreaching", "OK"),
    ],
)
def test_alarm_without_any_data_follows_treat_missing_data(cloud, treatment, state):
    cloud.alarm(TreatMissingData=treatment)
    cloud.clock.advance(60)
    assert cloud.state()["StateValue"] == state


def test_a_datapoint_of_the_period_still_in_progress_is_not_evaluated(cloud):
    cloud.alarm()
    cloud.put(0.7, seconds_ago=-60)  # stamped in the next minute (CloudWatch takes up to 2 h ahead)
    cloud.clock.advance(55)  # evaluated at the minute: its period has only begun
    assert cloud.state()["StateValue"] == "INSUFFICIENT_DATA"
    cloud.clock.advance(60)
    assert cloud.state()["StateValue"] == "ALARM"


@pytest.mark.parametrize(
    ("low_sample_count", "state"), [("ignore", "INSUFFICIENT_DATA"), ("evaluate", "ALARM")]
)
def test_a_percentile_alarm_with_too_few_samples_waits_only_when_told_to_ignore_them(
    cloud, low_sample_count, state
):
    cloud.alarm(
        Statistic=None, ExtendedStatistic="p99", EvaluateLowSampleCountPercentile=low_sample_count
    )
    cloud.put(0.7, 0.8, 0.9)  # p99 needs 1000 samples to be significant
    cloud.clock.advance(60)
    assert cloud.state()["StateValue"] == state


def test_high_resolution_alarm_is_evaluated_every_ten_seconds(cloud):
    cloud.alarm(Period=10)
    cloud.put(1.0)
    cloud.clock.advance(10)
    assert cloud.state()["StateValue"] == "ALARM"


def test_alarm_action_publishes_cloudwatch_alarm_message_to_sns(cloud):
    topic, inbox = cloud.topic_into_queue("oncall")
    cloud.alarm(AlarmActions=[topic], OKActions=[topic], AlarmDescription="drift on churn")
    cloud.put(0.7)
    cloud.clock.advance(60)
    [body] = cloud.received(inbox)
    message = json.loads(body)
    assert message["AlarmName"] == "drift" and message["AlarmDescription"] == "drift on churn"
    assert message["NewStateValue"] == "ALARM" and message["OldStateValue"] == "INSUFFICIENT_DATA"
    assert message["Region"] == "US East (N. Virginia)"
    assert message["AlarmArn"].endswith(":alarm:drift")
    assert message["Trigger"] == {
        "MetricName": contract.DRIFT_MAX_METRIC,
        "Namespace": contract.DRIFT_NAMESPACE,
        "StatisticType": "Statistic",
        "Statistic": "MAXIMUM",
        "Unit": None,
        "Dimensions": [{"value": ENDPOINT, "name": contract.DIM_ENDPOINT}],
        "Period": 60,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "ComparisonOperator": "GreaterThanThreshold",
        "Threshold": 0.2,
        "TreatMissingData": "missing",
        "EvaluateLowSampleCountPercentile": "",
    }
    cloud.put(0.1)
    cloud.clock.advance(60)
    [back] = cloud.received(inbox)
    assert json.loads(back)["NewStateValue"] == "OK"


def test_each_state_runs_only_its_own_actions(cloud):
    topic, inbox = cloud.topic_into_queue("recoveries")
    cloud.alarm(OKActions=[topic])
    cloud.put(0.7)
    cloud.clock.advance(60)
    assert cloud.state()["StateValue"] == "ALARM" and cloud.received(inbox) == []
    cloud.put(0.1)
    cloud.clock.advance(60)
    [body] = cloud.received(inbox)
    assert json.loads(body)["NewStateValue"] == "OK"


def test_disabled_actions_send_nothing(cloud):
    topic, inbox = cloud.topic_into_queue("muted")
    cloud.alarm(AlarmActions=[topic], ActionsEnabled=False)
    cloud.put(0.7)
    cloud.clock.advance(60)
    assert cloud.state()["StateValue"] == "ALARM"
    assert cloud.received(inbox) == []


def test_state_change_event_reaches_eventbridge_rules(cloud):
    url, arn = cloud.queue("alarm-events")
    events = boto3.client("events", endpoint_url=cloud.url)
    pattern = {
        "source": ["aws.cloudwatch"],
        "detail-type": [contract.ALARM_STATE_CHANGE],
        "detail": {"alarmName": ["drift"], "state": {"value": ["ALARM"]}},
    }
    events.put_rule(Name="retrain-on-drift", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="retrain-on-drift", Targets=[{"Id": "q", "Arn": arn}])
    cloud.alarm(AlarmDescription="drift on churn")
    cloud.put(0.7)
    cloud.clock.advance(60)
    [body] = cloud.received(url)
    event = json.loads(body)
    assert event["resources"] == [cloud.state()["AlarmArn"]]
    assert event["time"] == (cloud.clock.now().replace(second=0)).strftime("%Y-%m-%dT%H:%M:%SZ")
    detail = event["detail"]
    assert detail["state"]["value"] == "ALARM" and detail["previousState"]["value"] == (
        "INSUFFICIENT_DATA"
    )
    assert detail["state"]["reason"].startswith("Threshold Crossed")
    assert json.loads(detail["state"]["reasonData"])["threshold"] == 0.2
    assert detail["configuration"]["description"] == "drift on churn"
    [metric] = detail["configuration"]["metrics"]
    assert metric["metricStat"] == {
        "metric": {
            "namespace": contract.DRIFT_NAMESPACE,
            "name": contract.DRIFT_MAX_METRIC,
            "dimensions": {contract.DIM_ENDPOINT: ENDPOINT},
        },
        "period": 60,
        "stat": "Maximum",
    }


def test_set_alarm_state_runs_actions_and_emits_event_only_on_change(cloud):
    topic, inbox = cloud.topic_into_queue("manual")
    url, arn = cloud.queue("manual-events")
    events = boto3.client("events", endpoint_url=cloud.url)
    events.put_rule(Name="all-alarms", EventPattern=json.dumps({"source": ["aws.cloudwatch"]}))
    events.put_targets(Rule="all-alarms", Targets=[{"Id": "q", "Arn": arn}])
    cloud.alarm(AlarmActions=[topic])
    cloud.cloudwatch.set_alarm_state(AlarmName="drift", StateValue="ALARM", StateReason="drill")
    cloud.cloudwatch.set_alarm_state(AlarmName="drift", StateValue="ALARM", StateReason="again")
    [message] = cloud.received(inbox)
    assert json.loads(message)["NewStateReason"] == "drill"
    [event] = cloud.received(url)
    assert json.loads(event)["detail"]["state"] == {
        "value": "ALARM",
        "reason": "drill",
        "timestamp": json.loads(event)["detail"]["state"]["timestamp"],
    }


def test_updating_an_alarm_keeps_its_state(cloud):
    cloud.alarm()
    cloud.put(0.7)
    cloud.clock.advance(60)
    cloud.alarm(Threshold=0.3)
    assert cloud.state()["StateValue"] == "ALARM" and cloud.state()["Threshold"] == 0.3


def test_an_alarm_updated_while_it_is_evaluated_keeps_the_evaluated_state(cloud, monkeypatch):
    """The update arrives between the evaluation's verdict and its state change: without a lock
    the update copies the old state and the ALARM lands on the replaced alarm object."""
    cloud.alarm()
    cloud.put(0.7)
    decide, updated, updaters = evaluation.decide, threading.Event(), []

    def decide_during_an_update(rule, datapoints):
        verdict = decide(rule, datapoints)
        if not updaters:
            updaters.append(threading.Thread(target=_edit, args=(cloud, updated)))
            updaters[0].start()
            updated.wait(timeout=0.5)  # with the lock, the update waits for this evaluation
        return verdict

    monkeypatch.setattr(evaluation, "decide", decide_during_an_update)
    cloud.clock.advance(60)
    updaters[0].join(timeout=10)
    alarm = cloud.state()
    assert (alarm["StateValue"], alarm["AlarmDescription"]) == ("ALARM", "edited")


def _edit(cloud, updated: threading.Event) -> None:
    cloud.alarm(AlarmDescription="edited")
    updated.set()


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"ComparisonOperator": "Bigger"}, "ComparisonOperator 'Bigger'"),
        ({"TreatMissingData": "sometimes"}, "TreatMissingData 'sometimes'"),
        ({"EvaluationPeriods": 2, "DatapointsToAlarm": 3}, "DatapointsToAlarm 3"),
        ({"Period": 45}, "Period 45"),
        ({"Statistic": "Median"}, "Statistic 'Median'"),
        ({"Statistic": None, "ExtendedStatistic": "tx99"}, "ExtendedStatistic 'tx99'"),
        ({"ExtendedStatistic": "p99"}, "Exactly one of Statistic and ExtendedStatistic"),
    ],
    ids=[
        "comparison",
        "treat missing data",
        "M above N",
        "period",
        "statistic",
        "percentile",
        "both statistics",
    ],
)
def test_invalid_alarm_is_rejected_and_not_created(cloud, override, fragment):
    with pytest.raises(ClientError) as error:
        cloud.alarm(name="bad", **override)
    assert error.value.response["Error"]["Code"] == "ValidationError"
    assert fragment in error.value.response["Error"]["Message"]
    assert cloud.cloudwatch.describe_alarms(AlarmNames=["bad"])["MetricAlarms"] == []


def test_clock_can_be_driven_over_http(cloud):
    before = cloud.clock.now()
    answer = requests.post(f"{cloud.url}{clock.ROUTE}", json={"advance": 120}, timeout=5)
    assert answer.status_code == 200
    assert datetime.fromisoformat(answer.json()["now"]) == before + timedelta(seconds=120)
    bad = requests.post(f"{cloud.url}{clock.ROUTE}", json={"forward": 1}, timeout=5)
    assert bad.status_code == 400 and "advance" in bad.json()["message"]
