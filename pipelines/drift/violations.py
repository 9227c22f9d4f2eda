"""The violations of a drift report in SageMaker Model Monitor's constraint_violations.json shape.

``{"violations": [{"feature_name", "constraint_check_type", "description"}]}`` with Model
Monitor's check types: ``baseline_drift_check`` (PSI and test beyond the thresholds),
``completeness_check`` (missing rate changed), ``categorical_values_check`` (categories the
baseline never saw) and ``missing_column_check`` (a watched feature absent from the requests).
"""

from __future__ import annotations

import json
from pathlib import Path

from sagestack_pipelines.drift.comparison import DriftReport, FeatureDrift, Thresholds

FILE_NAME = "constraint_violations.json"


def violations(report: DriftReport, thresholds: Thresholds) -> dict:
    found = []
    for item in report.features:
        found.extend(_feature_violations(item, thresholds))
    return {"violations": found}


def _feature_violations(item: FeatureDrift, thresholds: Thresholds) -> list[dict]:
    found = []
    if item.absent:
        found.append(
            _violation(item, "missing_column_check", "the feature is absent from the requests")
        )
    if item.drifted:
        found.append(
            _violation(
                item,
                "baseline_drift_check",
                f"PSI {item.psi:.4f} exceeds {thresholds.psi} and {item.test.method} p-value "
                f"{item.test.p_value:.3g} is below {thresholds.p_value} "
                f"(statistic {item.test.statistic:.4g})",
            )
        )
    if item.missing_rate_changed and not item.absent:
        found.append(
            _violation(
                item,
                "completeness_check",
                f"missing rate {item.current_missing_rate:.4f} differs from the baseline's "
                f"{item.reference_missing_rate:.4f} by more than {thresholds.missing_rate_change}",
            )
        )
    if item.unknown_categories:
        found.append(
            _violation(
                item,
                "categorical_values_check",
                f"categories unseen in the baseline exceed {thresholds.new_category_share:.2%} "
                f"of requests: {item.listed_new_categories()}",
            )
        )
    return found


def _violation(item: FeatureDrift, check: str, description: str) -> dict:
    return {"feature_name": item.name, "constraint_check_type": check, "description": description}


def write(report: DriftReport, thresholds: Thresholds, folder: str | Path) -> Path:
    path = Path(folder) / FILE_NAME
    path.write_text(json.dumps(violations(report, thresholds), indent=2))
    return path
