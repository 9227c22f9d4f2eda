"""A value checked against a botocore shape: keys, types, required members, enums, limits."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import regex
from botocore.model import Shape

# (value, expected shape, path) -> the problems of value if it is an expression, None if it is not.
ExpressionCheck = Callable[[object, Shape, str], "list[Issue] | None"]

_INTEGER_TYPES = {"integer", "long"}
_NUMBER_TYPES = {"float", "double"}


@dataclass(frozen=True)
class Issue:
    """One problem at a JSON path, e.g. ``Issue("Arguments.RoleArn", '5 is not a string')``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def show(value: object) -> str:
    """The value as it appears in the definition, shortened for a one-line message."""
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def listed(names, limit: int = 12) -> str:
    """Names for a message: sorted, the first ``limit`` of them and how many more."""
    names = sorted(str(name) for name in names)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more if names else "none"


def as_name(value: object) -> str | None:
    """A name or type read from the definition, or None when it is not a string (a dict key)."""
    return value if isinstance(value, str) else None


def member_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def check_shape(
    shape: Shape,
    value: object,
    path: str,
    check_expression: ExpressionCheck,
    not_required: frozenset[str] = frozenset(),
) -> list[Issue]:
    """Every problem of ``value`` against ``shape``; expressions go to ``check_expression``.

    ``not_required`` names top-level members that are required by the API but filled in by
    SageMaker Pipelines itself (job names), so a definition leaves them out.
    """
    expression_issues = check_expression(value, shape, path)
    if expression_issues is not None:
        return expression_issues
    checker = _CHECKERS.get(shape.type_name, _check_scalar)
    return checker(shape, value, path, check_expression, not_required)


def _check_structure(shape, value, path, check_expression, not_required):
    if not isinstance(value, dict):
        return [Issue(path, f"{show(value)} is not an object ({shape.name})")]
    issues = [
        Issue(member_path(path, name), f"required member of {shape.name} is missing")
        for name in shape.required_members
        if name not in value and name not in not_required
    ]
    for name, item in value.items():
        member = shape.members.get(name)
        if member is None:
            issues.append(Issue(member_path(path, name), _unknown_key_message(name, shape)))
        else:
            issues += check_shape(member, item, member_path(path, name), check_expression)
    return issues


def _unknown_key_message(name: str, shape: Shape) -> str:
    return f"unknown key {show(name)}, {shape.name} has: {listed(shape.members)}"


def _check_list(shape, value, path, check_expression, _not_required):
    if not isinstance(value, list):
        return [Issue(path, f"{show(value)} is not a list ({shape.name})")]
    issues = _check_length(shape, len(value), path, "items", value)
    for index, item in enumerate(value):
        issues += check_shape(shape.member, item, f"{path}[{index}]", check_expression)
    return issues


def _check_map(shape, value, path, check_expression, _not_required):
    if not isinstance(value, dict):
        return [Issue(path, f"{show(value)} is not an object ({shape.name})")]
    issues = _check_length(shape, len(value), path, "entries", value)
    for key, item in value.items():
        item_path = f"{path}[{show(key)}]"
        issues += [
            Issue(item_path, f"key {issue.message}")
            for issue in check_shape(shape.key, key, item_path, check_expression)
        ]
        issues += check_shape(shape.value, item, item_path, check_expression)
    return issues


def _check_scalar(shape, value, path, _check_expression, _not_required):
    problem = scalar_type_problem(shape.type_name, value)
    if problem:
        return [Issue(path, f"{show(value)} {problem}")]
    if shape.type_name == "string":
        return _check_string(shape, value, path)
    if shape.type_name in _INTEGER_TYPES | _NUMBER_TYPES:
        return _check_range(shape, value, path)
    return []


def scalar_type_problem(type_name: str, value: object) -> str | None:
    """Why ``value`` is not of botocore type ``type_name``, or None when it is."""
    if type_name in ("string", "timestamp", "blob"):
        ok = isinstance(value, str) or (type_name == "timestamp" and _is_number(value))
        return None if ok else "is not a string"
    if type_name in _INTEGER_TYPES:
        return (
            None
            if isinstance(value, int) and not isinstance(value, bool)
            else ("is not an integer")
        )
    if type_name in _NUMBER_TYPES:
        return None if _is_number(value) else "is not a number"
    if type_name == "boolean":
        return None if isinstance(value, bool) else "is not a boolean"
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_string(shape: Shape, value: str, path: str) -> list[Issue]:
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        return [Issue(path, f"{show(value)} is not one of {shape.name}: {listed(enum)}")]
    issues = _check_length(shape, len(value), path, "characters", value)
    pattern = _compiled(shape.metadata.get("pattern"))
    # AWS validates patterns against the whole value (its errors show them anchored).
    if pattern is not None and not pattern.fullmatch(value):
        issues.append(
            Issue(path, f"{show(value)} does not match {shape.name} pattern {pattern.pattern}")
        )
    return issues


@cache
def _compiled(pattern: str | None) -> regex.Pattern | None:
    """botocore patterns are Java regexes (``\\p{L}``); ``regex`` reads those, ``re`` does not.

    A few describe UTF-16 surrogate ranges that no Python engine accepts; those are not checked.
    """
    if pattern is None:
        return None
    try:
        return regex.compile(pattern)
    except regex.error:
        return None


def _check_length(shape, size, path, unit, value) -> list[Issue]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    shown = show(value)
    if low is not None and size < low:
        return [Issue(path, f"{shown} has {size} {unit}, {shape.name} needs at least {low}")]
    if high is not None and size > high:
        return [Issue(path, f"{shown} has {size} {unit}, {shape.name} allows at most {high}")]
    return []


def _check_range(shape: Shape, value: float, path: str) -> list[Issue]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        return [Issue(path, f"{show(value)} is below {shape.name} minimum {low}")]
    if high is not None and value > high:
        return [Issue(path, f"{show(value)} is above {shape.name} maximum {high}")]
    return []


_CHECKERS = {"structure": _check_structure, "list": _check_list, "map": _check_map}
