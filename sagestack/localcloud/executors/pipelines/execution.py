"""One pipeline execution: walk the definition's graph, independent steps in parallel.

A step starts once it is active (a top-level step always; a branch step once its condition
chose that branch) and every step it waits for ended as its dependency asks (succeeded, unless
``DependsOn`` names another trigger). Up to ``ParallelismConfiguration.MaxParallelExecutionSteps``
steps run at once. After a step fails (or a stop is asked) no new step starts, except those
waiting for that very outcome; the running ones end; the execution is ``Failed`` with
SageMaker's "Step failure" reason (or ``Stopped``). The pipeline's own calls are made as the
pipeline's RoleArn, through the local cloud's API.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import Any

from sagestack.localcloud.executors import roles, runtime
from sagestack.localcloud.executors.pipelines import cache, retry
from sagestack.localcloud.executors.pipelines.control_steps import (
    run_condition_step,
    run_fail_step,
    run_unsupported_step,
)
from sagestack.localcloud.executors.pipelines.definition import Definition, Step
from sagestack.localcloud.executors.pipelines.expressions import (
    ExpressionError,
    Scope,
    evaluate,
    navigate,
)
from sagestack.localcloud.executors.pipelines.job_steps import JOB_KINDS, run_job_step
from sagestack.localcloud.executors.pipelines.model_steps import (
    run_model_step,
    run_register_model_step,
)
from sagestack.localcloud.executors.pipelines.outcome import (
    CALL_ERRORS,
    StepFailed,
    StepOutcome,
    StepStopped,
)
from sagestack.localcloud.executors.pipelines.records import STEP_FAILURE, ExecutionRecord
from sagestack.localcloud.moto import sagemaker as moto_sagemaker

log = logging.getLogger(__name__)

DEFAULT_PARALLELISM = 50
RUNNERS: dict[str, Callable[[Any], StepOutcome]] = {
    **{step_type: run_job_step for step_type in JOB_KINDS},
    "Model": run_model_step,
    "RegisterModel": run_register_model_step,
    "Condition": run_condition_step,
    "Fail": run_fail_step,
}
CACHED_TYPES = frozenset({*JOB_KINDS, "Model", "RegisterModel"})


def timestamp(moment: datetime) -> str:
    """How ``Execution.StartDateTime`` reads: ISO 8601, UTC, milliseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class ExecutionRun:
    def __init__(self, record: ExecutionRecord, definition: Definition, parameters: dict):
        self.record, self.definition, self.parameters = record, definition, parameters
        self.execution_id = record.arn.rsplit("/", 1)[-1]
        self.role: roles.RoleSession | None = None
        self.statuses: dict[str, str] = {}
        self.properties: dict[str, dict[str, Any]] = {}
        self._started: set[str] = set()
        self._cache_keys: dict[str, str] = {}
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self.failed = False
        self.done = threading.Event()

    # --- the walk ---

    def run(self) -> None:
        try:
            self.role = roles.assume(
                self.record.pipeline.role_arn,
                f"SageMaker-{self.execution_id}",
                self.record.account_id,
                self.record.region,
                self.record.arn,
            )
            self._walk()
            status, reason = self._final_status()
        except roles.RoleUnavailableError as error:
            status, reason = "Failed", error.message
        except runtime.NotRunningError:  # the local cloud stopped under the execution
            status, reason = "Failed", "InternalServerError: We encountered an internal error."
        except Exception:
            log.exception("pipeline execution %s failed in the local cloud", self.record.arn)
            status, reason = "Failed", "InternalServerError: We encountered an internal error."
        self.record.set_status(status, reason)
        self.done.set()

    def _walk(self) -> None:
        workers = self._parallelism()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pipeline-step") as pool:
            running: dict[Future, Step] = {}
            while True:
                for step in self._ready():
                    self._started.add(step.name)
                    running[pool.submit(self._run_step, step)] = step
                if not running:
                    return
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    step = running.pop(future)
                    if future.exception() is not None:  # _run_step records its own failures
                        log.error("step %s: %s", step.name, future.exception())
                        self._finish(
                            step, StepOutcome("Failed", failure_reason=str(future.exception()))
                        )

    def _parallelism(self) -> int:
        configured = self.record.execution.parallelism_configuration or {}
        return int(configured.get("MaxParallelExecutionSteps") or DEFAULT_PARALLELISM)

    def _ready(self) -> list[Step]:
        with self._lock:
            return [
                step
                for step in self.definition.steps.values()
                if step.name not in self._started and self._may_start(step)
            ]

    def _may_start(self, step: Step) -> bool:
        if step.branch is not None:
            outcome = self.properties.get(step.branch.condition, {}).get("Outcome")
            if (
                self.statuses.get(step.branch.condition) != "Succeeded"
                or outcome is not step.branch.outcome
            ):
                return False
        for dependency in step.dependencies:
            if self.statuses.get(dependency.step) not in dependency.statuses:
                return False
        if self.stopping.is_set():
            return False
        # after a failure only the steps that wait for a failure (DependsOn triggers) start
        return not self.failed or any(not d.on_success for d in step.dependencies)

    def _final_status(self) -> tuple[str, str | None]:
        if self.stopping.is_set():
            return "Stopped", None
        if self.failed:
            return "Failed", STEP_FAILURE
        return "Succeeded", None

    # --- one step ---

    def _run_step(self, step: Step) -> None:
        started = moto_sagemaker.now()
        self.record.step(
            step.name,
            step.type,
            "Starting",
            StartTime=started,
            AttemptCount=1,
            StepDisplayName=step.display_name,
            StepDescription=step.description,
        )
        hit = self._cache_hit(step)
        if hit is not None:
            self._finish(step, hit)
            return
        self.record.step(step.name, step.type, "Executing")
        self._finish(step, self._attempts(step))

    def _attempts(self, step: Step) -> StepOutcome:
        retries, attempt = retry.Retries(step.body.get("RetryPolicies")), 1
        runner = RUNNERS.get(step.type, run_unsupported_step)
        while True:
            try:
                return runner(StepRun(self, step))
            except StepStopped as stopped:
                return StepOutcome("Stopped", metadata=stopped.metadata)
            except StepFailed as failure:
                pause = (
                    None
                    if self.stopping.is_set()
                    else retries.wait_before_retry(failure.exception_type)
                )
                if pause is None:
                    return StepOutcome(
                        "Failed",
                        metadata=failure.metadata,
                        failure_reason=self._reason(step, failure, retries),
                    )
                attempt += 1
                self.record.step(
                    step.name,
                    step.type,
                    "Executing",
                    AttemptCount=attempt,
                    Metadata=failure.metadata,
                )
                if self.stopping.wait(pause):
                    return StepOutcome("Stopped", metadata=failure.metadata)

    def _reason(self, step: Step, failure: StepFailed, retries: retry.Retries) -> str:
        if failure.exception_type is None or retries.policy_for(failure.exception_type):
            return failure.reason
        return retry.not_retried(failure.reason, self.record.arn, step.name, failure.exception_type)

    def _finish(self, step: Step, outcome: StepOutcome) -> None:
        fields: dict[str, Any] = {
            "EndTime": moto_sagemaker.now(),
            "Metadata": outcome.metadata,
            "FailureReason": outcome.failure_reason,
        }
        if outcome.status == "Succeeded" and step.name in self._cache_keys:
            self._store_in_cache(step, outcome)
        self.record.step(step.name, step.type, outcome.status, **fields)
        with self._lock:
            if outcome.properties is not None:
                self.properties[step.name] = outcome.properties
            self.statuses[step.name] = outcome.status
            if outcome.status == "Failed":
                self.failed = True

    # --- caching ---

    def _cache_hit(self, step: Step) -> StepOutcome | None:
        try:
            expire_after = cache.expiry(step.body.get("CacheConfig"))
        except ValueError as error:
            return StepOutcome("Failed", failure_reason=str(error))
        if expire_after is None or step.type not in CACHED_TYPES:
            return None
        try:
            arguments = evaluate(
                step.arguments, self.scope({"ProcessingJobName": "", "TrainingJobName": ""})
            )
        except ExpressionError:
            return None  # the step itself reports it
        key = self._cache_keys[step.name] = cache.key(step.type, arguments)
        entry = cache.CACHE.find(
            self.record.pipeline_arn, step.name, key, moto_sagemaker.now(), expire_after
        )
        if entry is None:
            return None
        self.record.step(
            step.name,
            step.type,
            "Executing",
            CacheHitResult={"SourcePipelineExecutionArn": entry.source_execution_arn},
        )
        return StepOutcome("Succeeded", properties=entry.properties, metadata=entry.metadata)

    def _store_in_cache(self, step: Step, outcome: StepOutcome) -> None:
        entry = cache.Entry(
            self.record.arn, moto_sagemaker.now(), outcome.properties or {}, outcome.metadata
        )
        cache.CACHE.store(self.record.pipeline_arn, step.name, self._cache_keys[step.name], entry)

    # --- what steps read ---

    def scope(self, job_variables: dict[str, str] | None = None) -> Scope:
        pipeline = self.record.pipeline
        execution = {
            "PipelineExecutionId": self.execution_id,
            "PipelineExecutionArn": self.record.arn,
            "PipelineName": pipeline.pipeline_name,
            "PipelineArn": pipeline.arn,
            "StartDateTime": timestamp(self.record.execution.start_time),
            "CurrentDateTime": lambda: timestamp(moto_sagemaker.now()),
        }
        return Scope(
            parameters=self.parameters,
            execution=execution,
            step_properties=self.properties.get,
            property_file_uri=self._property_file_uri,
            read_json=self._read_json,
            job_variables=dict(job_variables or {}),
        )

    def _property_file_uri(self, step_name: str, file_name: str) -> str:
        step = self.definition.steps[step_name]
        declared = step.property_file(file_name)
        if declared is None:
            raise ExpressionError(f"step {step_name} has no property file {file_name}")
        output = navigate(
            self.properties[step_name],
            f".ProcessingOutputConfig.Outputs['{declared['OutputName']}'].S3Output.S3Uri",
            f"Steps.{step_name}.PropertyFiles.{file_name}",
        )
        return f"{output.rstrip('/')}/{declared['FilePath']}"

    def _read_json(self, uri: str) -> Any:
        assert self.role is not None
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        try:
            body = self.role.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        except CALL_ERRORS as error:
            raise ExpressionError(
                f"Received an error while reading file {uri} from S3: {error}"
            ) from error
        try:
            return json.loads(body)
        except ValueError as error:
            raise ExpressionError(
                f"Contents of file {uri} are not in valid JSON format."
            ) from error

    # --- from outside ---

    def stop(self) -> None:
        if not self.stopping.is_set():
            self.stopping.set()
            self.record.set_status("Stopping")


class StepRun:
    """What a step runner sees of its execution (:class:`.outcome.StepContext`)."""

    def __init__(self, execution: ExecutionRun, step: Step):
        self._execution = execution
        self.step = step
        self.execution_arn = execution.record.arn
        self.execution_id = execution.execution_id

    def scope(self, job_variables: dict[str, str] | None = None) -> Scope:
        return self._execution.scope(job_variables)

    def evaluate(self, value: Any, job_variables: dict[str, str] | None = None) -> Any:
        try:
            return evaluate(value, self.scope(job_variables))
        except ExpressionError as error:
            raise StepFailed(str(error)) from error

    def client(self, service: str) -> Any:
        assert self._execution.role is not None
        return self._execution.role.client(service)

    def executing(self, metadata: dict[str, Any]) -> None:
        self._execution.record.step(self.step.name, self.step.type, "Executing", Metadata=metadata)

    def stop_requested(self) -> bool:
        return self._execution.stopping.is_set()

    def wait(self, seconds: float) -> bool:
        return self._execution.stopping.wait(seconds)
