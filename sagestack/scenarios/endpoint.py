"""What SageMaker publishes for an endpoint, here its 5xx error counts (AWS/SageMaker), until the
local cloud serves endpoints itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sagestack.scenarios.alarms import SAGEMAKER_NAMESPACE, endpoint_dimensions
from sagestack.scenarios.project import Project

ERRORS_METRIC = "Invocation5XXErrors"


def publish_invocation_errors(
    project: Project, counts: Sequence[int], last_period_at: datetime, period_seconds: int
) -> None:
    """One Invocation5XXErrors datapoint per period, oldest first, the last at
    ``last_period_at``."""
    dimensions = [{"Name": k, "Value": v} for k, v in endpoint_dimensions(project).items()]
    data = [
        {
            "MetricName": ERRORS_METRIC,
            "Dimensions": dimensions,
            "Timestamp": last_period_at - timedelta(seconds=period_seconds * back),
            "Value": float(count),
            "Unit": "Count",
        }
        for back, count in zip(range(len(counts) - 1, -1, -1), counts, strict=True)
    ]
    project.client("cloudwatch").put_metric_data(Namespace=SAGEMAKER_NAMESPACE, MetricData=data)
