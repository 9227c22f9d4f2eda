"""Validate a SageMaker pipeline definition (schema 2020-12-01) before CreatePipeline sees it.

The definition is the JSON ``Pipeline.definition()`` produces. Each step's ``Arguments`` is
checked against the request shape of the SageMaker API its type calls, from the installed
botocore's service model, and against the rules SageMaker enforces beyond those shapes
(``service_rules``); expressions stand in for values of the type they yield; every
reference (parameters, steps, properties, property files, DependsOn, condition branches) must
resolve, and the steps must form no cycle.
Usage: ``python -m sagestack_pipelines.validation FILE``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sagestack_pipelines.validation.control_steps import (
    check_condition_arguments,
    check_fail_arguments,
)
from sagestack_pipelines.validation.expressions import check_expressions_in, shape_expression_check
from sagestack_pipelines.validation.references import (
    PARAMETER_VALUE_TYPES,
    DefinitionIndex,
    ReferenceContext,
    sagemaker_model,
)
from sagestack_pipelines.validation.service_rules import service_rule_issues
from sagestack_pipelines.validation.shapes import (
    Issue,
    as_name,
    check_shape,
    scalar_type_problem,
    show,
)
from sagestack_pipelines.validation.step_graph import cycle_problems
from sagestack_pipelines.validation.step_kinds import COMMON_STEP_KEYS, STEP_KINDS, StepKind

SCHEMA_VERSION = "2020-12-01"
_TOP_LEVEL_KEYS = frozenset(
    {"Version", "Metadata", "Parameters", "PipelineExperimentConfig", "MlflowConfig", "Steps"}
)
_PARAMETER_KEYS = frozenset({"Name", "Type", "DefaultValue", "EnumValues"})
_PROPERTY_FILE_KEYS = frozenset({"PropertyFileName", "OutputName", "FilePath"})


class DefinitionError(ValueError):
    """A pipeline definition SageMaker would refuse or could not run; lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid pipeline definition ({len(problems)} problems):\n{listed}")


def validate_definition(definition: dict | str) -> list[str]:
    """Every problem of the definition, one line each; empty when it is valid."""
    parsed, problems = _parse(definition)
    if problems:
        return problems
    problems = _check_top_level(parsed)
    steps, step_problems = _collect_steps(parsed.get("Steps"), "Steps")
    index = DefinitionIndex(parameters=_parameter_types(parsed), steps=steps)
    problems += step_problems + _check_parameters(_parameters(parsed))
    problems += _check_experiment_config(parsed.get("PipelineExperimentConfig"), index)
    for name, step in steps.items():
        context = ReferenceContext(index=index, step_name=name)
        problems += [f'step "{name}" {issue}' for issue in _check_step(step, context)]
    return problems + cycle_problems(steps)


def assert_valid_definition(definition: dict | str) -> None:
    """Raise :class:`DefinitionError` listing every problem, if there is any."""
    problems = validate_definition(definition)
    if problems:
        raise DefinitionError(problems)


def _parse(definition: dict | str) -> tuple[dict, list[str]]:
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as error:
            return {}, [f"definition: not JSON ({error})"]
    if not isinstance(definition, dict):
        return {}, [f"definition: {show(definition)} is not a JSON object"]
    return definition, []


def _check_top_level(definition: dict) -> list[str]:
    problems = [
        f"definition {key}: unknown key, expected: {', '.join(sorted(_TOP_LEVEL_KEYS))}"
        for key in definition
        if key not in _TOP_LEVEL_KEYS
    ]
    version = definition.get("Version")
    if version != SCHEMA_VERSION:
        problems.append(f'definition Version: {show(version)} is not "{SCHEMA_VERSION}"')
    steps = definition.get("Steps")
    if not isinstance(steps, list) or not steps:
        problems.append(f"definition Steps: {show(steps)} is not a non-empty list of steps")
    for key in ("Parameters", "Metadata"):
        expected = list if key == "Parameters" else dict
        if definition.get(key) is not None and not isinstance(definition[key], expected):
            problems.append(f"definition {key}: {show(definition[key])} is not {expected.__name__}")
    return problems


