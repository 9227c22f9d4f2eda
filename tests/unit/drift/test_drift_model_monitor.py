"""SageMaker Model Monitor's files: statistics.json and constraints.json from a baseline, in the
documented schemas ("Schema for Statistics", "Schema for Constraints"), and all six violation
types of constraint_violations.json with Model Monitor's meaning and wording."""

from __future__ import annotations

import re

import numpy as np
import pytest
from drift_frames import report_of, requests

from sagestack_pipelines.drift import model_monitor, violations
from sagestack_pipelines.drift.baseline import build_baseline
from sagestack_pipelines.drift.comparison import Thresholds

NUMBER = (int, float)
# The documented statistics.json, as shapes: a type, or a dict / one-item list of shapes.
NUMERIC_FEATURE = {
    "name": str,
    "inferred_type": str,
    "numerical_statistics": {
        "common": {"num_present": int, "num_missing": int},
        "mean": NUMBER,
        "sum": NUMBER,
        "std_dev": NUMBER,
        "min": NUMBER,
        "max": NUMBER,
        "distribution": {
            "kll": {
                "buckets": [{"lower_bound": NUMBER, "upper_bound": NUMBER, "count": NUMBER}],
                "sketch": {"parameters": {"c": NUMBER, "k": NUMBER}, "data": [[NUMBER]]},
            }
        },
    },
}
STRING_FEATURE = {
    "name": str,
    "inferred_type": str,
    "string_statistics": {
        "common": {"num_present": int, "num_missing": int},
        "distinct_count": NUMBER,
        "distribution": {"categorical": {"buckets": [{"value": str, "count": int}]}},
    },
}
CONSTRAINTS_CONFIG = {
    "evaluate_constraints": str,
    "emit_metrics": str,
    "datatype_check_threshold": NUMBER,
    "domain_content_threshold": NUMBER,
    "distribution_constraints": {
        "perform_comparison": str,
        "comparison_threshold": NUMBER,
        "comparison_method": str,
        "categorical_comparison_threshold": NUMBER,
        "categorical_drift_method": str,
    },
}


def _assert_shape(value, shape, path="$") -> None:
    if isinstance(shape, dict):
        assert isinstance(value, dict) and set(value) == set(shape), f"{path}: {sorted(value)}"
        for key, item in shape.items():
            _assert_shape(value[key], item, f"{path}.{key}")
    elif isinstance(shape, list):
        assert isinstance(value, list), path
        for index, item in enumerate(value):
            _assert_shape(item, shape[0], f"{path}[{index}]")
    else:
        assert isinstance(value, shape) and not isinstance(value, bool), f"{path}: {value!r}"


@pytest.fixture
def training(rng):
    frame = requests(rng, 5_000)
    frame.loc[frame.index[:250], "income"] = np.nan
    return frame


def test_statistics_json_has_the_documented_shape_and_the_training_datas_numbers(training):
    baseline = build_baseline(training, categorical=["colour"])
    document = model_monitor.statistics(baseline)
    assert (document["version"], document["dataset"]) == (0.0, {"item_count": 5_000})
    features = {item["name"]: item for item in document["features"]}
    for name in ("age", "income", "visits"):
        _assert_shape(features[name], NUMERIC_FEATURE)
    _assert_shape(features["colour"], STRING_FEATURE)
    income = features["income"]["numerical_statistics"]
    assert income["common"] == {"num_present": 4_750, "num_missing": 250}
    present = training["income"].dropna()
    assert income["sum"] == pytest.approx(present.sum()) and income["mean"] == present.mean()
    assert (features["visits"]["inferred_type"], features["age"]["inferred_type"]) == (
        "Integral",
        "Fractional",
    )
    colour = features["colour"]["string_statistics"]
    buckets = {b["value"]: b["count"] for b in colour["distribution"]["categorical"]["buckets"]}
    assert buckets == training["colour"].value_counts().to_dict()


def test_numeric_buckets_are_ten_equal_widths_from_minimum_to_maximum(training):
    kll = model_monitor.statistics(build_baseline(training, categorical=["colour"]))
    age = next(f for f in kll["features"] if f["name"] == "age")["numerical_statistics"]
    buckets = age["distribution"]["kll"]["buckets"]
    assert len(buckets) == 10 and sum(b["count"] for b in buckets) == 5_000
    assert (buckets[0]["lower_bound"], buckets[-1]["upper_bound"]) == pytest.approx(
        (age["min"], age["max"])
    )
    widths = [b["upper_bound"] - b["lower_bound"] for b in buckets]
    assert widths == pytest.approx([widths[0]] * 10)
    values = training["age"].to_numpy()
    first = ((values >= buckets[0]["lower_bound"]) & (values < buckets[0]["upper_bound"])).sum()
    assert buckets[0]["count"] == first


