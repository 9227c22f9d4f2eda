"""Pipeline expressions: ``Get``, ``Std:Join`` and ``Std:JsonGet``, typed and resolved.

An expression stands for a value known only at execution time. The shape check treats it as a
value of the type it yields (a ``Std:Join`` is a string, a ``Get`` of an Integer parameter an
integer, a ``Get`` of a property the type of that member in the Describe response), so only
its type is checked against the shape, never its length or pattern.
"""

from __future__ import annotations

from botocore.model import Shape

from sagestack_pipelines.validation.references import (
    DanglingReference,
    ReferenceContext,
    resolve_get,
    resolve_property_file,
)
from sagestack_pipelines.validation.shapes import (
    ExpressionCheck,
    Issue,
    member_path,
    scalar_type_problem,
    show,
)

EXPRESSION_KEYS = frozenset({"Get", "Std:Join", "Std:JsonGet"})
_NUMERIC = {"integer", "float"}
# The shape types a value of each expression type may fill.
_ACCEPTED_BY = {
    "string": {"string", "timestamp", "blob"},
    "integer": {"integer", "long", "float", "double"},
    "float": {"float", "double"},
    "boolean": {"boolean"},
    "structure": {"structure"},
    "list": {"list"},
    "map": {"map"},
}
_TYPE_NAMES = {
    "string": "a String",
    "integer": "an Integer",
    "float": "a Float",
    "boolean": "a Boolean",
    "structure": "an object",
    "list": "a list",
    "map": "a map",
}


def is_expression(value: object) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in EXPRESSION_KEYS


def type_expression(
    expression: dict, path: str, context: ReferenceContext
) -> tuple[str | None, list[Issue]]:
    """The type the expression yields (None: unknown) and the problems inside it."""
    key, body = next(iter(expression.items()))
    # A Get is reported at its own place; the functions' parts at their path inside them.
    return _TYPERS[key](body, path if key == "Get" else member_path(path, key), context)


def shape_expression_check(context: ReferenceContext) -> ExpressionCheck:
    """For :func:`check_shape`: an expression's problems where a shape expects a value."""

    def check(value: object, shape: Shape, path: str) -> list[Issue] | None:
        return _check_against_shape(value, shape, path, context) if is_expression(value) else None

    return check


def _check_against_shape(
    expression: dict, shape: Shape, path: str, context: ReferenceContext
) -> list[Issue]:
    value_type, issues = type_expression(expression, path, context)
    if value_type is not None and shape.type_name not in _ACCEPTED_BY[value_type]:
        issues.append(
            Issue(
                path,
                f"{show(expression)} is {_TYPE_NAMES[value_type]}, expected {_expected(shape)}",
            )
        )
    return issues


def check_expressions_in(value: object, path: str, context: ReferenceContext) -> list[Issue]:
    """Problems of every expression anywhere in ``value`` (where no shape says what to expect)."""
    if is_expression(value):
        return type_expression(value, path, context)[1]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((f"[{index}]", item) for index, item in enumerate(value))
    else:
        return []
    issues = []
    for key, item in items:
        item_path = f"{path}{key}" if key.startswith("[") else member_path(path, key)
        issues += check_expressions_in(item, item_path, context)
    return issues


def operand_type(value: object, path: str, context: ReferenceContext) -> tuple[str | None, list]:
    """The type of a condition operand: a literal or an expression."""
    if is_expression(value):
        return type_expression(value, path, context)
    for type_name in ("boolean", "integer", "float", "string"):
        if scalar_type_problem(type_name, value) is None:
            return type_name, []
    return None, [Issue(path, f"{show(value)} is not a string, number, boolean or expression")]


def is_numeric(value_type: str | None) -> bool:
    return value_type is None or value_type in _NUMERIC


def type_name(value_type: str) -> str:
    return _TYPE_NAMES[value_type]


def _expected(shape: Shape) -> str:
    article = "an" if shape.type_name[0] in "aeiou" else "a"
    return f"{article} {shape.type_name} ({shape.name})"


def _type_get(body: object, path: str, context: ReferenceContext):
    if not isinstance(body, str):
        return None, [Issue(path, f"{show(body)} is not a string")]
    try:
        return resolve_get(body, context), []
    except DanglingReference as dangling:
        return None, [Issue(path, f"{show({'Get': body})}: {dangling}")]


def _type_join(body: object, path: str, context: ReferenceContext):
    issues = _require_keys(body, path, required={"On", "Values"}, optional=set())
    if issues:
        return "string", issues
    if not isinstance(body["On"], str):
        issues.append(Issue(f"{path}.On", f"{show(body['On'])} is not a string"))
    if not isinstance(body["Values"], list):
        return "string", [*issues, Issue(f"{path}.Values", f"{show(body['Values'])} is not a list")]
    for index, value in enumerate(body["Values"]):
        issues += operand_type(value, f"{path}.Values[{index}]", context)[1]
    return "string", issues


def _type_json_get(body: object, path: str, context: ReferenceContext):
    issues = _require_keys(body, path, required={"Path"}, optional={"PropertyFile", "S3Uri"})
    if issues:
        return None, issues
    if not isinstance(body["Path"], str):
        issues.append(Issue(f"{path}.Path", f"{show(body['Path'])} is not a string"))
    sources = [key for key in ("PropertyFile", "S3Uri") if key in body]
    if len(sources) != 1:
        return None, [*issues, Issue(path, "needs exactly one of PropertyFile and S3Uri")]
    source_path = f"{path}.{sources[0]}"
    if sources[0] == "S3Uri":
        return None, issues + _check_s3_uri(body["S3Uri"], source_path, context)
    return None, issues + _check_property_file(body["PropertyFile"], source_path, context)


def _check_s3_uri(value: object, path: str, context: ReferenceContext) -> list[Issue]:
    value_type, issues = operand_type(value, path, context)
    if value_type not in (None, "string"):
        issues.append(Issue(path, f"{show(value)} is {type_name(value_type)}, expected a string"))
    return issues


def _check_property_file(value: object, path: str, context: ReferenceContext) -> list[Issue]:
    target = value.get("Get") if isinstance(value, dict) and set(value) == {"Get"} else None
    if not isinstance(target, str):
        return [Issue(path, f'{show(value)} is not {{"Get": "Steps.<step>.PropertyFiles.<name>"}}')]
    try:
        resolve_property_file(target, context)
    except DanglingReference as dangling:
        return [Issue(f"{path}.Get", str(dangling))]
    return []


def _require_keys(body: object, path: str, required: set, optional: set) -> list[Issue]:
    if not isinstance(body, dict):
        return [Issue(path, f"{show(body)} is not an object")]
    issues = [Issue(member_path(path, key), "is missing") for key in sorted(required - set(body))]
    issues += [
        Issue(member_path(path, key), f"unknown key {show(key)}")
        for key in sorted(set(body) - required - optional)
    ]
    return issues


_TYPERS = {"Get": _type_get, "Std:Join": _type_join, "Std:JsonGet": _type_json_get}
