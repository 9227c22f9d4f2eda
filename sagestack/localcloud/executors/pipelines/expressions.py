"""The values of a definition's expressions during an execution.

- ``{"Get": "Parameters.<name>"}``: the execution's (typed) parameter value;
- ``{"Get": "Execution.<variable>"}``: ``PipelineExecutionId``, ``PipelineExecutionArn``,
  ``PipelineName``, ``PipelineArn``, ``StartDateTime``, ``CurrentDateTime``, and inside a job
  step ``ProcessingJobName`` / ``TrainingJobName``;
- ``{"Get": "Steps.<step>.<path>"}``: a member of the step's properties, which are its job's
  Describe response (``ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri``: a list indexed
  by name picks the entry whose name key matches), or a condition's ``Outcome``;
- ``{"Std:Join": {"On", "Values"}}``: the values as text, joined (booleans as ``true`` /
  ``false``, as the service writes them);
- ``{"Std:JsonGet": {"PropertyFile" | "S3Uri", "Path"}}``: a value of a JSON file on S3 (a
  processing step's property file is ``<its output's S3Uri>/<FilePath>``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# one step of a property path: `.Member`, `[0]` or `['key']`
_PATH_TOKEN = re.compile(r"\.(?P<member>[A-Za-z0-9_]+)|\[(?P<index>\d+)\]|\['(?P<key>[^']*)'\]")
_JSON_PATH_TOKEN = re.compile(r"(?P<member>[^.\[\]]+)|\[(?P<index>\d+)\]|\['(?P<key>[^']*)'\]")
# the members a list of a Describe response is indexed by name with
_NAME_KEYS = ("OutputName", "InputName", "ChannelName", "MetricName", "Name", "VariantName")
EXPRESSION_KEYS = frozenset({"Get", "Std:Join", "Std:JsonGet"})


class ExpressionError(ValueError):
    """An expression that cannot be evaluated; the message is the step's FailureReason."""


@dataclass
class Scope:
    """What expressions read during one execution."""

    parameters: Mapping[str, Any]
    execution: Mapping[str, Any]
    step_properties: Callable[[str], Mapping[str, Any] | None]
    """A step's properties once it ran (None when it has not)."""
    property_file_uri: Callable[[str, str], str]
    """``(step, property file name)`` -> the S3 URI of the file."""
    read_json: Callable[[str], Any]
    """The parsed JSON document at an S3 URI; raises ExpressionError."""
    job_variables: dict[str, str] = field(default_factory=dict)


