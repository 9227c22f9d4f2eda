"""Compare a window of requests with the baseline: one verdict per feature, ordered by drift."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from sagestack_pipelines.drift.records import RecordTally
from sagestack_pipelines.drift.statistics import (
    TestResult,
    chi_square_two_samples,
    fractions,
    ks_p_value,
    ks_statistic,
    psi,
    with_missing,
)
from sagestack_pipelines.drift.window import CategoricalWindow, NumericWindow, Window

MISSING_BIN = "(missing)"  # the label of the bin that holds records without the feature
NEW_CATEGORIES_LISTED = 10  # named in the report and the violations file; the rest are counted


@dataclass(frozen=True)
class Thresholds:
    """When a feature violates. Drift needs both a large PSI and a significant test: with a
    million requests a test alone flags differences nobody cares about, and with a few dozen
    PSI alone flags noise."""

    psi: float = 0.1
    p_value: float = 0.01
    missing_rate_change: float = 0.05  # absolute change of the fraction of missing values
    new_category_share: float = 0.01  # share of the window in categories the baseline lacks
    bad_record_share: float = 0.01  # above this share of malformed capture records the run fails

    def __post_init__(self) -> None:
        # A p-value or a share above 1 is no threshold at all: every test would be significant.
        for name, highest in (
            ("psi", np.inf),
            ("p_value", 1.0),
            ("missing_rate_change", 1.0),
            ("new_category_share", 1.0),
            ("bad_record_share", 1.0),
        ):
            value = getattr(self, name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not (number and 0 <= value <= highest and np.isfinite(value)):
                expected = "a number >= 0" if highest == np.inf else "a number from 0 to 1"
                raise ValueError(f"threshold {name} {value!r} is invalid: expected {expected}")


@dataclass(frozen=True)
class FeatureDrift:
    name: str
    kind: str  # "numeric" or "categorical"
    psi: float
    test: TestResult  # KS for numeric features, chi-square for categorical ones
    reference_missing_rate: float
    current_missing_rate: float
    current_count: int
    bin_labels: list[str]
    reference_fractions: np.ndarray
    current_fractions: np.ndarray
    reference_summary: dict[str, float] = field(default_factory=dict)
    current_summary: dict[str, float] = field(default_factory=dict)
    new_categories: dict[str, float] = field(default_factory=dict)  # category -> share of window
    absent: bool = False  # the feature was not in the requests at all
    drifted: bool = False
    missing_rate_changed: bool = False
    unknown_categories: bool = False

    @property
    def violates(self) -> bool:
        return self.drifted or self.missing_rate_changed or self.unknown_categories or self.absent

    def listed_new_categories(self, limit: int = NEW_CATEGORIES_LISTED) -> str:
        """The most frequent new categories with their shares, then how many more there are:
        a window of free-text or id values can hold millions, and a page must stay readable."""
        shown = [
            f"'{name}' {share:.2%}" for name, share in list(self.new_categories.items())[:limit]
        ]
        more = len(self.new_categories) - len(shown)
        return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


@dataclass(frozen=True)
class DriftReport:
    rows: int
    features: list[FeatureDrift]  # most drifted first
    records: RecordTally = field(default_factory=RecordTally)  # capture records read and skipped

    @property
    def max_psi(self) -> float:
        return max((item.psi for item in self.features), default=0.0)

    @property
    def violating(self) -> list[str]:
        return [item.name for item in self.features if item.violates]


class EmptyWindowError(ValueError):
    """The window holds no records, so there is nothing to compare."""


def compare(window: Window, thresholds: Thresholds | None = None) -> DriftReport:
    thresholds = thresholds or Thresholds()
    if window.rows == 0:
        raise EmptyWindowError("the window holds no records: no drift can be measured")
    features = [_numeric(item, window, thresholds) for item in window.numeric.values()]
    features += [_categorical(item, window, thresholds) for item in window.categorical.values()]
    features.sort(key=lambda item: (-item.psi, item.name))
    return DriftReport(rows=window.rows, features=features)


def _numeric(window: NumericWindow, whole: Window, thresholds: Thresholds) -> FeatureDrift:
    baseline = window.baseline
    reference_fractions = with_missing(baseline.bin_fractions, baseline.missing_rate)
    current_fractions = _shares_of_records(window.bin_counts, window.missing)
    if window.count:
        test = ks_p_value(_ks(window), len(baseline.reference_sample), window.count)
    else:
        test = TestResult(0.0, 1.0, "no values")
    return FeatureDrift(
        kind="numeric",
        bin_labels=[*_bin_labels(baseline.bin_edges), MISSING_BIN],
        reference_fractions=reference_fractions,
        current_fractions=current_fractions,
        reference_summary=baseline.summary,
        current_summary=_current_summary(window),
        **_verdicts(window, whole, thresholds, psi(reference_fractions, current_fractions), test),
    )


def _shares_of_records(value_counts: np.ndarray, missing: int) -> np.ndarray:
    """Each value bin's and the missing bin's share of the window's records."""
    return fractions(np.append(value_counts, missing))


def _verdicts(
    window: NumericWindow | CategoricalWindow,
    whole: Window,
    thresholds: Thresholds,
    score: float,
    test: TestResult,
) -> dict:
    """The fields every kind of feature shares: its scores and what they violate."""
    baseline = window.baseline
    missing_rate = window.missing / whole.rows
    return {
        "name": baseline.name,
        "psi": score,
        "test": test,
        "reference_missing_rate": baseline.missing_rate,
        "current_missing_rate": missing_rate,
        "current_count": window.count,
        "absent": baseline.name in whole.absent_features,
        "drifted": score > thresholds.psi and test.p_value < thresholds.p_value,
        "missing_rate_changed": abs(missing_rate - baseline.missing_rate)
        > thresholds.missing_rate_change,
    }


def _ks(window: NumericWindow) -> float:
    return ks_statistic(
        window.reference_at_or_below,
        window.reference_below,
        len(window.baseline.reference_sample),
        window.current_at_or_below,
        window.current_below,
        window.count,
    )


def _current_summary(window: NumericWindow) -> dict[str, float]:
    if not window.count:
        return {}
    return {"mean": window.mean, "std": window.std, "min": window.minimum, "max": window.maximum}


def _bin_labels(edges: np.ndarray) -> list[str]:
    bounds = ["-inf", *(f"{edge:.4g}" for edge in edges), "inf"]
    return [f"({low}, {high}]" for low, high in pairwise(bounds)]


def _categorical(window: CategoricalWindow, whole: Window, thresholds: Thresholds) -> FeatureDrift:
    baseline = window.baseline
    known = list(baseline.category_counts)
    new = sorted(set(window.category_counts) - set(known), key=lambda c: -window.category_counts[c])
    categories = known + new
    reference_counts = np.array([baseline.category_counts.get(c, 0) for c in categories])
    current_counts = np.array([window.category_counts.get(c, 0) for c in categories])
    reference_fractions = with_missing(fractions(reference_counts), baseline.missing_rate)
    current_fractions = _shares_of_records(current_counts, window.missing)
    score = psi(reference_fractions, current_fractions)
    test = chi_square_two_samples(reference_counts, current_counts)
    new_shares = {c: window.category_counts[c] / window.count for c in new}
    return FeatureDrift(
        kind="categorical",
        bin_labels=[*categories, MISSING_BIN],
        reference_fractions=reference_fractions,
        current_fractions=current_fractions,
        new_categories=new_shares,
        unknown_categories=sum(new_shares.values()) > thresholds.new_category_share,
        **_verdicts(window, whole, thresholds, score, test),
    )
