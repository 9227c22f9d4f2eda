"""Evaluate: score the trained model on the test set; write evaluation.json for the registry.

Runs in a SageMaker processing container: the training job's model.tar.gz in
/opt/ml/processing/model, the test table in /opt/ml/processing/test; the report, in the Model
Registry's model quality format, goes to /opt/ml/processing/evaluation/evaluation.json.
"""

from __future__ import annotations

import argparse
import json
import math
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn import metrics

from dataset import features_and_target, read_table
from inference import model_fn, predict_fn

PROCESSING_DIR = Path("/opt/ml/processing")
REPORT_FILE = "evaluation.json"
# Refuse links and absolute paths in the archive where Python offers it (3.8.17+, 3.11.4+).
SAFE_EXTRACT = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
SECTIONS = {"binary_classification": "binary_classification_metrics",
            "regression": "regression_metrics"}


def score(problem_type: str, truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    if problem_type == "binary_classification":
        labels = (predicted >= 0.5).astype(int)
        return {
            "auc": metrics.roc_auc_score(truth, predicted),
            "accuracy": metrics.accuracy_score(truth, labels),
            "f1": metrics.f1_score(truth, labels),
        }
    return {
        "rmse": math.sqrt(metrics.mean_squared_error(truth, predicted)),
        "mae": metrics.mean_absolute_error(truth, predicted),
        "r2": metrics.r2_score(truth, predicted),
    }


def registry_report(problem_type: str, scores: dict[str, float]) -> dict:
    """``{"<section>": {"<metric>": {"value": v, "standard_deviation": "NaN"}}}``"""
    return {
        SECTIONS[problem_type]: {
            name: {"value": float(value), "standard_deviation": "NaN"}
            for name, value in scores.items()
        }
    }


def evaluate(model_dir: Path, test_dir: Path, output_dir: Path, target: str) -> dict:
    model = model_fn(str(model_dir))
    features, truth = features_and_target(read_table(test_dir), target)
    scores = score(model["problem_type"], truth.to_numpy(), predict_fn(features, model))
    report = registry_report(model["problem_type"], scores)
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / REPORT_FILE).write_text(json.dumps(report, indent=2))
    return report


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-column", required=True)
    parser.add_argument("--base-dir", type=Path, default=PROCESSING_DIR)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as model_dir:
        with tarfile.open(args.base_dir / "model" / "model.tar.gz") as archive:
            archive.extractall(model_dir, **SAFE_EXTRACT)
        report = evaluate(Path(model_dir), args.base_dir / "test",
                          args.base_dir / "evaluation", args.target_column)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
