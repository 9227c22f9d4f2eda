"""What a drift-monitor run leaves for people and alarms: its report under a key that sorts by
window end (so the runbook's ``aws s3 ls ... | tail`` ends with the newest), and a heartbeat
datapoint for every run that completes, whatever its window held, and none for a run that fails."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import boto3
import numpy as np
import pandas as pd
import pytest
from moto import mock_aws

from sagestack import contract
from sagestack_pipelines.drift.baseline import build_baseline, save
from sagestack_pipelines.drift_monitor.heartbeat import heartbeat_datum
from sagestack_pipelines.drift_monitor.step import main, window_end

REGION = "us-east-1"
BUCKET = "artifacts"
CAPTURE = "projects/churn/data-capture/sagestack-dev-churn"
ENDPOINT = "sagestack-dev-churn"


def test_a_window_folder_is_its_end_in_utc_in_iso_basic_format():
    end = datetime(2026, 11, 26, 23, 0, tzinfo=timezone(timedelta(hours=1)))

    assert contract.drift_window_folder(end) == "20261126T2200Z"
    assert contract.drift_report_key("churn", end) == (
        "projects/churn/drift/reports/20261126T2200Z/drift_report.html"
    )


def test_a_window_end_without_a_time_zone_is_refused():
    with pytest.raises(ValueError, match=r"window end 2026-11-26T22:00:00 is invalid: expected a"):
        contract.drift_window_folder(datetime(2026, 11, 26, 22))


def test_report_keys_sort_by_window_end_across_days_months_and_years():
    start = datetime(2026, 12, 30, 20, tzinfo=UTC)
    ends = [start + timedelta(hours=7 * n) for n in range(40)]  # over a new year and new months
    keys = [contract.drift_report_key("churn", end) for end in ends]
    shuffled = random.Random(3).sample(keys, len(keys))

    # S3 lists keys in UTF-8 binary order, which for these keys is Python's string order
    assert sorted(shuffled) == keys


def test_a_run_measures_the_window_that_ends_at_the_hour_it_started_in():
    assert window_end(datetime(2026, 11, 26, 22, 5, 31, tzinfo=UTC)) == datetime(
        2026, 11, 26, 22, tzinfo=UTC
    )


def test_the_heartbeat_counts_capture_files_per_endpoint():
    moment = datetime(2026, 11, 26, 22, 5, tzinfo=UTC)

    assert heartbeat_datum(ENDPOINT, 0, moment) == {
        "MetricName": "MonitorHeartbeat",
        "Dimensions": [{"Name": "EndpointName", "Value": ENDPOINT}],
        "Timestamp": moment,
        "Value": 0,
        "Unit": "Count",
    }
    with pytest.raises(ValueError, match="endpoint_name '' is invalid"):
        heartbeat_datum("", 1, moment)
    with pytest.raises(ValueError, match="capture_files -1 is invalid"):
        heartbeat_datum(ENDPOINT, -1, moment)


def _baseline(folder):
    rng = np.random.default_rng(5)
    path = folder / "baseline.json"
    save(build_baseline(pd.DataFrame({"age": rng.normal(40, 10, 500)})), path)
    return path


def _capture(s3, hour: str, rows: int) -> None:
    lines = "\n".join(
        '{"captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",'
        f' "data": "{40 + n % 7}", "encoding": "CSV"}}}}}}'
        for n in range(rows)
    )
    s3.put_object(Bucket=BUCKET, Key=f"{CAPTURE}/AllTraffic/{hour}/a.jsonl", Body=lines.encode())


def _run(tmp_path, baseline, s3, cloudwatch, sagemaker=None) -> int:
    return main(
        [
            f"--endpoint-name={ENDPOINT}",
            f"--capture-s3-prefix=s3://{BUCKET}/{CAPTURE}",
            "--window-end=2026-11-26T22:05:00Z",
            f"--capture-dir={tmp_path / 'capture'}",
            f"--baseline={baseline}",
            f"--output={tmp_path / 'output'}",
            "--publish-metrics",
        ],
        s3=s3,
        cloudwatch=cloudwatch,
        sagemaker=sagemaker,
    )


def _heartbeats(cloudwatch, metric: str = contract.DRIFT_HEARTBEAT_METRIC) -> list[float]:
    answer = cloudwatch.get_metric_statistics(
        Namespace=contract.DRIFT_NAMESPACE,
        MetricName=metric,
        Dimensions=[{"Name": contract.DIM_ENDPOINT, "Value": ENDPOINT}],
        StartTime=datetime.now(UTC) - timedelta(hours=1),
        EndTime=datetime.now(UTC) + timedelta(hours=1),
        Period=7200,
        Statistics=["Sum", "SampleCount"],
    )
    return [(p["SampleCount"], p["Sum"]) for p in answer["Datapoints"]]


@pytest.fixture
def aws():
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        yield s3, boto3.client("cloudwatch", region_name=REGION)


def test_a_completed_run_beats_once_with_the_capture_files_it_read(tmp_path, aws):
    s3, cloudwatch = aws
    _capture(s3, "2026/11/26/21", rows=50)

    assert _run(tmp_path, _baseline(tmp_path), s3, cloudwatch) == 0

    assert _heartbeats(cloudwatch) == [(1.0, 1.0)]


def test_a_run_over_an_empty_window_still_beats(tmp_path, aws):
    s3, cloudwatch = aws  # no capture at all: the endpoint served nothing, the monitor ran

    assert _run(tmp_path, _baseline(tmp_path), s3, cloudwatch) == 0

    assert _heartbeats(cloudwatch) == [(1.0, 0.0)]


def test_a_failed_run_does_not_beat(tmp_path, aws):
    s3, cloudwatch = aws
    _capture(s3, "2026/11/26/21", rows=50)
    broken = tmp_path / "baseline.json"
    broken.write_text("{not json")

    # the step exits non-zero, so the processing job fails: no heartbeat is what pages
    assert _run(tmp_path, broken, s3, cloudwatch) != 0

    assert _heartbeats(cloudwatch) == []


def test_a_run_publishes_the_capture_records_its_serving_endpoint_did_not_write(tmp_path, aws):
    s3, cloudwatch = aws  # no capture in the day before the run, while the endpoint served 40
    cloudwatch.put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [
                    {"Name": "EndpointName", "Value": ENDPOINT},
                    {"Name": "VariantName", "Value": "AllTraffic"},
                ],
                "Timestamp": datetime(2026, 11, 26, 12, tzinfo=UTC),
                "Value": 40,
            }
        ],
    )
    gone = boto3.client("sagemaker", region_name=REGION)  # moto: no such endpoint

    assert _run(tmp_path, _baseline(tmp_path), s3, cloudwatch, gone) == 0

    assert _heartbeats(cloudwatch) == [(1.0, 0.0)]
    assert _heartbeats(cloudwatch, contract.DRIFT_MISSING_CAPTURE_METRIC) == [(1.0, 40.0)]


def test_a_run_whose_endpoint_captured_publishes_no_missing_records(tmp_path, aws):
    s3, cloudwatch = aws
    _capture(s3, "2026/11/26/21", rows=50)

    assert _run(tmp_path, _baseline(tmp_path), s3, cloudwatch) == 0

    assert _heartbeats(cloudwatch, contract.DRIFT_MISSING_CAPTURE_METRIC) == [(1.0, 0.0)]
