"""IAM condition operators over a request context, as AWS documents them (IAM User Guide,
"IAM JSON policy elements: Condition operators" and "Single-valued vs. multivalued context keys").

moto evaluates ``StringEquals`` only (``moto.iam.policy_conditions``) and treats every other
operator as satisfied; this module is the replacement. Written by hand because no maintained
library evaluates IAM conditions (principalmapper's simulator is unmaintained since 2022).

The rules it follows:

- blocks AND together: every operator of a ``Condition``, every key of an operator;
- the values of one key OR together;
- a key missing from the context fails a positive operator and satisfies a negated one
  (``StringNotEquals``, ``ArnNotLike``...); ``...IfExists`` satisfies any operator; ``Null``
  tests presence; an unknown key is simply missing, never an error;
- ``ForAnyValue:`` needs one context value to match, ``ForAllValues:`` needs every context value
  to match (and holds for a missing key); a multivalued key with neither qualifier behaves as
  ``ForAnyValue`` for positive operators and as "no value matches" for negated ones;
- key names compare case-insensitively, values case-sensitively except ``...IgnoreCase``;
- ``${aws:username}``-style policy variables in values are replaced from the context (a missing
  one makes that value match nothing); ``${*}``, ``${?}`` and ``${$}`` become the characters
  (deviation: a ``*`` or ``?`` so written is still a wildcard here, AWS matches it literally).
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

# A request context: lower-cased key name -> its values (one for a single-valued key).
Context = Mapping[str, Sequence[str]]

_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_LITERALS = {"*": "*", "?": "?", "$": "$"}


def substitute(value: str, context: Context) -> str | None:
    """``value`` with its ``${key}`` policy variables replaced from ``context``; None when one
    is missing (AWS: the statement then matches nothing for that value). ``${key, 'default'}``
    uses the default for a missing key."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name, _, default = match[1].partition(",")
        name = name.strip()
        if name in _LITERALS:
            return _LITERALS[name]
        values = context.get(name.lower())
        if values:
            return values[0]
        if default:
            return default.strip().strip("'\"")
        missing = True
        return ""

    result = _VARIABLE.sub(replace, value) if "${" in value else value
    return None if missing else result


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    escaped = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"(?s:{escaped})\\Z", re.IGNORECASE if ignore_case else 0)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's ``*`` (any run of characters, ``/`` and ``:`` included) and ``?`` (one character)."""
    if pattern == "*":
        return True
    return _wildcard(pattern, ignore_case).match(value) is not None


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _date(value: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(parse: Callable[[str], Any], test: Callable[[Any, Any], bool]):
    def compare(actual: str, expected: str) -> bool:
        left, right = parse(actual), parse(expected)
        return left is not None and right is not None and test(left, right)

    return compare


def _arn_like(actual: str, expected: str) -> bool:
    # ARN operators compare the six colon-separated parts, each with wildcards
    actual_parts, expected_parts = actual.split(":", 5), expected.split(":", 5)
    if len(actual_parts) != 6 or len(expected_parts) != 6:
        return False
    return all(wildcard_match(e, a) for e, a in zip(expected_parts, actual_parts, strict=True))


def _ip_in(actual: str, expected: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
    except ValueError:
        return False


def _binary_equals(actual: str, expected: str) -> bool:
    try:
        return base64.b64decode(actual) == base64.b64decode(expected)
    except ValueError:
        return False


Comparison = Callable[[str, str], bool]

# operator -> (comparison of one context value with one policy value, negated?)
_OPERATORS: dict[str, tuple[Comparison, bool]] = {
    "StringEquals": (lambda a, e: a == e, False),
    "StringNotEquals": (lambda a, e: a == e, True),
    "StringEqualsIgnoreCase": (lambda a, e: a.lower() == e.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda a, e: a.lower() == e.lower(), True),
    "StringLike": (lambda a, e: wildcard_match(e, a), False),
    "StringNotLike": (lambda a, e: wildcard_match(e, a), True),
    "NumericEquals": (_compare(_number, lambda a, e: a == e), False),
    "NumericNotEquals": (_compare(_number, lambda a, e: a == e), True),
    "NumericLessThan": (_compare(_number, lambda a, e: a < e), False),
    "NumericLessThanEquals": (_compare(_number, lambda a, e: a <= e), False),
    "NumericGreaterThan": (_compare(_number, lambda a, e: a > e), False),
    "NumericGreaterThanEquals": (_compare(_number, lambda a, e: a >= e), False),
    "DateEquals": (_compare(_date, lambda a, e: a == e), False),
    "DateNotEquals": (_compare(_date, lambda a, e: a == e), True),
    "DateLessThan": (_compare(_date, lambda a, e: a < e), False),
    "DateLessThanEquals": (_compare(_date, lambda a, e: a <= e), False),
    "DateGreaterThan": (_compare(_date, lambda a, e: a > e), False),
    "DateGreaterThanEquals": (_compare(_date, lambda a, e: a >= e), False),
    "Bool": (lambda a, e: a.lower() == e.lower(), False),
    "BinaryEquals": (_binary_equals, False),
    "IpAddress": (_ip_in, False),
    "NotIpAddress": (_ip_in, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
}


class UnknownOperatorError(ValueError):
    """A condition operator IAM does not define; AWS refuses such a policy when it is put."""


def _as_list(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def conditions_hold(condition: Mapping[str, Any] | None, context: Context) -> bool:
    """Whether a statement's ``Condition`` block holds for ``context``."""
    if not condition:
        return True
    return all(_operator_holds(operator, block, context) for operator, block in condition.items())


def _operator_holds(operator: str, block: Mapping[str, Any], context: Context) -> bool:
    qualifier, _, name = operator.rpartition(":")
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    for key, expected in block.items():
        actual = context.get(key.lower())
        if name == "Null":
            absent = not actual
            if not any((value.lower() == "true") == absent for value in _as_list(expected)):
                return False
            continue
        if name not in _OPERATORS:
            raise UnknownOperatorError(f"condition operator {operator!r} is not an IAM operator")
        if not actual:
            holds = if_exists or qualifier == "ForAllValues" or _OPERATORS[name][1]
            if qualifier == "ForAnyValue":
                holds = if_exists
        else:
            holds = _values_hold(name, qualifier, list(actual), _as_list(expected), context)
        if not holds:
            return False
    return True


def _values_hold(
    name: str, qualifier: str, actual: list[str], expected: list[str], context: Context
) -> bool:
    compare, negated = _OPERATORS[name]
    patterns = [substitute(e, context) for e in expected]

    def matches_any(value: str) -> bool:
        return any(p is not None and compare(value, p) for p in patterns)

    if negated:
        # a negated operator holds for a value that matches none of the policy's values
        verdicts = [not matches_any(value) for value in actual]
    else:
        verdicts = [matches_any(value) for value in actual]
    if qualifier == "ForAllValues":
        return all(verdicts)
    if qualifier == "ForAnyValue" or not negated:
        return any(verdicts)
    return all(verdicts)
