"""The baseline: what it records, its JSON round trip, its deterministic sample, its errors."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from drift_frames import requests
from scipy import stats

from sagestack_pipelines.drift import report as html_report
from sagestack_pipelines.drift.baseline import (
    build_baseline,
    from_json,
    load,
    reference_sample,
    save,
    to_json,
)
from sagestack_pipelines.drift.comparison import Thresholds
from sagestack_pipelines.drift.monitor import measure, summary
from sagestack_pipelines.drift.tables import from_frame

JUDGE = Thresholds(min_requests=1)


def test_numeric_baseline_has_quantile_bins_summary_and_missing_rate(rng):
    frame = pd.DataFrame({"x": np.append(rng.normal(size=999), np.nan)})
    item = build_baseline(frame, bins=4).numeric["x"]
    present = frame["x"].dropna().to_numpy()
    assert item.bin_edges == pytest.approx(np.quantile(present, [0.25, 0.5, 0.75]))
    assert item.bin_fractions == pytest.approx([0.25, 0.25, 0.25, 0.25], abs=1e-3)
    assert item.missing_rate == pytest.approx(0.001)
    assert item.summary["mean"] == pytest.approx(present.mean())
    assert item.summary["p50"] == pytest.approx(np.median(present))
    assert np.array_equal(item.reference_sample, np.sort(present))


def test_categorical_baseline_counts_each_category(rng):
    frame = pd.DataFrame({"c": ["a", "b", "a", None, "a"]})
    item = build_baseline(frame, categorical=["c"]).categorical["c"]
    assert item.category_counts == {"a": 3, "b": 1}
    assert item.missing_rate == pytest.approx(0.2)


def test_integer_category_codes_with_a_missing_value_match_the_requests_spelling():
    """pandas holds [1, 2, None] as floats; the requests say "1", not "1.0"."""
    frame = pd.DataFrame({"c": [1, 2, None, 1]})
    item = build_baseline(frame, categorical=["c"]).categorical["c"]
    assert item.category_counts == {"1": 2, "2": 1}


@pytest.mark.parametrize(
    ("values", "expected"),
    [([0.5, 1.0, None], {"0.5": 1, "1.0": 1}), ([1e20, None], {"1e+20": 1})],
    ids=["fractions", "beyond-int64"],
)
def test_other_float_categories_keep_their_float_spelling(values, expected):
    frame = pd.DataFrame({"c": values})
    assert build_baseline(frame, categorical=["c"]).categorical["c"].category_counts == expected


def test_baseline_survives_its_json_round_trip(rng, tmp_path):
    baseline = build_baseline(requests(rng, 2_000), categorical=["colour"])
    path = tmp_path / "baseline.json"
    save(baseline, path)
    loaded = load(path)
    assert to_json(loaded) == to_json(baseline)
    assert np.array_equal(
        loaded.numeric["age"].reference_sample, baseline.numeric["age"].reference_sample
    )
    assert json.loads(path.read_text())["features"] == ["age", "income", "visits", "colour"]


def test_reference_sample_above_the_cap_takes_evenly_spaced_ranks():
    values = np.arange(1_000, dtype=float)
    sample = reference_sample(values, 10)
    assert sample.tolist() == [50, 150, 250, 350, 450, 550, 650, 750, 850, 950]
    assert reference_sample(values, 1_000) is values


def test_capped_baseline_keeps_the_distribution_and_is_deterministic(rng):
    frame = pd.DataFrame({"x": rng.exponential(size=50_000)})
    first = build_baseline(frame, sample_cap=1_000).numeric["x"].reference_sample
    second = build_baseline(frame, sample_cap=1_000).numeric["x"].reference_sample
    assert len(first) == 1_000 and np.array_equal(first, second)
    assert np.median(first) == pytest.approx(np.log(2), rel=0.05)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"features": ["age", "height"]}, r"features \['height'\] are not columns"),
        ({"categorical": ["colour", "shade"]}, r"\['shade'\] are not columns"),
        ({"bins": 1}, "bins 1 is invalid"),
        ({"sample_cap": 0}, "sample_cap 0 is invalid"),
        ({"categorical": []}, "feature 'colour' has dtype .* not numeric"),
    ],
)
def test_bad_baseline_requests_fail_naming_the_value(rng, kwargs, message):
    arguments = {"categorical": ["colour"], **kwargs}
    with pytest.raises(ValueError, match=message):
        build_baseline(requests(rng, 100), **arguments)


def test_infinite_training_values_are_refused_naming_the_feature_and_count():
    frame = pd.DataFrame({"x": [1.0, 2.0, np.inf, -np.inf, 3.0]})
    with pytest.raises(ValueError, match="numeric feature 'x' has 2 infinite values"):
        build_baseline(frame)


def test_an_unknown_baseline_version_is_refused(rng):
    document = to_json(build_baseline(requests(rng, 100), categorical=["colour"]))
    document["version"] = 99
    with pytest.raises(ValueError, match="baseline version 99 is not supported"):
        from_json(document)


# --- exact up to a million training values; a stated bound above -----------------------------


def test_a_million_training_values_are_kept_whole_and_ks_equals_scipy(rng):
    training = rng.normal(size=1_000_000)
    baseline = build_baseline(pd.DataFrame({"x": training}))
    item = baseline.numeric["x"]
    assert item.sample_size == 1_000_000 and item.ks_error_bound == 0.0
    window = rng.normal(0.01, 1, size=30_000)
    [feature] = measure(baseline, from_frame(pd.DataFrame({"x": window}), baseline), JUDGE).features
    expected = stats.ks_2samp(training, window)
    assert feature.distance == pytest.approx(expected.statistic, abs=1e-12)
    assert feature.test.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert feature.distance_error == 0.0


@pytest.mark.parametrize("shift", [0.0, 0.05, 0.3])
def test_a_thinned_baseline_states_a_bound_its_ks_statistic_keeps(shift, rng, tmp_path):
    """Past the cap the sample's ECDF is within 1/(2 cap) of the training data's, so the KS
    statistic against it is within that of the one against every training value."""
    training = rng.exponential(size=5_000)
    baseline = build_baseline(pd.DataFrame({"x": training}), sample_cap=1_000)
    assert baseline.numeric["x"].ks_error_bound == 0.0005
    window = rng.exponential(size=4_000) + shift
    report = measure(baseline, from_frame(pd.DataFrame({"x": window}), baseline), JUDGE)
    [feature] = report.features
    exact = stats.ks_2samp(training, window).statistic
    assert abs(feature.distance - exact) <= feature.distance_error == 0.0005
    assert summary(report)["features"][0]["distance_error_bound"] == 0.0005
    page = html_report.write(report, html_report.Header("churn"), tmp_path).read_text()
    assert f"{feature.distance:.4f} ± 0.0005" in page


def test_a_version_1_baseline_reads_as_the_same_baseline(rng):
    """Generated projects' deploy builds write version 1: a sorted sample, whole."""
    baseline = build_baseline(requests(rng, 2_000), categorical=["colour"])
    document = to_json(baseline)
    for name, item in document["numeric"].items():
        del item["reference"], item["inferred_type"]
        sample = baseline.numeric[name].reference_sample
        item["reference_sample"] = {
            "encoding": "base64-float64-le",
            "size": len(sample),
            "data": base64.b64encode(sample.astype("<f8").tobytes()).decode(),
        }
    read = from_json({**document, "version": 1})
    assert to_json(read) == to_json(baseline)
