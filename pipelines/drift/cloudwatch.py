"""Publish a drift report as the CloudWatch metrics the platform's alarms watch.

Names come from :mod:`sagestack.contract`. Per watched feature (dimensions EndpointName and
FeatureName): ``FeatureViolation``, 1 when the feature is in the run's violations file, else 0,
and ``FeatureDrift``, its PSI. Per run (EndpointName): ``ViolatingFeatures``, how many features
the violations file names, and ``MaxFeatureDrift``, the largest PSI. The alarms watch the
violation metrics, so a page and the violations file always agree. A window too small to judge
publishes nothing: the alarms see missing data and keep their state. The client is passed in, so
the engine itself never reaches AWS.
"""

from __future__ import annotations

from datetime import datetime

from sagestack.contract import (
    DIM_ENDPOINT,
    DIM_FEATURE,
    DRIFT_FEATURE_METRIC,
    DRIFT_MAX_METRIC,
    DRIFT_NAMESPACE,
    DRIFT_VIOLATION_METRIC,
    DRIFT_VIOLATIONS_METRIC,
)
from sagestack_pipelines.drift.comparison import DriftReport

# PutMetricData accepts at most 1,000 metric datums and a 1 MB payload per request; a datum here
# is well under 1 KB, so 500 per call respects both.
DATUMS_PER_CALL = 500


def metric_data(report: DriftReport, endpoint_name: str, timestamp: datetime) -> list[dict]:
    """The datums of one run: two per feature, then two for the run; none for an unjudged one."""
    if not endpoint_name:
        raise ValueError("endpoint_name '' is invalid: metrics are dimensioned by endpoint")
    if not report.judged:
        return []
    endpoint = {"Name": DIM_ENDPOINT, "Value": endpoint_name}

    def datum(metric: str, value: float, *dimensions: dict) -> dict:
        return {
            "MetricName": metric,
            "Dimensions": [endpoint, *dimensions],
            "Timestamp": timestamp,
            "Value": float(value),
            "Unit": "None",
        }

    data = []
    for item in report.features:
        feature = {"Name": DIM_FEATURE, "Value": item.name}
        data.append(datum(DRIFT_VIOLATION_METRIC, int(item.violates), feature))
        data.append(datum(DRIFT_FEATURE_METRIC, item.psi, feature))
    violating = len(report.violating) + len(report.extra_columns)
    data.append(datum(DRIFT_VIOLATIONS_METRIC, violating))
    data.append(datum(DRIFT_MAX_METRIC, report.max_psi))
    return data


def publish(cloudwatch, report: DriftReport, endpoint_name: str, timestamp: datetime) -> int:
    """Put the run's metrics with ``cloudwatch`` (a boto3 CloudWatch client); returns the count."""
    data = metric_data(report, endpoint_name, timestamp)
    for start in range(0, len(data), DATUMS_PER_CALL):
        cloudwatch.put_metric_data(
            Namespace=DRIFT_NAMESPACE, MetricData=data[start : start + DATUMS_PER_CALL]
        )
    return len(data)