@pytest.mark.parametrize("rows", [1_500, 200_000])
def test_the_kll_sketch_weighs_as_many_values_as_the_training_data_in_their_quantiles(rows, rng):
    values = rng.exponential(size=rows)
    baseline = build_baseline(_frame(values))
    [feature] = model_monitor.statistics(baseline)["features"]
    sketch = feature["numerical_statistics"]["distribution"]["kll"]["sketch"]
    assert sketch["parameters"] == {"c": 0.64, "k": 2048.0}
    levels = sketch["data"]
    items = np.concatenate([np.asarray(level, dtype=float) for level in levels])
    weights = np.concatenate([np.full(len(level), 2.0**h) for h, level in enumerate(levels)])
    assert weights.sum() == rows and max(len(level) for level in levels) <= 2048
    order = np.argsort(items)
    ranks = np.cumsum(weights[order]) / rows  # the sketch's CDF at each item
    truth = np.searchsorted(np.sort(values), items[order], side="right") / rows
    assert np.abs(ranks - truth).max() <= 2 * weights.max() / rows


def _frame(values):
    import pandas as pd

    return pd.DataFrame({"x": values})


def test_constraints_json_has_the_documented_shape_and_the_engines_rule(training):
    baseline = build_baseline(training, categorical=["colour"])
    document = model_monitor.constraints(baseline, Thresholds(), comparison_threshold=0.2)
    assert document["version"] == 0.0
    _assert_shape(document["monitoring_config"], CONSTRAINTS_CONFIG)
    features = {item["name"]: item for item in document["features"]}
    assert features["income"] == {
        "name": "income",
        "inferred_type": "Fractional",
        "completeness": pytest.approx(0.95 - 0.05),  # the baseline's, less the allowed change
        "num_constraints": {"is_non_negative": bool(training["income"].min() >= 0)},
    }
    assert features["colour"]["string_constraints"] == {
        "domains": list(training["colour"].value_counts().index)
    }
    config = document["monitoring_config"]
    assert config["distribution_constraints"]["comparison_threshold"] == 0.2
    assert config["domain_content_threshold"] == pytest.approx(0.995)


def test_a_comparison_threshold_that_is_no_distance_is_refused_writing_nothing(training, tmp_path):
    baseline = build_baseline(training, categorical=["colour"])
    with pytest.raises(ValueError, match=r"comparison threshold 1\.5 is invalid: expected a dist"):
        model_monitor.write(baseline, Thresholds(), 1.5, tmp_path / "mm")
    assert not (tmp_path / "mm").exists()


# --- the six violation types ------------------------------------------------------------------


def test_every_violation_type_model_monitor_has_with_its_wording(rng):
    training = requests(rng, 20_000).assign(tenure=rng.normal(5, 1, 20_000))
    window = requests(rng, 5_000, age_shift=5.0)
    window.loc[window.index[:50], "visits"] += 0.5  # no longer whole numbers
    window.loc[window.index[:1_500], "income"] = np.nan  # 70% complete
    window.loc[window.index[:500], "colour"] = "pink"  # 10% outside the baseline's domain
    window["coupon"] = "none"  # a column the baseline lacks; "tenure" is missing
    report = report_of(training, window)
    found = {
        (v["feature_name"], v["constraint_check_type"]): v["description"]
        for v in violations.violations(report, Thresholds())["violations"]
    }
    columns = (
        "Number of columns in current dataset: 5, Number of columns in baseline constraints: 5"
    )
    assert found.pop(("tenure", "missing_column_check")) == (
        f"There are missing columns in current dataset. {columns}"
    )
    assert found.pop(("coupon", "extra_column_check")) == (
        f"There are extra columns in current dataset. {columns}"
    )
    assert re.fullmatch(
        r"Data type match requirement is not met\. Expected data type: Integral, "
        r"Expected match: 100\.0%\. Observed: Only 99\.0% of data is Integral\.",
        found.pop(("visits", "data_type_check")),
    )
    assert found.pop(("income", "completeness_check")) == (
        "Value: 0.7 does not meet the constraint requirement! "
    )
    assert re.fullmatch(
        r"Value: 0\.9 does not meet the constraint requirement! New categories: 'pink' 10\.00%",
        found.pop(("colour", "categorical_values_check")),
    )
    assert re.match(
        r"Numerical distance: 0\.\d+ exceeds numerical threshold: 0\.05 \(KS asymptotic p-value",
        found.pop(("age", "baseline_drift_check")),
    )
    assert set(found) == {("colour", "baseline_drift_check")}  # 10% of it moved to "pink"
    assert set(report.violating) == {"tenure", "visits", "income", "colour", "age"}
