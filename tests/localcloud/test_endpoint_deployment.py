"""UpdateEndpoint deploys blue/green: the old fleet serves until the new one is healthy, traffic
shifts as the policy says, and a new model that does not load or an alarm while baking rolls back,
with not one request failing meanwhile."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import boto3
import pytest
from hosting_support import eventually

from sagestack.localcloud import clock

BLUE, GREEN = 6.0, 106.0  # what each fleet answers for the row 1,1
ROW = "1,1"


class Traffic:
    """Requests sent one after another from a thread; every answer and error is kept."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.answers: list[float] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Traffic:
        self._thread.start()
        eventually(lambda: self.answers)
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        runtime = boto3.client("sagemaker-runtime", region_name="us-east-1")
        while not self._stop.is_set():
            try:
                body = runtime.invoke_endpoint(
                    EndpointName=self.endpoint, Body=ROW.encode(), ContentType="text/csv"
                )["Body"].read()
                self.answers.append(round(json.loads(body)[0], 6))
            except Exception as error:  # noqa: BLE001 - every failure is the finding
                self.errors.append(repr(error))

    def since(self, count: int) -> set[float]:
        return set(self.answers[count:])


def _blue_green(kind: str = "ALL_AT_ONCE", wait: int = 0, alarms=(), **routing) -> dict:
    config = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": kind, "WaitIntervalInSeconds": wait, **routing},
            "TerminationWaitInSeconds": 0,
            "MaximumExecutionTimeoutInSeconds": 3600,
        }
    }
    if alarms:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": a} for a in alarms]}
    return config


def _pending_status(hosting) -> str | None:
    pending = hosting.describe("e1").get("PendingDeploymentSummary")
    if not pending:
        return None
    return pending["ProductionVariants"][0]["VariantStatus"][0]["Status"]


@pytest.fixture
def blue(hosting):
    hosting.endpoint_config("blue", hosting.model("v1"))
    hosting.endpoint("e1", "blue")
    return hosting


def test_a_canary_update_shifts_part_of_the_traffic_then_all_of_it(blue):
    sagemaker = blue.client("sagemaker")
    blue.endpoint_config("green", blue.model("v2", MODEL_OFFSET="100"), instances=2)
    deployment = _blue_green("CANARY", 300, CanarySize={"Type": "INSTANCE_COUNT", "Value": 1})
    with clock.frozen() as frozen, Traffic("e1") as traffic:
        sagemaker.update_endpoint(
            EndpointName="e1", EndpointConfigName="green", DeploymentConfig=deployment
        )
        updating = blue.describe("e1")
        assert (updating["EndpointStatus"], updating["EndpointConfigName"]) == ("Updating", "blue")
        assert updating["PendingDeploymentSummary"]["EndpointConfigName"] == "green"
        eventually(lambda: _pending_status(blue) == "Baking")
        baking = len(traffic.answers)
        eventually(lambda: traffic.since(baking) == {BLUE, GREEN}, timeout=60)

        frozen.advance(300)

        done = blue.wait("e1")
        shifted = len(traffic.answers)
        eventually(lambda: len(traffic.answers) > shifted + 5)
    assert (done["EndpointStatus"], done["EndpointConfigName"]) == ("InService", "green")
    assert "FailureReason" not in done
    assert done["LastDeploymentConfig"] == deployment
    assert done["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    assert traffic.since(shifted) == {GREEN}
    assert traffic.errors == []


def test_a_new_model_that_does_not_load_rolls_back_without_a_failed_request(blue):
    blue.endpoint_config("broken", blue.model("v2", FAIL_TO_LOAD="1"))
    with Traffic("e1") as traffic:
        blue.client("sagemaker").update_endpoint(
            EndpointName="e1", EndpointConfigName="broken", DeploymentConfig=_blue_green()
        )
        done = blue.wait("e1")

    assert (done["EndpointStatus"], done["EndpointConfigName"]) == ("InService", "blue")
    assert done["FailureReason"] == (
        "The primary container for production variant AllTraffic did not pass the ping health "
        "check. Please check CloudWatch logs for this endpoint."
    )
    assert "PendingDeploymentSummary" not in done
    assert set(traffic.answers) == {BLUE}
    assert traffic.errors == []


def test_an_alarm_while_baking_rolls_back_without_a_failed_request(blue):
    cloudwatch = blue.client("cloudwatch")
    blue.endpoint_config("slow", blue.model("v2", MODEL_OFFSET="100", PREDICT_DELAY_SECONDS="0.05"))
    with clock.frozen() as frozen, Traffic("e1") as traffic:
        cloudwatch.put_metric_alarm(
            AlarmName="e1-latency",
            Namespace="AWS/SageMaker",
            MetricName="ModelLatency",
            Dimensions=[
                {"Name": "EndpointName", "Value": "e1"},
                {"Name": "VariantName", "Value": "AllTraffic"},
            ],
            Statistic="Average",
            Period=10,
            EvaluationPeriods=1,
            Threshold=20000,  # microseconds
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        )
        blue.client("sagemaker").update_endpoint(
            EndpointName="e1",
            EndpointConfigName="slow",
            DeploymentConfig=_blue_green("ALL_AT_ONCE", 600, alarms=["e1-latency"]),
        )
        eventually(lambda: GREEN in traffic.answers, timeout=60)
        # blue's and green's requests share this period: in the next, green serves alone (unless
        # the mixed period's average already fired the alarm, which rolls back just the same)
        frozen.advance(10)
        eventually(lambda: _rolled_back(blue) or _green_alone(blue, frozen.now()))

        frozen.advance(20)

        done = blue.wait("e1")
        rolled_back = len(traffic.answers)
        eventually(lambda: len(traffic.answers) > rolled_back + 3)
    assert (done["EndpointStatus"], done["EndpointConfigName"]) == ("InService", "blue")
    assert "e1-latency" in done["FailureReason"]
    assert traffic.since(rolled_back) == {BLUE}
    assert traffic.errors == []


def _rolled_back(hosting) -> bool:
    return "FailureReason" in hosting.describe("e1")


def _green_alone(hosting, now) -> bool:
    """Green's slow requests are recorded at ``now``, and no fast one."""
    points = hosting.statistics(
        "ModelLatency",
        ["Minimum", "SampleCount"],
        now - timedelta(seconds=1),
        now + timedelta(seconds=1),
        10,
    )
    return bool(points) and points[0]["SampleCount"] >= 3 and points[0]["Minimum"] > 20000
