"""One job from acceptance to its final status, on a thread of its own.

SageMaker assumes the job's role, brings its image up, copies its inputs in, runs the container
with a runtime limit, copies its outputs out and records how it ended; every step here does the
same locally, as the job's role (its credentials sign every S3 and Logs request and are the
container's own). What differs between processing and training is a :class:`Runner`. Jobs are
tracked so that StopProcessingJob / StopTrainingJob, a reset of the local cloud and its shutdown
reach them; a reset abandons them without touching the new state.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sagestack.localcloud.executors import processes, roles, runtime
from sagestack.localcloud.executors.jobs import container, failures
from sagestack.localcloud.executors.jobs.records import JobRecord, Kind
from sagestack.localcloud.executors.logs import LogStream

log = logging.getLogger(__name__)

KEPT_LINES = 200  # the tail of the output kept to find the script's last error line
STOP_GRACE_SECONDS = 5.0
DIAGNOSES_KEPT = 1000


@dataclass
class Launch:
    """What to run in the container, once the job's folder is ready."""

    command: list[str]
    environment: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    status: str  # Completed / Failed / Stopped
    failure_reason: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)


class Runner(Protocol):
    kind: Kind

    def prepare(self, job: Job) -> Launch:
        """Copy the inputs in and write the container's configuration."""

    def conclude(self, job: Job, exit_code: int) -> Outcome:
        """Copy the outputs out and say how the job ended (the container exited)."""


