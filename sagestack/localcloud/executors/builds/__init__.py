"""CodeBuild's builds, run by the local cloud: StartBuild, BatchGetBuilds, StopBuild.

A build checks out its source from a repository the local cloud serves, reads the buildspec and
runs its phases as local processes in a stand-in for the build image (:mod:`.image`), as the
project's service role, with CodeBuild's variables, logs, events, cache and artifacts.

- :mod:`.buildspec`: reading and validating buildspecs, with CodeBuild's messages;
- :mod:`.record`: the build and its phases as BatchGetBuilds shows them;
- :mod:`.executor`: one build from PROVISIONING to COMPLETED; :mod:`.scheduler`: the queue,
  concurrency limits, stops and timeouts;
- :mod:`.source`, :mod:`.environment`, :mod:`.shell`, :mod:`.workspace`, :mod:`.uploads`: its
  checkout, variables, commands, cache and artifacts; :mod:`.notifications`: its events.

moto's CodeBuild backend keeps the build records (so ListBuilds and saved state see them); this
package owns their status, phases and times, which moto would otherwise invent.
"""

from __future__ import annotations

import copy
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.durability import replaying
from sagestack.localcloud.executors import runtime
from sagestack.localcloud.executors.builds import notifications, scheduler
from sagestack.localcloud.executors.builds.executor import BuildRun
from sagestack.localcloud.executors.builds.record import BuildRecord
from sagestack.localcloud.executors.builds.request import new_build
from sagestack.localcloud.services.exceptions import (
    InvalidInputException,
    ResourceNotFoundException,
)

__all__ = ["batch_get_builds", "install", "start_build", "stop_build"]


def start_build(
    account: str,
    region: str,
    request: dict[str, Any],
    initiator: str,
    webhook_variables: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Start a build as StartBuild does (``request`` in StartBuild's shape); returns it."""
    codebuild = moto_internals.backend("codebuild", account, region)
    build = new_build(codebuild, request, initiator)
    record = BuildRecord(build, notifications.publish)
    record.submit()
    # replaying the journal remakes the record; the build ran (or was cut short) before
    if not replaying():
        cache_root = runtime.current().work_root / "build-cache"
        scheduler.launch(BuildRun(record, webhook_variables or {}, cache_root))
    return record.snapshot()


def fail_interrupted(reason: str) -> int:
    """After a restart, every build the last process left running is over: FAULT (CodeBuild's
    status for its own errors) with ``reason`` in its current phase; returns how many."""
    failed = 0
    for _account, _region, codebuild in moto_internals.iter_backends("codebuild"):
        for history in codebuild.build_metadata_history.values():
            for build in history:
                if build.get("buildComplete") or build.get("buildStatus") != "IN_PROGRESS":
                    continue
                build.update(buildStatus="FAULT", buildComplete=True, currentPhase="COMPLETED")
                build["endTime"] = build.get("endTime") or build.get("startTime")
                build.setdefault("phases", []).append(
                    {"phaseType": "COMPLETED", "contexts": [{"statusCode": "", "message": reason}]}
                )
                failed += 1
    return failed


def batch_get_builds(account: str, region: str, ids: list[str]) -> tuple[list, list]:
    """(builds, buildsNotFound) for ``ids``, in the order asked."""
    codebuild = moto_internals.backend("codebuild", account, region)
    stored = {b["id"]: b for history in codebuild.build_metadata_history.values() for b in history}
    stored.update({b["arn"]: b for b in list(stored.values())})
    found, missing = [], []
    for build_id in ids:
        if ":" not in build_id:
            raise InvalidInputException("Invalid build ID provided")
        build = stored.get(build_id)
        if build is None:
            missing.append(build_id)
            continue
        run = scheduler.active(build["id"])
        found.append(run.record.snapshot() if run is not None else copy.deepcopy(build))
    return found, missing


def stop_build(account: str, region: str, build_id: str) -> dict[str, Any]:
    builds, _missing = batch_get_builds(account, region, [build_id])
    if not builds:
        raise ResourceNotFoundException(f"Build {build_id} does not exist")
    run = scheduler.active(builds[0]["id"])
    if run is None:
        return builds[0]  # already complete: StopBuild changes nothing
    scheduler.stop(run)
    return run.record.snapshot()


def install() -> None:
    """Stop every build on a reset of the local cloud and when it stops; time builds out on
    its clock."""
    from sagestack.localcloud import clock

    moto_internals.on_reset(scheduler.stop_all)
    runtime.on_stop(scheduler.stop_all)
    clock.on_tick(scheduler.enforce_timeouts)
