"""A build as BatchGetBuilds shows it, moved through its phases by the executor.

The record is moto's own build dict (so ListBuilds and saved state keep it), changed only here,
under a lock, and read through :meth:`BuildRecord.snapshot`. Phase entries follow what CodeBuild
returns (/work/notes/codebuild.md §3): SUBMITTED and QUEUED carry no ``contexts``; every later
finished phase carries ``[{"statusCode": "", "message": ""}]`` on success and its error
otherwise; a stopped phase carries none; the list ends with ``{"phaseType": "COMPLETED",
"startTime": ...}``.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sagestack.localcloud import clock

ORDER = (
    "SUBMITTED",
    "QUEUED",
    "PROVISIONING",
    "DOWNLOAD_SOURCE",
    "INSTALL",
    "PRE_BUILD",
    "BUILD",
    "POST_BUILD",
    "UPLOAD_ARTIFACTS",
    "FINALIZING",
    "COMPLETED",
)
SUCCEEDED, FAILED, FAULT = "SUCCEEDED", "FAILED", "FAULT"
STOPPED, TIMED_OUT, CLIENT_ERROR = "STOPPED", "TIMED_OUT", "CLIENT_ERROR"
IN_PROGRESS = "IN_PROGRESS"
_NO_CONTEXTS = ("SUBMITTED", "QUEUED")

# listener(build snapshot, finished phase entry or None for a status change)
Listener = Callable[[dict[str, Any], dict[str, Any] | None], None]


def now() -> datetime:
    return clock.current().now()


class BuildRecord:
    def __init__(self, build: dict[str, Any], listener: Listener):
        self.build = build
        self._listener = listener
        self._lock = threading.RLock()

    @property
    def id(self) -> str:
        return self.build["id"]

    @property
    def project(self) -> str:
        return self.build["projectName"]

    @property
    def complete(self) -> bool:
        with self._lock:
            return bool(self.build["buildComplete"])

    @property
    def current_phase(self) -> str:
        with self._lock:
            return self.build["currentPhase"]

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self.build)

    def submit(self) -> None:
        """SUBMITTED (done at once) and QUEUED (until a slot is free)."""
        at = now()
        with self._lock:
            self.build.update(startTime=at, buildStatus=IN_PROGRESS, buildComplete=False)
            self.build["phases"] = [
                _finished({"phaseType": "SUBMITTED", "startTime": at}, SUCCEEDED, at, None)
            ]
            self._begin("QUEUED", at)

    def begin(self, phase_type: str) -> None:
        """End the running phase as SUCCEEDED (if any) and start ``phase_type``."""
        with self._lock:
            if self.build["buildComplete"]:
                return
            if self._running() is not None:
                self.end(SUCCEEDED)
            self._begin(phase_type, now())

    def _begin(self, phase_type: str, at: datetime) -> None:
        self.build["phases"].append(
            {"phaseType": phase_type, "phaseStatus": IN_PROGRESS, "startTime": at}
        )
        self.build["currentPhase"] = phase_type

    def end(self, status: str, code: str = "", message: str = "") -> None:
        """End the running phase with ``status`` and, past QUEUED, its context."""
        with self._lock:
            phase = self._running()
            if phase is None or self.build["buildComplete"]:
                return
            context = (
                None
                if phase["phaseType"] in _NO_CONTEXTS or status == STOPPED
                else ({"statusCode": code, "message": message})
            )
            _finished(phase, status, now(), context)
            finished = copy.deepcopy(phase)
            build = copy.deepcopy(self.build)
        self._listener(build, finished)

    def finish(self, status: str) -> None:
        """The build is over: COMPLETED, ``status`` (SUCCEEDED, FAILED, STOPPED, ...)."""
        at = now()
        with self._lock:
            if self.build["buildComplete"]:
                return
            self.build["phases"].append({"phaseType": "COMPLETED", "startTime": at})
            self.build.update(
                currentPhase="COMPLETED", buildStatus=status, buildComplete=True, endTime=at
            )
            build = copy.deepcopy(self.build)
        self._listener(build, None)

    def started(self) -> None:
        """Tell listeners the build is IN_PROGRESS (it left the queue)."""
        self._listener(self.snapshot(), None)

    def update(self, **fields: Any) -> None:
        with self._lock:
            self.build.update(fields)

    def _running(self) -> dict[str, Any] | None:
        phases = self.build["phases"]
        if phases and phases[-1].get("phaseStatus") == IN_PROGRESS:
            return phases[-1]
        return None

    def phase_failed(self) -> bool:
        with self._lock:
            return any(
                p.get("phaseStatus") not in (SUCCEEDED, IN_PROGRESS, None)
                for p in self.build["phases"]
            )


def _finished(
    phase: dict[str, Any], status: str, at: datetime, context: dict[str, str] | None
) -> dict[str, Any]:
    phase.update(
        phaseStatus=status,
        endTime=at,
        durationInSeconds=int((at - phase["startTime"]).total_seconds()),
    )
    if context is not None:
        phase["contexts"] = [context]
    return phase
