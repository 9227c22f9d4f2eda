"""What SageMaker publishes for an endpoint (AWS/SageMaker counts such as its requests and its 5xx
errors), for the link-by-link tests whose project has no endpoint serving."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sagestack.scenarios.alarms import SAGEMAKER_NAMESPACE, endpoint_dimensions
from sagestack.scenarios.project import Project

ERRORS_METRIC = "Invocation5XXErrors"
INVOCATIONS_METRIC = "Invocations"


def publish_endpoint_counts(
    project: Project,
    metric: str,
    counts: Sequence[int],
    last_period_at: datetime,
    period_seconds: int,
) -> None:
    """One ``metric`` datapoint per period, oldest first, the last at ``last_period_at``."""
    dimensions = [{"Name": k, "Value": v} for k, v in endpoint_dimensions(project).items()]
    data = [
        {
            "MetricName": metric,
            "Dimensions": dimensions,
            "Timestamp": last_period_at - timedelta(seconds=period_seconds * back),
            "Value": float(count),
            "Unit": "Count",
        }
        for back, count in zip(range(len(counts) - 1, -1, -1), counts, strict=True)
    ]
    project.client("cloudwatch").put_metric_data(Namespace=SAGEMAKER_NAMESPACE, MetricData=data)


def publish_invocation_errors(
    project: Project, counts: Sequence[int], last_period_at: datetime, period_seconds: int
) -> None:
    """One Invocation5XXErrors datapoint per period, oldest first, the last at
    ``last_period_at``."""
    publish_endpoint_counts(project, ERRORS_METRIC, counts, last_period_at, period_seconds)
