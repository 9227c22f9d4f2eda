"""A Condition step's ``Conditions``: all must hold for ``IfSteps`` to run, else ``ElseSteps``.

The condition types the SageMaker SDK writes: ``Equals``, ``GreaterThan``,
``GreaterThanOrEqualTo``, ``LessThan``, ``LessThanOrEqualTo`` (``LeftValue``, ``RightValue``),
``In`` (``QueryValue``, ``Values``), ``Not`` (``Condition``) and ``Or`` (``Conditions``).
Numbers compare with numbers (an Integer with a Float too) and strings with strings; comparing
across types fails the step rather than guessing.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from sagestack.localcloud.executors.pipelines.expressions import ExpressionError, Scope, evaluate

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "GreaterThan": operator.gt,
    "GreaterThanOrEqualTo": operator.ge,
    "LessThan": operator.lt,
    "LessThanOrEqualTo": operator.le,
}


def holds(conditions: list[dict[str, Any]], scope: Scope) -> bool:
    """Whether every condition holds (the step's Outcome)."""
    return all(_holds(condition, scope) for condition in conditions)


def _holds(condition: dict[str, Any], scope: Scope) -> bool:
    kind = condition.get("Type")
    if kind in _COMPARISONS:
        left = evaluate(condition.get("LeftValue"), scope)
        right = evaluate(condition.get("RightValue"), scope)
        _check_comparable(kind, left, right)
        return _COMPARISONS[kind](left, right)
    if kind == "In":
        query = evaluate(condition.get("QueryValue"), scope)
        return any(query == evaluate(value, scope) for value in condition.get("Values") or [])
    if kind == "Not":
        return not _holds(condition.get("Condition") or {}, scope)
    if kind == "Or":
        return any(_holds(inner, scope) for inner in condition.get("Conditions") or [])
    raise ExpressionError(f"condition type {kind!r} is not one SageMaker Pipelines evaluates")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "String"
    return type(value).__name__


def _check_comparable(kind: str, left: Any, right: Any) -> None:
    if _kind(left) != _kind(right):
        raise ExpressionError(
            f"condition {kind} compares {left!r} ({_kind(left)}) with {right!r} "
            f"({_kind(right)}): both sides must be numbers, strings or booleans alike"
        )
    if kind != "Equals" and _kind(left) not in ("number", "String"):
        raise ExpressionError(f"condition {kind} cannot order {_kind(left)} values")
