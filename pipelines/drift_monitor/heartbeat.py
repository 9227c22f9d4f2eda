"""The drift monitor's heartbeat: one CloudWatch datapoint per completed run, so that a monitor
that fails or stops pages on-call instead of looking like "no drift" (the alarm that watches it:
``infra/components/monitor_health.py``; what to do: ``docs/runbooks/drift-monitor.md``)."""

from __future__ import annotations

from datetime import datetime

from sagestack.contract import DIM_ENDPOINT, DRIFT_HEARTBEAT_METRIC, DRIFT_NAMESPACE


def heartbeat_datum(endpoint_name: str, capture_files: int, timestamp: datetime) -> dict:
    """The datum of one completed run: how many capture files it read (0 is still a beat)."""
    if capture_files < 0:
        raise ValueError(f"capture_files {capture_files} is invalid: expected a count >= 0")
    return endpoint_count(DRIFT_HEARTBEAT_METRIC, endpoint_name, capture_files, timestamp)


def endpoint_count(metric: str, endpoint_name: str, value: float, timestamp: datetime) -> dict:
    """A datum of ``metric``, a count dimensioned by the endpoint only, as alarms watch it."""
    if not endpoint_name:
        raise ValueError("endpoint_name '' is invalid: the metrics are dimensioned by endpoint")
    return {
        "MetricName": metric,
        "Dimensions": [{"Name": DIM_ENDPOINT, "Value": endpoint_name}],
        "Timestamp": timestamp,
        "Value": value,
        "Unit": "Count",
    }


def publish_run_metrics(cloudwatch, data: list[dict]) -> None:
    """Put a completed run's data (its heartbeat first) with ``cloudwatch`` (a boto3 client)."""
    cloudwatch.put_metric_data(Namespace=DRIFT_NAMESPACE, MetricData=data)
