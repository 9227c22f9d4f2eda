"""Processing, Training and Transform steps: create the job as the pipeline's role, wait for it
through the API, and take its Describe response as the step's properties.

The job's name is ``pipelines-<execution id>-<step>-<10 random characters>`` (SageMaker's form,
the step's part shortened to fit the 63 characters a job name may have). A job that ends
``Failed`` fails the step with the job's FailureReason (and, when the container's output ended
with a Python error, that line); a job stopped by its own runtime limit fails it too; stopping
the execution stops the job.
"""

from __future__ import annotations

import contextlib
import random
import re
import string
from dataclasses import dataclass
from typing import Any

from sagestack.localcloud.executors.jobs import last_error_line
from sagestack.localcloud.executors.pipelines import retry
from sagestack.localcloud.executors.pipelines.outcome import (
    CALL_ERRORS,
    StepContext,
    StepFailed,
    StepOutcome,
    StepStopped,
    invoke_failed,
    request,
)

MAX_JOB_NAME = 63
POLL_START_SECONDS = 0.05
POLL_MAX_SECONDS = 0.5
_NOT_NAME = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class JobKind:
    noun: str  # "ProcessingJob"
    operation: str  # "CreateProcessingJob"

    @property
    def name_field(self) -> str:
        return f"{self.noun}Name"

    @property
    def status_field(self) -> str:
        return f"{self.noun}Status"

    def call(self, client: Any, verb: str, **arguments: Any) -> Any:
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", f"{verb}{self.noun}").lower()
        return getattr(client, snake)(**arguments)


JOB_KINDS = {
    "Processing": JobKind("ProcessingJob", "CreateProcessingJob"),
    "Training": JobKind("TrainingJob", "CreateTrainingJob"),
    "Transform": JobKind("TransformJob", "CreateTransformJob"),
}


def job_name(execution_id: str, step_name: str) -> str:
    suffix = "".join(random.choices(string.ascii_letters + string.digits, k=10))
    room = MAX_JOB_NAME - len(f"pipelines-{execution_id}--{suffix}")
    step = _NOT_NAME.sub("-", step_name).strip("-")[:room].strip("-") or "step"
    return f"pipelines-{execution_id}-{step}-{suffix}"


def run_job_step(context: StepContext) -> StepOutcome:
    kind = JOB_KINDS[context.step.type]
    name = job_name(context.execution_id, context.step.name)
    arguments = request(context, {kind.name_field: name})
    sagemaker = context.client("sagemaker")
    try:
        created = kind.call(sagemaker, "Create", **{kind.name_field: name, **arguments})
    except (*CALL_ERRORS, ValueError) as error:
        raise invoke_failed(kind.operation, error) from error
    metadata = {kind.noun: {"Arn": created[f"{kind.noun}Arn"]}}
    context.executing(metadata)
    description = _wait(context, kind, name, metadata)
    status = description[kind.status_field]
    if status == "Completed":
        return StepOutcome("Succeeded", properties=description, metadata=metadata)
    if status == "Stopped" and context.stop_requested():
        raise StepStopped(metadata)
    raise StepFailed(_failure(kind, description), _exception_type(description), metadata)


def _wait(context: StepContext, kind: JobKind, name: str, metadata: dict) -> dict[str, Any]:
    sagemaker, pause, stopping = context.client("sagemaker"), POLL_START_SECONDS, False
    while True:
        try:
            description = kind.call(sagemaker, "Describe", **{kind.name_field: name})
        except CALL_ERRORS as error:
            raise invoke_failed(f"Describe{kind.noun}", error) from error
        if description[kind.status_field] in ("Completed", "Failed", "Stopped"):
            return description
        if context.wait(pause) and not stopping:
            stopping = True
            _stop(sagemaker, kind, name)
        pause = min(pause * 1.5, POLL_MAX_SECONDS)


def _stop(sagemaker: Any, kind: JobKind, name: str) -> None:
    with contextlib.suppress(CALL_ERRORS):  # it ended meanwhile: the next Describe says how
        kind.call(sagemaker, "Stop", **{kind.name_field: name})


def _failure(kind: JobKind, description: dict[str, Any]) -> str:
    name = description[kind.name_field]
    if description[kind.status_field] == "Stopped":
        limit = (description.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
        return (
            f"{kind.noun} {name} was stopped: it ran longer than its StoppingCondition "
            f"(MaxRuntimeInSeconds {limit})"
        )
    reason = description.get("FailureReason") or f"{kind.noun} {name} failed"
    line = last_error_line(description.get(f"{kind.noun}Arn", ""))
    if line and line not in reason:
        reason = f"{reason}\n{line}"
    return reason


def _exception_type(description: dict[str, Any]) -> str | None:
    reason = description.get("FailureReason") or ""
    if reason.startswith("InternalServerError"):
        return retry.JOB_INTERNAL_ERROR
    if reason.startswith("CapacityError"):
        return retry.CAPACITY_ERROR
    return None
