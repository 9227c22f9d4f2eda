"""The platform's policy pack on a deploy's plan, in-process, before anything is created: what
``pulumi up --policy-pack infra/policy`` does with the Pulumi CLI."""

from __future__ import annotations

from sagestack.deploy.errors import PolicyViolationsError
from sagestack.deploy.plan import Plan
from sagestack_infra.policy.evaluate import PlannedResource, evaluate
from sagestack_infra.policy.pack import ENFORCEMENT, PACK_NAME


def check_policies(plan: Plan) -> None:
    """Raise :class:`PolicyViolationsError` listing every violation the pack finds."""
    resources = [
        PlannedResource(type=r.type, name=r.name, urn=r.urn, inputs=r.inputs, parent=r.parent)
        for r in plan.resources
    ]
    violations = evaluate(resources)
    if violations:
        names = {r.urn: f"{r.type}: {r.name}" for r in plan.resources}
        raise PolicyViolationsError(
            [
                f"[{ENFORCEMENT.value}]  {PACK_NAME}  {v.policy}  "
                f"({names.get(v.urn, v.urn or 'stack')})\n    {v.message}"
                for v in violations
            ]
        )