def is_expression(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in EXPRESSION_KEYS


def evaluate(value: Any, scope: Scope) -> Any:
    """``value`` with every expression in it replaced by its value."""
    if is_expression(value):
        key, body = next(iter(value.items()))
        return _FUNCTIONS[key](body, scope)
    if isinstance(value, dict):
        return {key: evaluate(item, scope) for key, item in value.items()}
    if isinstance(value, list):
        return [evaluate(item, scope) for item in value]
    return value


def as_text(value: Any) -> str:
    """A value as Std:Join and string arguments show it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _get(target: Any, scope: Scope) -> Any:
    if not isinstance(target, str):
        raise ExpressionError(f"Get {target!r} is not a reference")
    root, _, rest = target.partition(".")
    if root == "Parameters":
        if rest not in scope.parameters:
            raise ExpressionError(f"{target} is undefined: the pipeline has no parameter {rest}")
        return scope.parameters[rest]
    if root == "Execution":
        values = {**scope.execution, **scope.job_variables}
        if rest not in values:
            raise ExpressionError(f"{target} is undefined in this step")
        value = values[rest]
        return value() if callable(value) else value
    if root == "Steps":
        return _step_property(target, rest, scope)
    raise ExpressionError(f"Get {target} does not start with Parameters, Execution or Steps")


def _step_property(target: str, rest: str, scope: Scope) -> Any:
    match = re.match(r"(?P<step>[^.\[]+)(?P<path>.*)$", rest)
    if match is None:
        raise ExpressionError(f"{target} names no step")
    properties = scope.step_properties(match["step"])
    if properties is None:
        raise ExpressionError(f"{target} is undefined: step {match['step']} has not run")
    return navigate(properties, match["path"], target)


def navigate(value: Any, path: str, target: str) -> Any:
    """The member ``path`` (``.A.B['name'][0]``) names in ``value``."""
    position, walked = 0, ""
    while position < len(path):
        token = _PATH_TOKEN.match(path, position)
        if token is None:
            raise ExpressionError(f"Invalid property reference {target}: cannot read '{path}'")
        position, walked = token.end(), walked + token.group(0)
        value = _step_into(value, token, target, walked)
    return value


def _step_into(value: Any, token: re.Match, target: str, walked: str) -> Any:
    missing = ExpressionError(
        f"Invalid property reference {target}: the step's properties have no {walked.lstrip('.')}"
    )
    if token["member"] is not None:
        if not isinstance(value, dict) or token["member"] not in value:
            raise missing
        return value[token["member"]]
    if token["index"] is not None:
        index = int(token["index"])
        if not isinstance(value, list) or index >= len(value):
            raise missing
        return value[index]
    key = token["key"]
    if isinstance(value, dict) and key in value:
        return value[key]
    if isinstance(value, list):
        for entry in value:
            if isinstance(entry, dict) and any(entry.get(name) == key for name in _NAME_KEYS):
                return entry
    raise missing


def _join(body: Any, scope: Scope) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("Values"), list):
        raise ExpressionError(f"Std:Join {body!r} needs On and a list of Values")
    values = [as_text(evaluate(item, scope)) for item in body["Values"]]
    return as_text(evaluate(body.get("On", ""), scope)).join(values)


def _json_get(body: Any, scope: Scope) -> Any:
    if not isinstance(body, dict) or "Path" not in body:
        raise ExpressionError(f"Std:JsonGet {body!r} needs a PropertyFile or S3Uri, and a Path")
    if "PropertyFile" in body:
        uri = _property_file_uri(body["PropertyFile"], scope)
    else:
        uri = as_text(evaluate(body.get("S3Uri"), scope))
    path = as_text(evaluate(body["Path"], scope))
    return json_path(scope.read_json(uri), path, uri)


def _property_file_uri(reference: Any, scope: Scope) -> str:
    target = reference.get("Get") if isinstance(reference, dict) else None
    parts = target.split(".") if isinstance(target, str) else []
    if len(parts) != 4 or parts[0] != "Steps" or parts[2] != "PropertyFiles":
        raise ExpressionError(
            f"Std:JsonGet PropertyFile {reference!r} is not Steps.<step>.PropertyFiles.<name>"
        )
    if scope.step_properties(parts[1]) is None:
        raise ExpressionError(f"{target} is undefined: step {parts[1]} has not run")
    return scope.property_file_uri(parts[1], parts[3])


def json_path(document: Any, path: str, uri: str) -> Any:
    """``a.b[0]['c']`` (an optional leading ``$.``) in ``document``."""
    value, position = document, 0
    text = path[2:] if path.startswith("$.") else path
    while position < len(text):
        if text[position] == ".":
            position += 1
        token = _JSON_PATH_TOKEN.match(text, position)
        if token is None:
            raise ExpressionError(f"Invalid json path '{path}'")
        position = token.end()
        key = token["member"] if token["member"] is not None else token["key"]
        if key is not None and isinstance(value, dict) and key in value:
            value = value[key]
        elif (
            token["index"] is not None
            and isinstance(value, list)
            and int(token["index"]) < len(value)
        ):
            value = value[int(token["index"])]
        else:
            raise ExpressionError(f"Invalid json path '{path}': {uri} has nothing there")
    return value


_FUNCTIONS: dict[str, Callable[[Any, Scope], Any]] = {
    "Get": _get,
    "Std:Join": _join,
    "Std:JsonGet": _json_get,
}
