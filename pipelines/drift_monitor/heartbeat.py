"""The drift monitor's heartbeat: one CloudWatch datapoint per completed run, so that a monitor
that fails or stops pages on-call instead of looking like "no drift" (the alarm that watches it:
``infra/components/monitor_health.py``; what to do: ``docs/runbooks/drift-monitor.md``)."""

from __future__ import annotations

from datetime import datetime

from sagestack.contract import DIM_ENDPOINT, DRIFT_HEARTBEAT_METRIC, DRIFT_NAMESPACE


def heartbeat_datum(endpoint_name: str, capture_files: int, timestamp: datetime) -> dict:
    """The datum of one completed run: how many capture files it read (0 is still a beat)."""
    if not endpoint_name:
        raise ValueError("endpoint_name '' is invalid: the heartbeat is dimensioned by endpoint")
    if capture_files < 0:
        raise ValueError(f"capture_files {capture_files} is invalid: expected a count >= 0")
    return {
        "MetricName": DRIFT_HEARTBEAT_METRIC,
        "Dimensions": [{"Name": DIM_ENDPOINT, "Value": endpoint_name}],
        "Timestamp": timestamp,
        "Value": capture_files,
        "Unit": "Count",
    }


def publish_heartbeat(
    cloudwatch, endpoint_name: str, capture_files: int, timestamp: datetime
) -> None:
    """Put the run's heartbeat with ``cloudwatch`` (a boto3 CloudWatch client)."""
    cloudwatch.put_metric_data(
        Namespace=DRIFT_NAMESPACE,
        MetricData=[heartbeat_datum(endpoint_name, capture_files, timestamp)],
    )
