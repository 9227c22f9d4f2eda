"""An endpoint's requests become AWS/SageMaker metrics, and alarms on them evaluate real traffic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from hosting_support import eventually

from sagestack.localcloud import clock

DIMENSIONS = [
    {"Name": "EndpointName", "Value": "e1"},
    {"Name": "VariantName", "Value": "AllTraffic"},
]


def _send(hosting, ok: int, client_errors: int, server_errors: int) -> None:
    for body, content_type, count in (
        ("1,2", "text/csv", ok),
        ("1,2", "text/plain", client_errors),
        ("-1,2", "text/csv", server_errors),
    ):
        for _ in range(count):
            try:
                hosting.invoke("e1", body, content_type)
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ModelError"


def _statistics(hosting, metric, statistics):
    now = clock.current().now()
    points = hosting.statistics(
        metric, statistics, now - timedelta(hours=1), now + timedelta(hours=1), 7200
    )
    return points[0] if points else {}


def test_every_request_is_counted_per_variant_with_its_errors_and_latencies(hosting):
    hosting.endpoint_config("c1", hosting.model("m1"), instances=2)
    hosting.endpoint("e1", "c1")

    _send(hosting, ok=4, client_errors=1, server_errors=2)

    invocations = eventually(lambda: _statistics(hosting, "Invocations", ["Sum"]).get("Sum") == 7)
    assert invocations
    assert _statistics(hosting, "Invocation4XXErrors", ["Sum"])["Sum"] == 1
    server = _statistics(hosting, "Invocation5XXErrors", ["Sum", "Average"])
    assert (server["Sum"], server["Average"]) == (2, pytest.approx(2 / 7))
    assert _statistics(hosting, "InvocationsPerInstance", ["Sum"])["Sum"] == pytest.approx(3.5)
    latency = _statistics(hosting, "ModelLatency", ["SampleCount", "Minimum"])
    assert latency["SampleCount"] == 7 and latency["Minimum"] > 0
    assert latency["Unit"] == "Microseconds"
    assert _statistics(hosting, "OverheadLatency", ["SampleCount"])["SampleCount"] == 7


def test_an_alarm_on_5xx_errors_fires_from_real_failing_requests(hosting):
    hosting.endpoint_config("c1", hosting.model("m1"))
    hosting.endpoint("e1", "c1")
    cloudwatch = hosting.client("cloudwatch")
    with clock.frozen() as frozen:
        cloudwatch.put_metric_alarm(
            AlarmName="e1-5xx",
            Namespace="AWS/SageMaker",
            MetricName="Invocation5XXErrors",
            Dimensions=DIMENSIONS,
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching",
        )
        _send(hosting, ok=2, client_errors=0, server_errors=3)
        eventually(lambda: _statistics(hosting, "Invocation5XXErrors", ["Sum"]).get("Sum") == 3)

        frozen.advance(120)

        alarm = cloudwatch.describe_alarms(AlarmNames=["e1-5xx"])["MetricAlarms"][0]
        assert alarm["StateValue"] == "ALARM"
        assert "3.0" in alarm["StateReason"]
