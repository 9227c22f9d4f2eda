"""Run the pack in-process over resources, the way the analyzer's gRPC server runs it.

The Pulumi CLI hands each resource to the pack (``Analyze``) and then the whole stack
(``AnalyzeStack``); this does the same with pulumi-policy's own argument objects and its
unknown-checking proxy over the props, so a rule sees exactly what it sees under the CLI.
It judges known values (an ``up``, or the program under mocks with ``preview=False``): a preview
unknown raises pulumi-policy's ``UnknownValueError`` here, where the CLI would print an advisory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

from sagestack_infra.policy.pack import POLICIES


@dataclass(frozen=True)
class PlannedResource:
    """A resource as the engine presents it to a policy pack."""

    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]  # what Analyze sees
    outputs: Mapping[str, Any] | None = None  # what AnalyzeStack sees; the inputs when None
    provider: PolicyProviderResource | None = None
    parent: str = ""
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Violation:
    policy: str
    urn: str
    message: str


def evaluate(
    resources: Iterable[PlannedResource], policies: Iterable[Policy] = POLICIES
) -> list[Violation]:
    """Every violation the policies report for ``resources``, resource policies first."""
    resources = list(resources)
    violations: list[Violation] = []
    for policy in policies:
        report = _collector(policy.name, violations)
        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                policy.validate(_resource_args(resource), report)
        elif isinstance(policy, StackValidationPolicy):
            policy.validate(StackValidationArgs(_stack_resources(resources)), report)
    return violations


def _collector(policy_name: str, into: list[Violation]):
    def report_violation(message: str, urn: str | None = None) -> None:
        into.append(Violation(policy_name, urn or "", message))

    return report_violation


def _options(resource: PlannedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], resource.parent or None
    )


def _resource_args(resource: PlannedResource) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        resource.type,
        unknown_checking_proxy(dict(resource.inputs)),
        resource.urn,
        resource.name,
        _options(resource),
        resource.provider,
    )


def _stack_resources(resources: list[PlannedResource]) -> list[PolicyResource]:
    by_urn = {
        r.urn: PolicyResource(
            r.type,
            unknown_checking_proxy(dict(r.inputs if r.outputs is None else r.outputs)),
            r.urn,
            r.name,
            _options(r),
            r.provider,
            None,
            [],
            {},
        )
        for r in resources
    }
    for r in resources:
        policy_resource = by_urn[r.urn]
        policy_resource.parent = by_urn.get(r.parent)
        for prop, urns in r.property_dependencies.items():
            policy_resource.property_dependencies[prop] = [by_urn[u] for u in urns if u in by_urn]
    return list(by_urn.values())
