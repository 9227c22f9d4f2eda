"""Configuration problems, and how pydantic's errors become them.

A problem reads ``sagestack:<path>: <value as JSON> <rule>``: the key path as the user wrote it
(camelCase, list indexes in brackets), the offending value and what was expected. Pydantic's own
wording never reaches the user: each error type it raises here has a translation below.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from sagestack_infra.config.values import PROBLEM

NAMESPACE = "sagestack"
SECRET_PLACEHOLDER = "[secret]"

Location = tuple[str | int, ...]


class ConfigError(Exception):
    """The configuration is invalid; ``problems`` holds one message per problem, sorted by path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Absent:
    """No value to show (a missing key, or a rule about the key itself)."""


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Problem:
    loc: Location
    rule: str
    value: Any = field(default=ABSENT, compare=False)

    def render(self, *, masked: bool = False) -> str:
        path = f"{NAMESPACE}:{config_path(self.loc)}"
        if self.value is ABSENT:
            return f"{path}: {self.rule}"
        shown = SECRET_PLACEHOLDER if masked else self.value
        return f"{path}: {json.dumps(shown, default=str)} {self.rule}"


def config_path(loc: Sequence[str | int]) -> str:
    """``("projects", 1, "name")`` -> ``projects[1].name``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path


def location_order(loc: Location) -> tuple:
    """Sorts paths as a reader expects: ``projects[2]`` before ``projects[10]``."""
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in loc)


# --- translating pydantic's errors ---------------------------------------------------------------

_KIND = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}
_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def from_pydantic(error: ErrorDetails, root: type[BaseModel]) -> Problem:
    """One pydantic error as a problem in sagestack's words."""
    loc = tuple(error["loc"])
    kind, ctx, value = error["type"], error.get("ctx", {}), error["input"]
    if kind == "missing":
        return Problem(loc, "is required")
    if kind == "extra_forbidden":
        keys = ", ".join(allowed_keys(root, loc[:-1]))
        return Problem(loc, f"unknown key (expected one of: {keys})")
    return Problem(loc, _rule(kind, ctx, value), value)


def _rule(kind: str, ctx: dict[str, Any], value: Any) -> str:
    if kind == PROBLEM:
        return ctx["rule"]
    if kind == "string_type" and isinstance(value, int | float):
        return "must be a string (quote it in YAML)"
    if kind in _KIND:
        return f"must be {_KIND[kind]}"
    if kind in _BOUNDS:
        bound = next(iter(ctx.values()))
        return f"must be {_BOUNDS[kind]} {bound:g}"
    if kind == "literal_error":
        return "must be one of: " + ", ".join(re.findall(r"'([^']*)'", ctx["expected"]))
    if kind == "string_pattern_mismatch":
        return f"must match {ctx['pattern']}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return f"must have at least {ctx['min_length']} item(s)"
    if kind == "too_long":
        return f"must have at most {ctx['max_length']} item(s)"
    # A type without a translation yet: still one line with the path and value, never a crash.
    return f"is invalid ({kind})"


# --- the keys a model accepts, for "unknown key" messages ---------------------------------


def allowed_keys(root: type[BaseModel], loc: Location) -> list[str]:
    model = _model_at(root, loc)
    return [info.alias or name for name, info in model.model_fields.items() if not info.exclude]


def _model_at(model: type[BaseModel], loc: Location) -> type[BaseModel]:
    annotation: Any = model
    for part in loc:
        if isinstance(part, str):
            annotation = _field_by_alias(annotation, part)
        annotation = _unwrap(annotation)
    return annotation


def _field_by_alias(model: type[BaseModel], alias: str) -> Any:
    for name, info in model.model_fields.items():
        if (info.alias or name) == alias:
            return info.annotation
    raise LookupError(alias)


def _unwrap(annotation: Any) -> Any:
    """``tuple[Project, ...]`` and ``Kubernetes | None`` -> the model inside."""
    while get_origin(annotation) not in (None, Literal):
        args = [arg for arg in get_args(annotation) if arg not in (type(None), Ellipsis)]
        if get_origin(annotation) in (Union, types.UnionType) or len(args) == 1:
            annotation = args[0]
        else:
            break
    return annotation
