"""Requests an endpoint served without capturing them: the drift monitor's measure of an endpoint
that stopped writing data capture while it serves (capture switched off by a redeploy, a capture
destination the endpoint may no longer write, a KMS key it lost). Drift measured on such an
endpoint reads as "no drift" from an empty window, so each completed run publishes how many
capture records are missing over the last day, and an alarm pages above a few
(``infra/components/monitor_health.py``; runbook ``docs/runbooks/capture-gap.md``).

A variant's requests count as uncaptured when it served requests in the day's complete hours
(``AWS/SageMaker`` ``Invocations``) and wrote no capture file under its folder for any of those
hours. They are scaled by the endpoint's current sampling percentage, so the value is the number
of capture records that should exist and do not: a 5 % sample of a quiet endpoint may well write
nothing in a day, a 100 % sample of 40 requests may not.

The variants come from DescribeEndpoint rather than ListMetrics: ListMetrics takes an optional
resource type (OTLP datasets) that a ``*`` grant could not be narrowed to by any condition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sagestack.contract import DIM_ENDPOINT, DRIFT_MISSING_CAPTURE_METRIC, ENDPOINT_VARIANT
from sagestack_pipelines.drift_monitor.heartbeat import endpoint_count

LOOKBACK_HOURS = 24
SAGEMAKER_NAMESPACE = "AWS/SageMaker"
INVOCATIONS = "Invocations"
DIM_VARIANT = "VariantName"
HOUR = timedelta(hours=1)
HOUR_FOLDER = "%Y/%m/%d/%H"  # SageMaker's capture layout under a variant


@dataclass(frozen=True)
class Clients:
    """boto3 clients of the run's role."""

    cloudwatch: Any
    s3: Any
    sagemaker: Any


@dataclass(frozen=True)
class Serving:
    """What the endpoint is now: its variants and the share of requests it should capture."""

    variants: tuple[str, ...]
    capture_share: float


def describe_serving(sagemaker, endpoint: str) -> Serving:
    """Its variants and current sampling percentage; capture switched off counts as all
    requests (the monitor needs them and has none). An endpoint that is gone (deleted during
    the day) is taken as the platform's one variant with its sampling unknown: all requests."""
    try:
        described = sagemaker.describe_endpoint(EndpointName=endpoint)
    except sagemaker.exceptions.ClientError as error:
        if "Could not find endpoint" in error.response["Error"].get("Message", ""):
            return Serving((ENDPOINT_VARIANT,), 1.0)
        raise
    variants = tuple(v["VariantName"] for v in described.get("ProductionVariants", []))
    capture = described.get("DataCaptureConfig") or {}
    if not capture.get("EnableCapture"):
        return Serving(variants, 1.0)
    return Serving(variants, capture.get("CurrentSamplingPercentage", 100) / 100)


def invocations(cloudwatch, endpoint: str, variant: str, start: datetime, end: datetime) -> float:
    """Requests ``variant`` of ``endpoint`` served in [start, end) (``Invocations``, Sum)."""
    datapoints = cloudwatch.get_metric_statistics(
        Namespace=SAGEMAKER_NAMESPACE,
        MetricName=INVOCATIONS,
        Dimensions=[
            {"Name": DIM_ENDPOINT, "Value": endpoint},
            {"Name": DIM_VARIANT, "Value": variant},
        ],
        StartTime=start,
        EndTime=end,
        Period=int(HOUR.total_seconds()),
        Statistics=["Sum"],
    )["Datapoints"]
    return sum(point["Sum"] for point in datapoints)


def captured_anything(s3, bucket: str, variant_prefix: str, hour_folders: Iterable[str]) -> bool:
    """Whether any capture file sits under ``<variant_prefix>/<yyyy/mm/dd/hh>/`` of those hours."""
    for folder in hour_folders:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"{variant_prefix}/{folder}/", MaxKeys=1)
        if listed.get("KeyCount", 0):
            return True
    return False


def measure_missing_captures(
    *, clients: Clients, endpoint: str, capture: tuple[str, str], hour_folders: list[str]
) -> float:
    """Capture records missing for ``endpoint`` (capturing under ``capture``, a bucket and a
    prefix) over ``hour_folders``, complete hours (``yyyy/mm/dd/hh``) oldest first."""
    bucket, prefix = capture
    start = datetime.strptime(hour_folders[0], HOUR_FOLDER).replace(tzinfo=UTC)
    end = datetime.strptime(hour_folders[-1], HOUR_FOLDER).replace(tzinfo=UTC) + HOUR
    serving = describe_serving(clients.sagemaker, endpoint)
    uncaptured = 0.0
    for variant in serving.variants:
        served = invocations(clients.cloudwatch, endpoint, variant, start, end)
        if served and not captured_anything(
            clients.s3, bucket, f"{prefix}/{variant}", hour_folders
        ):
            uncaptured += served
    return uncaptured * serving.capture_share


def missing_captures_datum(endpoint: str, missing: float, timestamp: datetime) -> dict:
    if missing < 0:
        raise ValueError(f"missing capture records {missing} is invalid: expected a count >= 0")
    return endpoint_count(DRIFT_MISSING_CAPTURE_METRIC, endpoint, missing, timestamp)
