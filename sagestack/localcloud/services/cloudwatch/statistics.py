"""CloudWatch statistics of the datapoints in one period: SampleCount, Average, Sum, Minimum,
Maximum, and the extended statistics PutMetricAlarm documents: percentiles (``p90``, ``p99.9``),
trimmed mean / count / sum and winsorized mean (``tm90``, ``TM(10%:90%)``, ``tc``, ``ts``, ``wm``),
``IQM`` and percentile rank (``PR(100:2000)``).

A datapoint is either a value (``Value`` / ``Values`` + ``Counts``) or a statistic set
(``StatisticValues``); extended statistics need values, so a period holding only statistic sets
has none, as in CloudWatch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,10})?|100)$")
_NUMBER = r"\d{1,2}(?:\.\d{1,10})?|100"
_SHORTHAND = re.compile(rf"^(?P<kind>tm|tc|ts|wm)(?P<high>{_NUMBER})$")
_PERCENT_RANGE = re.compile(
    rf"^(?P<kind>TM|TC|TS|WM)\((?:(?P<low>{_NUMBER})%)?:(?:(?P<high>{_NUMBER})%)?\)$"
)
_RANK = re.compile(r"^PR\((?P<low>-?\d+(?:\.\d+)?)?:(?P<high>-?\d+(?:\.\d+)?)?\)$")
EXTENDED_FORMS = "p90, tm90, tc90, ts90, wm90, IQM, PR(n:m), TM(X%:Y%), TC(...), TS(...), WM(...)"


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
    match = _PERCENTILE.fullmatch(extended_statistic)
    if not match:
        raise ValueError(
            f"ExtendedStatistic '{extended_statistic}' is invalid: expected a percentile such as "
            "p90 or p99.9"
        )
    return float(extended_statistic[1:]) / 100


@dataclass(frozen=True)
class ExtendedStatistic:
    """``kind`` p, TM, TC, TS, WM (bounds are fractions) or PR (bounds are metric values)."""

    kind: str
    low: float | None
    high: float | None


def parse_extended(name: str) -> ExtendedStatistic:
    """An ExtendedStatistic of PutMetricAlarm; a clear error for anything else."""
    if _PERCENTILE.fullmatch(name):
        return ExtendedStatistic("p", None, percentile_fraction(name))
    if name == "IQM":
        return ExtendedStatistic("TM", 0.25, 0.75)
    match = _SHORTHAND.fullmatch(name) or _PERCENT_RANGE.fullmatch(name)
    if match:
        low, high = (_fraction(match.groupdict().get(bound)) for bound in ("low", "high"))
        if low is None or high is None or low < high:
            return ExtendedStatistic(match["kind"].upper(), low, high)
    match = _RANK.fullmatch(name)
    if match and (match["low"] or match["high"]):
        low, high = (float(v) if v else None for v in (match["low"], match["high"]))
        if low is None or high is None or low < high:
            return ExtendedStatistic("PR", low, high)
    raise ValueError(
        f"ExtendedStatistic '{name}' is invalid: expected one of {EXTENDED_FORMS} (a lower "
        "bound below the upper one)"
    )


def _fraction(percent: str | None) -> float | None:
    return None if percent is None else float(percent) / 100


def extended_value(values: Sequence[float], stat: ExtendedStatistic) -> float | None:
    """The value of an extended statistic over raw values; None when there is none."""
    if not values:
        return None
    if stat.kind == "p":
        return percentile(values, stat.high or 0.0)
    if stat.kind == "PR":
        inside = [v for v in values if _within(v, stat.low, stat.high)]
        return 100.0 * len(inside) / len(values)
    low = None if stat.low is None else percentile(values, stat.low)
    high = None if stat.high is None else percentile(values, stat.high)
    if stat.kind == "WM":  # values beyond the bounds count as the bounds
        floor = -math.inf if low is None else low
        ceiling = math.inf if high is None else high
        return sum(min(max(v, floor), ceiling) for v in values) / len(values)
    inside = [v for v in values if _within(v, low, high)]
    if stat.kind == "TC":
        return float(len(inside))
    if stat.kind == "TS":
        return float(sum(inside))
    return sum(inside) / len(inside) if inside else None


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value > low) and (high is None or value <= high)


def statistic(samples: Sequence[Sample], name: str) -> float | None:
    """The value of statistic ``name`` (standard or extended) over ``samples``; None if no
    data."""
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
    return extended_value([v for s in samples for v in s.values], parse_extended(name))


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
