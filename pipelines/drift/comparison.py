"""Compare a window of requests with the baseline: one verdict per feature, violating first.

docs/drift.md explains the rule and its defaults: a feature drifts when its distribution moved
by more than ``distance`` (the KS statistic, or for categories the total variation distance) or
its PSI exceeds ``psi``, and in either case the test that goes with that statistic puts the
move beyond chance (p below ``p_value``). Windows smaller than ``Thresholds.smallest_window``
are not judged at all.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from sagestack_pipelines.drift.baseline import STRING
from sagestack_pipelines.drift.records import RecordTally
from sagestack_pipelines.drift.statistics import (
    NO_TEST,
    TestResult,
    chi_square_two_samples,
    fractions,
    ks_p_value,
    ks_statistic,
    psi,
    smallest_judged_window,
    total_variation,
    with_missing,
)
from sagestack_pipelines.drift.threads import parallel
from sagestack_pipelines.drift.window import PARALLEL_ROWS, CategoricalWindow, NumericWindow, Window

MISSING_BIN = "(missing)"  # the label of the bin that holds records without the feature
NEW_CATEGORIES_LISTED = 10  # named in the report and the violations file; the rest are counted


@dataclass(frozen=True)
class Thresholds:
    """When a feature violates, and how many requests a window needs to be judged."""

    psi: float = 0.2
    distance: float = 0.05  # KS statistic (numeric), total variation distance (categorical)
    p_value: float = 1e-6  # a move must be this unlikely by chance to count as drift
    missing_rate_change: float = 0.05  # rise of the fraction of missing values
    new_category_share: float = 0.005  # share of the window in categories the baseline lacks
    data_type_match: float = 1.0  # share of a numeric feature's values that must be of its type
    bad_record_share: float = 0.01  # above this share of malformed capture records the run fails
    min_requests: int = 0  # 0: the smallest window that can tell `distance` from noise

    def __post_init__(self) -> None:
        _check(self, "psi", 0.0, math.inf)
        _check(self, "distance", 0.0, 1.0, low_open=True)
        _check(self, "p_value", 0.0, 1.0, low_open=True)
        for name in ("missing_rate_change", "new_category_share", "data_type_match"):
            _check(self, name, 0.0, 1.0)
        _check(self, "bad_record_share", 0.0, 1.0)
        requests = self.min_requests
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 0:
            raise ValueError(
                f"threshold min_requests {requests!r} is invalid: expected a whole number >= 0 "
                "(0: derived from distance and p_value)"
            )

    @property
    def smallest_window(self) -> int:
        """The fewest requests a window needs to be judged."""
        return self.min_requests or smallest_judged_window(self.distance, self.p_value)


def _check(thresholds, name: str, low: float, high: float, low_open: bool = False) -> None:
    value = getattr(thresholds, name)
    number = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if number and (low < value if low_open else low <= value) and value <= high:
        return
    if high == math.inf:
        expected = "a number >= 0"
    elif low_open:
        expected = f"a number above {low:g} and at most {high:g}"
    else:
        expected = f"a number from {low:g} to {high:g}"
    raise ValueError(f"threshold {name} {value!r} is invalid: expected {expected}")


@dataclass(frozen=True)
class FeatureDrift:
    name: str
    kind: str  # "numeric" or "categorical"
    psi: float
    psi_test: TestResult  # chi-square on the PSI's bins (for categories: the same as test)
    distance: float  # KS statistic (numeric) or total variation distance (categorical)
    test: TestResult  # the distance's test: KS (numeric) or chi-square on the categories
    reference_missing_rate: float
    current_missing_rate: float
    current_count: int
    bin_labels: list[str]  # the PSI's bins, then MISSING_BIN
    reference_fractions: np.ndarray  # each bin's share of all records, missing ones included
    current_fractions: np.ndarray
    distance_error: float = 0.0  # bound on the KS statistic's error from a thinned baseline
    inferred_type: str = STRING
    type_match: float = 1.0  # share of the values of the baseline's type
    bin_edges: tuple[float, ...] = ()  # a numeric feature's interior bin edges (for plots)
    reference_summary: dict[str, float] = field(default_factory=dict)
    current_summary: dict[str, float] = field(default_factory=dict)
    new_categories: dict[str, float] = field(default_factory=dict)  # category -> share of window
    absent: bool = False  # the feature was not in the requests at all
    drifted: bool = False
    missing_rate_changed: bool = False
    unknown_categories: bool = False
    wrong_type: bool = False

    @property
    def checks(self) -> list[str]:
        """The Model Monitor checks the feature fails (``constraint_check_type`` names)."""
        return [
            check
            for check, failed in (
                ("missing_column_check", self.absent),
                ("data_type_check", self.wrong_type),
                ("completeness_check", self.missing_rate_changed),
                ("baseline_drift_check", self.drifted),
                ("categorical_values_check", self.unknown_categories),
            )
            if failed
        ]

    @property
    def violates(self) -> bool:
        return bool(self.checks)

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
    features: list[FeatureDrift]  # violating first, then by distance
    records: RecordTally = field(default_factory=RecordTally)  # capture records read and skipped
    min_requests: int = 0
    extra_columns: list[str] = field(default_factory=list)  # columns the baseline lacks

    @property
    def judged(self) -> bool:
        return self.rows >= self.min_requests

    @property
    def too_small(self) -> str:
        """Why the window was not judged ("" when it was)."""
        if self.judged:
            return ""
        return (
            f"window too small to judge: {self.rows:,} requests, "
            f"at least {self.min_requests:,} needed"
        )

    @property
    def max_psi(self) -> float:
        return max((item.psi for item in self.features), default=0.0)

    @property
    def violating(self) -> list[str]:
        """Watched features with a violation."""
        return [item.name for item in self.features if item.violates]


class EmptyWindowError(ValueError):
    """The window holds no records, so there is nothing to compare."""


def compare(
    window: Window, thresholds: Thresholds | None = None, tally: RecordTally | None = None
) -> DriftReport:
    thresholds = thresholds or Thresholds()
    tally = tally or RecordTally()
    if window.rows == 0:
        raise EmptyWindowError("the window holds no records: no drift can be measured")
    window.finish()
    judged = window.rows >= thresholds.smallest_window
    work = [(_numeric, item) for item in window.numeric.values()]
    work += [(_categorical, item) for item in window.categorical.values()]
    features = parallel(
        [lambda f=f, item=item: f(item, window, tally, judged) for f, item in work],
        threads=window.rows >= PARALLEL_ROWS,
    )
    features = [_verdicts(item, window, thresholds, judged) for item in features]
    features.sort(key=lambda item: (not item.violates, -item.distance, -item.psi, item.name))
    return DriftReport(
        rows=window.rows,
        features=features,
        records=tally,
        min_requests=thresholds.smallest_window,
        extra_columns=sorted(window.extra_columns | tally.extra_columns) if judged else [],
    )


def _numeric(
    window: NumericWindow, whole: Window, tally: RecordTally, judged: bool
) -> FeatureDrift:
    """The numeric feature's statistics; with its tests (and so scipy) only if ``judged``."""
    baseline = window.baseline
    distance = _ks(window) if window.count else 0.0
    test = psi_test = NO_TEST
    if judged and window.count:
        test = ks_p_value(distance, baseline.sample_size, window.count)
        reference_bins = np.rint(baseline.bin_fractions * baseline.count)
        psi_test = chi_square_two_samples(reference_bins, window.bin_counts)
    wrong = tally.mismatched_values[baseline.name] + whole.infinite_values[baseline.name]
    return FeatureDrift(
        kind="numeric",
        psi=_psi(baseline.bin_fractions, window.bin_counts),
        psi_test=psi_test,
        distance=test.statistic if test is not NO_TEST else distance,
        test=test,
        distance_error=baseline.ks_error_bound,
        inferred_type=baseline.inferred_type,
        type_match=_share(window.count - window.not_whole, window.not_whole + wrong),
        bin_labels=[*_bin_labels(baseline.bin_edges), MISSING_BIN],
        bin_edges=tuple(float(edge) for edge in baseline.bin_edges),
        reference_fractions=with_missing(baseline.bin_fractions, baseline.missing_rate),
        current_fractions=_shares_of_records(window.bin_counts, window.missing),
        reference_summary=baseline.summary,
        current_summary=_current_summary(window),
        **_shared(window, whole),
    )


