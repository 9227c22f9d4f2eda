"""The steps' dependency graph: SageMaker runs a pipeline only when its steps form a DAG.

A step depends on the steps in its ``DependsOn``, on every step whose properties or property
files it reads (``{"Get": "Steps.<name>...."}``), and, for a step in a Condition's ``IfSteps`` /
``ElseSteps``, on that Condition. References that do not resolve are reported elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from graphlib import CycleError, TopologicalSorter


def cycle_problems(steps: Mapping[str, dict]) -> list[str]:
    """One message naming a cycle of steps, or none when the steps form a DAG."""
    # a step reading its own properties is reported where it reads them
    graph = {name: (_dependencies(step) & set(steps)) - {name} for name, step in steps.items()}
    for name, step in steps.items():
        for branch_step in _branch_steps(step):
            graph.setdefault(branch_step, set()).add(name)
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        cycle = " -> ".join(f'"{name}"' for name in error.args[1])  # in running order
        return [f"steps form a cycle, which SageMaker cannot run: {cycle}"]
    return []


def _dependencies(step: dict) -> set[str]:
    depends_on = step.get("DependsOn")
    named = set(depends_on if isinstance(depends_on, list) else [])
    arguments = step.get("Arguments")
    if step.get("Type") == "Condition" and isinstance(arguments, dict):
        # its branches' steps are nodes of their own; what they read is not the Condition's
        arguments = arguments.get("Conditions")
    return {name for name in named if isinstance(name, str)} | set(_read_steps(arguments))


def _read_steps(value: object) -> Iterator[str]:
    """The steps whose properties ``value`` reads, at any depth."""
    if isinstance(value, dict):
        reference = value.get("Get")
        if isinstance(reference, str) and reference.startswith("Steps."):
            yield reference.split(".", 2)[1]
        for item in value.values():
            yield from _read_steps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _read_steps(item)


def _branch_steps(step: dict) -> Iterator[str]:
    arguments = step.get("Arguments")
    if step.get("Type") != "Condition" or not isinstance(arguments, dict):
        return
    for key in ("IfSteps", "ElseSteps"):
        branch = arguments.get(key)
        for entry in branch if isinstance(branch, list) else []:
            name = entry.get("Name") if isinstance(entry, dict) else entry
            if isinstance(name, str):
                yield name
