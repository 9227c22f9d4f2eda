"""moto's stored datapoints, grouped by metric and sorted by time, for alarm evaluation.

moto keeps every datapoint of a region in one list; evaluating each alarm by scanning it costs
alarms x evaluations x datapoints (minutes for a simulated day). The index is built once per
clock tick and answers a time range of one metric with two bisections.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sagestack.localcloud.services.cloudwatch.statistics import Sample

MetricKey = tuple[str, str, frozenset[tuple[str, str]]]  # namespace, name, dimensions


def as_utc(moment: datetime) -> datetime:
    """moto keeps naive UTC datetimes; compare everything as aware UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def metric_key(namespace: str, name: str, dimensions: Iterable[Any]) -> MetricKey:
    """A metric's identity: CloudWatch treats each distinct dimension set as its own metric."""
    return namespace, name, frozenset((d.name, d.value) for d in dimensions)


@dataclass
class _Series:
    seconds: list[float] = field(default_factory=list)
    entries: list[tuple[str | None, Sample]] = field(default_factory=list)  # (unit, sample)


class MetricIndex:
    def __init__(self, metric_data: Iterable[Any]):
        unsorted: dict[MetricKey, list[tuple[float, str | None, Sample]]] = defaultdict(list)
        for datum in metric_data:
            timestamp = as_utc(datum.timestamp)
            key = metric_key(datum.namespace, datum.name, datum.dimensions)
            unsorted[key].append((timestamp.timestamp(), datum.unit, _sample_of(datum, timestamp)))
        self._series: dict[MetricKey, _Series] = {}
        for key, points in unsorted.items():
            points.sort(key=lambda point: point[0])
            self._series[key] = _Series(
                seconds=[p[0] for p in points], entries=[(p[1], p[2]) for p in points]
            )

    def samples(
        self, key: MetricKey, start: float, end: float, unit: str | None = None
    ) -> list[Sample]:
        """Samples of metric ``key`` with ``start <= time < end`` (epoch seconds), of ``unit``
        when one is given."""
        series = self._series.get(key)
        if series is None:
            return []
        low = bisect.bisect_left(series.seconds, start)
        high = bisect.bisect_left(series.seconds, end)
        return [
            sample
            for sample_unit, sample in series.entries[low:high]
            if unit in (None, sample_unit)
        ]


def _sample_of(datum: Any, timestamp: datetime) -> Sample:
    if hasattr(datum, "value"):
        return Sample.of_value(timestamp, float(datum.value))
    return Sample.of_set(
        timestamp, float(datum.sample_count), float(datum.sum), float(datum.min), float(datum.max)
    )
