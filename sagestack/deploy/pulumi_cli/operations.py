"""``preview``, ``up``, ``destroy`` and ``stack output`` for one stack of one project, over the
applier, printing what the Pulumi CLI prints."""

from __future__ import annotations

import runpy
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from sagestack.clients import AwsClients, endpoint_from_environment
from sagestack.deploy import preview as planned
from sagestack.deploy.deployment import delete_removed, deploy
from sagestack.deploy.plan import make_plan
from sagestack.deploy.policies import check_policies
from sagestack.deploy.progress import Progress
from sagestack.deploy.pulumi_cli import display
from sagestack.deploy.pulumi_cli.backends import Backend
from sagestack.deploy.pulumi_cli.exit_codes import CONFIG, SUCCESS, CliError
from sagestack.deploy.pulumi_cli.workspace import Project
from sagestack.deploy.state import DeployState, state_file
from sagestack_infra.program_runner import read_stack_file

REGION_KEY = "aws:region"
DESTROYED = (
    "The resources in the stack have been deleted, but the history and configuration associated "
    "with the stack are still maintained.\nIf you want to remove the stack completely, run "
    "'pulumi stack rm {stack}'."
)
_PROGRESS_KINDS = {
    "created": display.CREATE,
    "updated": display.UPDATE,
    "replaced": display.REPLACE,
    "deleted": display.DELETE,
    "unchanged": display.SAME,
}


@dataclass
class Session:
    project: Project
    stack: str
    backend: Backend
    out: TextIO = field(default_factory=lambda: sys.stdout)

    def config(self) -> dict[str, Any]:
        path = self.project.stack_file(self.stack)
        if not path.exists():
            return {}
        try:
            return read_stack_file(path)
        except ValueError as error:
            raise CliError(str(error), CONFIG) from error

    def program(self) -> Callable[[], None]:
        program_file = self.project.program_file

        def run() -> None:
            if str(self.project.folder) not in sys.path:
                sys.path.insert(0, str(self.project.folder))
            runpy.run_path(str(program_file), run_name="__main__")

        return run

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)


def preview(session: Session) -> int:
    session.print(f"Previewing update ({session.stack}):\n")
    config, endpoint = session.config(), endpoint_from_environment()
    with session.backend.state_dir(session.project.name, session.stack) as folder:
        state = DeployState.load(state_file(folder, session.stack), endpoint)
        plan = make_plan(
            session.stack,
            config,
            program=session.program(),
            project=session.project.name,
            mocks=planned.RecordedMocks(state),
        )
        check_policies(plan)
        found = planned.changes(plan, state)
    for change in found:
        if change.kind != planned.SAME:
            session.print(
                f" {display.PREFIX[change.kind]} {change.type} {change.name} {change.kind}"
            )
    counts: dict[str, int] = {}
    for change in found:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    session.print(f"\n{display.summary(counts, preview=True)}\n")
    return SUCCESS


def up(session: Session) -> int:
    session.print(f"Updating ({session.stack}):\n")
    started = time.monotonic()
    config = session.config()
    with session.backend.state_dir(session.project.name, session.stack) as folder:
        result = deploy(
            session.stack,
            config,
            endpoint=endpoint_from_environment(),
            state_dir=folder,
            progress=Progress(session.out),
            program=session.program(),
            project=session.project.name,
            check_plan=check_policies,
        )
    counts = {
        _PROGRESS_KINDS[k]: n for k, n in result.progress.counts.items() if k in _PROGRESS_KINDS
    }
    session.print(f"\n{display.outputs_block(result.outputs)}")
    session.print(display.summary(counts, preview=False))
    session.print(f"\nDuration: {display.duration(time.monotonic() - started)}")
    return SUCCESS


def destroy(session: Session) -> int:
    session.print(f"Destroying ({session.stack}):\n")
    started = time.monotonic()
    endpoint = endpoint_from_environment()
    region = session.config().get(REGION_KEY)
    with session.backend.state_dir(session.project.name, session.stack) as folder:
        state = DeployState.load(state_file(folder, session.stack), endpoint)
        progress = Progress(session.out)
        delete_removed(AwsClients(endpoint, region=region), state, set(), progress)
        state.set_outputs({})
    counts = {display.DELETE: progress.counts["deleted"]}
    session.print(f"\n{display.summary(counts, preview=False)}")
    session.print(f"\nDuration: {display.duration(time.monotonic() - started)}\n")
    session.print(DESTROYED.format(stack=session.stack))
    return SUCCESS


def stack_outputs(session: Session) -> dict[str, Any]:
    with session.backend.state_dir(session.project.name, session.stack) as folder:
        return DeployState.load(
            state_file(folder, session.stack), endpoint_from_environment()
        ).outputs
