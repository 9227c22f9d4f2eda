"""Publish a drift report as the CloudWatch metrics the platform's alarms watch.

Names come from :mod:`sagestack.contract`: per feature ``FeatureDrift`` (dimensions EndpointName
and FeatureName) and per run ``MaxFeatureDrift`` (EndpointName), the value being the PSI. The
client is passed in, so the engine itself never reaches AWS.
"""

from __future__ import annotations

from datetime import datetime

from sagestack.contract import (
    DIM_ENDPOINT,
    DIM_FEATURE,
    DRIFT_FEATURE_METRIC,
    DRIFT_MAX_METRIC,
    DRIFT_NAMESPACE,
)
from sagestack_pipelines.drift.comparison import DriftReport

# PutMetricData accepts at most 1,000 metric datums and a 1 MB payload per request; a datum here
# is well under 1 KB, so 500 per call respects both.
DATUMS_PER_CALL = 500


def metric_data(report: DriftReport, endpoint_name: str, timestamp: datetime) -> list[dict]:
    """The datums of one run: one per feature, then the maximum."""
    if not endpoint_name:
        raise ValueError("endpoint_name '' is invalid: metrics are dimensioned by endpoint")
    endpoint = {"Name": DIM_ENDPOINT, "Value": endpoint_name}
    data = [
        {
            "MetricName": DRIFT_FEATURE_METRIC,
            "Dimensions": [endpoint, {"Name": DIM_FEATURE, "Value": item.name}],
            "Timestamp": timestamp,
            "Value": item.psi,
            "Unit": "None",
        }
        for item in report.features
    ]
    data.append(
        {
            "MetricName": DRIFT_MAX_METRIC,
            "Dimensions": [endpoint],
            "Timestamp": timestamp,
            "Value": report.max_psi,
            "Unit": "None",
        }
    )
    return data


def publish(cloudwatch, report: DriftReport, endpoint_name: str, timestamp: datetime) -> int:
    """Put the run's metrics with ``cloudwatch`` (a boto3 CloudWatch client); returns the count."""
    data = metric_data(report, endpoint_name, timestamp)
    for start in range(0, len(data), DATUMS_PER_CALL):
        cloudwatch.put_metric_data(
            Namespace=DRIFT_NAMESPACE, MetricData=data[start : start + DATUMS_PER_CALL]
        )
    return len(data)
