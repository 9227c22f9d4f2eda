"""The drift baseline: what the training data looked like, for the platform's drift monitor.

The JSON is the platform drift engine's format, version 1 (pipelines/drift/baseline.py in the
platform repository, documented in its docs/drift.md): per numeric feature, quantile bin edges
and the training data's fraction in each bin, summary statistics, the missing rate and a sorted
reference sample; per non-numeric feature, the count of each category. Features are the model's
input columns in the order a CSV request sends them.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import numpy as np
import pandas as pd

FORMAT_VERSION = 1
BINS = 10
SAMPLE_CAP = 100_000
QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def build_baseline(features: pd.DataFrame) -> dict:
    if features.empty:
        raise ValueError("training data is empty: a baseline needs at least one row")
    numeric = [name for name in features if pd.api.types.is_numeric_dtype(features[name])]
    return {
        "version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "row_count": len(features),
        "features": list(features.columns),
        "numeric": {name: _numeric(name, features[name]) for name in numeric},
        "categorical": {
            name: _categorical(features[name]) for name in features if name not in numeric
        },
    }


def _numeric(name: str, column: pd.Series) -> dict:
    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    present = np.sort(values[~np.isnan(values)])
    if len(present) == 0:
        raise ValueError(f"numeric feature '{name}' has no values in the training data")
    edges = np.unique(np.quantile(present, np.linspace(0, 1, BINS + 1)[1:-1]))
    # Bins are (-inf, e0], (e0, e1], ..., (e_last, inf).
    counts = np.bincount(np.searchsorted(edges, present, side="left"), minlength=len(edges) + 1)
    sample = _reference_sample(present)
    summary = {"mean": float(present.mean()), "std": float(present.std()),
               "min": float(present[0]), "max": float(present[-1])}
    for q, value in zip(QUANTILES, np.quantile(present, QUANTILES), strict=True):
        summary[f"p{round(q * 100):02d}"] = float(value)
    return {
        "count": len(present),
        "missing_rate": 1 - len(present) / len(values),
        "bin_edges": edges.tolist(),
        "bin_fractions": (counts / counts.sum()).tolist(),
        "summary": summary,
        "reference_sample": {
            "encoding": "base64-float64-le",
            "size": len(sample),
            "data": base64.b64encode(sample.astype("<f8").tobytes()).decode(),
        },
    }


def _reference_sample(sorted_values: np.ndarray) -> np.ndarray:
    if len(sorted_values) <= SAMPLE_CAP:
        return sorted_values
    ranks = ((np.arange(SAMPLE_CAP) + 0.5) * (len(sorted_values) / SAMPLE_CAP)).astype(np.int64)
    return sorted_values[ranks]


def _categorical(column: pd.Series) -> dict:
    present = column.dropna().astype(str)
    return {
        "count": len(present),
        "missing_rate": 1 - len(present) / len(column),
        "category_counts": {str(k): int(v) for k, v in present.value_counts().items()},
    }
