"""Each of Model Monitor's checks, as the comparison applies it: what flags a feature and what
does not, and the order the report lists features in."""

from __future__ import annotations

import numpy as np
import pytest
from drift_frames import report_of, requests

from sagestack_pipelines.drift.baseline import FRACTIONAL, INTEGRAL
from sagestack_pipelines.drift.comparison import Thresholds


def _feature(report, name):
    return next(item for item in report.features if item.name == name)


def test_a_rising_missing_rate_is_a_completeness_violation_not_drift(rng):
    window = requests(rng, 5_000)
    window.loc[window.index[:1_000], "visits"] = np.nan
    report = report_of(requests(rng, 20_000), window)
    visits = _feature(report, "visits")
    assert report.violating == ["visits"]
    assert visits.missing_rate_changed and not visits.drifted
    assert visits.current_missing_rate == pytest.approx(0.2)


def test_a_falling_missing_rate_is_no_completeness_violation(rng):
    """Model Monitor's check is one-sided: a feature more complete than in training is fine."""
    training = requests(rng, 20_000)
    training.loc[training.index[:4_000], "visits"] = np.nan
    report = report_of(training, requests(rng, 5_000))
    assert report.violating == []


def test_a_categorical_feature_going_missing_is_a_completeness_violation(rng):
    window = requests(rng, 5_000)
    window.loc[window.index[:3_000], "colour"] = None
    colour = _feature(report_of(requests(rng, 20_000), window), "colour")
    assert colour.missing_rate_changed and not colour.drifted
    assert colour.bin_labels[-1] == "(missing)" and colour.current_fractions[-1] == 0.6


def test_a_feature_absent_from_the_requests_is_reported_absent_and_nothing_else(rng):
    report = report_of(requests(rng, 20_000), requests(rng, 5_000).drop(columns=["visits"]))
    visits = _feature(report, "visits")
    assert visits.absent and visits.current_missing_rate == 1.0
    assert not (visits.drifted or visits.missing_rate_changed)
    assert report.violating == ["visits"] and report.features[0] is visits


def test_a_column_the_baseline_lacks_is_an_extra_column(rng):
    window = requests(rng, 5_000).assign(coupon="none")
    report = report_of(requests(rng, 20_000), window)
    assert report.extra_columns == ["coupon"] and report.violating == []


def test_whole_number_training_values_expect_whole_numbers(rng):
    training = requests(rng, 20_000)
    window = requests(rng, 5_000)
    window.loc[window.index[:50], "visits"] += 0.5
    report = report_of(training, window)
    visits = _feature(report, "visits")
    assert (visits.inferred_type, _feature(report, "age").inferred_type) == (INTEGRAL, FRACTIONAL)
    assert visits.wrong_type and visits.type_match == pytest.approx(0.99)
    assert report.violating == ["visits"]
    assert not _feature(report_of(training, window, data_type_match=0.98), "visits").wrong_type


def test_a_large_psi_from_a_few_requests_is_not_drift_without_a_significant_test(rng):
    """Twenty requests of the training distribution, judged: PSI over ten bins is noise-high,
    the tests are not significant, and drift needs both."""
    report = report_of(requests(rng, 20_000), requests(rng, 20), min_requests=1)
    age = _feature(report, "age")
    assert age.psi > Thresholds().psi and age.psi_test.p_value > Thresholds().p_value
    assert report.violating == []


def test_violating_features_come_first_then_the_most_moved(rng):
    window = requests(rng, 5_000, age_shift=8.0, income_widen=1.4)
    window.loc[window.index[:2_000], "visits"] = np.nan
    report = report_of(requests(rng, 20_000), window)
    assert [item.name for item in report.features] == ["age", "income", "visits", "colour"]
    assert report.features[0].distance > report.features[1].distance
    assert report.violating == ["age", "income", "visits"]
