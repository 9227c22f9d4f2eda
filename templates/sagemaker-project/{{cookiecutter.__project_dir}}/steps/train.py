"""Train: fit the model on the train channel and save it, with the serving code, to the model dir.

Runs in a SageMaker training container: data in SM_CHANNEL_TRAIN, the model written to
SM_MODEL_DIR (SageMaker uploads it as model.tar.gz); hyperparameters arrive as arguments.
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from dataset import features_and_target, read_table
from inference import save_model

INFERENCE_SCRIPT = Path(__file__).with_name("inference.py")


def make_estimator(model: str, problem_type: str, n_estimators: int, max_depth: int,
                   learning_rate: float, seed: int = 42):
    classify = problem_type == "binary_classification"
    if model == "xgboost":
        import xgboost

        estimator = xgboost.XGBClassifier if classify else xgboost.XGBRegressor
        return estimator(n_estimators=n_estimators, max_depth=max_depth,
                         learning_rate=learning_rate, random_state=seed, n_jobs=1)
    if model == "sklearn":
        from sklearn import ensemble

        estimator = (ensemble.HistGradientBoostingClassifier if classify
                     else ensemble.HistGradientBoostingRegressor)
        return estimator(max_iter=n_estimators, max_depth=max_depth,
                         learning_rate=learning_rate, random_state=seed)
    raise ValueError(f"model '{model}' is not supported: expected xgboost or sklearn")


def train(train_dir: Path, model_dir: Path, target: str, problem_type: str, estimator) -> Path:
    features, labels = features_and_target(read_table(train_dir), target)
    estimator.fit(features, labels)
    save_model(model_dir, estimator, list(features.columns), problem_type)
    # The serving container runs code/inference.py from the model archive.
    (model_dir / "code").mkdir(exist_ok=True)
    shutil.copy(INFERENCE_SCRIPT, model_dir / "code" / INFERENCE_SCRIPT.name)
    return model_dir


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-column", required=True)
    parser.add_argument("--problem-type", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--n-estimators", type=int, default=200)
    parser.add_argument("--max-depth", type=int, default=4)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--train-dir", type=Path, default=os.environ.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--model-dir", type=Path, default=os.environ.get("SM_MODEL_DIR"))
    args = parser.parse_args(argv)
    estimator = make_estimator(args.model, args.problem_type, args.n_estimators,
                               args.max_depth, args.learning_rate)
    train(args.train_dir, args.model_dir, args.target_column, args.problem_type, estimator)


if __name__ == "__main__":
    main()
