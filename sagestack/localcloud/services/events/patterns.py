"""EventBridge event patterns: validation and matching with AWS's semantics.

moto's own matcher (``moto.events.models.EventPattern``) misses parts of the documented semantics
that sagestack's rules rely on or that tests must be able to catch: it does not descend into arrays
of objects, it treats an unknown operator as a match, it lets ``true`` match ``1``, and its
``anything-but`` ignores wildcard lists. This module implements the documented rules
(content filtering, arrays, null values, ``$or``) and is used for delivery and TestEventPattern.
"""

from __future__ import annotations

import ipaddress
import json
import math
import operator
import re
from collections.abc import Callable
from typing import Any

_ABSENT = object()

_NUMERIC_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
}
_OPERATORS = frozenset(
    {
        "prefix",
        "suffix",
        "anything-but",
        "numeric",
        "exists",
        "equals-ignore-case",
        "wildcard",
        "cidr",
    }
)


class PatternError(ValueError):
    """The pattern is not valid; the message is AWS's ``Reason``."""


# --- validation ----------------------------------------------------------------------------------


def parse_pattern(text: str | None) -> dict[str, Any]:
    """Parse and validate an event pattern, raising :class:`PatternError` with AWS's reason."""
    if not text:
        return {}
    try:
        pattern = json.loads(text)
    except json.JSONDecodeError as error:
        raise PatternError(f"Invalid JSON: {error.msg}") from None
    if not isinstance(pattern, dict):
        raise PatternError("Event pattern must be a JSON object")
    _validate_object(pattern, path="")
    return pattern


def _validate_object(pattern: dict[str, Any], path: str) -> None:
    for key, value in pattern.items():
        where = f"{path}.{key}" if path else key
        if key == "$or":
            _validate_or(value, where)
        elif isinstance(value, dict):
            _validate_object(value, where)
        elif isinstance(value, list):
            _validate_matchers(value, where)
        else:
            raise PatternError(f"'{where}' must be an object or an array")


def _validate_or(alternatives: Any, where: str) -> None:
    if not isinstance(alternatives, list) or len(alternatives) < 2:
        raise PatternError(f"'{where}' must be an array of at least two objects")
    for alternative in alternatives:
        if not isinstance(alternative, dict):
            raise PatternError(f"'{where}' must contain only objects")
        _validate_object(alternative, where)


def _validate_matchers(matchers: list[Any], where: str) -> None:
    if not matchers:
        raise PatternError(f"Empty arrays are not allowed at '{where}'")
    for matcher in matchers:
        if isinstance(matcher, dict):
            _validate_operator(matcher, where)
        elif isinstance(matcher, list):
            raise PatternError(f"Nested arrays are not allowed at '{where}'")


def _validate_operator(matcher: dict[str, Any], where: str) -> None:
    if len(matcher) != 1:
        raise PatternError(f"Match expression at '{where}' must have exactly one operator")
    ((name, value),) = matcher.items()
    if name not in _OPERATORS:
        raise PatternError(f"Unrecognized match type {name} at '{where}'")
    _OPERATOR_VALIDATORS[name](value, where)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise PatternError(message)


def _validate_string_or_ignore_case(name: str) -> Callable[[Any, str], None]:
    def validate(value: Any, where: str) -> None:
        if isinstance(value, dict):
            _expect(
                list(value) == ["equals-ignore-case"]
                and isinstance(value["equals-ignore-case"], str),
                f"{name} match at '{where}' takes a string or {{\"equals-ignore-case\": string}}",
            )
        else:
            _expect(isinstance(value, str), f"{name} match at '{where}' must be a string")

    return validate


def _validate_numeric(value: Any, where: str) -> None:
    _expect(
        isinstance(value, list) and len(value) in (2, 4),
        f"numeric match at '{where}' must be [op, number] or [op, number, op, number]",
    )
    for op, number in zip(value[::2], value[1::2], strict=True):
        _expect(op in _NUMERIC_OPERATORS, f"Unrecognized numeric range operator: {op}")
        _expect(
            isinstance(number, int | float) and not isinstance(number, bool),
            f"Value of {op} must be numeric at '{where}'",
        )


def _validate_anything_but(value: Any, where: str) -> None:
    if isinstance(value, dict):
        _expect(len(value) == 1, f"anything-but at '{where}' takes one operator")
        ((inner, inner_value),) = value.items()
        _expect(
            inner in ("prefix", "suffix", "equals-ignore-case", "wildcard"),
            f"Unsupported anything-but operator {inner} at '{where}'",
        )
        values = inner_value if isinstance(inner_value, list) else [inner_value]
        _expect(
            all(isinstance(v, str) for v in values),
            f"anything-but/{inner} at '{where}' takes strings",
        )
    elif isinstance(value, list):
        _expect(bool(value), f"Empty arrays are not allowed at '{where}'")
        _expect(
            all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value),
            f"anything-but list at '{where}' takes strings or numbers",
        )


def _validate_bool(value: Any, where: str) -> None:
    _expect(isinstance(value, bool), f"exists match at '{where}' must be true or false")