def _collect_steps(entries: object, path: str) -> tuple[dict[str, dict], list[str]]:
    """Every step by name, including those the SDK nests in Condition branches."""
    steps: dict[str, dict] = {}
    problems: list[str] = []
    for position, step in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(step, dict) or not isinstance(step.get("Name"), str):
            problems.append(f"{path}[{position}]: {show(step)} is not a step with a Name")
            continue
        if step["Name"] in steps:
            problems.append(f'step "{step["Name"]}": another step has the same name')
        steps[step["Name"]] = step
        for label, branch in _nested_branches(step):
            nested, nested_problems = _collect_steps(branch, f'step "{step["Name"]}" {label}')
            steps.update(nested)
            problems += nested_problems
    return steps, problems


def _nested_branches(step: dict) -> list[tuple[str, list]]:
    arguments = step.get("Arguments")
    if step.get("Type") != "Condition" or not isinstance(arguments, dict):
        return []
    branches = {key: arguments.get(key) for key in ("IfSteps", "ElseSteps")}
    return [
        (f"Arguments.{key}", [entry for entry in branch if isinstance(entry, dict)])
        for key, branch in branches.items()
        if isinstance(branch, list)
    ]


def _parameters(definition: dict) -> list:
    """The Parameters list (a non-list is reported by the top-level check)."""
    parameters = definition.get("Parameters")
    return parameters if isinstance(parameters, list) else []


def _parameter_types(definition: dict) -> dict[str, str]:
    return {
        parameter["Name"]: parameter.get("Type")
        for parameter in _parameters(definition)
        if isinstance(parameter, dict) and isinstance(parameter.get("Name"), str)
    }


def _check_parameters(parameters: list) -> list[str]:
    problems, seen = [], set()
    for position, parameter in enumerate(parameters):
        label = f"Parameters[{position}]"
        if isinstance(parameter, dict) and isinstance(parameter.get("Name"), str):
            label = f'parameter "{parameter["Name"]}"'
            if parameter["Name"] in seen:
                problems.append(f"{label}: another parameter has the same name")
            seen.add(parameter["Name"])
            problems += [f"{label} {issue}" for issue in _check_parameter(parameter)]
        else:
            problems.append(f"{label}: {show(parameter)} is not a parameter with a Name")
    return problems


def _check_parameter(parameter: dict) -> list[Issue]:
    issues = [
        Issue(key, f"unknown key, expected: {', '.join(sorted(_PARAMETER_KEYS))}")
        for key in parameter
        if key not in _PARAMETER_KEYS
    ]
    kind = parameter.get("Type")
    if as_name(kind) not in PARAMETER_VALUE_TYPES:
        known = ", ".join(PARAMETER_VALUE_TYPES)
        return [*issues, Issue("Type", f"{show(kind)} is not one of: {known}")]
    value_type = PARAMETER_VALUE_TYPES[kind]
    for key, value in _parameter_values(parameter):
        problem = scalar_type_problem(value_type, value)
        if problem:
            issues.append(Issue(key, f"{show(value)} {problem} (Type {kind})"))
    enum = parameter.get("EnumValues")
    if enum is not None and not isinstance(enum, list):
        issues.append(Issue("EnumValues", f"{show(enum)} is not a list"))
    elif enum is not None and "DefaultValue" in parameter and parameter["DefaultValue"] not in enum:
        issues.append(
            Issue("DefaultValue", f"{show(parameter['DefaultValue'])} is not in EnumValues")
        )
    return issues


def _parameter_values(parameter: dict) -> list[tuple[str, object]]:
    values = [("DefaultValue", parameter["DefaultValue"])] if "DefaultValue" in parameter else []
    enum = parameter.get("EnumValues")
    if isinstance(enum, list):
        values += [(f"EnumValues[{position}]", value) for position, value in enumerate(enum)]
    return values


def _check_experiment_config(config: object, index: DefinitionIndex) -> list[str]:
    if config is None:
        return []
    context = ReferenceContext(index=index, step_name=None)
    shape = sagemaker_model().shape_for("PipelineExperimentConfig")
    issues = check_shape(shape, config, "PipelineExperimentConfig", shape_expression_check(context))
    return [f"definition {issue}" for issue in issues]


