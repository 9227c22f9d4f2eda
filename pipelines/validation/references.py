"""What a ``{"Get": ...}`` points at: a parameter, an execution variable, a step's property.

Each resolver returns the botocore-style type of the value read (``"string"``, ``"integer"``,
``"float"``, ``"boolean"``, ``"structure"``, ``"list"``, ``"map"``, or None when the definition
does not say) or raises :class:`DanglingReference` saying what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import botocore.session
import regex
from botocore.model import ServiceModel, Shape

from sagestack_pipelines.validation.shapes import as_name, listed
from sagestack_pipelines.validation.step_kinds import STEP_KINDS, PropertySource

# sagemaker.core.workflow.execution_variables.ExecutionVariables
EXECUTION_VARIABLES = frozenset(
    {
        "StartDateTime",
        "CurrentDateTime",
        "PipelineName",
        "PipelineArn",
        "PipelineExecutionId",
        "PipelineExecutionArn",
        "TrainingJobName",
        "ProcessingJobName",
    }
)

PARAMETER_VALUE_TYPES = {
    "String": "string",
    "Integer": "integer",
    "Float": "float",
    "Boolean": "boolean",
}
_BOTOCORE_VALUE_TYPES = {
    "long": "integer",
    "double": "float",
    "timestamp": "string",
    "blob": "string",
}

# One step of a property path: `.Member`, `[0]` or `['key']`.
_PATH_TOKEN = regex.compile(r"\.(?P<member>[A-Za-z0-9_]+)|\[(?P<index>\d+)\]|\['(?P<key>[^']*)'\]")


class DanglingReference(ValueError):
    """A reference to something the definition does not have."""


@cache
def sagemaker_model() -> ServiceModel:
    """The sagemaker service model of the installed botocore: the API the service accepts."""
    return botocore.session.get_session().get_service_model("sagemaker")


@dataclass(frozen=True)
class DefinitionIndex:
    """The names a definition declares: parameters (name -> Type) and every step by name."""

    parameters: dict[str, str]
    steps: dict[str, dict]


@dataclass(frozen=True)
class ReferenceContext:
    """Where a reference is read: the definition and the step it sits in (None at top level)."""

    index: DefinitionIndex
    step_name: str | None


def resolve_get(target: str, context: ReferenceContext) -> str | None:
    """The type of the value ``{"Get": target}`` reads."""
    root, _, rest = target.partition(".")
    if root == "Parameters":
        return _resolve_parameter(rest, context.index)
    if root == "Execution":
        return _resolve_execution_variable(rest)
    if root == "Steps":
        step, path = _split_step_path(rest, context)
        if path.startswith("PropertyFiles."):
            raise DanglingReference("property files are read only through Std:JsonGet")
        return _resolve_property(step, path)
    raise DanglingReference(f'"{target}" does not start with Parameters., Execution. or Steps.')


def resolve_property_file(target: str, context: ReferenceContext) -> None:
    """Check ``Steps.<step>.PropertyFiles.<name>`` names a property file that step declares."""
    if not regex.fullmatch(r"Steps\.[^.]+\.PropertyFiles\..+", target):
        raise DanglingReference(f'"{target}" is not Steps.<step>.PropertyFiles.<name>')
    step, path = _split_step_path(target.removeprefix("Steps."), context)
    name = path.removeprefix("PropertyFiles.")
    declared = [entry.get("PropertyFileName") for entry in _declared(step, "PropertyFiles")]
    if name not in declared:
        raise DanglingReference(
            f'step "{step["Name"]}" has no property file "{name}" (it has: {listed(declared)})'
        )


def _resolve_parameter(name: str, index: DefinitionIndex) -> str | None:
    if name not in index.parameters:
        raise DanglingReference(
            f'parameter "{name}" is not defined (defined: {listed(index.parameters)})'
        )
    return PARAMETER_VALUE_TYPES.get(as_name(index.parameters[name]))


def _resolve_execution_variable(name: str) -> str:
    if name not in EXECUTION_VARIABLES:
        raise DanglingReference(
            f'execution variable "{name}" does not exist (known: {listed(EXECUTION_VARIABLES)})'
        )
    return "string"


def _split_step_path(rest: str, context: ReferenceContext) -> tuple[dict, str]:
    name, _, path = rest.partition(".")
    if name not in context.index.steps:
        raise DanglingReference(f'step "{name}" does not exist')
    if name == context.step_name:
        raise DanglingReference(f'step "{name}" cannot read its own properties')
    if not path:
        raise DanglingReference(f'no property named after step "{name}"')
    return context.index.steps[name], path


def _resolve_property(step: dict, path: str) -> str | None:
    kind = STEP_KINDS.get(as_name(step.get("Type")))
    source = kind.properties if kind else PropertySource.UNCHECKED
    if source is PropertySource.RESPONSE_SHAPES:
        return _resolve_response_path(kind.response_shapes, path, step.get("Arguments"))
    if source is PropertySource.OUTPUT_PARAMETERS:
        return _resolve_output_parameter(step, path)
    if source is PropertySource.NAMED:
        return _resolve_named_property(kind.fixed_properties, step, path)
    if source is PropertySource.NONE:
        raise DanglingReference(f'{step["Type"]} step "{step["Name"]}" has no properties')
    return None


def _resolve_response_path(
    shape_names: tuple[str, ...], path: str, arguments: object
) -> str | None:
    tokens = _path_tokens("." + path)
    first = tokens[0][1]
    model = sagemaker_model()
    roots = [model.shape_for(name) for name in shape_names]
    shape = next((root.members[first] for root in roots if first in root.members), None)
    if shape is None:
        raise DanglingReference(f'property "{first}" is not in {" or ".join(shape_names)}')
    requested = arguments.get(first) if isinstance(arguments, dict) else None
    for kind, token in tokens[1:]:
        shape = _step_into(shape, kind, token, path)
        requested = _requested_item(requested, kind, token, path)
    return _BOTOCORE_VALUE_TYPES.get(shape.type_name, shape.type_name)


def _path_tokens(path: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(path):
        match = _PATH_TOKEN.match(path, position)
        if match is None or (not tokens and match.lastgroup != "member"):
            raise DanglingReference(
                f'property path "{path[1:]}" is malformed at "{path[position:]}"'
            )
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return tokens


def _step_into(shape: Shape, kind: str, token: str, path: str) -> Shape:
    if kind == "member" and shape.type_name == "structure" and token in shape.members:
        return shape.members[token]
    # Lists are read by position or, like ProcessingOutputConfig.Outputs['train'], by item name.
    if kind in ("index", "key") and shape.type_name == "list":
        return shape.member
    if kind == "key" and shape.type_name == "map":
        return shape.value
    shown = f".{token}" if kind == "member" else f"[{token}]"
    raise DanglingReference(f'property "{path}": {shape.name} has no {shown}')


def _requested_item(requested: object, kind: str, token: str, path: str) -> object:
    """Follow the path through the step's own request, which its Describe response echoes.

    So ``Outputs['train']`` needs an output named "train" and ``Outputs[2]`` three outputs. Parts
    the request does not hold (``FinalMetricDataList``, runtime values) are not checked.
    """
    if kind != "member" and isinstance(requested, list):
        return _list_item(requested, kind, token, path)
    return requested.get(token) if isinstance(requested, dict) else None


def _list_item(items: list, kind: str, token: str, path: str) -> object:
    if kind == "index":
        if int(token) >= len(items):
            raise DanglingReference(f'property "{path}": the step requests {len(items)} items')
        return items[int(token)]
    named = [item for item in items if token in _item_names(item)]
    if not named:
        names = [name for item in items for name in _item_names(item)]
        raise DanglingReference(
            f'property "{path}": the step has no item named "{token}" (it has: {listed(names)})'
        )
    return named[0]


def _item_names(item: object) -> set[str]:
    """What a list item is called: its OutputName, InputName, ChannelName ..."""
    if not isinstance(item, dict):
        return set()
    return {value for key, value in item.items() if key.endswith("Name") and isinstance(value, str)}


def _resolve_named_property(names: frozenset[str], step: dict, path: str) -> None:
    """These properties have no botocore shape, so their type is not known here."""
    if path not in names:
        raise DanglingReference(
            f'{step["Type"]} step "{step["Name"]}" has no property {path} (it has: {listed(names)})'
        )


def _declared(step: dict, key: str) -> list[dict]:
    """The objects a step declares under ``key`` (property files, outputs), malformed ones out."""
    entries = step.get(key)
    return (
        [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []
    )


def _resolve_output_parameter(step: dict, path: str) -> str | None:
    match = regex.fullmatch(r"OutputParameters\['(?P<name>[^']*)'\]", path)
    outputs = {
        as_name(out.get("OutputName")): as_name(out.get("OutputType"))
        for out in _declared(step, "OutputParameters")
    }
    if match is None or match["name"] not in outputs:
        raise DanglingReference(
            f'{step["Type"]} step "{step["Name"]}" has no {path} (outputs: {listed(outputs)})'
        )
    return PARAMETER_VALUE_TYPES.get(outputs[match["name"]])
