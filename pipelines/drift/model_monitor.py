"""SageMaker Model Monitor's baseline files, ``statistics.json`` and ``constraints.json``, from a
drift baseline: what a project that monitors with Model Monitor gives its monitoring schedule.

The shapes are those ``DefaultModelMonitor.suggest_baseline`` writes (Model Monitor's documented
schemas, "Schema for Statistics" and "Schema for Constraints"): per numeric feature its common
counts, mean, sum, standard deviation, minimum, maximum, ten equal-width buckets from minimum to
maximum and a KLL quantile sketch (parameters c = 0.64, k = 2048, as the container writes them);
per categorical feature its counts per category. The constraints carry the same rule the drift
engine applies, so Model Monitor and sagestack flag the same things: the required completeness
is the baseline's less the allowed change, the domain is every training category, and the
distribution comparison threshold is the one the project's alarms use.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from sagestack.contract import MODEL_MONITOR_CONSTRAINTS, MODEL_MONITOR_STATISTICS
from sagestack_pipelines.drift.baseline import (
    STRING,
    Baseline,
    CategoricalBaseline,
    NumericBaseline,
)
from sagestack_pipelines.drift.comparison import Thresholds

VERSION = 0.0
BUCKETS = 10  # "By default, the distribution is materialized in 10 buckets."
KLL_C, KLL_K = 0.64, 2048


def statistics(baseline: Baseline) -> dict:
    features = []
    for name in baseline.features:
        if name in baseline.numeric:
            features.append(_numeric_statistics(baseline.numeric[name], baseline.row_count))
        else:
            features.append(_string_statistics(baseline.categorical[name], baseline.row_count))
    return {"version": VERSION, "dataset": {"item_count": baseline.row_count}, "features": features}


def _numeric_statistics(item: NumericBaseline, rows: int) -> dict:
    summary = item.summary
    return {
        "name": item.name,
        "inferred_type": item.inferred_type,
        "numerical_statistics": {
            "common": {"num_present": item.count, "num_missing": rows - item.count},
            "mean": summary["mean"],
            "sum": summary["mean"] * item.count,
            "std_dev": summary["std"],
            "min": summary["min"],
            "max": summary["max"],
            "distribution": {
                "kll": {
                    "buckets": _buckets(item),
                    "sketch": {
                        "parameters": {"c": KLL_C, "k": float(KLL_K)},
                        "data": _sketch_levels(item),
                    },
                }
            },
        },
    }


def _buckets(item: NumericBaseline) -> list[dict]:
    """Equal-width buckets from minimum to maximum, the last one closed; counts of the training
    data (scaled from the reference sample when the baseline thinned it)."""
    low, high = item.summary["min"], item.summary["max"]
    counts = (
        item.distinct_counts if item.distinct_counts is not None else np.ones(len(item.distinct))
    )
    if high == low:
        return [{"lower_bound": low, "upper_bound": high, "count": float(item.count)}]
    width = (high - low) / BUCKETS
    index = np.minimum(((item.distinct - low) / width).astype(np.int64), BUCKETS - 1)
    per_bucket = np.bincount(index, weights=counts, minlength=BUCKETS)
    per_bucket = np.rint(per_bucket * (item.count / item.sample_size))
    return [
        {"lower_bound": low + i * width, "upper_bound": low + (i + 1) * width, "count": float(c)}
        for i, c in enumerate(per_bucket)
    ]


def _sketch_levels(item: NumericBaseline) -> list[list[float]]:
    """A KLL sketch of the training values: items at level h weigh 2**h and the weights add up
    to the training count. Built from the sorted values directly (not by streaming compaction),
    so every rank is off by less than one top-level weight."""
    sample = item.reference_sample
    total = item.count
    if total <= KLL_K:
        return [[float(v) for v in _at_ranks(sample, (np.arange(total) + 0.5) / total)]]
    top = math.ceil(math.log2(total / KLL_K))
    weight = 1 << top
    kept = total // weight
    levels: list[list[float]] = [[] for _ in range(top + 1)]
    levels[top] = [float(v) for v in _at_ranks(sample, (np.arange(kept) + 0.5) / kept)]
    rest = total - kept * weight
    lower = [h for h in range(top) if rest >> h & 1]
    for position, level in enumerate(lower):  # what the top level leaves, spread over the range
        levels[level] = [float(_at_ranks(sample, np.array([(position + 0.5) / len(lower)]))[0])]
    return levels


def _at_ranks(sorted_values: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    ranks = np.minimum((quantiles * len(sorted_values)).astype(np.int64), len(sorted_values) - 1)
    return sorted_values[ranks]


def _string_statistics(item: CategoricalBaseline, rows: int) -> dict:
    return {
        "name": item.name,
        "inferred_type": STRING,
        "string_statistics": {
            "common": {"num_present": item.count, "num_missing": rows - item.count},
            "distinct_count": float(len(item.category_counts)),
            "distribution": {
                "categorical": {
                    "buckets": [
                        {"value": value, "count": count}
                        for value, count in item.category_counts.items()
                    ]
                }
            },
        },
    }


def constraints(baseline: Baseline, thresholds: Thresholds, comparison_threshold: float) -> dict:
    features = []
    for name in baseline.features:
        item = baseline.numeric.get(name) or baseline.categorical[name]
        completeness = max(0.0, 1 - item.missing_rate - thresholds.missing_rate_change)
        if isinstance(item, NumericBaseline):
            features.append(
                {
                    "name": name,
                    "inferred_type": item.inferred_type,
                    "completeness": completeness,
                    "num_constraints": {"is_non_negative": item.summary["min"] >= 0},
                }
            )
        else:
            features.append(
                {
                    "name": name,
                    "inferred_type": STRING,
                    "completeness": completeness,
                    "string_constraints": {"domains": list(item.category_counts)},
                }
            )
    return {
        "version": VERSION,
        "features": features,
        "monitoring_config": _config(thresholds, comparison_threshold),
    }


def _config(thresholds: Thresholds, comparison_threshold: float) -> dict:
    if not 0 < comparison_threshold <= 1:
        raise ValueError(
            f"comparison threshold {comparison_threshold!r} is invalid: expected a distance "
            "above 0 and at most 1"
        )
    return {
        "evaluate_constraints": "Enabled",
        "emit_metrics": "Enabled",
        "datatype_check_threshold": thresholds.data_type_match,
        "domain_content_threshold": 1 - thresholds.new_category_share,
        "distribution_constraints": {
            "perform_comparison": "Enabled",
            "comparison_threshold": comparison_threshold,
            "comparison_method": "Robust",
            "categorical_comparison_threshold": comparison_threshold,
            "categorical_drift_method": "LInfinity",
        },
    }


def write(
    baseline: Baseline, thresholds: Thresholds, comparison_threshold: float, folder: str | Path
) -> list[Path]:
    written = {
        MODEL_MONITOR_STATISTICS: statistics(baseline),
        MODEL_MONITOR_CONSTRAINTS: constraints(baseline, thresholds, comparison_threshold),
    }
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, document in written.items():
        (folder / name).write_text(json.dumps(document, indent=2))
    return [folder / name for name in written]
