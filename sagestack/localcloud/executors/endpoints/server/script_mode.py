"""A model served by the user's own script (``SAGEMAKER_PROGRAM``), with the framework
container's handler conventions.

The script may define ``model_fn`` (required), ``input_fn``, ``predict_fn``, ``output_fn`` or
instead ``transform_fn``; what it leaves out is the container's default. The scikit-learn
container (sagemaker-containers on Flask) answers a format it cannot read with 415, one it cannot
write with 406, and any other exception with Werkzeug's 500 page; the XGBoost container (the
inference toolkit on Multi Model Server) answers any exception with 500, the message and the
traceback. An exception class named ``UnsupportedFormatError`` (the containers' own, which a
script may raise) counts as the container's.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

import payload_codecs as codecs
import replies
from replies import Reply

SKLEARN, XGBOOST = "sklearn", "xgboost"
HANDLERS = ("model_fn", "input_fn", "predict_fn", "output_fn", "transform_fn")


class UserError(Exception):
    """The script cannot be served (the container fails to start)."""


class ScriptService:
    def __init__(self, module, framework: str, model_dir: str, default_accept: str):
        found = {name: getattr(module, name, None) for name in HANDLERS}
        if found["transform_fn"] and any(
            found[name] for name in ("input_fn", "predict_fn", "output_fn")
        ):
            raise UserError(
                "Cannot use transform_fn implementation with input_fn, predict_fn, and/or output_fn"
            )
        if found["model_fn"] is None:
            raise NotImplementedError(
                "Please provide a model_fn implementation. See documentation for model_fn at "
                "https://github.com/aws/sagemaker-python-sdk"
            )
        self.framework = framework
        self.default_accept = default_accept
        self.transform_fn = found["transform_fn"]
        self.input_fn = found["input_fn"] or _default_input_fn(framework)
        self.predict_fn = found["predict_fn"] or _default_predict_fn(framework)
        self.output_fn = found["output_fn"] or _default_output_fn
        self.execution_parameters_fn = getattr(module, "execution_parameters_fn", None)
        self.model = found["model_fn"](model_dir)

    def invoke(self, body: bytes, content_type: str | None, accept: str | None) -> Reply:
        content_type = content_type or codecs.JSON
        if not accept or accept == "*/*":
            accept = self.default_accept
        try:
            data = (
                body.decode("utf-8")
                if codecs.media_type(content_type) in codecs.TEXT_TYPES
                else body
            )
            if self.transform_fn is not None:
                result = self.transform_fn(self.model, data, content_type, accept)
            else:
                result = self._transform(data, content_type, accept)
        except Exception as error:  # noqa: BLE001 - every user error becomes the container's reply
            return self._error(error)
        return _reply(result, accept)

    def _transform(self, data, content_type: str, accept: str):
        try:
            features = self.input_fn(data, content_type)
        except Exception as error:
            if _is_unsupported_format(error) and self.framework == SKLEARN:
                raise _Status(415, error) from error
            raise
        prediction = self.predict_fn(features, self.model)
        try:
            return self.output_fn(prediction, accept)
        except Exception as error:
            if _is_unsupported_format(error) and self.framework == SKLEARN:
                raise _Status(406, error) from error
            raise

    def _error(self, error: Exception) -> Reply:
        if isinstance(error, _Status):
            return replies.json_error(error.status, error.cause, error.trace)
        traceback.print_exc(file=sys.stdout)  # the container's log shows what failed
        if self.framework == SKLEARN:
            return replies.werkzeug_error()
        return replies.toolkit_error(500, str(error))


class _Status(Exception):
    """A format error of the default handlers, with the traceback where it was raised."""

    def __init__(self, status: int, cause: BaseException):
        super().__init__(str(cause))
        self.status, self.cause = status, cause
        self.trace = traceback.format_exc()


def _is_unsupported_format(error: BaseException) -> bool:
    return type(error).__name__ == "UnsupportedFormatError"


def _reply(result, accept: str) -> Reply:
    content_type = accept
    if isinstance(result, tuple) and len(result) == 2:
        result, content_type = result
    if isinstance(result, str):
        result = result.encode("utf-8")
    return Reply(200, bytes(result), content_type)


def _default_input_fn(framework: str):
    if framework == XGBOOST:
        import algorithm_mode

        return algorithm_mode.to_dmatrix

    def input_fn(input_data, content_type):
        array = codecs.decode(input_data, content_type)
        if codecs.media_type(content_type) in codecs.TEXT_TYPES:
            return array.astype("float32")
        return array

    return input_fn


def _default_predict_fn(framework: str):
    if framework == XGBOOST:
        return lambda data, model: model.predict(data, validate_features=False)
    return lambda data, model: model.predict(data)


def _default_output_fn(prediction, accept):
    return codecs.encode(prediction, accept), accept


def load(framework: str, model_dir: str, default_accept: str) -> ScriptService:
    """Import ``SAGEMAKER_PROGRAM`` from ``SAGEMAKER_SUBMIT_DIRECTORY`` and load its model."""
    program = os.environ["SAGEMAKER_PROGRAM"]
    code_dir = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY") or "/opt/ml/code"
    if os.path.exists(os.path.join(code_dir, "requirements.txt")):
        print(
            f"{code_dir}/requirements.txt is not installed by the local model server: the "
            "script runs with the image's libraries",
            flush=True,
        )
    sys.path.insert(0, code_dir)
    module_name = program[:-3] if program.endswith(".py") else program
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise UserError(
            f"ImportModuleError: cannot import {program} from {code_dir}: {error}"
        ) from error
    return ScriptService(module, framework, model_dir, default_accept)
