"""Serve: SageMaker's inference handlers (model_fn, input_fn, predict_fn, output_fn).

The serving container loads this file from the model's ``code/`` folder (train.py puts it there).
It also defines how a model is stored, so training, evaluation and serving agree. Requests are
CSV rows of feature values in training order, or JSON: ``{"instances": [...]}`` or a list, each
instance a list of values in that order or an object of feature names to values.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

ESTIMATOR_FILE = "model.joblib"
METADATA_FILE = "model-metadata.json"
CSV = "text/csv"
JSON = "application/json"


def save_model(model_dir: str | Path, estimator, features: list[str], problem_type: str) -> None:
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(estimator, model_dir / ESTIMATOR_FILE)
    metadata = {"features": list(features), "problem_type": problem_type}
    (model_dir / METADATA_FILE).write_text(json.dumps(metadata))


def model_fn(model_dir: str) -> dict:
    metadata = json.loads((Path(model_dir) / METADATA_FILE).read_text())
    return {"estimator": joblib.load(Path(model_dir) / ESTIMATOR_FILE), **metadata}


def input_fn(request_body: str | bytes, request_content_type: str) -> pd.DataFrame:
    if isinstance(request_body, bytes):
        request_body = request_body.decode("utf-8")
    content_type = (request_content_type or "").split(";")[0].strip()
    if content_type == CSV:
        return pd.read_csv(io.StringIO(request_body), header=None)
    if content_type == JSON:
        return _json_instances(json.loads(request_body))
    raise ValueError(
        f"content type '{request_content_type}' is not supported: send {CSV} or {JSON}"
    )


def _json_instances(payload) -> pd.DataFrame:
    instances = payload.get("instances") if isinstance(payload, dict) else payload
    if isinstance(instances, dict):
        instances = [instances]
    if not isinstance(instances, list) or not instances:
        raise ValueError("a JSON request needs a non-empty list of instances")
    if all(isinstance(item, dict) for item in instances):
        return pd.DataFrame(instances)
    return pd.DataFrame([item if isinstance(item, list) else [item] for item in instances])


def predict_fn(input_data: pd.DataFrame, model: dict) -> np.ndarray:
    """The positive class's probability (binary classification) or the predicted value."""
    frame = _in_training_order(input_data, model["features"])
    if model["problem_type"] == "binary_classification":
        return model["estimator"].predict_proba(frame)[:, 1]
    return model["estimator"].predict(frame)


def _in_training_order(frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    if all(isinstance(name, str) for name in frame.columns):
        missing = [name for name in features if name not in frame.columns]
        if missing:
            raise ValueError(f"the request lacks features {missing}")
        return frame[features].astype(float)
    if frame.shape[1] != len(features):
        raise ValueError(
            f"each row needs {len(features)} values (features {features}), got {frame.shape[1]}"
        )
    return pd.DataFrame(frame.to_numpy(dtype=float), columns=features)


def output_fn(prediction: np.ndarray, accept: str) -> str:
    content_type = (accept or JSON).split(";")[0].strip()
    if content_type in (JSON, "*/*"):
        return json.dumps({"predictions": [float(value) for value in prediction]})
    if content_type == CSV:
        return "\n".join(repr(float(value)) for value in prediction)
    raise ValueError(f"accept type '{accept}' is not supported: ask for {JSON} or {CSV}")
