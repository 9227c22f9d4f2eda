"""The drift baseline: what the training data looked like, saved as JSON next to the model.

Per numeric feature: quantile bin edges and the training data's fraction in each bin, summary
statistics, the missing rate, and a sorted reference sample for the exact KS test. Per categorical
feature: the count of each category and the missing rate. docs/drift.md documents the format.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sagestack_pipelines.drift.statistics import bin_counts, fractions

FORMAT_VERSION = 1
DEFAULT_BINS = 10
# The reference sample is the KS test's first sample; past this size it is thinned (see
# reference_sample) to keep the baseline file small. 100,000 float64 values are 1.1 MB of base64.
DEFAULT_SAMPLE_CAP = 100_000
SUMMARY_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


@dataclass(frozen=True, eq=False)
class NumericBaseline:
    name: str
    count: int  # non-missing values in the training data
    missing_rate: float
    bin_edges: np.ndarray  # interior edges; bins are (-inf, e0], (e0, e1], ..., (e_last, inf)
    bin_fractions: np.ndarray  # one more than bin_edges
    summary: dict[str, float]
    reference_sample: np.ndarray  # sorted


@dataclass(frozen=True)
class CategoricalBaseline:
    name: str
    count: int
    missing_rate: float
    category_counts: dict[str, int]


@dataclass(frozen=True, eq=False)
class Baseline:
    features: tuple[str, ...]  # the model's input columns, in the order a CSV request sends them
    numeric: dict[str, NumericBaseline]
    categorical: dict[str, CategoricalBaseline]
    row_count: int
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


def reference_sample(sorted_values: np.ndarray, cap: int) -> np.ndarray:
    """The sorted values themselves, or ``cap`` of them at evenly spaced ranks when there are more.

    Rank ``floor((i + 0.5) * n / cap)`` for ``i < cap``: deterministic (no random seed to keep) and
    a quantile sample, so the thinned sample has the training data's distribution.
    """
    if len(sorted_values) <= cap:
        return sorted_values
    ranks = ((np.arange(cap) + 0.5) * (len(sorted_values) / cap)).astype(np.int64)
    return sorted_values[ranks]


def build_baseline(
    frame: pd.DataFrame,
    categorical: Sequence[str] = (),
    features: Sequence[str] | None = None,
    bins: int = DEFAULT_BINS,
    sample_cap: int = DEFAULT_SAMPLE_CAP,
) -> Baseline:
    """The baseline of ``features`` (default: every column) of the training data ``frame``."""
    features = tuple(frame.columns if features is None else features)
    _validate_request(frame, features, categorical, bins, sample_cap)
    numeric = {
        name: _numeric_baseline(name, frame[name], bins, sample_cap)
        for name in features
        if name not in categorical
    }
    categories = {name: _categorical_baseline(name, frame[name]) for name in categorical}
    return Baseline(features, numeric, categories, row_count=len(frame))


def _validate_request(frame, features, categorical, bins, sample_cap) -> None:
    if len(frame) == 0:
        raise ValueError("training data is empty: a baseline needs at least one row")
    missing = [name for name in (*features, *categorical) if name not in frame.columns]
    if missing:
        raise ValueError(f"features {missing} are not columns of the training data")
    outside = [name for name in categorical if name not in features]
    if outside:
        raise ValueError(f"categorical features {outside} are not among the features {features}")
    if bins < 2:
        raise ValueError(f"bins {bins} is invalid: at least 2 bins are needed")
    if sample_cap < 1:
        raise ValueError(f"sample_cap {sample_cap} is invalid: it must be a positive count")
    for name in features:
        if name not in categorical and not pd.api.types.is_numeric_dtype(frame[name]):
            raise ValueError(
                f"feature '{name}' has dtype {frame[name].dtype}, not numeric: "
                "list it among the categorical features"
            )


def _numeric_baseline(name: str, column: pd.Series, bins: int, sample_cap: int) -> NumericBaseline:
    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    present = np.sort(values[~np.isnan(values)])
    if len(present) == 0:
        raise ValueError(f"numeric feature '{name}' has no values in the training data")
    infinite = int(np.isinf(present).sum())
    if infinite:
        # An infinite value makes quantile edges NaN and the JSON non-standard (Infinity).
        raise ValueError(
            f"numeric feature '{name}' has {infinite} infinite values in the training data: "
            "expected finite numbers (drop those rows or make the values missing)"
        )
    edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]))
    return NumericBaseline(
        name=name,
        count=len(present),
        missing_rate=1 - len(present) / len(values),
        bin_edges=edges,
        bin_fractions=fractions(bin_counts(present, edges)),
        summary=_summary(present),
        reference_sample=reference_sample(present, sample_cap),
    )


def _summary(sorted_values: np.ndarray) -> dict[str, float]:
    quantiles = np.quantile(sorted_values, SUMMARY_QUANTILES)
    summary = {
        "mean": float(sorted_values.mean()),
        "std": float(sorted_values.std()),
        "min": float(sorted_values[0]),
        "max": float(sorted_values[-1]),
    }
    for q, value in zip(SUMMARY_QUANTILES, quantiles, strict=True):
        summary[f"p{round(q * 100):02d}"] = float(value)
    return summary


def _categorical_baseline(name: str, column: pd.Series) -> CategoricalBaseline:
    present = _category_labels(column.dropna())
    counts = present.value_counts()
    return CategoricalBaseline(
        name=name,
        count=len(present),
        missing_rate=1 - len(present) / len(column),
        category_counts={str(key): int(value) for key, value in counts.items()},
    )


def _category_labels(present: pd.Series) -> pd.Series:
    """Categories as the text requests carry them. Integer codes with a missing value become
    floats in pandas ("1.0"), while CSV cells, JSON numbers and Arrow casts all say "1"."""
    integral = pd.api.types.is_float_dtype(present) and bool(
        ((present == np.floor(present)) & (present.abs() < 2**53)).all()
    )
    if integral:  # below 2**53 every integer is exact as a float, so int64 holds it
        present = present.astype(np.int64)
    return present.astype(str)


# --- JSON ------------------------------------------------------------------------------------


def to_json(baseline: Baseline) -> dict:
    return {
        "version": FORMAT_VERSION,
        "created_at": baseline.created_at,
        "row_count": baseline.row_count,
        "features": list(baseline.features),
        "numeric": {name: _numeric_to_json(item) for name, item in baseline.numeric.items()},
        "categorical": {
            name: {
                "count": item.count,
                "missing_rate": item.missing_rate,
                "category_counts": item.category_counts,
            }
            for name, item in baseline.categorical.items()
        },
    }


def _numeric_to_json(item: NumericBaseline) -> dict:
    return {
        "count": item.count,
        "missing_rate": item.missing_rate,
        "bin_edges": item.bin_edges.tolist(),
        "bin_fractions": item.bin_fractions.tolist(),
        "summary": item.summary,
        "reference_sample": {
            "encoding": "base64-float64-le",
            "size": len(item.reference_sample),
            "data": base64.b64encode(item.reference_sample.astype("<f8").tobytes()).decode(),
        },
    }


def from_json(document: dict) -> Baseline:
    version = document.get("version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"baseline version {version!r} is not supported: expected {FORMAT_VERSION}"
        )
    return Baseline(
        features=tuple(document["features"]),
        numeric={
            name: _numeric_from_json(name, item) for name, item in document["numeric"].items()
        },
        categorical={
            name: CategoricalBaseline(
                name, item["count"], item["missing_rate"], dict(item["category_counts"])
            )
            for name, item in document["categorical"].items()
        },
        row_count=document["row_count"],
        created_at=document["created_at"],
    )


def _numeric_from_json(name: str, item: dict) -> NumericBaseline:
    sample = item["reference_sample"]
    if sample.get("encoding") != "base64-float64-le":
        raise ValueError(
            f"reference_sample encoding {sample.get('encoding')!r} of feature '{name}' "
            "is not supported: expected 'base64-float64-le'"
        )
    # read-only and without a copy: the window only ever reads the reference sample
    values = np.frombuffer(base64.b64decode(sample["data"]), dtype="<f8")
    if len(values) != sample["size"]:
        raise ValueError(
            f"reference_sample of feature '{name}' holds {len(values)} values, "
            f"its size says {sample['size']}"
        )
    return NumericBaseline(
        name=name,
        count=item["count"],
        missing_rate=item["missing_rate"],
        bin_edges=np.asarray(item["bin_edges"], dtype=np.float64),
        bin_fractions=np.asarray(item["bin_fractions"], dtype=np.float64),
        summary=dict(item["summary"]),
        reference_sample=values,
    )


def save(baseline: Baseline, path: str | Path) -> None:
    Path(path).write_text(json.dumps(to_json(baseline)))


def load(path: str | Path) -> Baseline:
    try:
        document = json.loads(Path(path).read_bytes())
    except json.JSONDecodeError as error:
        raise ValueError(f"baseline {path} is not valid JSON: {error}") from error
    return from_json(document)
