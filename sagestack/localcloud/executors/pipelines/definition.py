"""A pipeline definition as a graph: every step (those of condition branches included), what
each waits for, and which condition branch holds it.

A step waits for the steps its ``Arguments`` read (``{"Get": "Steps.<name>..."}``, property
files included) and those in its ``DependsOn`` (a name, or ``{"Step", "Trigger"}`` in SDK 3's
form). A step of a condition's ``IfSteps`` or ``ElseSteps`` runs only once that condition chose
its branch. The definition was validated at CreatePipeline, so names resolve and there is no
cycle; this module only reads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# DependsOn's Trigger -> the statuses of the step depended on that let the dependent run
TRIGGERS = {
    "Completed": frozenset({"Succeeded"}),
    "Failed": frozenset({"Failed"}),
    "Stopped": frozenset({"Stopped"}),
    "Any": frozenset({"Succeeded", "Failed", "Stopped"}),
}


@dataclass(frozen=True)
class Dependency:
    step: str
    statuses: frozenset[str]  # what the step must have ended as

    @property
    def on_success(self) -> bool:
        return self.statuses == TRIGGERS["Completed"]


@dataclass(frozen=True)
class Branch:
    condition: str  # the Condition step's name
    outcome: bool  # True: IfSteps, False: ElseSteps


@dataclass
class Step:
    name: str
    type: str
    body: dict[str, Any]  # the step as the definition has it
    dependencies: list[Dependency] = field(default_factory=list)
    branch: Branch | None = None

    @property
    def arguments(self) -> dict[str, Any]:
        return self.body.get("Arguments") or {}

    @property
    def display_name(self) -> str | None:
        return self.body.get("DisplayName")

    @property
    def description(self) -> str | None:
        return self.body.get("Description")

    def property_file(self, name: str) -> dict[str, Any] | None:
        for entry in self.body.get("PropertyFiles") or []:
            if entry.get("PropertyFileName") == name:
                return entry
        return None


@dataclass
class Definition:
    parameters: list[dict[str, Any]]
    steps: dict[str, Step]
    experiment_config: dict[str, Any] | None

    @classmethod
    def parse(cls, text: str | dict) -> Definition:
        document = json.loads(text) if isinstance(text, str) else text
        steps: dict[str, Step] = {}
        _collect(document.get("Steps") or [], None, steps)
        for step in steps.values():
            step.dependencies = _dependencies(step)
        return cls(
            parameters=list(document.get("Parameters") or []),
            steps=steps,
            experiment_config=document.get("PipelineExperimentConfig"),
        )


def _collect(entries: list[dict], branch: Branch | None, steps: dict[str, Step]) -> None:
    for body in entries:
        step = Step(name=body["Name"], type=body["Type"], body=body, branch=branch)
        steps[step.name] = step
        if step.type == "Condition":
            _collect(step.arguments.get("IfSteps") or [], Branch(step.name, True), steps)
            _collect(step.arguments.get("ElseSteps") or [], Branch(step.name, False), steps)


def _dependencies(step: Step) -> list[Dependency]:
    found: dict[str, Dependency] = {}
    read = step.arguments
    if step.type == "Condition":  # its branches are steps of their own
        read = {"Conditions": step.arguments.get("Conditions")}
    for name in referenced_steps(read):
        found.setdefault(name, Dependency(name, TRIGGERS["Completed"]))
    for entry in step.body.get("DependsOn") or []:
        if isinstance(entry, str):
            found[entry] = Dependency(entry, TRIGGERS["Completed"])
        else:
            trigger = entry.get("Trigger", "Completed")
            found[entry["Step"]] = Dependency(entry["Step"], TRIGGERS[trigger])
    return [dependency for name, dependency in found.items() if name != step.name]


def referenced_steps(value: Any) -> Iterator[str]:
    """The names of the steps ``{"Get": "Steps.<name>..."}`` expressions in ``value`` read."""
    if isinstance(value, dict):
        target = value.get("Get")
        if isinstance(target, str) and target.startswith("Steps."):
            yield target.split(".", 2)[1].split("[", 1)[0]
        for item in value.values():
            yield from referenced_steps(item)
    elif isinstance(value, list):
        for item in value:
            yield from referenced_steps(item)
