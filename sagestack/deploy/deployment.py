"""``sagestack local deploy`` as a function: plan, apply in dependency order, delete what left."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from sagestack.clients import AwsClients, check_reachable
from sagestack.deploy import progress as outcome
from sagestack.deploy.applier import ApplyingMocks
from sagestack.deploy.errors import DeployError, ResourceFailedError
from sagestack.deploy.handlers import handler_for
from sagestack.deploy.plan import Plan, make_plan
from sagestack.deploy.progress import Progress
from sagestack.deploy.refresh import check_state_matches_cloud
from sagestack.deploy.state import DeployState, Record, state_file
from sagestack_infra.program_runner import PROJECT, read_stack_file, run_program

REGION_KEY = "aws:region"


@dataclass(frozen=True)
class DeployResult:
    stack: str
    progress: Progress
    state_path: Path
    resources: tuple[Record, ...]  # everything the stack now has in the local cloud
    outputs: dict[str, Any]  # the stack's outputs (pulumi.export)


def stack_config(stack: str, directory: Path = Path(".")) -> dict[str, Any]:
    """The config of ``Pulumi.<stack>.yaml`` in ``directory``."""
    path = Path(directory) / f"Pulumi.{stack}.yaml"
    if not path.exists():
        found = sorted(p.name for p in Path(directory).glob("Pulumi.*.yaml"))
        raise DeployError(f"no {path} for stack {stack!r} (stack files here: {found or 'none'})")
    try:
        return read_stack_file(path)
    except ValueError as error:  # a secure: value only the Pulumi CLI can decrypt
        raise DeployError(str(error)) from error


def deploy(
    stack: str,
    config: Mapping[str, Any],
    *,
    endpoint: str,
    state_dir: Path,
    session: boto3.Session | None = None,
    progress: Progress | None = None,
    secret_keys: Collection[str] = (),
    program: Callable[[], None] | None = None,
    project: str = PROJECT,
    check_plan: Callable[[Plan], None] | None = None,
) -> DeployResult:
    """Make ``stack`` exist in the local cloud at ``endpoint`` as ``config`` describes it.

    Nothing is created unless every registered type has a handler and ``check_plan`` (the
    policy pack, say) accepts the plan. Resources recorded in the state folder and unchanged are
    left alone; resources no longer registered are deleted, dependents first. Raises
    :class:`ResourceFailedError` naming the resource whose call failed.
    """
    progress = progress or Progress()
    check_reachable(endpoint)
    plan = make_plan(stack, config, secret_keys=secret_keys, program=program, project=project)
    if check_plan is not None:
        check_plan(plan)
    cloud = AwsClients(endpoint, session=session, region=config.get(REGION_KEY))
    state = DeployState.load(state_file(state_dir, stack), endpoint)
    if check_state_matches_cloud(cloud, state):
        progress.note(
            f"the local cloud at {endpoint} holds none of the resources {state.path} recorded "
            "(restarted without --state-dir?): creating everything again"
        )
    mocks = ApplyingMocks(cloud, plan, state, progress)
    try:
        run = run_program(
            stack, config, secret_keys=secret_keys, mocks=mocks, program=program, project=project
        )
    except Exception as error:
        mocks.wait_until_idle()
        if mocks.failures:
            failure = mocks.failures[0]
            raise ResourceFailedError(failure.type, failure.name, failure.error) from error
        raise
    delete_removed(cloud, state, mocks.registered, progress)
    state.set_outputs(run.outputs)
    return DeployResult(stack, progress, state.path, tuple(state.records()), state.outputs)


def delete_removed(
    cloud: AwsClients, state: DeployState, kept: set[str], progress: Progress
) -> None:
    """Delete the recorded resources the program no longer registers, never one before a
    resource that depends on it."""
    removed = {r.urn: r for r in state.records() if r.urn not in kept}
    while removed:
        needed = {dep for record in removed.values() for dep in record.deps}
        ready = [record for urn, record in removed.items() if urn not in needed]
        for record in sorted(ready or removed.values(), key=lambda r: r.urn):
            _delete(cloud, state, record, progress)
            del removed[record.urn]
            if not ready:  # a dependency cycle in the file: delete one and look again
                break


def _delete(cloud: AwsClients, state: DeployState, record: Record, progress: Progress) -> None:
    handler = handler_for(record.type)
    if handler is None:
        raise ResourceFailedError(record.type, record.name, KeyError("no handler to delete it"))
    try:
        handler.delete(cloud, record.id, record.outputs)
    except Exception as error:
        progress.report(outcome.FAILED, record.type, record.name, str(error))
        raise ResourceFailedError(record.type, record.name, error) from error
    state.remove(record.urn)
    progress.report(outcome.DELETED, record.type, record.name)
