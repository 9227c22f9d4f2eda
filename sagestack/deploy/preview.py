"""What a deploy would change, without changing anything: each registered resource compared with
the state's record of it (create, update, replace, same) and the records no longer registered
(delete). The program runs on mocks that answer with the recorded ids and outputs, so inputs
built from another resource's outputs read as they did in the last deploy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sagestack.deploy.handlers import handler_for, needs_no_aws_call
from sagestack.deploy.plan import Plan
from sagestack.deploy.state import DeployState, normalized
from sagestack_infra.program_runner import DefaultMocks, unwrap_secrets

CREATE, UPDATE, REPLACE, SAME, DELETE = "create", "update", "replace", "same", "delete"


@dataclass(frozen=True)
class Change:
    kind: str
    type: str
    name: str


class RecordedMocks(DefaultMocks):
    """Plausible answers for new resources; the recorded id and outputs for known ones."""

    def __init__(self, state: DeployState):
        self._recorded = {(r.type, r.name): r for r in state.records()}

    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        record = self._recorded.get((args.typ, args.name))
        if record is None:
            return super().new_resource(args)
        inputs = dict(args.inputs)
        return record.id, {**{k: v for k, v in record.outputs.items() if k not in inputs}, **inputs}


def changes(plan: Plan, state: DeployState) -> list[Change]:
    """Every change the plan makes to what ``state`` records, in registration order, deletes
    last."""
    recorded = {r.urn: r for r in state.records()}
    found = []
    for resource in plan.resources:
        if not resource.custom or needs_no_aws_call(resource.type):
            continue
        record = recorded.pop(resource.urn, None)
        inputs = normalized(unwrap_secrets(resource.inputs))
        if record is None:
            kind = CREATE
        elif record.inputs == inputs:
            kind = SAME
        elif handler_for(resource.type).replaces(record.inputs, inputs):
            kind = REPLACE
        else:
            kind = UPDATE
        found.append(Change(kind, resource.type, resource.name))
    found.extend(Change(DELETE, r.type, r.name) for r in recorded.values())
    return found
