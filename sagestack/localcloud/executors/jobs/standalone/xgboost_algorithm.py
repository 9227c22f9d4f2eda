"""SageMaker's built-in XGBoost algorithm (the XGBoost image run with no script), locally.

Run by path with the image environment's Python inside the job's ``/opt/ml`` (no sagestack
import). As aws/sagemaker-xgboost-container's algorithm mode does: validate the hyperparameters
(``num_round`` required; the image's documented names only, ``reg:linear`` included), read the
``train`` channel (required) and the ``validation`` channel (optional) as CSV with the label in
the first column (``text/csv``) or as libsvm (no ContentType), train with both in the watchlist
(lines such as ``[3]#011train-rmse:1.2#011validation-rmse:1.4`` in the log) and write
``/opt/ml/model/xgboost-model`` the way the image version does: a pickled Booster up to 1.2-x,
``Booster.save_model`` from 1.3-1 (``--model-format``). A bad hyperparameter or channel fails the
job as the customer's error (``ClientError``), a training failure as the algorithm's.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys

ML = "/opt/ml"
FAILURE = f"{ML}/output/failure"
MODEL = f"{ML}/model/xgboost-model"
CSV_TYPES = {"csv", "text/csv", "text/csv;label_size=1"}
LIBSVM_TYPES = {"libsvm", "text/libsvm", "text/x-libsvm"}
# sagemaker-xgboost-container algorithm_mode/hyperparameter_validation.py
ALGORITHM_ONLY = {
    "num_round",
    "csv_weights",
    "early_stopping_rounds",
    "_kfold",
    "_num_cv_round",
    "_tuning_objective_metric",
    "save_model_on_termination",
}
ACCEPTED = ALGORITHM_ONLY | {
    "booster",
    "verbosity",
    "silent",
    "nthread",
    "eta",
    "gamma",
    "max_depth",
    "min_child_weight",
    "max_delta_step",
    "subsample",
    "colsample_bytree",
    "colsample_bylevel",
    "colsample_bynode",
    "lambda",
    "alpha",
    "tree_method",
    "sketch_eps",
    "scale_pos_weight",
    "updater",
    "dsplit",
    "refresh_leaf",
    "process_type",
    "grow_policy",
    "max_leaves",
    "max_bin",
    "predictor",
    "monotone_constraints",
    "interaction_constraints",
    "sample_type",
    "normalize_type",
    "rate_drop",
    "one_drop",
    "skip_drop",
    "lambda_bias",
    "tweedie_variance_power",
    "objective",
    "num_class",
    "base_score",
    "eval_metric",
    "seed",
    "num_parallel_tree",
    "aft_loss_distribution",
    "aft_loss_distribution_scale",
    "deterministic_histogram",
    "single_precision_histogram",
    "use_dask_gpu_training",
}


class CustomerError(Exception):
    """The job's input is wrong: SageMaker reports it as a ClientError."""


def _read(name: str) -> dict:
    with open(f"{ML}/input/config/{name}") as file:
        return json.load(file)


def validate(hyperparameters: dict) -> tuple[int, dict, int | None]:
    """(num_round, XGBoost's params, early_stopping_rounds)."""
    unknown = sorted(set(hyperparameters) - ACCEPTED)
    if unknown:
        raise CustomerError(f"Hyperparameter {unknown[0]}: is not a valid hyperparameter name")
    if "num_round" not in hyperparameters:
        raise CustomerError("Missing required hyperparameter: num_round")
    try:
        rounds = int(hyperparameters["num_round"])
    except ValueError:
        raise CustomerError(
            f"Hyperparameter num_round: {hyperparameters['num_round']!r} is not an integer"
        ) from None
    if rounds < 1:
        raise CustomerError(f"Hyperparameter num_round: value {rounds} must be at least 1")
    early = hyperparameters.get("early_stopping_rounds")
    params = {k: v for k, v in hyperparameters.items() if k not in ALGORITHM_ONLY}
    return rounds, params, int(early) if early else None


def _data_files(folder: str) -> list[str]:
    return sorted(
        os.path.join(root, name)
        for root, _dirs, names in os.walk(folder)
        for name in names
        if not name.startswith((".", "_"))
    )


def load_channel(name: str, config: dict, weights: bool):
    import numpy as np
    import xgboost as xgb

    folder = f"{ML}/input/data/{name}"
    files = _data_files(folder)
    if not files:
        raise CustomerError(f"No data in {name} channel path {folder}")
    content_type = (config.get("ContentType") or "libsvm").lower().replace(" ", "")
    if content_type in CSV_TYPES:
        rows = np.vstack([np.loadtxt(path, delimiter=",", ndmin=2) for path in files])
        start = 2 if weights else 1
        weight = rows[:, 1] if weights else None
        return xgb.DMatrix(rows[:, start:], label=rows[:, 0], weight=weight)
    if content_type in LIBSVM_TYPES:
        if len(files) > 1:
            raise CustomerError(f"the {name} channel holds {len(files)} libsvm files; use one")
        return xgb.DMatrix(files[0])
    raise CustomerError(
        f"{config.get('ContentType')} is not an accepted ContentType: 'csv', 'libsvm', "
        "'text/csv', 'text/libsvm', 'text/x-libsvm'."
    )


def train(model_format: str) -> None:
    import xgboost as xgb

    rounds, params, early = validate(_read("hyperparameters.json"))
    channels = _read("inputdataconfig.json")
    if "train" not in channels:
        raise CustomerError("the train channel is required")
    weights = str(_read("hyperparameters.json").get("csv_weights", "0")) == "1"
    data = {
        name: load_channel(name, channels[name], weights)
        for name in ("train", "validation")
        if name in channels
    }
    watchlist = [(matrix, name) for name, matrix in data.items()]
    booster = xgb.train(
        params,
        data["train"],
        num_boost_round=rounds,
        evals=watchlist,
        early_stopping_rounds=early if "validation" in data else None,
        verbose_eval=True,
    )
    os.makedirs(os.path.dirname(MODEL), exist_ok=True)
    if model_format == "pickle":
        with open(MODEL, "wb") as file:
            pickle.dump(booster, file, protocol=4)
    else:
        booster.save_model(MODEL)
    print(f"Saved the model to {MODEL} ({model_format})", flush=True)


def _fail(message: str) -> int:
    os.makedirs(os.path.dirname(FAILURE), exist_ok=True)
    with open(FAILURE, "w") as file:
        file.write(message)
    print(message, file=sys.stderr, flush=True)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-format", choices=("pickle", "save_model"), required=True)
    args = parser.parse_args(argv)
    try:
        train(args.model_format)
    except CustomerError as error:
        return _fail(f"ClientError: {error}")
    except Exception as error:  # the algorithm's own failure, as the container reports it
        return _fail(f"AlgorithmError: XGB train call failed with exception:\n{error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
