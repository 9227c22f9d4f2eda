"""CloudWatch statistics of the datapoints in one period: SampleCount, Average, Sum, Minimum,
Maximum and percentiles (``p90``, ``p99.9``).

A datapoint is either a value (``Value`` / ``Values`` + ``Counts``) or a statistic set
(``StatisticValues``); percentiles need values, so a period holding only statistic sets has no
percentile, as in CloudWatch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,10})?|100)$")


@dataclass(frozen=True)
class Sample:
    """One stored datapoint: its raw values (empty for a statistic set) and its aggregates."""

    timestamp: datetime
    values: tuple[float, ...]
    count: float
    total: float
    minimum: float
    maximum: float

    @classmethod
    def of_value(cls, timestamp: datetime, value: float) -> Sample:
        return cls(timestamp, (value,), 1.0, value, value, value)

    @classmethod
    def of_set(
        cls, timestamp: datetime, count: float, total: float, minimum: float, maximum: float
    ) -> Sample:
        return cls(timestamp, (), count, total, minimum, maximum)


def percentile_fraction(extended_statistic: str) -> float:
    """``p99.5`` -> 0.995; a clear error for anything that is not a percentile."""
    match = _PERCENTILE.match(extended_statistic)
    if not match:
        raise ValueError(
            f"ExtendedStatistic '{extended_statistic}' is invalid: expected a percentile such as "
            "p90 or p99.9"
        )
    return float(extended_statistic[1:]) / 100


def statistic(samples: Sequence[Sample], name: str) -> float | None:
    """The value of statistic ``name`` (standard or pNN) over ``samples``; None if no data."""
    if not samples:
        return None
    count = sum(s.count for s in samples)
    if name == "SampleCount":
        return count
    if name == "Sum":
        return sum(s.total for s in samples)
    if name == "Average":
        return sum(s.total for s in samples) / count if count else None
    if name == "Minimum":
        return min(s.minimum for s in samples)
    if name == "Maximum":
        return max(s.maximum for s in samples)
    return percentile([v for s in samples for v in s.values], percentile_fraction(name))


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``fraction`` of values <= it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def low_sample_count(sample_count: float, fraction: float) -> bool:
    """Too few samples for a meaningful percentile, by CloudWatch's documented rule.

    For percentiles from 0.5 up, fewer than 10 / (1 - p) samples; below 0.5, fewer than 10 / p.
    """
    if not 0.0 < fraction < 1.0:
        return False  # p0 and p100 are the minimum and maximum: any sample count will do
    needed = 10 / (1 - fraction) if fraction >= 0.5 else 10 / fraction
    return sample_count < needed
