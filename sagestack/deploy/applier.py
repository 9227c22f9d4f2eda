"""The Pulumi mocks that deploy: each registered resource is made in the local cloud.

Pulumi awaits a resource's inputs before registering it, so ``new_resource`` is called in
dependency order, and what it returns (real ids, ARNs) flows into the resources that use it.
Independent resources arrive concurrently (the runtime registers them from a thread pool).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from pulumi.runtime import mocks as pulumi_mocks

from sagestack.clients import AwsClients
from sagestack.deploy import progress as outcome
from sagestack.deploy.errors import DeployError
from sagestack.deploy.handlers import handler_for, needs_no_aws_call
from sagestack.deploy.handlers.base import Applied, Desired, Handler
from sagestack.deploy.plan import Plan
from sagestack.deploy.progress import Progress
from sagestack.deploy.state import DeployState, Record, normalized
from sagestack_infra.program_runner import RegisteredResource, unwrap_secrets


@dataclass(frozen=True)
class Failure:
    type: str
    name: str
    error: BaseException


class ApplyingMocks(pulumi_mocks.Mocks):
    def __init__(self, cloud: AwsClients, plan: Plan, state: DeployState, progress: Progress):
        self.cloud = cloud
        self.plan = plan
        self.state = state
        self.progress = progress
        self.registered: set[str] = set()
        self.failures: list[Failure] = []
        self._in_flight = 0
        self._idle = threading.Condition()

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = normalized(unwrap_secrets(args.inputs))
        if not args.custom or needs_no_aws_call(args.typ):
            return "", inputs
        planned = self.plan.lookup(args.typ, args.name)
        self._begin(planned)
        desired = Desired(args.typ, args.name, inputs)
        try:
            applied = self._apply(handler_for(args.typ), desired, planned)
        except Exception as error:
            with self._idle:
                self.failures.append(Failure(args.typ, args.name, error))
            self.progress.report(outcome.FAILED, args.typ, args.name, str(error))
            raise
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()
        return applied.id, {**inputs, **applied.outputs}

    def _begin(self, planned: RegisteredResource) -> None:
        with self._idle:
            # The runtime goes on registering after a failure: touch nothing more.
            if self.failures:
                raise DeployError(f"{planned.type} {planned.name} skipped: an earlier one failed")
            self.registered.add(planned.urn)
            self._in_flight += 1

    def wait_until_idle(self, timeout: float = 60.0) -> None:
        """Block until no resource is being made (the runtime reports a failure as soon as it
        happens, while other registrations may still be running in its thread pool)."""
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    def _apply(
        self, handler: Handler | None, desired: Desired, planned: RegisteredResource
    ) -> Applied:
        if handler is None:  # make_plan refuses these before anything is created
            raise DeployError(f"no handler for {desired.type}")
        record = self.state.get(planned.urn)
        if record is not None and record.inputs == desired.inputs:
            self.progress.report(outcome.UNCHANGED, desired.type, desired.name)
            return Applied(record.id, record.outputs)
        if record is None:
            applied = self._create(handler, desired, planned)
            self.progress.report(outcome.CREATED, desired.type, desired.name)
            return applied
        if handler.replaces(record.inputs, desired.inputs):
            handler.delete(self.cloud, record.id, record.outputs)
            self.state.remove(record.urn)
            applied = self._create(handler, desired, planned)
            self.progress.report(outcome.REPLACED, desired.type, desired.name)
            return applied
        assert handler.update is not None  # replaces() is True without an update
        applied = handler.update(self.cloud, record.id, desired)
        self._record(planned, desired, applied)
        self.progress.report(outcome.UPDATED, desired.type, desired.name)
        return applied

    def _create(self, handler: Handler, desired: Desired, planned: RegisteredResource) -> Applied:
        def checkpoint(physical_id: str) -> None:
            self._record(planned, desired, Applied(physical_id), complete=False)

        applied = handler.create(self.cloud, desired, checkpoint)
        self._record(planned, desired, applied)
        return applied

    def _record(
        self,
        planned: RegisteredResource,
        desired: Desired,
        applied: Applied,
        complete: bool = True,
    ) -> None:
        # An incomplete record (no inputs) never reads as unchanged: the next deploy replaces it.
        self.state.put(
            Record(
                urn=planned.urn,
                type=desired.type,
                name=desired.name,
                id=applied.id,
                inputs=desired.inputs if complete else None,
                outputs=normalized({**desired.inputs, **applied.outputs}),
                deps=tuple(planned.deps),
            )
        )

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict[str, Any]:
        answer = _CALLS.get(args.token)
        if answer is None:
            raise DeployError(
                f"the local deploy does not answer the provider function {args.token}; "
                "add it to sagestack/deploy/applier.py"
            )
        return answer(self.cloud)


def _caller_identity(cloud: AwsClients) -> dict[str, Any]:
    identity = cloud.client("sts").get_caller_identity()
    return {
        "accountId": identity["Account"],
        "arn": identity["Arn"],
        "userId": identity["UserId"],
        "id": identity["Account"],
    }


def _region(cloud: AwsClients) -> dict[str, Any]:
    return {
        "name": cloud.region,
        "region": cloud.region,
        "id": cloud.region,
        "endpoint": f"ec2.{cloud.region}.amazonaws.com",
        "description": cloud.region,
    }


def _partition(_cloud: AwsClients) -> dict[str, Any]:
    return {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
        "reverseDnsPrefix": "com.amazonaws",
    }


_CALLS = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
}
