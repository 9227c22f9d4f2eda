"""The engine's statistics equal scipy's and a direct computation, whatever the chunking."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import stats

from sagestack_pipelines.drift.baseline import build_baseline
from sagestack_pipelines.drift.comparison import Thresholds, compare
from sagestack_pipelines.drift.monitor import measure
from sagestack_pipelines.drift.statistics import (
    NO_TEST,
    PSI_EPSILON,
    bin_counts,
    chi_square_two_samples,
    ks_p_value,
    ks_statistic,
    psi,
    quantile_sample_error,
    smallest_judged_window,
    total_variation,
    with_missing,
)
from sagestack_pipelines.drift.tables import from_frame
from sagestack_pipelines.drift.window import Window

JUDGE_ALL = Thresholds(min_requests=1)  # the statistics of windows of any size


def _ks_of(reference: np.ndarray, current: np.ndarray, chunk_rows: int | None = None):
    baseline = build_baseline(pd.DataFrame({"x": reference}), sample_cap=len(reference))
    step = chunk_rows or len(current)
    window = Window(baseline)
    for start in range(0, len(current), step):
        window.add(pa.table({"x": current[start : start + step]}))
    return compare(window, Thresholds(min_requests=1)).features[0].test


def _samples(rng: np.random.Generator, case: int) -> tuple[np.ndarray, np.ndarray]:
    sizes = rng.integers(1, 4000, size=2)
    if case % 3 == 0:  # heavy ties: small integer support, partly disjoint
        return (
            rng.integers(0, 8, sizes[0]).astype(float),
            rng.integers(2, 12, sizes[1]).astype(float),
        )
    if case % 3 == 1:  # equal sizes take scipy's other exact branch
        return rng.normal(size=sizes[0]), rng.normal(0.1, 1.2, size=sizes[0])
    return rng.normal(size=sizes[0]), rng.standard_t(3, size=sizes[1])


@pytest.mark.parametrize("case", range(60))
def test_ks_statistic_and_p_value_equal_scipy_ks_2samp(case):
    rng = np.random.default_rng(case)
    reference, current = _samples(rng, case)
    ours = _ks_of(reference, current)
    expected = stats.ks_2samp(reference, current)
    assert ours.statistic == pytest.approx(expected.statistic, abs=1e-9)
    assert ours.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
    assert ours.method == (
        "KS exact" if max(len(reference), len(current)) <= 10_000 else "KS asymptotic"
    )


@pytest.mark.parametrize(
    ("reference_size", "current_size"), [(20_000, 3), (15_000, 40_000), (10_001, 10_000)]
)
def test_ks_uses_the_asymptotic_p_value_where_scipy_does(reference_size, current_size):
    rng = np.random.default_rng(reference_size)
    reference = rng.normal(size=reference_size)
    current = np.round(rng.normal(0.02, 1, size=current_size), 2)  # ties with itself
    ours = _ks_of(reference, current, chunk_rows=7_000)
    expected = stats.ks_2samp(reference, current)
    assert ours.method == "KS asymptotic"
    assert ours.statistic == pytest.approx(expected.statistic, abs=1e-9)
    assert ours.p_value == pytest.approx(expected.pvalue, rel=1e-9)


def test_ks_is_the_same_however_the_window_is_chunked():
    rng = np.random.default_rng(7)
    # past 10,000 values the p-value is asymptotic: cheap, so the test's time goes to chunking
    reference, current = rng.normal(size=3000), rng.normal(0.05, 1, size=12_000)
    whole = _ks_of(reference, current)
    assert _ks_of(reference, current, chunk_rows=7) == whole
    assert _ks_of(reference, current, chunk_rows=1234) == whole  # chunks smaller than the sample
    assert _ks_of(reference, current, chunk_rows=4000) == whole  # and larger


def _direct_psi(training: np.ndarray, current: np.ndarray, bins: int) -> float:
    """PSI over the value bins, as shares of the present values (missing ones left out)."""
    edges = np.unique(np.quantile(training[~np.isnan(training)], np.linspace(0, 1, bins + 1)[1:-1]))

    def shares(values):
        present = [value for value in values if not np.isnan(value)]
        counts = [0] * (len(edges) + 1)
        for value in present:
            counts[sum(1 for e in edges if value > e)] += 1
        return [count / len(present) for count in counts]

    total = 0.0
    for ref, cur in zip(shares(training), shares(current), strict=True):
        ref, cur = max(ref, PSI_EPSILON), max(cur, PSI_EPSILON)
        total += (cur - ref) * np.log(cur / ref)
    return total


@pytest.mark.parametrize(("shift", "bins"), [(0.0, 10), (0.3, 10), (1.0, 5), (3.0, 20)])
def test_psi_equals_a_direct_computation_on_reference_quantile_bins(shift, bins):
    rng = np.random.default_rng(bins)
    training = rng.normal(size=2000)
    current = np.concatenate([rng.normal(shift, 1, size=1500), training[:5]])  # values on edges
    baseline = build_baseline(pd.DataFrame({"x": training}), bins=bins)
    report = measure(baseline, from_frame(pd.DataFrame({"x": current}), baseline), JUDGE_ALL)
    assert report.features[0].psi == pytest.approx(_direct_psi(training, current, bins), rel=1e-12)


def test_a_value_on_a_bin_edge_counts_in_the_bin_the_edge_closes():
    # Bins are (-inf, e0], (e0, e1], ..., (e_last, inf): np.digitize(right=True), pandas.cut's
    # default. An integer feature's quantile edges fall on values, so edges are met often.
    edges = np.array([1.0, 3.0])
    values = np.array([0.0, 1.0, 1.0, 2.0, 3.0, 3.5])
    assert bin_counts(values, edges).tolist() == [3, 2, 1]
    assert (
        bin_counts(values, edges).tolist()
        == np.bincount(np.digitize(values, edges, right=True), minlength=3).tolist()
    )


def test_window_values_on_the_baselines_edges_share_their_training_bins():
    training = pd.DataFrame({"x": np.repeat([1.0, 2.0, 3.0, 4.0, 5.0], 20)})
    baseline = build_baseline(training, bins=2)
    assert baseline.numeric["x"].bin_edges.tolist() == [3.0]  # the median, a training value
    window = from_frame(pd.DataFrame({"x": [3.0] * 6 + [4.0] * 4}), baseline)
    item = measure(baseline, window, JUDGE_ALL).features[0]
    assert item.reference_fractions.tolist() == pytest.approx([0.6, 0.4, 0.0])
    assert item.current_fractions.tolist() == pytest.approx([0.6, 0.4, 0.0])
    assert item.psi == pytest.approx(0.0)


@pytest.mark.parametrize("current_missing", [0.0, 0.03, 0.6])
def test_psi_compares_the_present_values_whatever_the_missing_share(current_missing):
    rng = np.random.default_rng(11)
    training = rng.normal(size=3000)
    training[rng.random(3000) < 0.03] = np.nan
    current = rng.normal(size=2000)
    current[rng.random(2000) < current_missing] = np.nan
    baseline = build_baseline(pd.DataFrame({"x": training}))
    report = measure(baseline, from_frame(pd.DataFrame({"x": current}), baseline), JUDGE_ALL)
    assert report.features[0].psi == pytest.approx(_direct_psi(training, current, 10), rel=1e-12)


def test_a_window_at_the_baselines_missing_rate_adds_nothing_from_the_missing_bin():
    value_shares = np.array([0.25, 0.25, 0.5])
    same_rate = psi(with_missing(value_shares, 0.2), with_missing(value_shares, 0.2))
    assert same_rate == 0.0
    assert psi(with_missing(value_shares, 0.01), with_missing(value_shares, 0.6)) > 1.0


def test_categorical_psi_and_chi_square_use_both_samples_counts_with_new_categories():
    training = pd.DataFrame({"c": ["a"] * 50 + ["b"] * 30 + ["c"] * 20})
    window = pd.DataFrame({"c": ["a"] * 20 + ["b"] * 50 + ["d"] * 30})
    baseline = build_baseline(training, categorical=["c"])
    feature = measure(baseline, from_frame(window, baseline), JUDGE_ALL).features[0]
    table = np.array([[50, 30, 20, 0], [20, 50, 0, 30]])
    expected = stats.chi2_contingency(table)
    assert feature.test.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert feature.test.p_value == pytest.approx(expected.pvalue, rel=1e-12)
    shares = [(0.5, 0.2), (0.3, 0.5), (0.2, PSI_EPSILON), (PSI_EPSILON, 0.3)]
    direct = sum((cur - ref) * np.log(cur / ref) for ref, cur in shares)
    assert feature.psi == pytest.approx(direct, rel=1e-12)
    assert feature.new_categories == {"d": 0.3}


def test_chi_square_of_a_single_category_is_no_evidence_of_drift():
    result = chi_square_two_samples(np.array([10]), np.array([99]))
    assert (result.statistic, result.p_value) == (0.0, 1.0)


def test_cell_counts_widen_before_they_could_overflow():
    baseline = build_baseline(pd.DataFrame({"x": np.arange(10.0)}))
    window = Window(baseline)
    numeric = window.numeric["x"]
    numeric.count = np.iinfo(np.int32).max - 2  # as if two billion values had gone by
    window.add(pa.table({"x": np.arange(5.0)}))
    window.finish()
    assert numeric.cells.dtype == np.int64
    assert numeric.current_counts()[0][-1] == 5


def test_ks_is_exact_up_to_ten_thousand_values_as_in_scipy():
    assert ks_p_value(0.2, 10_000, 20).method == "KS exact"
    assert ks_p_value(0.2, 10_001, 20).method == "KS asymptotic"


def test_ks_of_no_reference_values_is_zero():
    empty = np.array([], dtype=float)
    assert ks_statistic(empty, empty, 10, empty, empty, 10) == 0.0


def test_no_values_are_no_evidence_of_drift():
    assert (NO_TEST.statistic, NO_TEST.p_value) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("reference", "current", "distance"),
    [([50, 50], [100, 0], 0.5), ([10, 30, 60], [10, 30, 60], 0.0), ([1, 0], [0, 3], 1.0)],
)
def test_total_variation_is_the_largest_share_any_categories_gained_or_lost(
    reference, current, distance
):
    assert total_variation(np.array(reference), np.array(current)) == pytest.approx(distance)


@pytest.mark.parametrize(("sample", "population", "error"), [(100, 1000, 0.005), (1000, 1000, 0.0)])
def test_a_quantile_sample_is_off_by_at_most_half_a_step(sample, population, error):
    assert quantile_sample_error(sample, population) == error


@pytest.mark.parametrize(("distance", "significance"), [(0.1, 0.05), (0.3, 0.01), (0.05, 0.1)])
def test_the_smallest_judged_window_is_the_first_where_the_dkw_bound_holds(distance, significance):
    n = smallest_judged_window(distance, significance)
    assert 2 * math.exp(-2 * n * distance**2) <= significance
    assert 2 * math.exp(-2 * (n - 1) * distance**2) > significance


def test_the_missing_share_takes_its_part_from_the_present_values():
    assert with_missing(np.array([0.5, 0.5]), 0.2) == pytest.approx([0.4, 0.4, 0.2])
    assert with_missing(np.array([1.0]), 0.0) == pytest.approx([1.0, 0.0])


def test_chi_square_against_a_sample_without_counts_is_no_evidence_of_drift():
    result = chi_square_two_samples(np.array([5, 3]), np.array([0, 0]))
    assert (result.statistic, result.p_value) == (0.0, 1.0)


def test_chi_square_counts_a_category_seen_once_in_either_sample():
    result = chi_square_two_samples(np.array([5, 5, 1]), np.array([5, 5, 0]))
    expected = stats.chi2_contingency(np.array([[5, 5, 1], [5, 5, 0]]))
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)


@pytest.mark.parametrize(
    ("reference", "current"),
    [([30, 10], [20, 20]), ([30, 10, 5], [20, 20, 9]), ([5, 3], [1, 0])],
    ids=["two categories", "three categories", "a window of one request"],
)
def test_chi_square_is_scipys_on_the_two_samples_counts(reference, current):
    result = chi_square_two_samples(np.array(reference), np.array(current))
    expected = stats.chi2_contingency(np.array([reference, current]))
    assert (result.statistic, result.p_value) == pytest.approx(
        (expected.statistic, expected.pvalue)
    )


def test_a_sample_of_every_one_of_a_thousand_values_has_no_error():
    values = np.arange(1000.0)
    assert quantile_sample_error(values.size, len(values)) == 0.0