def _validate_strings(name: str) -> Callable[[Any, str], None]:
    def validate(value: Any, where: str) -> None:
        values = value if isinstance(value, list) else [value]
        _expect(
            bool(values) and all(isinstance(v, str) for v in values),
            f"{name} match at '{where}' must be a string",
        )

    return validate


def _validate_cidr(value: Any, where: str) -> None:
    try:
        ipaddress.ip_network(value, strict=False)
    except (TypeError, ValueError):
        raise PatternError(f"Nonstandard IP address: {value} at '{where}'") from None


_OPERATOR_VALIDATORS: dict[str, Callable[[Any, str], None]] = {
    "prefix": _validate_string_or_ignore_case("prefix"),
    "suffix": _validate_string_or_ignore_case("suffix"),
    "anything-but": _validate_anything_but,
    "numeric": _validate_numeric,
    "exists": _validate_bool,
    "equals-ignore-case": _validate_strings("equals-ignore-case"),
    "wildcard": _validate_strings("wildcard"),
    "cidr": _validate_cidr,
}


# --- matching ----------------------------------------------------------------------------------


def matches(pattern: dict[str, Any], event: Any) -> bool:
    """Whether ``event`` (a JSON object) matches ``pattern`` (already validated)."""
    if isinstance(event, list):
        # an array of objects matches when one of its objects matches the whole sub-pattern
        return any(matches(pattern, item) for item in event)
    if not isinstance(event, dict):
        # a missing (or scalar) parent still lets {"exists": false} below it match
        event = {}
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches(alternative, event) for alternative in expected):
                return False
        elif isinstance(expected, dict):
            if not matches(expected, event.get(key, _ABSENT)):
                return False
        elif not _field_matches(event.get(key, _ABSENT), expected):
            return False
    return True


def _field_matches(value: Any, matchers: list[Any]) -> bool:
    return any(_matcher_matches(value, matcher) for matcher in matchers)


def _matcher_matches(value: Any, matcher: Any) -> bool:
    if isinstance(matcher, dict):
        ((name, argument),) = matcher.items()
        if name == "exists":
            return _is_present(value) == argument
        if name == "anything-but":
            return _is_present(value) and _anything_but(value, argument)
        return any(_OPERATOR_MATCHERS[name](leaf, argument) for leaf in _leaves(value))
    return any(_equals(leaf, matcher) for leaf in _leaves(value))


def _is_present(value: Any) -> bool:
    # exists matches leaves only: an object or an empty array is not a leaf value
    if value is _ABSENT or isinstance(value, dict):
        return False
    return not (isinstance(value, list) and not list(_leaves(value)))


def _leaves(value: Any) -> list[Any]:
    if value is _ABSENT or isinstance(value, dict):
        return []
    if isinstance(value, list):
        return [item for item in value if not isinstance(item, dict | list)]
    return [value]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equals(value: Any, expected: Any) -> bool:
    if _is_number(expected) or _is_number(value):
        return _is_number(value) and _is_number(expected) and math.isclose(value, expected)
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    return value == expected


def _string_match(test: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    def match(value: Any, argument: Any) -> bool:
        if not isinstance(value, str):
            return False
        if isinstance(argument, dict):
            return test(value.lower(), argument["equals-ignore-case"].lower())
        return test(value, argument)

    return match


def _equals_ignore_case(value: Any, argument: Any) -> bool:
    wanted = argument if isinstance(argument, list) else [argument]
    return isinstance(value, str) and value.lower() in {w.lower() for w in wanted}


def _numeric(value: Any, argument: list[Any]) -> bool:
    if not _is_number(value):
        return False
    return all(
        _NUMERIC_OPERATORS[op](value, bound)
        for op, bound in zip(argument[::2], argument[1::2], strict=True)
    )


def _wildcard(value: Any, argument: Any) -> bool:
    patterns = argument if isinstance(argument, list) else [argument]
    return isinstance(value, str) and any(_wildcard_regex(p).fullmatch(value) for p in patterns)


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    # "*" is any run of characters; "\*" and "\\" are the literal characters
    parts = re.split(r"(\\\*|\\\\|\*)", pattern)
    literal = {"\\*": re.escape("*"), "\\\\": re.escape("\\"), "*": ".*"}
    return re.compile("".join(literal.get(part, re.escape(part)) for part in parts), re.DOTALL)


def _cidr(value: Any, argument: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(argument, strict=False)
    except (TypeError, ValueError):
        return False


def _anything_but(value: Any, argument: Any) -> bool:
    leaves = _leaves(value)
    if isinstance(argument, dict):
        ((inner, inner_value),) = argument.items()
        excluded = inner_value if isinstance(inner_value, list) else [inner_value]
        test = _OPERATOR_MATCHERS[inner]
        return any(
            isinstance(leaf, str) and not any(test(leaf, e) for e in excluded) for leaf in leaves
        )
    excluded = argument if isinstance(argument, list) else [argument]
    return any(not any(_equals(leaf, e) for e in excluded) for leaf in leaves)


_OPERATOR_MATCHERS: dict[str, Callable[[Any, Any], bool]] = {
    "prefix": _string_match(str.startswith),
    "suffix": _string_match(str.endswith),
    "equals-ignore-case": _equals_ignore_case,
    "numeric": _numeric,
    "wildcard": _wildcard,
    "cidr": _cidr,
}
