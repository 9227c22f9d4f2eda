"""Arguments of the steps that call no SageMaker API: Condition and Fail."""

from __future__ import annotations

from sagestack_pipelines.validation.expressions import is_numeric, operand_type, type_name
from sagestack_pipelines.validation.references import ReferenceContext
from sagestack_pipelines.validation.shapes import Issue, as_name, member_path, show

_ORDERING = frozenset({"GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"})
# The keys of each condition type (sagemaker.core.workflow.conditions ... to_request()).
_CONDITION_KEYS = {
    **{name: {"LeftValue", "RightValue"} for name in _ORDERING | {"Equals"}},
    "In": {"QueryValue", "Values"},
    "Not": {"Condition"},
    "Or": {"Conditions"},
}
_FAMILIES = {"integer": "number", "float": "number"}


def check_condition_arguments(arguments: dict, context: ReferenceContext) -> list[Issue]:
    issues = _check_keys(arguments, "Arguments", {"Conditions", "IfSteps", "ElseSteps"})
    if "Conditions" not in arguments:
        issues.append(Issue("Arguments.Conditions", "is missing"))
    conditions = arguments.get("Conditions", [])
    if not isinstance(conditions, list):
        issues.append(Issue("Arguments.Conditions", f"{show(conditions)} is not a list"))
        conditions = []
    for index, condition in enumerate(conditions):
        issues += check_condition(condition, f"Arguments.Conditions[{index}]", context)
    for branch in ("IfSteps", "ElseSteps"):
        issues += _check_branch(arguments.get(branch, []), f"Arguments.{branch}", context)
    return issues


def check_fail_arguments(arguments: dict, context: ReferenceContext) -> list[Issue]:
    issues = _check_keys(arguments, "Arguments", {"ErrorMessage"})
    message = arguments.get("ErrorMessage", "")
    value_type, operand_issues = operand_type(message, "Arguments.ErrorMessage", context)
    if value_type not in (None, "string"):
        operand_issues.append(
            Issue("Arguments.ErrorMessage", f"{show(message)} is not a string or expression")
        )
    return issues + operand_issues


def check_condition(condition: object, path: str, context: ReferenceContext) -> list[Issue]:
    if not isinstance(condition, dict):
        return [Issue(path, f"{show(condition)} is not a condition object")]
    kind = as_name(condition.get("Type"))
    if kind not in _CONDITION_KEYS:
        known = ", ".join(sorted(_CONDITION_KEYS))
        shown = show(condition.get("Type"))
        return [Issue(member_path(path, "Type"), f"{shown} is not one of: {known}")]
    issues = _check_keys(condition, path, {"Type"} | _CONDITION_KEYS[kind], required_all=True)
    if issues:
        return issues
    return _CONDITION_CHECKS[kind](condition, path, context)


def _check_comparison(condition: dict, path: str, context: ReferenceContext) -> list[Issue]:
    typed = {
        side: operand_type(condition[side], member_path(path, side), context)
        for side in ("LeftValue", "RightValue")
    }
    issues = [issue for _, side_issues in typed.values() for issue in side_issues]
    if condition["Type"] in _ORDERING:
        issues += [
            Issue(member_path(path, side), _not_a_number(condition[side], value_type))
            for side, (value_type, _) in typed.items()
            if not is_numeric(value_type)
        ]
        return issues
    left, right = (typed[side][0] for side in ("LeftValue", "RightValue"))
    if left and right and _FAMILIES.get(left, left) != _FAMILIES.get(right, right):
        left_value, right_value = show(condition["LeftValue"]), show(condition["RightValue"])
        issues.append(
            Issue(
                path,
                f"Equals compares {left_value} ({type_name(left)}) with {right_value} "
                f"({type_name(right)}): never true",
            )
        )
    return issues


def _not_a_number(value: object, value_type: str) -> str:
    return f"{show(value)} is {type_name(value_type)}, expected a number to compare"


def _check_in(condition: dict, path: str, context: ReferenceContext) -> list[Issue]:
    issues = operand_type(condition["QueryValue"], member_path(path, "QueryValue"), context)[1]
    values = condition["Values"]
    if not isinstance(values, list):
        return [*issues, Issue(member_path(path, "Values"), f"{show(values)} is not a list")]
    for index, value in enumerate(values):
        issues += operand_type(value, f"{path}.Values[{index}]", context)[1]
    return issues


def _check_not(condition: dict, path: str, context: ReferenceContext) -> list[Issue]:
    return check_condition(condition["Condition"], member_path(path, "Condition"), context)


def _check_or(condition: dict, path: str, context: ReferenceContext) -> list[Issue]:
    conditions = condition["Conditions"]
    if not isinstance(conditions, list):
        return [Issue(member_path(path, "Conditions"), f"{show(conditions)} is not a list")]
    issues = []
    for index, inner in enumerate(conditions):
        issues += check_condition(inner, f"{path}.Conditions[{index}]", context)
    return issues


def _check_branch(branch: object, path: str, context: ReferenceContext) -> list[Issue]:
    """Branch entries are step names, or whole steps (how the SDK writes them, checked as steps)."""
    if not isinstance(branch, list):
        return [Issue(path, f"{show(branch)} is not a list")]
    issues = []
    for index, entry in enumerate(branch):
        entry_path = f"{path}[{index}]"
        if isinstance(entry, str) and entry not in context.index.steps:
            issues.append(Issue(entry_path, f'step "{entry}" does not exist'))
        elif isinstance(entry, str) and entry == context.step_name:
            issues.append(Issue(entry_path, f'step "{entry}" cannot branch to itself'))
        elif not isinstance(entry, str | dict):
            issues.append(Issue(entry_path, f"{show(entry)} is not a step name or step"))
    return issues


def _check_keys(value: dict, path: str, allowed: set, required_all: bool = False) -> list[Issue]:
    issues = [
        Issue(
            member_path(path, key),
            f"unknown key {show(key)}, expected: {', '.join(sorted(allowed))}",
        )
        for key in value
        if key not in allowed
    ]
    missing = allowed - set(value) if required_all else set()
    issues += [Issue(member_path(path, key), "is missing") for key in sorted(missing)]
    return issues


_CONDITION_CHECKS = {
    **{name: _check_comparison for name in _ORDERING | {"Equals"}},
    "In": _check_in,
    "Not": _check_not,
    "Or": _check_or,
}