def _psi(reference_fractions: np.ndarray, current_counts: np.ndarray) -> float:
    """PSI of the present values' shares (missing values are the completeness check's)."""
    return psi(reference_fractions, fractions(current_counts)) if current_counts.sum() else 0.0


def _share(matching: int, other: int) -> float:
    return matching / (matching + other) if matching + other else 1.0


def _shares_of_records(value_counts: np.ndarray, missing: int) -> np.ndarray:
    """Each value bin's and the missing bin's share of the window's records."""
    return fractions(np.append(value_counts, missing))


def _shared(window: NumericWindow | CategoricalWindow, whole: Window) -> dict:
    """The fields every kind of feature shares."""
    baseline = window.baseline
    return {
        "name": baseline.name,
        "reference_missing_rate": baseline.missing_rate,
        "current_missing_rate": window.missing / whole.rows,
        "current_count": window.count,
        "absent": baseline.name in whole.absent,
    }


def _verdicts(
    item: FeatureDrift, window: Window, thresholds: Thresholds, judged: bool
) -> FeatureDrift:
    if not judged or item.absent:
        return item
    significant_distance = item.test.p_value < thresholds.p_value
    significant_psi = item.psi_test.p_value < thresholds.p_value
    return dataclasses.replace(
        item,
        drifted=(item.distance > thresholds.distance and significant_distance)
        or (item.psi > thresholds.psi and significant_psi),
        missing_rate_changed=item.current_missing_rate - item.reference_missing_rate
        > thresholds.missing_rate_change,
        unknown_categories=sum(item.new_categories.values()) > thresholds.new_category_share,
        wrong_type=item.type_match < thresholds.data_type_match,
    )


