"""The built-in XGBoost algorithm's serving (no ``SAGEMAKER_PROGRAM``), as the SageMaker XGBoost
container does it (``algorithm_mode/serve_utils.py``, ``handler_service.py``).

Every regular file in the model folder is a model (pickled, as images up to 1.2-x write it, or
``Booster.save_model``'s format from 1.3-1); several are averaged. Requests are ``text/csv`` (no
header, no label, one row per line, an empty field is missing; the delimiter is sniffed from the
first line) or ``text/libsvm``; no Content-Type reads as CSV. One prediction per row: on one line
joined by commas for ``text/csv`` (one per line in batch transform), a JSON list for
``application/json``. An empty body answers 204, an unreadable one 415, a prediction that fails
(a row of the wrong width) 400, an Accept it cannot write 415.
"""

from __future__ import annotations

import csv
import json
import os
import pickle

import numpy as np
import xgboost as xgb
from replies import Reply, toolkit_error

CSV_TYPES = ("text/csv", "csv")
LIBSVM_TYPES = ("text/libsvm", "text/x-libsvm", "libsvm")
JSON = "application/json"
PICKLE, XGB_FORMAT = "pkl_format", "xgb_format"


class ModelLoadError(Exception):
    pass


class _ClientFault(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def load_boosters(model_dir: str) -> tuple[list, list[str]]:
    boosters, formats = [], []
    for name in sorted(os.listdir(model_dir)):
        path = os.path.join(model_dir, name)
        if not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as stream:
                booster, kind = pickle.load(stream), PICKLE
        except Exception as pickle_error:
            try:
                booster, kind = xgb.Booster(), XGB_FORMAT
                booster.load_model(path)
            except Exception as xgb_error:
                raise ModelLoadError(
                    f"Unable to load model: Model at {path} cannot be loaded:\n{pickle_error}\n"
                    f"{xgb_error}"
                ) from xgb_error
        booster.set_param("nthread", 1)
        boosters.append(booster)
        formats.append(kind)
    if not boosters:
        raise ModelLoadError(f"Unable to load model: no model file in {model_dir}")
    return boosters, formats


def content_kind(content_type: str | None) -> str:
    kind = (content_type or "text/csv").split(";")[0].strip().lower()
    if kind in CSV_TYPES:
        return "csv"
    if kind in LIBSVM_TYPES:
        return "libsvm"
    raise _ClientFault(
        415,
        f"Content-type {content_type} not supported. Supported content-type is text/csv, "
        "text/libsvm, application/x-recordio-protobuf",
    )


def to_dmatrix(data, content_type: str | None):
    """A request body as an XGBoost DMatrix (also the XGBoost script mode's default input_fn)."""
    kind = content_kind(content_type)
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        return _csv_matrix(text.strip()) if kind == "csv" else _libsvm_matrix(text.strip())
    except Exception as error:
        raise _ClientFault(
            415,
            f"Loading {kind} data failed with Exception, please ensure data is in {kind} "
            f"format:\n {type(error)}\n {error}",
        ) from error


def _csv_matrix(text: str):
    first = text.split("\n")[0][:512]
    sniffed = csv.Sniffer().sniff(first).delimiter
    delimiter = "," if sniffed.isalnum() else sniffed
    rows = [
        ["nan" if cell == "" else cell for cell in line.split(delimiter)]
        for line in text.split("\n")
    ]
    return xgb.DMatrix(np.array(rows).astype(float))


def _libsvm_matrix(text: str):
    from scipy.sparse import csr_matrix

    rows, cols, values = [], [], []
    for row, line in enumerate(text.split("\n")):
        for item in line.split(" "):
            if ":" in item:
                column, value = item.split(":", 1)
                rows.append(row)
                cols.append(int(column))
                values.append(float(value))
    return xgb.DMatrix(csr_matrix((values, (rows, cols))))


class AlgorithmService:
    def __init__(self, model_dir: str, batch: bool):
        self.boosters, self.formats = load_boosters(model_dir)
        self.batch = batch

    def invoke(self, body: bytes, content_type: str | None, accept: str | None) -> Reply:
        if not body:
            return Reply(204)
        try:
            matrix = to_dmatrix(body, content_type)
            predictions = self._predict(matrix, content_kind(content_type))
            return self._encode(predictions, accept)
        except _ClientFault as fault:
            return toolkit_error(fault.status, str(fault))

    def _predict(self, matrix, kind: str):
        try:
            self._check_width(matrix, kind)
            scores = [_predict_one(booster, matrix) for booster in self.boosters]
        except Exception as error:
            raise _ClientFault(400, f"Unable to evaluate payload provided: {error}") from error
        return scores[0] if len(scores) == 1 else np.mean(scores, axis=0)

    def _check_width(self, matrix, kind: str) -> None:
        if self.formats[0] != PICKLE:
            return
        trained, given = _feature_count(self.boosters[0]), matrix.num_col()
        if kind == "libsvm" and given > trained + 1:
            raise ValueError(
                f"Feature size of libsvm inference data {given} is larger than feature size of "
                f"trained model {trained}."
            )
        if kind == "csv" and given not in (trained, trained - 1):
            raise ValueError(
                f"Feature size of csv inference data {given} is not consistent with feature "
                f"size of trained model {trained}."
            )

    def _encode(self, predictions, accept: str | None) -> Reply:
        kind = (accept or "text/csv").split(";")[0].strip().lower()
        if kind in ("*/*", "text/csv", "csv"):
            values = [str(value) for value in predictions.tolist()]
            text = "\n".join(values) + "\n" if self.batch else ",".join(values)
            return Reply(200, text.encode("utf-8"), "text/csv")
        if kind in (JSON, "json"):
            return Reply(200, json.dumps(predictions.tolist()).encode("utf-8"), JSON)
        raise _ClientFault(
            415,
            f"Encoding to accept type {accept} failed with exception: {accept} is not an "
            "accepted Accept type. Please choose one of the following: ['text/csv', "
            "'application/json'].",
        )

    def execution_parameters(self) -> dict:
        return {
            "MaxConcurrentTransforms": os.cpu_count() or 1,
            "BatchStrategy": "MULTI_RECORD",
            "MaxPayloadInMB": 6,
        }


def _feature_count(booster) -> int:
    if hasattr(booster, "num_features"):  # XGBoost 1.4 and later
        return booster.num_features()
    return len(booster.feature_names or ())  # XGBoost 1.x names numpy columns f0, f1...


def _predict_one(booster, matrix):
    limit = getattr(booster, "best_ntree_limit", 0)
    if limit:  # a pickled early-stopped model of XGBoost 1.x
        return booster.predict(matrix, ntree_limit=limit, validate_features=False)
    return booster.predict(matrix, validate_features=False)
