"""The violations of a drift report as SageMaker Model Monitor's constraint_violations.json.

``{"violations": [{"feature_name", "constraint_check_type", "description"}]}`` with Model
Monitor's six check types, each with Model Monitor's meaning and, where its container's wording
is known, that wording (docs/drift.md lists the sources):

- ``data_type_check``: the share of a numeric feature's values of the baseline's type (Integral:
  whole numbers; Fractional: any number) is below the threshold.
- ``completeness_check``: the share of requests carrying the feature fell below the baseline's by
  more than the allowed change.
- ``baseline_drift_check``: the distribution moved (comparison.py's rule).
- ``missing_column_check``: a watched feature is absent from every request of the window.
- ``extra_column_check``: requests carry a column the baseline does not know.
- ``categorical_values_check``: the share of values within the baseline's categories is below
  ``1 - new_category_share``.

An unjudged window (too few requests) has no violations.
"""

from __future__ import annotations

import json
from pathlib import Path

from sagestack_pipelines.drift.comparison import DriftReport, FeatureDrift, Thresholds

FILE_NAME = "constraint_violations.json"


def violations(report: DriftReport, thresholds: Thresholds) -> dict:
    if not report.judged:
        return {"violations": []}
    found = []
    for item in report.features:
        found.extend(_feature_violations(item, report, thresholds))
    columns = _column_counts(report)
    for name in report.extra_columns:
        found.append(
            {
                "feature_name": name,
                "constraint_check_type": "extra_column_check",
                "description": f"There are extra columns in current dataset. {columns}",
            }
        )
    return {"violations": found}


def _column_counts(report: DriftReport) -> str:
    watched = len(report.features)
    current = watched - sum(item.absent for item in report.features) + len(report.extra_columns)
    return (
        f"Number of columns in current dataset: {current}, "
        f"Number of columns in baseline constraints: {watched}"
    )


def _feature_violations(
    item: FeatureDrift, report: DriftReport, thresholds: Thresholds
) -> list[dict]:
    found = []
    if item.absent:
        description = f"There are missing columns in current dataset. {_column_counts(report)}"
        found.append(_violation(item, "missing_column_check", description))
    if item.wrong_type:
        found.append(_violation(item, "data_type_check", _data_type(item, thresholds)))
    if item.missing_rate_changed:
        found.append(_violation(item, "completeness_check", _value(1 - item.current_missing_rate)))
    if item.drifted:
        found.append(_violation(item, "baseline_drift_check", _drift(item, thresholds)))
    if item.unknown_categories:
        known = 1 - sum(item.new_categories.values())
        description = f"{_value(known)}New categories: {item.listed_new_categories()}"
        found.append(_violation(item, "categorical_values_check", description))
    return found


def _value(observed: float) -> str:
    # The wording Model Monitor's container writes for completeness and categorical values.
    return f"Value: {observed!r} does not meet the constraint requirement! "


def _data_type(item: FeatureDrift, thresholds: Thresholds) -> str:
    kind = item.inferred_type
    return (
        f"Data type match requirement is not met. Expected data type: {kind}, "
        f"Expected match: {thresholds.data_type_match * 100!r}%. "
        f"Observed: Only {item.type_match * 100!r}% of data is {kind}."
    )


def _drift(item: FeatureDrift, thresholds: Thresholds) -> str:
    scale = "Numerical" if item.kind == "numeric" else "Categorical"
    if item.distance > thresholds.distance and item.test.p_value < thresholds.p_value:
        return (
            f"{scale} distance: {item.distance!r} exceeds {scale.lower()} threshold: "
            f"{thresholds.distance!r} ({item.test.method} p-value {item.test.p_value:.3g} "
            f"< {thresholds.p_value:g}; PSI {item.psi:.4f})"
        )
    return (
        f"PSI: {item.psi!r} exceeds PSI threshold: {thresholds.psi!r} "
        f"({item.psi_test.method} p-value {item.psi_test.p_value:.3g} < {thresholds.p_value:g}; "
        f"{scale.lower()} distance {item.distance:.4f})"
    )


def _violation(item: FeatureDrift, check: str, description: str) -> dict:
    return {"feature_name": item.name, "constraint_check_type": check, "description": description}


def write(report: DriftReport, thresholds: Thresholds, folder: str | Path) -> Path:
    path = Path(folder) / FILE_NAME
    path.write_text(json.dumps(violations(report, thresholds), indent=2))
    return path
