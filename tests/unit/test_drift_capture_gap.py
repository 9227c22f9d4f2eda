"""An endpoint that serves without capturing is measured by the drift monitor as the capture
records missing over the last day, so that an empty window pages instead of reading as "no drift".
S3 and CloudWatch are moto's; SageMaker's DescribeEndpoint answers through botocore's Stubber,
which holds each answer to the API's response shape."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from sagestack import contract
from sagestack_pipelines.drift_monitor import capture_gap
from sagestack_pipelines.drift_monitor.step import window_folders

REGION = "us-east-1"
BUCKET = "artifacts"
CAPTURE = "projects/churn/data-capture/sagestack-dev-churn"
ENDPOINT = "sagestack-dev-churn"
RUN_STARTED = datetime(2026, 11, 26, 22, 5, tzinfo=UTC)  # looks back over 25/22h..26/21h
LOOKBACK = window_folders(RUN_STARTED, capture_gap.LOOKBACK_HOURS)


@pytest.fixture
def clients():
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        with Stubber(sagemaker) as stubbed:
            yield (
                capture_gap.Clients(
                    cloudwatch=boto3.client("cloudwatch", region_name=REGION),
                    s3=s3,
                    sagemaker=sagemaker,
                ),
                stubbed,
            )
            stubbed.assert_no_pending_responses()


def _served(clients, variant: str, requests: int, at: datetime) -> None:
    clients.cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [
                    {"Name": "EndpointName", "Value": ENDPOINT},
                    {"Name": "VariantName", "Value": variant},
                ],
                "Timestamp": at,
                "Value": requests,
                "Unit": "None",
            }
        ],
    )


def _captured(clients, variant: str, hour: str) -> None:
    key = f"{CAPTURE}/{variant}/{hour}/12-00-00-000-abc.jsonl"
    clients.s3.put_object(Bucket=BUCKET, Key=key, Body=b"{}\n")


def _described(stubbed, capture: dict | None, variants=("AllTraffic",)) -> None:
    answer = {
        "ProductionVariants": [{"VariantName": variant} for variant in variants],
        "EndpointName": ENDPOINT,
        "EndpointArn": f"arn:aws:sagemaker:{REGION}:123456789012:endpoint/{ENDPOINT}",
        "EndpointConfigName": f"{ENDPOINT}-v1",
        "EndpointStatus": "InService",
        "CreationTime": RUN_STARTED,
        "LastModifiedTime": RUN_STARTED,
    }
    if capture is not None:
        answer["DataCaptureConfig"] = capture
    stubbed.add_response("describe_endpoint", answer, {"EndpointName": ENDPOINT})


def _capture_config(enabled: bool, percent: int = 100) -> dict:
    return {
        "EnableCapture": enabled,
        "CaptureStatus": "Started" if enabled else "Stopped",
        "CurrentSamplingPercentage": percent,
        "DestinationS3Uri": f"s3://{BUCKET}/{CAPTURE}",
        "KmsKeyId": f"arn:aws:kms:{REGION}:123456789012:key/platform",
    }


def _missing(clients) -> float:
    return capture_gap.measure_missing_captures(
        clients=clients, endpoint=ENDPOINT, capture=(BUCKET, CAPTURE), hour_folders=LOOKBACK
    )


def test_requests_served_with_capture_off_are_all_missing(clients):
    clients, stubbed = clients
    _served(clients, "AllTraffic", 30, datetime(2026, 11, 26, 3, 10, tzinfo=UTC))
    _served(clients, "AllTraffic", 12, datetime(2026, 11, 26, 21, 59, tzinfo=UTC))
    _described(stubbed, _capture_config(enabled=False))

    assert _missing(clients) == 42


def test_a_variant_that_wrote_one_capture_file_in_the_day_misses_nothing(clients):
    clients, stubbed = clients
    _described(stubbed, _capture_config(enabled=True))
    _served(clients, "AllTraffic", 500, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    _captured(clients, "AllTraffic", "2026/11/25/22")  # the oldest hour of the lookback

    assert _missing(clients) == 0


def test_capture_older_than_the_day_does_not_count(clients):
    clients, stubbed = clients
    _served(clients, "AllTraffic", 50, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    _captured(clients, "AllTraffic", "2026/11/25/21")  # one hour before the lookback
    _captured(clients, "AllTraffic", "2026/11/26/22")  # the run's own, incomplete hour
    _described(stubbed, _capture_config(enabled=True))

    assert _missing(clients) == 50


def test_missing_records_follow_the_endpoints_sampling_percentage(clients):
    clients, stubbed = clients
    _served(clients, "AllTraffic", 50, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    _described(stubbed, _capture_config(enabled=True, percent=20))

    assert _missing(clients) == 10


def test_only_the_variants_that_captured_nothing_count(clients):
    clients, stubbed = clients
    _served(clients, "Blue", 70, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    _served(clients, "Green", 30, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    _captured(clients, "Blue", "2026/11/26/20")
    _described(stubbed, _capture_config(enabled=True), variants=("Blue", "Green"))

    assert _missing(clients) == 30


def test_requests_outside_the_day_and_other_endpoints_do_not_count(clients):
    clients, stubbed = clients
    _described(stubbed, _capture_config(enabled=False))
    _served(clients, "AllTraffic", 80, datetime(2026, 11, 25, 21, 30, tzinfo=UTC))
    _served(clients, "AllTraffic", 80, datetime(2026, 11, 26, 22, 1, tzinfo=UTC))
    clients.cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [
                    {"Name": "EndpointName", "Value": "sagestack-dev-fraud"},
                    {"Name": "VariantName", "Value": "AllTraffic"},
                ],
                "Timestamp": datetime(2026, 11, 26, 20, 0, tzinfo=UTC),
                "Value": 80,
            }
        ],
    )

    assert _missing(clients) == 0


def test_an_endpoint_that_is_gone_counts_every_uncaptured_request_of_the_platforms_variant(
    clients,
):
    clients, stubbed = clients
    _served(clients, "AllTraffic", 25, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    stubbed.add_client_error(
        "describe_endpoint",
        service_error_code="ValidationException",
        service_message=f'Could not find endpoint "{ENDPOINT}".',
        http_status_code=400,
    )

    assert _missing(clients) == 25


def test_a_refused_describe_endpoint_fails_the_run(clients):
    clients, stubbed = clients
    _served(clients, "AllTraffic", 25, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    stubbed.add_client_error(
        "describe_endpoint", service_error_code="AccessDeniedException", http_status_code=400
    )

    # the run fails, so it publishes no heartbeat, and the heartbeat alarm pages instead
    with pytest.raises(clients.sagemaker.exceptions.ClientError, match="AccessDenied"):
        _missing(clients)


def test_the_datum_is_per_endpoint_and_refuses_a_negative_count():
    moment = datetime(2026, 11, 26, 22, 5, tzinfo=UTC)

    assert capture_gap.missing_captures_datum(ENDPOINT, 12.0, moment) == {
        "MetricName": contract.DRIFT_MISSING_CAPTURE_METRIC,
        "Dimensions": [{"Name": "EndpointName", "Value": ENDPOINT}],
        "Timestamp": moment,
        "Value": 12.0,
        "Unit": "Count",
    }
    with pytest.raises(ValueError, match="missing capture records -1 is invalid"):
        capture_gap.missing_captures_datum(ENDPOINT, -1, moment)


def test_the_lookback_is_the_day_of_complete_hours_before_the_run():
    assert (LOOKBACK[0], LOOKBACK[-1], len(LOOKBACK)) == ("2026/11/25/22", "2026/11/26/21", 24)
