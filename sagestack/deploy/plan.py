"""Before anything is created: run the program once on plain mocks, and refuse what the local
cloud cannot make (a type without a handler, Kubernetes serving), naming it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sagestack.deploy.errors import (
    DeployError,
    UnmappedTypesError,
    UnsupportedServingError,
)
from sagestack.deploy.handlers import handler_for, needs_no_aws_call
from sagestack_infra.config import ConfigError
from sagestack_infra.program_runner import PROJECT, ProgramRun, RegisteredResource, run_program

PROJECT_COMPONENT = "sagestack:project:MlProject"
KUBERNETES_PREFIX = "kubernetes:"


@dataclass(frozen=True)
class Plan:
    """The resources the program registers, found by what ``Mocks.new_resource`` is given."""

    stack: str
    resources: tuple[RegisteredResource, ...]

    def lookup(self, type_token: str, name: str) -> RegisteredResource:
        for resource in self.resources:
            if resource.type == type_token and resource.name == name:
                return resource
        raise DeployError(f"{type_token} {name} was not registered when the deploy was planned")


def make_plan(
    stack: str,
    config: Mapping[str, Any],
    *,
    secret_keys: Collection[str] = (),
    program: Any = None,
    project: str = PROJECT,
    mocks: Any = None,
) -> Plan:
    """``mocks`` answers the registrations (plausible ids and ARNs by default)."""
    try:
        run = run_program(
            stack, config, secret_keys=secret_keys, program=program, project=project, mocks=mocks
        )
    except ConfigError as error:
        raise DeployError(f"stack {stack}: the config is invalid:\n{error}") from error
    check_deployable(run)
    return Plan(stack=stack, resources=run.resources)


def check_deployable(run: ProgramRun) -> None:
    kubernetes_projects = sorted(
        {_project_of(run, r) for r in run.resources if r.type.startswith(KUBERNETES_PREFIX)}
    )
    if kubernetes_projects:
        raise UnsupportedServingError(kubernetes_projects)
    unmapped = sorted(
        {
            r.type
            for r in run.resources
            if r.custom and not needs_no_aws_call(r.type) and handler_for(r.type) is None
        }
    )
    if unmapped:
        raise UnmappedTypesError(unmapped)
    _check_unique_names(run)


def _project_of(run: ProgramRun, resource: RegisteredResource) -> str:
    by_urn = {r.urn: r for r in run.resources}
    current: RegisteredResource | None = resource
    while current is not None:
        if current.type == PROJECT_COMPONENT:
            return current.name
        current = by_urn.get(current.parent)
    return f"(platform resource {resource.name})"


def _check_unique_names(run: ProgramRun) -> None:
    # Mocks.new_resource sees type and name, not the URN: the pair must identify the resource.
    seen: set[tuple[str, str]] = set()
    for resource in run.resources:
        key = (resource.type, resource.name)
        if key in seen:
            raise DeployError(f"two resources are registered as {resource.type} {resource.name}")
        seen.add(key)
