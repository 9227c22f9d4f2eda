"""The defaults flag the drifts that matter, and only them; same-distribution windows raise
nothing at any size; windows too small to judge are not judged."""

from __future__ import annotations

import numpy as np
import pytest
from drift_population import PLAN_WEIGHTS, counted_window, population, training_baseline

from sagestack_pipelines.drift.comparison import Thresholds, compare
from sagestack_pipelines.drift.monitor import measure
from sagestack_pipelines.drift.statistics import smallest_judged_window
from sagestack_pipelines.drift.tables import from_frame
from sagestack_pipelines.drift.window import Window


@pytest.fixture(scope="module")
def baseline():
    return training_baseline()


def _report(baseline, window, **thresholds):
    return measure(baseline, from_frame(window, baseline), Thresholds(**thresholds))


def _checks(report) -> dict[str, list[str]]:
    return {item.name: item.checks for item in report.features if item.violates}


# --- flagged at default settings ----------------------------------------------------------------

WINDOW_SIZES = [10_000, 200_000]
TEN_POINT_SHIFT = PLAN_WEIGHTS + np.array([-0.05, -0.05, 0.05, 0.05, 0.0, 0.0])  # TVD 0.1


@pytest.mark.parametrize("rows", WINDOW_SIZES)
def test_a_mean_shift_of_a_quarter_standard_deviation_is_drift(baseline, rows):
    window = population(np.random.default_rng(rows), rows, age_shift=0.25)
    assert _checks(_report(baseline, window)) == {"age": ["baseline_drift_check"]}


@pytest.mark.parametrize("rows", WINDOW_SIZES)
def test_a_standard_deviation_grown_by_a_factor_of_1_4_is_drift(baseline, rows):
    window = population(np.random.default_rng(rows + 1), rows, age_scale=1.4)
    assert _checks(_report(baseline, window)) == {"age": ["baseline_drift_check"]}


@pytest.mark.parametrize("rows", WINDOW_SIZES)
def test_a_total_variation_of_0_1_between_category_frequencies_is_drift(baseline, rows):
    window = population(np.random.default_rng(rows + 2), rows, plan_weights=TEN_POINT_SHIFT)
    report = _report(baseline, window)
    assert _checks(report) == {"plan": ["baseline_drift_check"]}
    assert report.features[0].distance == pytest.approx(0.1, abs=0.01)


@pytest.mark.parametrize("rows", WINDOW_SIZES)
def test_a_new_category_with_one_percent_of_the_window_is_flagged(baseline, rows):
    window = population(np.random.default_rng(rows + 3), rows)
    window.loc[window.index[: rows // 100], "plan"] = "enterprise"
    report = _report(baseline, window)
    assert _checks(report) == {"plan": ["categorical_values_check"]}
    assert report.features[0].new_categories == {"enterprise": 0.01}


def test_a_real_but_negligible_shift_is_not_drift_even_over_a_million_requests(baseline):
    """0.05 standard deviations: beyond doubt (p below the threshold), and too small to matter."""
    window = population(np.random.default_rng(5), 1_000_000, age_shift=0.05)
    report = _report(baseline, window)
    age = next(item for item in report.features if item.name == "age")
    assert age.test.p_value < Thresholds().p_value and age.distance < Thresholds().distance
    assert report.violating == []


# --- never flagged: windows drawn from the baseline's own distribution ------------------------


@pytest.mark.slow
def test_windows_like_the_training_data_raise_no_false_alarm_at_any_size(baseline):
    """1,000 feature comparisons: 120 windows of 1,000 requests (judged, although the default
    minimum is larger: this is the rule itself), 40 of 100,000 and 40 of 10,000,000."""
    comparisons, alarms = 0, []
    judge_everything = Thresholds(min_requests=1)
    windows = [(1_000, seed) for seed in range(120)] + [(100_000, seed) for seed in range(40)]
    for rows, seed in windows:
        window = Window(baseline)
        window.add(population(np.random.default_rng(rows + seed), rows))
        report = compare(window, judge_everything)
        comparisons += len(report.features)
        alarms += [(rows, seed, name) for name in report.violating]
    for seed in range(40):
        window = counted_window(baseline, np.random.default_rng(seed), 10_000_000)
        report = compare(window, judge_everything)
        comparisons += len(report.features)
        alarms += [(10_000_000, seed, name) for name in report.violating]
    assert comparisons >= 1_000
    assert alarms == []


def test_a_counted_window_is_judged_like_one_of_requests(baseline):
    """The counted windows above are real ones: a drift shows in them as in requests."""
    window = counted_window(baseline, np.random.default_rng(1), 10_000_000)
    age = window.numeric["age"]
    moved = np.zeros_like(age.cells)  # every value up by a tenth of the reference's ranks
    moved[20_000:] = age.cells[:-20_000]
    moved[-1] += age.cells[-20_000:].sum()
    age.cells = moved
    report = compare(window)
    assert report.judged and report.violating == ["age"]


# --- windows too small to judge ---------------------------------------------------------------


def test_the_default_minimum_window_is_where_a_drift_at_the_threshold_beats_noise():
    defaults = Thresholds()
    assert defaults.smallest_window == smallest_judged_window(0.05, 1e-6) == 2_902
    # the KS noise bound 2 exp(-2 n d^2) is at most the p-value threshold from there on
    assert 2 * np.exp(-2 * 2_902 * 0.05**2) <= 1e-6 < 2 * np.exp(-2 * 2_901 * 0.05**2)
    assert Thresholds(min_requests=500).smallest_window == 500


def test_a_quiet_hour_of_forty_requests_is_not_judged(baseline):
    """The issue's example: 40 requests of the training data once scored PSI 0.94 and paged."""
    report = _report(baseline, population(np.random.default_rng(40), 40, age_shift=3.0))
    assert not report.judged and report.violating == []
    assert report.too_small == "window too small to judge: 40 requests, at least 2,902 needed"


def test_a_window_at_the_minimum_is_judged(baseline):
    window = population(np.random.default_rng(3), 3_000, age_shift=3.0)
    assert _report(baseline, window, min_requests=3_000).violating == ["age"]
    assert not _report(baseline, window, min_requests=3_001).judged


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("p_value", 5.0, "above 0 and at most 1"),
        ("p_value", 0.0, "above 0 and at most 1"),
        ("distance", 0.0, "above 0 and at most 1"),
        ("missing_rate_change", 1.5, "from 0 to 1"),
        ("new_category_share", -0.1, "from 0 to 1"),
        ("data_type_match", 2, "from 0 to 1"),
        ("psi", float("nan"), ">= 0"),
        ("psi", True, ">= 0"),
        ("min_requests", -1, "a whole number >= 0"),
        ("min_requests", 2.5, "a whole number >= 0"),
    ],
)
def test_a_threshold_outside_its_range_is_refused_naming_it(name, value, expected):
    with pytest.raises(ValueError, match=f"threshold {name} {value!r} is invalid: .*{expected}"):
        Thresholds(**{name: value})
