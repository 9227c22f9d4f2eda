"""The local model server's handlers behave as SageMaker's framework containers' do: the script's
model_fn / input_fn / predict_fn / output_fn with the containers' defaults and error statuses,
and the built-in XGBoost algorithm's CSV and libsvm serving."""

from __future__ import annotations

import json
import pickle
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

SERVER = Path(__file__).resolve().parents[2] / "sagestack/localcloud/executors/endpoints/server"
sys.path.insert(0, str(SERVER))  # the server's modules import each other by top-level name

import algorithm_mode  # noqa: E402
import replies  # noqa: E402
import script_mode  # noqa: E402


class Doubler:
    def predict(self, rows):
        return np.asarray(rows, dtype=float).reshape(-1, 2).sum(axis=1) * 2


def _script(**handlers) -> types.ModuleType:
    module = types.ModuleType("inference")
    module.model_fn = handlers.pop("model_fn", lambda model_dir: Doubler())
    for name, handler in handlers.items():
        setattr(module, name, handler)
    return module


def _service(framework="sklearn", **handlers) -> script_mode.ScriptService:
    return script_mode.ScriptService(
        _script(**handlers), framework, "/opt/ml/model", "application/json"
    )


def test_the_default_handlers_read_csv_and_json_and_answer_json_unless_asked_otherwise():
    service = _service()

    from_csv = service.invoke(b"1,2\n3,4\n", "text/csv", None)
    from_json = service.invoke(b"[[1, 2]]", "application/json", "text/csv")

    assert (from_csv.status, from_csv.content_type) == (200, "application/json")
    assert json.loads(from_csv.body) == [6.0, 14.0]
    assert (from_json.status, from_json.body, from_json.content_type) == (200, b"6.0\n", "text/csv")


def test_a_format_the_defaults_cannot_read_is_415_and_one_they_cannot_write_is_406():
    service = _service()

    unreadable = service.invoke(b"1,2", "text/plain", None)
    unwritable = service.invoke(b"1,2", "text/csv", "text/html")

    assert unreadable.status == 415 and unwritable.status == 406
    error = json.loads(unreadable.body)
    assert error["error"] == "UnsupportedFormatError"
    assert error["error-message"].startswith(
        "Content type text/plain is not supported by this framework."
    )
    assert "Please implement input_fn to to deserialize" in error["error-message"]


def test_an_exception_in_the_script_is_werkzeugs_500_page_in_the_sklearn_container():
    def predict_fn(data, model):
        raise ValueError("boom")

    reply = _service(predict_fn=predict_fn).invoke(b"1,2", "text/csv", None)

    assert (reply.status, reply.body) == (500, replies.WERKZEUG_500_PAGE.encode())


def test_an_exception_in_the_script_is_500_with_message_and_traceback_in_the_xgboost_container():
    def predict_fn(data, model):
        raise ValueError("boom")

    reply = _service("xgboost", predict_fn=predict_fn).invoke(b"1,2", "text/csv", None)

    assert reply.status == 500
    assert reply.body.decode().startswith("boom\nTraceback")


def test_the_scripts_own_unsupported_format_error_is_a_415():
    class UnsupportedFormatError(Exception):
        pass

    def input_fn(data, content_type):
        raise UnsupportedFormatError(f"send text/csv, not {content_type}")

    reply = _service(input_fn=input_fn).invoke(b"{}", "application/x-thing", None)

    assert reply.status == 415


def test_the_scripts_handlers_replace_the_defaults_and_may_name_the_content_type():
    def input_fn(data, content_type):
        return [[float(v) for v in data.split(";")]]

    def output_fn(prediction, accept):
        return f"value={prediction[0]}", "text/plain"

    reply = _service(input_fn=input_fn, output_fn=output_fn).invoke(b"1;1", "text/csv", None)

    assert (reply.status, reply.body, reply.content_type) == (200, b"value=4.0", "text/plain")