class Job:
    """A job being run: its request, record, role, image, folder and output."""

    def __init__(self, runner: Runner, account_id: str, region: str, request: Mapping[str, Any]):
        self.runner = runner
        self.request = dict(request)
        self.name: str = request[f"{runner.kind.name}Name"]
        self.account_id, self.region = account_id, region
        self.record = JobRecord(runner.kind, account_id, region, self.name)
        self.arn = self.record.arn
        self.lines: collections.deque[str] = collections.deque(maxlen=KEPT_LINES)
        self.last_error_line: str | None = None
        self.role: roles.RoleSession | None = None
        self.image: container.Image | None = None
        self.folder: Path | None = None
        self._log: LogStream | None = None
        self._command: processes.RunningCommand | None = None
        self._stop = threading.Event()
        self._abandoned = False
        self.done = threading.Event()

    # --- what runners use ---

    def s3(self) -> Any:
        assert self.role is not None
        return self.role.client("s3")

    def say(self, line: str) -> None:
        """A line in the job's log, from the platform rather than the container."""
        if self._log is not None:
            self._log.write(line)

    def path(self, container_path: str) -> Path:
        assert self.folder is not None
        return container.container_path(self.folder, container_path)

    def stop_requested(self) -> bool:
        return self._stop.is_set()

    # --- the run ---

    def run(self) -> None:
        try:
            outcome = self._run()
        except failures.JobFailure as failure:
            outcome = Outcome("Failed", failure.reason)
        except runtime.NotRunningError:  # the local cloud stopped under the job: nothing to tell
            outcome = Outcome("Failed", failures.internal_error().reason)
        except Exception:
            log.exception("job %s failed in the local cloud", self.name)
            outcome = Outcome("Failed", failures.internal_error().reason)
        finally:
            self._close()
        _remember(self)
        if not self._abandoned:
            self.record.finished(outcome.status, outcome.failure_reason, **outcome.fields)
        self.done.set()

    def _run(self) -> Outcome:
        self.role = roles.assume(
            self.request["RoleArn"], self.name, self.account_id, self.region, self.arn
        )
        self.image = container.resolve_image(_image_uri(self.request))
        self.folder = container.job_folder(self.runner.kind.name, self.name)
        self._open_log()
        for difference in self.image.differences():
            self.say(f"sagestack: image {self.image.spec.name}: {difference}")
        launch = self.runner.prepare(self)
        if self.stop_requested():
            return Outcome("Stopped")
        self._start(launch)
        assert self._command is not None
        exit_code = self._command.wait()
        self.last_error_line = failures.last_error_line(list(self.lines))
        if self._command.timed_out:
            return self._timed_out()
        if self.stop_requested():
            return Outcome("Stopped")
        return self.runner.conclude(self, exit_code)

    def _start(self, launch: Launch) -> None:
        assert self.role is not None and self.image is not None and self.folder is not None
        environment = container.environment(
            self.image,
            self.folder,
            self.role.environment,
            self.region,
            self.request.get("Environment"),
            launch.environment,
        )
        limit = (self.request.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
        self.record.started()
        self._command = processes.run(
            processes.Command(
                argv=container.argv(self.folder, launch.command),
                cwd=self.folder,
                env=environment,
                timeout_seconds=float(limit) if limit else None,
                on_line=self._line,
            )
        )

    def _line(self, line: str) -> None:
        self.lines.append(line)
        self.say(line)

    def _timed_out(self) -> Outcome:
        limit = self.request["StoppingCondition"]["MaxRuntimeInSeconds"]
        self.say(f"sagestack: the job exceeded MaxRuntimeInSeconds ({limit}) and was stopped")
        # a training job says why in its SecondaryStatus; a processing job has none
        training = self.runner.kind.name == "TrainingJob"
        return Outcome(
            "Stopped", None, {"SecondaryStatus": "MaxRuntimeExceeded"} if training else {}
        )

    def _open_log(self) -> None:
        assert self.role is not None
        if self._abandoned:  # reset while it set up: its log group would land in the new cloud
            return
        stream = f"{self.name}/algo-1-{int(time.time())}"
        try:
            self._log = LogStream(self.role.client("logs"), self.runner.kind.log_group, stream)
        except Exception as error:  # noqa: BLE001 - as on AWS, a role without Logs runs unlogged
            log.warning("job %s writes no log: %s", self.name, error)

    def _close(self) -> None:
        if self._log is not None:
            self._log.close()
        if self.folder is not None:
            container.remove(self.folder)
        _forget(self)

    # --- from outside ---

    def stop(self, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """Stop the job (StopTrainingJob): the record says Stopping until the process is gone."""
        if self._stop.is_set():
            return
        self._stop.set()
        self.record.stopping()
        command = self._command
        if command is not None:
            threading.Thread(target=command.stop, args=(grace_seconds,), daemon=True).start()

    def abandon(self) -> None:
        """The local cloud was reset: stop at once and record nothing more."""
        self._abandoned = True
        self._stop.set()
        command = self._command
        if command is not None:
            command.stop(grace_seconds=0.5)


def _image_uri(request: Mapping[str, Any]) -> str | None:
    specification = request.get("AppSpecification") or request.get("AlgorithmSpecification") or {}
    return specification.get("ImageUri") or specification.get("TrainingImage")


_JOBS: dict[tuple[str, str, str, str], Job] = {}
_JOBS_LOCK = threading.Lock()


# job kind ("ProcessingJob") -> what runs it; filled by the package (processing, training)
RUNNERS: dict[str, Callable[[], Runner]] = {}


def start(
    kind: str,
    account_id: str,
    region: str,
    request: Mapping[str, Any],
    stored: Mapping[str, Any],
    run: bool = True,
) -> Job:
    """Run the ``kind`` job (``ProcessingJob``, ``TrainingJob``) moto has just recorded from
    ``request``; ``stored`` are the request's members moto did not keep on the record. With
    ``run`` false (a journal replay) the record is made as the request made it, and the job is
    not run again."""
    runner = RUNNERS[kind]()
    job = Job(runner, account_id, region, request)
    job.record.created(dict(stored))
    if not run:
        return job
    with _JOBS_LOCK:
        _JOBS[(account_id, region, runner.kind.name, job.name)] = job
    threading.Thread(target=job.run, name=f"job-{job.name}", daemon=True).start()
    return job


def find(account_id: str, region: str, kind: str, name: str) -> Job | None:
    with _JOBS_LOCK:
        return _JOBS.get((account_id, region, kind, name))


def _forget(job: Job) -> None:
    with _JOBS_LOCK:
        key = (job.account_id, job.region, job.runner.kind.name, job.name)
        if _JOBS.get(key) is job:
            del _JOBS[key]


# job ARN -> the last error line its output ended with (the pipeline step's FailureReason)
_DIAGNOSES: collections.OrderedDict[str, str | None] = collections.OrderedDict()


def _remember(job: Job) -> None:
    with _JOBS_LOCK:
        _DIAGNOSES[job.arn] = job.last_error_line
        while len(_DIAGNOSES) > DIAGNOSES_KEPT:
            _DIAGNOSES.popitem(last=False)


def last_error_line(job_arn: str) -> str | None:
    """The last line that read like an error in a finished job's output, if any."""
    with _JOBS_LOCK:
        return _DIAGNOSES.get(job_arn)


def abandon_all() -> None:
    """Reset: every running job stops and records nothing more."""
    with _JOBS_LOCK:
        jobs = list(_JOBS.values())
        _DIAGNOSES.clear()
    for job in jobs:
        with contextlib.suppress(Exception):
            job.abandon()
