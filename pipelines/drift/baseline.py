"""The drift baseline: what the training data looked like, saved as JSON next to the model.

Per numeric feature: quantile bin edges and the training data's fraction in each bin, summary
statistics, the missing rate, whether every value is a whole number, and the sorted distinct
training values with their counts for the exact KS test. Per categorical feature: the count of
each category and the missing rate. docs/drift.md documents the JSON.

Version 2 is written, versions 1 and 2 are read. Version 1 (what generated projects' deploy
builds write) keeps each numeric feature's sorted reference sample whole; version 2 keeps its
distinct values with a count each (a feature of a hundred whole numbers is a hundred values,
not a million) and the feature's inferred type.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from sagestack_pipelines.drift.statistics import bin_counts, fractions, quantile_sample_error
from sagestack_pipelines.drift.training import BOOLEAN_CATEGORIES, TrainingColumns, columns_of

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
DEFAULT_BINS = 10
# Up to this many values per feature the baseline keeps every training value, so the KS test is
# exact; past it, values at evenly spaced ranks (see reference_sample). 1,000,000 float64 values
# are 10.7 MB of base64; repeated values are kept once with a count.
DEFAULT_SAMPLE_CAP = 1_000_000
SUMMARY_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
INTEGRAL, FRACTIONAL, STRING = "Integral", "Fractional", "String"  # Model Monitor's type names


@dataclass(frozen=True, eq=False)
class NumericBaseline:
    name: str
    count: int  # non-missing values in the training data
    missing_rate: float
    bin_edges: np.ndarray  # interior edges; bins are (-inf, e0], (e0, e1], ..., (e_last, inf)
    bin_fractions: np.ndarray  # one more than bin_edges
    summary: dict[str, float]
    distinct: np.ndarray  # sorted distinct values of the reference sample
    distinct_counts: np.ndarray | None  # how often each occurs; None: once each
    inferred_type: str = FRACTIONAL  # INTEGRAL when every training value is a whole number

    @property
    def sample_size(self) -> int:
        """How many values the reference sample holds (the KS test's first sample)."""
        if self.distinct_counts is None:
            return len(self.distinct)
        return int(self.distinct_counts.sum())

    @property
    def reference_sample(self) -> np.ndarray:
        """The sorted reference sample, repeated values expanded."""
        if self.distinct_counts is None:
            return self.distinct
        return np.repeat(self.distinct, self.distinct_counts)

    @property
    def ks_error_bound(self) -> float:
        """How far a KS statistic against the sample can be from one against all training values."""
        return quantile_sample_error(self.sample_size, self.count)


@dataclass(frozen=True)
class CategoricalBaseline:
    name: str
    count: int
    missing_rate: float
    category_counts: dict[str, int]

    @property
    def boolean(self) -> bool:
        """Categories spelled true / false: requests' True or TRUE are the same values."""
        return bool(self.category_counts) and set(self.category_counts) <= BOOLEAN_CATEGORIES


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
    a quantile sample, whose ECDF is within ``1 / (2 cap)`` of the training data's everywhere.
    """
    if len(sorted_values) <= cap:
        return sorted_values
    ranks = ((np.arange(cap) + 0.5) * (len(sorted_values) / cap)).astype(np.int64)
    return sorted_values[ranks]


def distinct_values(sorted_sample: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The distinct values of a sorted sample and how often each occurs (None: once each)."""
    if len(sorted_sample) < 2 or bool(np.all(sorted_sample[1:] != sorted_sample[:-1])):
        return sorted_sample, None
    distinct, counts = np.unique(sorted_sample, return_counts=True)
    return distinct, counts.astype(np.int64)


def build_baseline(
    data,
    categorical: Sequence[str] = (),
    features: Sequence[str] | None = None,
    bins: int = DEFAULT_BINS,
    sample_cap: int = DEFAULT_SAMPLE_CAP,
) -> Baseline:
    """The baseline of ``features`` (default: every column) of the training data ``data``, a
    pandas DataFrame or an Arrow table. Boolean columns are categorical (``true`` / ``false``)."""
    columns = columns_of(data)
    features = tuple(columns.names if features is None else features)
    _validate_request(columns, features, categorical, bins, sample_cap)
    categories = [n for n in features if n in categorical or columns.kind(n) == "boolean"]
    numeric = {
        name: _numeric_baseline(name, columns.numbers(name), bins, sample_cap)
        for name in features
        if name not in categories
    }
    return Baseline(
        features,
        numeric,
        {name: _categorical_baseline(name, columns) for name in categories},
        row_count=columns.rows,
    )


def _validate_request(columns: TrainingColumns, features, categorical, bins, sample_cap) -> None:
    if columns.rows == 0:
        raise ValueError("training data is empty: a baseline needs at least one row")
    missing = [name for name in (*features, *categorical) if name not in columns.names]
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
        if name not in categorical and columns.kind(name) == "other":
            raise ValueError(
                f"feature '{name}' has dtype {columns.dtype(name)}, not numeric: "
                "list it among the categorical features"
            )


def _numeric_baseline(name: str, values: np.ndarray, bins: int, sample_cap: int) -> NumericBaseline:
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
    distinct, counts = distinct_values(reference_sample(present, sample_cap))
    return NumericBaseline(
        name=name,
        count=len(present),
        missing_rate=1 - len(present) / len(values),
        bin_edges=edges,
        bin_fractions=fractions(bin_counts(present, edges)),
        summary=summary_of(present),
        distinct=distinct,
        distinct_counts=counts,
        inferred_type=INTEGRAL if bool(np.all(present == np.floor(present))) else FRACTIONAL,
    )


def summary_of(sorted_values: np.ndarray) -> dict[str, float]:
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


def _categorical_baseline(name: str, columns: TrainingColumns) -> CategoricalBaseline:
    counts, missing = columns.categories(name)
    present = sum(counts.values())
    return CategoricalBaseline(
        name=name,
        count=present,
        missing_rate=missing / columns.rows,
        category_counts=dict(counts.most_common()),
    )


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
    counts = item.distinct_counts
    return {
        "count": item.count,
        "missing_rate": item.missing_rate,
        "inferred_type": item.inferred_type,
        "bin_edges": item.bin_edges.tolist(),
        "bin_fractions": item.bin_fractions.tolist(),
        "summary": item.summary,
        "reference": {
            "size": item.sample_size,
            "distinct": len(item.distinct),
            "values": _encode(item.distinct, "<f8"),
            "counts": None if counts is None else _encode(counts, "<i8"),
        },
    }


def _encode(values: np.ndarray, dtype: str) -> dict:
    return {"dtype": dtype, "base64": base64.b64encode(values.astype(dtype).tobytes()).decode()}


def from_json(document: dict) -> Baseline:
    version = document.get("version")
    if version not in READABLE_VERSIONS:
        raise ValueError(
            f"baseline version {version!r} is not supported: expected one of {READABLE_VERSIONS}"
        )
    read_numeric = _numeric_from_v1 if version == 1 else _numeric_from_v2
    return Baseline(
        features=tuple(document["features"]),
        numeric={name: read_numeric(name, item) for name, item in document["numeric"].items()},
        categorical={
            name: CategoricalBaseline(
                name, item["count"], item["missing_rate"], dict(item["category_counts"])
            )
            for name, item in document["categorical"].items()
        },
        row_count=document["row_count"],
        created_at=document["created_at"],
    )


def _numeric_from_v1(name: str, item: dict) -> NumericBaseline:
    sample = item["reference_sample"]
    if sample.get("encoding") != "base64-float64-le":
        raise ValueError(
            f"reference_sample encoding {sample.get('encoding')!r} of feature '{name}' "
            "is not supported: expected 'base64-float64-le'"
        )
    values = _decode(name, {"dtype": "<f8", "base64": sample["data"]}, sample["size"])
    distinct, counts = distinct_values(values)
    whole = bool(np.all(values == np.floor(values)))
    return _numeric(name, item, distinct, counts, INTEGRAL if whole else FRACTIONAL)


def _numeric_from_v2(name: str, item: dict) -> NumericBaseline:
    reference = item["reference"]
    distinct = _decode(name, reference["values"], reference["distinct"])
    counts = None
    if reference["counts"] is not None:
        counts = _decode(name, reference["counts"], reference["distinct"])
        if int(counts.sum()) != reference["size"]:
            raise ValueError(
                f"reference of feature '{name}' counts {int(counts.sum())} values, "
                f"its size says {reference['size']}"
            )
    return _numeric(name, item, distinct, counts, item["inferred_type"])


def _numeric(name, item, distinct, counts, inferred_type) -> NumericBaseline:
    return NumericBaseline(
        name=name,
        count=item["count"],
        missing_rate=item["missing_rate"],
        bin_edges=np.asarray(item["bin_edges"], dtype=np.float64),
        bin_fractions=np.asarray(item["bin_fractions"], dtype=np.float64),
        summary=dict(item["summary"]),
        distinct=distinct,
        distinct_counts=counts,
        inferred_type=inferred_type,
    )


def _decode(name: str, encoded: dict, size: int) -> np.ndarray:
    if encoded.get("dtype") not in ("<f8", "<i8"):
        raise ValueError(
            f"reference dtype {encoded.get('dtype')!r} of feature '{name}' is not supported: "
            "expected '<f8' or '<i8'"
        )
    # read-only and without a copy: the window only ever reads the reference values.
    # a2b_base64 reads the JSON's str as it is (b64decode would first copy it into bytes).
    values = np.frombuffer(binascii.a2b_base64(encoded["base64"]), dtype=encoded["dtype"])
    if len(values) != size:
        raise ValueError(
            f"reference of feature '{name}' holds {len(values)} values, its size says {size}"
        )
    return values


def save(baseline: Baseline, path: str | Path) -> None:
    Path(path).write_text(json.dumps(to_json(baseline)))


def load(path: str | Path) -> Baseline:
    try:
        document = json.loads(Path(path).read_bytes())
    except json.JSONDecodeError as error:
        raise ValueError(f"baseline {path} is not valid JSON: {error}") from error
    return from_json(document)
