"""Which builds run: StartBuild's checks, the queue, stops, timeouts.

- A project's ``concurrentBuildLimit``: a StartBuild beyond it fails with
  ``AccountLimitExceededException`` (CodeBuild: "builds return an error if the number of running
  builds reaches the concurrent build limit for the project"; they are not queued).
- The account's limit (here: :data:`MAX_RUNNING`, the machine's share, ``SAGESTACK_MAX_BUILDS``):
  builds beyond it wait in QUEUED until one ends, or until ``queuedTimeoutInMinutes``.
- ``timeoutInMinutes`` counts on the local cloud's clock from the end of QUEUED, so a test moves
  the clock instead of waiting an hour; the running endpoint's clock follows the wall clock.
- A reset of the local cloud, or its stop, stops every build.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timedelta

from sagestack.localcloud import clock
from sagestack.localcloud.executors.builds import record as phases
from sagestack.localcloud.executors.builds.executor import BuildRun

MAX_RUNNING = int(os.environ.get("SAGESTACK_MAX_BUILDS") or max(2, os.cpu_count() or 2))
STOP_WAIT_SECONDS = 5.0  # for the threads of stopped builds to finish (their processes are gone)

_active: dict[str, BuildRun] = {}
_running: set[str] = set()
_queued_since: dict[str, datetime] = {}
_lock = threading.Condition()


def active(build_id: str) -> BuildRun | None:
    with _lock:
        return _active.get(build_id)


def active_in_project(project_arn_prefix: str) -> int:
    """Builds of one project not yet complete (``project_arn_prefix``: ``...:build/<name>:``)."""
    with _lock:
        return sum(
            1 for run in _active.values() if run.record.build["arn"].startswith(project_arn_prefix)
        )


def launch(run: BuildRun) -> None:
    with _lock:
        _active[run.record.id] = run
        _queued_since[run.record.id] = clock.current().now()
    thread = threading.Thread(
        target=_run_and_forget, args=(run,), name=f"build-{run.record.id}", daemon=True
    )
    thread.start()


def _run_and_forget(run: BuildRun) -> None:
    try:
        run.run(_wait_for_slot)
    finally:
        with _lock:
            _active.pop(run.record.id, None)
            _running.discard(run.record.id)
            _queued_since.pop(run.record.id, None)
            _lock.notify_all()


def _wait_for_slot(run: BuildRun) -> bool:
    """Block in QUEUED until the build may run; False if it was stopped or timed out meanwhile."""
    with _lock:
        while len(_running) >= MAX_RUNNING and not run.record.complete:
            _lock.wait(timeout=0.5)
        if run.record.complete:
            return False
        _running.add(run.record.id)
        _queued_since.pop(run.record.id, None)
        minutes = run.record.build.get("timeoutInMinutes") or 60
        run.deadline = clock.current().now() + timedelta(minutes=minutes)
        return True


def stop(run: BuildRun, status: str = phases.STOPPED) -> None:
    run.stop(status)
    with _lock:
        _lock.notify_all()
    run.done.wait(STOP_WAIT_SECONDS)


def stop_all() -> None:
    with _lock:
        runs = list(_active.values())
    for run in runs:
        run.stop()
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    for run in runs:
        run.done.wait(max(0.0, deadline - time.monotonic()))


def enforce_timeouts(_previous: datetime, now: datetime) -> None:
    """A clock tick: time out builds past ``timeoutInMinutes`` or ``queuedTimeoutInMinutes``."""
    with _lock:
        runs = list(_active.values())
        queued = dict(_queued_since)
    for run in runs:
        if run.deadline is not None and now >= run.deadline:
            run.stop(phases.TIMED_OUT)
        elif run.record.id in queued:
            minutes = run.record.build.get("queuedTimeoutInMinutes") or 480
            if now >= queued[run.record.id] + timedelta(minutes=minutes):
                run.stop(phases.TIMED_OUT)
    with _lock:
        _lock.notify_all()