def _check_step(step: dict, context: ReferenceContext) -> list[Issue]:
    kind = STEP_KINDS.get(as_name(step.get("Type")))
    if kind is None:
        return [Issue("Type", f"{show(step.get('Type'))} is not one of: {', '.join(STEP_KINDS)}")]
    issues = _check_step_keys(step, kind) + _check_depends_on(step.get("DependsOn"), context)
    arguments = step.get("Arguments")
    if not isinstance(arguments, dict):
        return [*issues, Issue("Arguments", f"{show(arguments)} is not an object")]
    issues += _check_arguments(step["Type"], kind, arguments, context)
    if "PropertyFiles" in step:
        issues += _check_property_files(step["PropertyFiles"], arguments)
    return issues


def _check_step_keys(step: dict, kind: StepKind) -> list[Issue]:
    if kind.step_keys is None:
        return []
    allowed = COMMON_STEP_KEYS | kind.step_keys
    return [
        Issue(key, f"unknown key for a {step['Type']} step, expected: {', '.join(sorted(allowed))}")
        for key in step
        if key not in allowed
    ]


def _check_depends_on(depends_on: object, context: ReferenceContext) -> list[Issue]:
    if depends_on is None:
        return []
    if not isinstance(depends_on, list):
        return [Issue("DependsOn", f"{show(depends_on)} is not a list of step names")]
    issues = []
    for position, name in enumerate(depends_on):
        path = f"DependsOn[{position}]"
        if name == context.step_name:
            issues.append(Issue(path, f'step "{name}" cannot depend on itself'))
        elif not isinstance(name, str) or name not in context.index.steps:
            issues.append(Issue(path, f"step {show(name)} does not exist"))
    return issues


def _check_arguments(
    step_type: str, kind: StepKind, arguments: dict, context: ReferenceContext
) -> list[Issue]:
    if step_type == "Condition":
        return check_condition_arguments(arguments, context)
    if step_type == "Fail":
        return check_fail_arguments(arguments, context)
    if kind.operation is None:
        return check_expressions_in(arguments, "Arguments", context)
    request = sagemaker_model().operation_model(kind.operation).input_shape
    issues = [
        Issue(f"Arguments.{key}", f"SageMaker Pipelines refuses {key} in {step_type} arguments")
        for key in sorted(kind.rejected & set(arguments))
    ]
    check_expression = shape_expression_check(context)
    issues += check_shape(
        request, arguments, "Arguments", check_expression, kind.filled_by_pipelines
    )
    return issues + service_rule_issues(step_type, arguments)


def _check_property_files(property_files: object, arguments: dict) -> list[Issue]:
    if not isinstance(property_files, list):
        return [Issue("PropertyFiles", f"{show(property_files)} is not a list")]
    output_names = _processing_output_names(arguments)
    issues = []
    for position, entry in enumerate(property_files):
        path = f"PropertyFiles[{position}]"
        if not isinstance(entry, dict) or set(entry) != _PROPERTY_FILE_KEYS:
            expected = ", ".join(sorted(_PROPERTY_FILE_KEYS))
            issues.append(Issue(path, f"{show(entry)} does not have exactly: {expected}"))
        elif as_name(entry["OutputName"]) not in output_names:
            issues.append(
                Issue(
                    f"{path}.OutputName",
                    f"{show(entry['OutputName'])} is not an output of this step"
                    f" (outputs: {', '.join(sorted(map(str, output_names))) or 'none'})",
                )
            )
    return issues


def _processing_output_names(arguments: dict) -> set:
    config = arguments.get("ProcessingOutputConfig")
    outputs = config.get("Outputs") if isinstance(config, dict) else None
    if not isinstance(outputs, list):
        return set()
    names = {as_name(output.get("OutputName")) for output in outputs if isinstance(output, dict)}
    return names - {None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sagestack_pipelines.validation", description=__doc__.splitlines()[0]
    )
    parser.add_argument("file", type=Path, help="a pipeline definition JSON file")
    args = parser.parse_args(argv)
    try:
        text = args.file.read_text()
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    problems = validate_definition(text)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{args.file}: {len(problems)} problems", file=sys.stderr)
        return 1
    print(f"{args.file}: valid")
    return 0
