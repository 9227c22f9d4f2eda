"""An execution's parameter values: the definition's defaults, overridden by the values
StartPipelineExecution (or an EventBridge target) passed, each of the parameter's type.

Values arrive as strings (the API's ``Parameter.Value``); an Integer must read as a whole number,
a Float as a number, a Boolean as ``true``/``false``, and a value must be one of the parameter's
``EnumValues`` when it has them. A name the definition does not declare, a wrong type, or a
parameter with neither default nor value refuses the start (ValidationException), so nothing
runs with a value the definition did not ask for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class ParameterError(ValueError):
    """StartPipelineExecution's parameters do not fit the definition."""


def resolve(declared: Iterable[Mapping[str, Any]], given: Iterable[Mapping[str, str]]) -> dict:
    """``{name: typed value}`` for every declared parameter."""
    declarations = {parameter["Name"]: parameter for parameter in declared}
    values: dict[str, Any] = {}
    for entry in given or []:
        name, text = entry.get("Name"), entry.get("Value")
        if name not in declarations:
            known = ", ".join(sorted(declarations)) or "none"
            raise ParameterError(
                f"Parameter '{name}' is not a parameter of the pipeline definition (its "
                f"parameters: {known})"
            )
        values[name] = typed(declarations[name], text)
    for name, parameter in declarations.items():
        if name in values:
            continue
        if "DefaultValue" not in parameter:
            raise ParameterError(
                f"Parameter '{name}' is undefined: the definition gives it no DefaultValue, so "
                "StartPipelineExecution must pass a value"
            )
        values[name] = parameter["DefaultValue"]
    return values


def typed(parameter: Mapping[str, Any], text: str | None) -> Any:
    name, kind = parameter["Name"], parameter.get("Type", "String")
    if text is None or text == "":
        raise ParameterError(
            f'Parameter {name} value "" is too short (length: 0, required minimum: 1).'
        )
    value = _convert(name, kind, text)
    enum = parameter.get("EnumValues")
    if enum and value not in enum:
        raise ParameterError(
            f"Parameter '{name}' value '{text}' is not one of its EnumValues "
            f"({', '.join(map(str, enum))})"
        )
    return value


def _convert(name: str, kind: str, text: str) -> Any:
    if kind == "String":
        return text
    if kind == "Integer":
        try:
            return int(text.strip())
        except ValueError:
            raise ParameterError(
                f"Parameter '{name}' value '{text}' is not an Integer (a whole number)"
            ) from None
    if kind == "Float":
        try:
            return float(text.strip())
        except ValueError:
            raise ParameterError(f"Parameter '{name}' value '{text}' is not a Float") from None
    if kind == "Boolean":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise ParameterError(
                f"Parameter '{name}' value '{text}' is not a Boolean (true or false)"
            )
        return lowered == "true"
    raise ParameterError(
        f"Parameter '{name}' has Type '{kind}', not String, Integer, Float or Boolean"
    )
