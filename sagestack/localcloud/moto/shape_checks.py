"""A JSON request body checked against its operation's input shape (botocore's service model).

AWS validates every request before its service runs; moto trusts the SDK to have done it, so a
member of the wrong type (``"Record": 5``) or a missing required one ends in a Python exception.
A body that breaks its shape is refused here with the validation error code the operation
declares, in AWS's wording ("1 validation error detected: Value ... at '...' failed to satisfy
constraint: ..."). Enums, and patterns except SageMaker's names, are the services' to check.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import botocore.session
import regex
from botocore.exceptions import UnknownServiceError
from botocore.model import OperationNotFoundError, Shape, StructureShape

# AWS's request validation answers ValidationException, or the ValidationError a few models name
_VALIDATION_CODES = ("ValidationException", "ValidationError")
# services whose resource names moto accepts beyond AWS's patterns
_NAME_PATTERN_SERVICES = frozenset({"sagemaker"})
_NUMBER_TYPES = {"integer": (int,), "long": (int,), "float": (int, float), "double": (int, float)}


@functools.cache
def _service_model(service: str) -> Any:
    try:
        return _session().get_service_model(service)
    except UnknownServiceError:
        return None


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def operation_for(service: str, target: str | None, method: str, path: str) -> str | None:
    """The operation a JSON request calls: named by its target, or (REST) by method and path."""
    if target:
        return target.rsplit(".", 1)[-1]
    model = _service_model(service)
    if model is None:
        return None
    for name in model.operation_names:
        http = model.operation_model(name).http
        if http.get("method") == method and _uri_pattern(http["requestUri"]).fullmatch(path):
            return name
    return None


def takes_raw_payload(service: str, operation: str) -> bool:
    """The request body is one blob or string member, not a JSON document (InvokeEndpoint's
    ``Body``: a model's input, whatever its content type)."""
    model = _service_model(service)
    if model is None:
        return False
    shape = model.operation_model(operation).input_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    return payload is not None and shape.members[payload].type_name in ("blob", "string")


@functools.cache
def _uri_pattern(request_uri: str) -> re.Pattern:
    template = request_uri.split("?", 1)[0]
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile(
        "".join(
            ("[^/]+" if not part.endswith("+}") else ".+")
            if part.startswith("{")
            else re.escape(part)
            for part in parts
        )
    )


def body_problem(service: str, operation: str, document: dict) -> tuple[str, str] | None:
    """``(error code, message)`` when ``document`` breaks the operation's input shape, else None."""
    model = _service_model(service)
    if model is None:
        return None
    try:
        operation_model = model.operation_model(operation)
    except OperationNotFoundError:
        return None
    shape = operation_model.input_shape
    if shape is None:
        return None
    problems = list(_problems(shape, document, "", top=True))
    if service in _NAME_PATTERN_SERVICES:
        problems += _name_pattern_problems(shape, document)
    if not problems:
        return None
    code = next(
        (e.name for e in operation_model.error_shapes if e.name in _VALIDATION_CODES),
        "ValidationException",
    )
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return code, f"{count} validation {noun} detected: " + "; ".join(problems[:5])


def form_problem(service: str, form: dict[str, str]) -> tuple[str, str] | None:
    """A query-protocol request (``Action=...`` and flat members) missing a required member."""
    model = _service_model(service)
    try:
        operation_model = model.operation_model(form.get("Action", "")) if model else None
    except OperationNotFoundError:
        return None
    shape = operation_model.input_shape if operation_model else None
    if shape is None:
        return None
    present = {key.split(".", 1)[0] for key in form}
    missing = [name for name in shape.required_members if name not in present]
    if not missing:
        return None
    problems = [_constraint(None, _join("", name), "Member must not be null") for name in missing]
    noun = "error" if len(problems) == 1 else "errors"
    return "ValidationError", f"{len(problems)} validation {noun} detected: " + "; ".join(problems)


def _name_pattern_problems(shape: StructureShape, document: dict) -> list[str]:
    """Top-level ``...Name`` members against their shape's pattern (botocore's are Java regexes,
    read with ``regex``; moto checks few of them)."""
    problems = []
    for name, member in shape.members.items():
        value = document.get(name)
        pattern = member.metadata.get("pattern")
        if not (name.endswith("Name") and isinstance(value, str) and pattern):
            continue
        compiled = _java_pattern(pattern)
        if compiled is not None and not compiled.fullmatch(value):
            rule = f"Member must satisfy regular expression pattern: {pattern}"
            problems.append(_constraint(value, _join("", name), rule))
    return problems


@functools.cache
def _java_pattern(pattern: str) -> Any:
    try:
        return regex.compile(pattern)
    except regex.error:
        return None


def _problems(shape: Shape, value: Any, path: str, top: bool = False) -> Any:
    kind = shape.type_name
    if kind == "structure":
        yield from _structure_problems(shape, value, path, top)
    elif kind == "list":
        if not isinstance(value, list):
            yield _constraint(value, path, "Member must be a list")
            return
        yield from _length_problems(shape, value, path)
        for index, item in enumerate(value):
            yield from _problems(shape.member, item, f"{path}.{index + 1}")
    elif kind == "map":
        if not isinstance(value, dict):
            yield _constraint(value, path, "Member must be a map")
            return
        for key, item in value.items():
            yield from _problems(shape.value, item, f"{path}.{key}")
    elif kind in ("string", "blob"):
        if not isinstance(value, str):
            yield _constraint(value, path, "Member must be a string")
            return
        yield from _length_problems(shape, value, path)
    elif kind == "boolean":
        if not isinstance(value, bool):
            yield _constraint(value, path, "Member must be a boolean")
    elif kind in _NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES[kind]):
            yield _constraint(value, path, f"Member must be a number ({kind})")
            return
        yield from _range_problems(shape, value, path)
    elif kind == "timestamp" and (
        isinstance(value, bool) or not isinstance(value, int | float | str)
    ):
        yield _constraint(value, path, "Member must be a timestamp")


def _structure_problems(shape: StructureShape, value: Any, path: str, top: bool) -> Any:
    if not isinstance(value, dict):
        yield _constraint(value, path, "Member must be an object")
        return
    members = shape.members
    for name in shape.required_members:
        located_elsewhere = top and members[name].serialization.get("location")
        if name not in value and not located_elsewhere:
            yield _constraint(None, _join(path, name), "Member must not be null")
    for name, item in value.items():
        if name in members and item is not None:
            yield from _problems(members[name], item, _join(path, name))


def _length_problems(shape: Shape, value: Any, path: str) -> Any:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and len(value) < low:
        yield _constraint(value, path, f"Member must have length greater than or equal to {low}")
    if high is not None and len(value) > high:
        yield _constraint(value, path, f"Member must have length less than or equal to {high}")


def _range_problems(shape: Shape, value: float, path: str) -> Any:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        yield _constraint(value, path, f"Member must have value greater than or equal to {low}")
    if high is not None and value > high:
        yield _constraint(value, path, f"Member must have value less than or equal to {high}")


def _join(path: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{path}.{member}" if path else member


def _constraint(value: Any, path: str, rule: str) -> str:
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"Value {shown} at '{path}' failed to satisfy constraint: {rule}"
