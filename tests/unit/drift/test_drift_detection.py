"""The default thresholds flag the changed features, and only them; same-distribution windows
raise nothing at the window sizes a monitor sees."""

from __future__ import annotations

import numpy as np
import pytest
from drift_frames import report_of, requests

from sagestack_pipelines.drift.comparison import Thresholds


def _violating(report) -> set[str]:
    return set(report.violating)


def test_a_shifted_mean_is_flagged_as_drift(rng):
    report = report_of(requests(rng, 20_000), requests(rng, 5_000, age_shift=5.0))
    assert _violating(report) == {"age"}
    assert report.features[0].name == "age" and report.features[0].drifted


def test_a_widened_variance_is_flagged_as_drift(rng):
    report = report_of(requests(rng, 20_000), requests(rng, 5_000, income_widen=1.6))
    assert _violating(report) == {"income"}


def test_a_new_category_is_flagged_with_its_share(rng):
    window = requests(
        rng,
        5_000,
        colours=["red", "green", "blue", "black", "pink"],
        colour_weights=[0.3, 0.25, 0.2, 0.1, 0.15],
    )
    report = report_of(requests(rng, 20_000), window)
    colour = next(item for item in report.features if item.name == "colour")
    assert _violating(report) == {"colour"}
    assert colour.unknown_categories and colour.drifted
    assert colour.new_categories["pink"] == pytest.approx(0.15, abs=0.02)


def test_changed_category_frequencies_are_flagged(rng):
    window = requests(rng, 5_000, colour_weights=[0.1, 0.2, 0.3, 0.4])
    assert _violating(report_of(requests(rng, 20_000), window)) == {"colour"}


@pytest.mark.parametrize("window_rows", [200, 2_000, 20_000, 200_000])
@pytest.mark.parametrize("seed", range(4))
def test_two_samples_of_one_distribution_raise_nothing(window_rows, seed):
    rng = np.random.default_rng(seed)
    report = report_of(requests(rng, 20_000), requests(rng, window_rows))
    assert report.violating == []
    assert report.max_psi < 0.1


def test_a_rising_missing_rate_is_a_completeness_violation(rng):
    window = requests(rng, 5_000)
    window.loc[window.index[:1_000], "visits"] = np.nan
    report = report_of(requests(rng, 20_000), window)
    visits = next(item for item in report.features if item.name == "visits")
    assert _violating(report) == {"visits"}
    assert visits.missing_rate_changed and not visits.drifted
    assert visits.current_missing_rate == pytest.approx(0.2)


def test_a_feature_absent_from_the_requests_is_reported_absent(rng):
    report = report_of(requests(rng, 20_000), requests(rng, 1_000).drop(columns=["visits"]))
    visits = next(item for item in report.features if item.name == "visits")
    assert visits.absent and visits.current_missing_rate == 1.0
    assert _violating(report) == {"visits"}


def test_a_feature_absent_from_the_requests_scores_the_largest_psi(rng):
    """Its FeatureDrift metric is its PSI and MaxFeatureDrift the largest: both must page."""
    report = report_of(requests(rng, 20_000), requests(rng, 1_000).drop(columns=["visits"]))
    visits = next(item for item in report.features if item.name == "visits")
    assert visits.psi > 5.0
    assert report.max_psi == visits.psi and report.features[0] is visits


def test_a_categorical_feature_going_missing_raises_its_psi(rng):
    window = requests(rng, 5_000)
    window.loc[window.index[:3_000], "colour"] = None
    report = report_of(requests(rng, 20_000), window)
    colour = next(item for item in report.features if item.name == "colour")
    assert colour.psi > 1.0 and colour.bin_labels[-1] == "(missing)"
    assert colour.current_fractions[-1] == pytest.approx(0.6)


def test_features_are_ordered_most_drifted_first(rng):
    report = report_of(requests(rng, 20_000), requests(rng, 5_000, age_shift=8.0, income_widen=1.4))
    scores = [item.psi for item in report.features]
    assert scores == sorted(scores, reverse=True)
    assert report.max_psi == scores[0]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("p_value", 5.0, "from 0 to 1"),
        ("missing_rate_change", 1.5, "from 0 to 1"),
        ("new_category_share", -0.1, "from 0 to 1"),
        ("psi", float("nan"), ">= 0"),
        ("psi", True, ">= 0"),
    ],
)
def test_a_threshold_outside_its_range_is_refused_naming_it(name, value, expected):
    with pytest.raises(ValueError, match=f"threshold {name} {value!r} is invalid: .*{expected}"):
        Thresholds(**{name: value})


def test_a_large_psi_from_a_few_requests_is_not_drift_without_a_significant_test(rng):
    """Twenty requests of the training distribution: PSI over ten bins is noise-high, the KS
    p-value is not, and drift needs both."""
    report = report_of(requests(rng, 20_000), requests(rng, 20))
    age = next(item for item in report.features if item.name == "age")
    assert age.psi > Thresholds().psi and age.test.p_value > Thresholds().p_value
    assert not age.drifted