def test_transform_fn_with_another_handler_or_no_model_fn_cannot_be_served():
    with pytest.raises(script_mode.UserError, match="Cannot use transform_fn implementation"):
        _service(transform_fn=lambda *a: b"", input_fn=lambda *a: None)
    module = types.ModuleType("inference")
    with pytest.raises(NotImplementedError, match="Please provide a model_fn implementation"):
        script_mode.ScriptService(module, "sklearn", "/opt/ml/model", "application/json")


@pytest.fixture(scope="module")
def xgboost_models(tmp_path_factory) -> dict[str, Path]:
    x = np.array([[i, i % 3, i % 5] for i in range(40)], dtype=float)
    booster = xgb.train({"max_depth": 2}, xgb.DMatrix(x, label=x[:, 0]), 10)
    folders = {}
    for kind in ("save_model", "pickle"):
        folder = tmp_path_factory.mktemp(kind)
        if kind == "pickle":
            (folder / "xgboost-model").write_bytes(pickle.dumps(booster))
        else:
            booster.save_model(str(folder / "xgboost-model.json"))
            (folder / "xgboost-model.json").rename(folder / "xgboost-model")
        folders[kind] = folder
    return folders


def test_the_built_in_algorithm_answers_one_csv_line_per_request_and_one_line_per_row_in_batch(
    xgboost_models,
):
    online = algorithm_mode.AlgorithmService(str(xgboost_models["save_model"]), batch=False)
    batch = algorithm_mode.AlgorithmService(str(xgboost_models["save_model"]), batch=True)

    one_line = online.invoke(b"3,0,3\n10,1,0", None, None)  # no Content-Type reads as CSV
    lines = batch.invoke(b"3,0,3\n10,1,0", "text/csv", "text/csv")
    as_json = online.invoke(b"3,0,3", "text/csv", "application/json")
    libsvm = online.invoke(b"0 0:3 2:3\n0 0:10 1:1", "text/libsvm", None)

    values = [float(v) for v in one_line.body.decode().split(",")]
    assert len(values) == 2 and values[0] < values[1]
    assert lines.body.decode() == "\n".join(str(v) for v in values) + "\n"
    assert json.loads(as_json.body) == pytest.approx(values[:1])
    assert [float(v) for v in libsvm.body.decode().split(",")] == pytest.approx(values)


def test_the_built_in_algorithm_refuses_bad_requests_with_its_statuses(xgboost_models):
    service = algorithm_mode.AlgorithmService(str(xgboost_models["pickle"]), batch=False)

    assert service.invoke(b"", "text/csv", None).status == 204
    unparsable = service.invoke(b"a,b,c", "text/csv", None)
    wrong_width = service.invoke(b"1,2,3,4,5", "text/csv", None)
    wrong_type = service.invoke(b"1,2,3", "application/json", None)
    wrong_accept = service.invoke(b"1,2,3", "text/csv", "text/html")

    assert unparsable.status == 415
    assert unparsable.body.startswith(b"Loading csv data failed with Exception")
    assert wrong_width.status == 400
    assert wrong_width.body.startswith(
        b"Unable to evaluate payload provided: Feature size of csv inference data 5 is not "
        b"consistent with feature size of trained model 3."
    )
    assert wrong_type.status == 415
    assert wrong_accept.status == 415
    assert wrong_accept.body.startswith(b"Encoding to accept type text/html failed")


def test_a_model_file_that_is_neither_pickle_nor_xgboost_does_not_load(tmp_path):
    (tmp_path / "xgboost-model").write_bytes(b"not a model")

    with pytest.raises(algorithm_mode.ModelLoadError, match="Unable to load model: Model at"):
        algorithm_mode.AlgorithmService(str(tmp_path), batch=False)


def test_the_default_input_fn_gives_float32_rows_for_csv_and_json_as_the_container_does():
    def predict_fn(data, model):
        return [str(data.dtype), list(data.shape)]

    service = _service(predict_fn=predict_fn)

    assert json.loads(service.invoke(b"1,2\n3,4", "text/csv", None).body) == ["float32", [2, 2]]
    assert json.loads(service.invoke(b"[[1, 2]]", "application/json", None).body) == [
        "float32",
        [1, 2],
    ]