def _ks(window: NumericWindow) -> float:
    return ks_statistic(
        window.reference_at_or_below,
        window.reference_below,
        window.baseline.sample_size,
        *window.current_counts(),
        window.count,
    )


def _current_summary(window: NumericWindow) -> dict[str, float]:
    if not window.count:
        return {}
    return {"mean": window.mean, "std": window.std, "min": window.minimum, "max": window.maximum}


def _bin_labels(edges: np.ndarray) -> list[str]:
    bounds = ["-inf", *(f"{edge:.4g}" for edge in edges), "inf"]
    return [f"({low}, {high}]" for low, high in pairwise(bounds)]


def _categorical(
    window: CategoricalWindow, whole: Window, tally: RecordTally, judged: bool
) -> FeatureDrift:
    baseline = window.baseline
    known = list(baseline.category_counts)
    new = sorted(set(window.category_counts) - set(known), key=lambda c: -window.category_counts[c])
    categories = known + new
    reference_counts = np.array([baseline.category_counts.get(c, 0) for c in categories])
    current_counts = np.array([window.category_counts.get(c, 0) for c in categories])
    test = chi_square_two_samples(reference_counts, current_counts) if judged else NO_TEST
    return FeatureDrift(
        kind="categorical",
        psi=_psi(fractions(reference_counts), current_counts),
        psi_test=test,
        distance=total_variation(reference_counts, current_counts) if window.count else 0.0,
        test=test,
        bin_labels=[*categories, MISSING_BIN],
        reference_fractions=with_missing(fractions(reference_counts), baseline.missing_rate),
        current_fractions=_shares_of_records(current_counts, window.missing),
        new_categories={c: window.category_counts[c] / window.count for c in new},
        **_shared(window, whole),
    )
