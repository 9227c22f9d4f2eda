"""The invocation metrics SageMaker publishes for an endpoint, in ``AWS/SageMaker``.

Per variant, dimensioned by ``EndpointName`` and ``VariantName`` (AWS also publishes each with
``EndpointConfigName`` added; moto's GetMetricStatistics matches dimension subsets, so that
second copy would double every sum read without it, and is left out):
``Invocations``, ``Invocation4XXErrors`` and ``Invocation5XXErrors`` (1 per request that got
one, 0 otherwise: their Average is the error rate), ``InvocationsPerInstance`` (each request
counts ``1 / instances``), ``ModelLatency`` and ``OverheadLatency`` (microseconds, every value
kept, so percentile alarms work). Observations are aggregated per second of the local cloud's
clock and written to CloudWatch every :data:`FLUSH_SECONDS` as the service writes them (no
credentials: they are SageMaker's, not the caller's).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sagestack.localcloud import moto as moto_internals

NAMESPACE = "AWS/SageMaker"
FLUSH_SECONDS = 1.0
MICROSECONDS = "Microseconds"


@dataclass(frozen=True)
class Observation:
    account_id: str
    region: str
    endpoint: str
    variant: str
    instances: int
    status: int  # the model's HTTP status
    model_latency_us: float
    overhead_latency_us: float
    at: datetime


@dataclass
class _Bucket:
    count: int = 0
    client_errors: int = 0
    server_errors: int = 0
    per_instance: float = 0.0
    smallest_share: float = 1.0
    largest_share: float = 0.0
    model_latencies: list[float] = field(default_factory=list)
    overhead_latencies: list[float] = field(default_factory=list)

    def add(self, observation: Observation) -> None:
        share = 1.0 / max(observation.instances, 1)
        self.count += 1
        self.client_errors += 400 <= observation.status < 500
        self.server_errors += observation.status >= 500
        self.per_instance += share
        self.smallest_share = min(self.smallest_share, share)
        self.largest_share = max(self.largest_share, share)
        self.model_latencies.append(observation.model_latency_us)
        self.overhead_latencies.append(observation.overhead_latency_us)


# (the CloudWatch backend's id, endpoint, variant, second) -> what was observed in that second
_Key = tuple[int, str, str, int]


class MetricsPublisher:
    def __init__(self) -> None:
        self._buckets: dict[_Key, _Bucket] = defaultdict(_Bucket)
        # each observation goes to the backend of its moment: after a reset of the local cloud,
        # what an earlier endpoint observed lands in the discarded backend, not in the new one
        self._backends: dict[int, Any] = {}
        self._lock = threading.Lock()
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()

    def record(self, observation: Observation) -> None:
        backend = moto_internals.backend("cloudwatch", observation.account_id, observation.region)
        key = (
            id(backend),
            observation.endpoint,
            observation.variant,
            int(observation.at.timestamp()),
        )
        with self._lock:
            self._backends[id(backend)] = backend
            self._buckets[key].add(observation)
            if self._flusher is None:
                self._flusher = threading.Thread(
                    target=self._run, name="sagemaker-metrics", daemon=True
                )
                self._flusher.start()

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        with self._lock:
            buckets, self._buckets = self._buckets, defaultdict(_Bucket)
            backends, self._backends = self._backends, {}
        by_backend: dict[int, list[dict]] = defaultdict(list)
        for (backend_id, endpoint, variant, second), bucket in buckets.items():
            at = datetime.fromtimestamp(second, UTC).replace(tzinfo=None)  # moto keeps naive UTC
            dimensions = [
                {"Name": "EndpointName", "Value": endpoint},
                {"Name": "VariantName", "Value": variant},
            ]
            by_backend[backend_id].extend(_datums(bucket, dimensions, at))
        for backend_id, datums in by_backend.items():
            backends[backend_id].put_metric_data(NAMESPACE, datums)


def _datums(bucket: _Bucket, dimensions: list[dict], at: datetime) -> list[dict]:
    def statistic_set(name: str, total: float, smallest: float, largest: float) -> dict:
        values = {
            "SampleCount": bucket.count,
            "Sum": total,
            "Minimum": smallest,
            "Maximum": largest,
        }
        return {
            "MetricName": name,
            "Dimensions": dimensions,
            "Timestamp": at,
            "StatisticValues": values,
            "Unit": "None",
        }

    def errors(name: str, failed: int) -> dict:
        return statistic_set(
            name, failed, 0.0 if failed < bucket.count else 1.0, 1.0 if failed else 0.0
        )

    def latencies(name: str, values: list[float]) -> dict:
        return {
            "MetricName": name,
            "Dimensions": dimensions,
            "Timestamp": at,
            "Values": values,
            "Unit": MICROSECONDS,
        }

    return [
        statistic_set("Invocations", bucket.count, 1.0, 1.0),
        errors("Invocation4XXErrors", bucket.client_errors),
        errors("Invocation5XXErrors", bucket.server_errors),
        statistic_set(
            "InvocationsPerInstance",
            bucket.per_instance,
            bucket.smallest_share,
            bucket.largest_share,
        ),
        latencies("ModelLatency", bucket.model_latencies),
        latencies("OverheadLatency", bucket.overhead_latencies),
    ]


PUBLISHER = MetricsPublisher()
