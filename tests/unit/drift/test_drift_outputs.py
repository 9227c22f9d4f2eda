"""What a run leaves behind: CloudWatch metrics that agree with constraint_violations.json, the
HTML report."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import boto3
import numpy as np
import pytest
from drift_frames import drifted_report, report_of, requests
from moto import mock_aws

from sagestack.contract import (
    DIM_ENDPOINT,
    DIM_FEATURE,
    DRIFT_FEATURE_METRIC,
    DRIFT_MAX_METRIC,
    DRIFT_NAMESPACE,
    DRIFT_VIOLATION_METRIC,
    DRIFT_VIOLATIONS_METRIC,
)
from sagestack_pipelines.drift import report as html_report
from sagestack_pipelines.drift import violations
from sagestack_pipelines.drift.cloudwatch import DATUMS_PER_CALL, metric_data, publish
from sagestack_pipelines.drift.comparison import Thresholds

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)


@pytest.fixture
def drifted(rng):
    return drifted_report(rng)


def _violating_names(report) -> set[str]:
    return {v["feature_name"] for v in violations.violations(report, Thresholds())["violations"]}


def _statistic(cloudwatch, metric: str, dimensions: dict[str, str]) -> float:
    [datapoint] = cloudwatch.get_metric_statistics(
        Namespace=DRIFT_NAMESPACE,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=NOW.replace(hour=9),
        EndTime=NOW.replace(hour=11),
        Period=3600,
        Statistics=["Maximum"],
    )["Datapoints"]
    return datapoint["Maximum"]


@mock_aws
def test_the_alarm_metrics_name_exactly_the_features_of_the_violations_file(rng):
    """Drift (age, colour), and a violation that is no drift (visits' completeness)."""
    window = requests(rng, 4_000, age_shift=6.0, colour_weights=[0.1, 0.2, 0.3, 0.4])
    window.loc[window.index[:1_200], "visits"] = np.nan
    drifted = report_of(requests(rng, 20_000), window)
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    assert publish(cloudwatch, drifted, "churn", NOW) == 2 * len(drifted.features) + 2
    flagged = {
        item.name
        for item in drifted.features
        if _statistic(
            cloudwatch,
            DRIFT_VIOLATION_METRIC,
            {DIM_ENDPOINT: "churn", DIM_FEATURE: item.name},
        )
        == 1.0
    }
    assert flagged == _violating_names(drifted) == {"age", "colour", "visits"}
    endpoint = {DIM_ENDPOINT: "churn"}
    assert _statistic(cloudwatch, DRIFT_VIOLATIONS_METRIC, endpoint) == 3.0
    assert _statistic(cloudwatch, DRIFT_MAX_METRIC, endpoint) == pytest.approx(drifted.max_psi)
    age = {DIM_ENDPOINT: "churn", DIM_FEATURE: "age"}
    age_psi = next(item.psi for item in drifted.features if item.name == "age")
    assert _statistic(cloudwatch, DRIFT_FEATURE_METRIC, age) == pytest.approx(age_psi)


def test_an_extra_column_counts_in_the_alarm_on_any_feature(rng):
    report = report_of(requests(rng, 5_000), requests(rng, 4_000).assign(coupon="x"))
    [violating] = [
        d for d in metric_data(report, "churn", NOW) if d["MetricName"] == DRIFT_VIOLATIONS_METRIC
    ]
    assert violating["Value"] == 1.0 == len(_violating_names(report))


class _RecordingCloudWatch:
    def __init__(self):
        self.calls = []

    def put_metric_data(self, **request):
        self.calls.append(request)


def test_metrics_are_batched_within_put_metric_data_limits(drifted):
    many = dataclasses.replace(drifted, features=drifted.features * 300)
    client = _RecordingCloudWatch()
    count = publish(client, many, "churn", NOW)
    assert count == 2 * len(many.features) + 2
    assert [len(call["MetricData"]) for call in client.calls] == [
        DATUMS_PER_CALL,
        DATUMS_PER_CALL,
        DATUMS_PER_CALL,
        DATUMS_PER_CALL,
        count - 4 * DATUMS_PER_CALL,
    ]
    assert {call["Namespace"] for call in client.calls} == {DRIFT_NAMESPACE}


def test_a_window_too_small_to_judge_publishes_nothing_and_says_why(rng, tmp_path):
    report = report_of(requests(rng, 5_000), requests(rng, 40, age_shift=30.0))
    client = _RecordingCloudWatch()
    assert publish(client, report, "churn", NOW) == 0 and client.calls == []
    assert violations.violations(report, Thresholds()) == {"violations": []}
    page = html_report.write(report, html_report.Header("churn"), tmp_path).read_text()
    assert "window too small to judge: 40 requests, at least 2,902 needed" in page


def test_metrics_need_an_endpoint_name(drifted):
    with pytest.raises(ValueError, match="endpoint_name '' is invalid"):
        metric_data(drifted, "", NOW)


def test_violations_have_model_monitors_shape_and_check_types(drifted, tmp_path):
    path = violations.write(drifted, Thresholds(), tmp_path)
    assert path.name == "constraint_violations.json"
    document = json.loads(path.read_text())
    assert list(document) == ["violations"]
    for item in document["violations"]:
        assert set(item) == {"feature_name", "constraint_check_type", "description"}
    found = {(v["feature_name"], v["constraint_check_type"]) for v in document["violations"]}
    assert found == {
        ("age", "baseline_drift_check"),
        ("colour", "baseline_drift_check"),
        ("colour", "categorical_values_check"),
    }
    pink = next(
        v
        for v in document["violations"]
        if v["constraint_check_type"] == "categorical_values_check"
    )
    assert "'pink'" in pink["description"]


def test_no_drift_writes_an_empty_violations_list(rng, tmp_path):
    report = report_of(requests(rng, 5_000), requests(rng, 4_000))
    assert report.judged
    assert json.loads(violations.write(report, Thresholds(), tmp_path).read_text()) == {
        "violations": []
    }


def test_thousands_of_new_categories_are_counted_not_all_listed(rng, tmp_path):
    """A free-text or id value sent as a category: the page names the ten most frequent."""
    window = requests(rng, 5_000)
    window["colour"] = [f"id-{i}" for i in range(len(window))]
    report = report_of(requests(rng, 5_000), window)
    (check,) = [
        v
        for v in violations.violations(report, Thresholds())["violations"]
        if v["constraint_check_type"] == "categorical_values_check"
    ]
    assert check["description"].count("'id-") == 10
    assert check["description"].endswith(" and 4,990 more")
    page = html_report.write(report, html_report.Header("churn"), tmp_path).read_text()
    assert page.count("&#x27;id-") == 10 and "and 4,990 more" in page
