"""What an execution shows while it runs: its record (DescribePipelineExecution,
ListPipelineExecutions), its steps (ListPipelineExecutionSteps) and the status change events.

Events: "SageMaker Model Building Pipeline Execution Status Change" and "... Execution Step
Status Change" with AWS's detail keys; inside a step event the metadata's keys are camelCase
(``{"processingJob": {"arn": ...}}``) where the API's are PascalCase.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.executors import events
from sagestack.localcloud.moto import sagemaker as moto_sagemaker

SOURCE = "aws.sagemaker"
EXECUTION_EVENT = "SageMaker Model Building Pipeline Execution Status Change"
STEP_EVENT = "SageMaker Model Building Pipeline Execution Step Status Change"
STEP_FAILURE = "Step failure: One or multiple steps failed."


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ExecutionRecord:
    """One execution's record in moto's backend and its steps in the extras backend."""

    def __init__(self, account_id: str, region: str, pipeline: Any, execution: Any):
        self.account_id, self.region = account_id, region
        self.pipeline, self.execution = pipeline, execution
        self.pipeline_arn: str = pipeline.arn
        self.arn: str = execution.arn
        self._lock = threading.Lock()
        self._steps: dict[str, dict[str, Any]] = {}
        self.abandoned = False

    @property
    def status(self) -> str:
        return self.execution.pipeline_execution_status

    def set_status(self, status: str, failure_reason: str | None = None) -> None:
        if self.abandoned:
            return
        previous = self.status
        moto_sagemaker.update_record(
            self.execution,
            {
                "PipelineExecutionStatus": status,
                "PipelineExecutionFailureReason": failure_reason,
                "LastModifiedTime": moto_sagemaker.now(),
            },
        )
        ended = status in ("Succeeded", "Failed", "Stopped")
        detail = {
            "pipelineExecutionDisplayName": self.execution.pipeline_execution_display_name,
            "currentPipelineExecutionStatus": status,
            "previousPipelineExecutionStatus": previous,
            "executionStartTime": iso(self.execution.start_time),
            "executionEndTime": iso(moto_sagemaker.now()) if ended else None,
            "pipelineExecutionDescription": self.execution.pipeline_execution_description,
            "pipelineArn": self.pipeline_arn,
            "pipelineExecutionArn": self.arn,
        }
        if failure_reason:
            detail["failureReason"] = failure_reason
        self._publish(EXECUTION_EVENT, detail)

    def step(self, name: str, step_type: str, status: str, **fields: Any) -> dict[str, Any]:
        """Record a step's new status (fields: StartTime, FailureReason, Metadata, ...)."""
        with self._lock:
            previous = self._steps.get(name, {})
            entry = {**previous, **fields, "StepName": name, "StepStatus": status}
            entry = {key: value for key, value in entry.items() if value is not None}
            self._steps[name] = entry
        if self.abandoned:
            return entry
        extras = moto_internals.backend("sagemaker-extras", self.account_id, self.region)
        try:
            extras.record_pipeline_execution_step(self.arn, dict(entry))
        except moto_internals.ServiceException:  # reset under the execution: nothing to record
            return entry
        self._publish(STEP_EVENT, _step_detail(entry, step_type, previous, self))
        return entry

    def _publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        events.put_event(
            self.account_id,
            self.region,
            SOURCE,
            detail_type,
            {key: value for key, value in detail.items() if value is not None},
            resources=[self.pipeline_arn, self.arn],
        )


def _step_detail(
    entry: dict[str, Any], step_type: str, previous: dict[str, Any], record: ExecutionRecord
) -> dict[str, Any]:
    detail = {
        "metadata": _camel(entry.get("Metadata") or {}),
        "stepStartTime": iso(entry.get("StartTime")),
        "stepEndTime": iso(entry.get("EndTime")),
        "stepName": entry["StepName"],
        "stepType": step_type,
        "previousStepStatus": previous.get("StepStatus"),
        "currentStepStatus": entry["StepStatus"],
        "pipelineArn": record.pipeline_arn,
        "pipelineExecutionArn": record.arn,
    }
    source = (entry.get("CacheHitResult") or {}).get("SourcePipelineExecutionArn")
    if source:
        detail["cacheHitResult"] = {"sourcePipelineExecutionArn": source}
    if entry["StepStatus"] == "Failed" and entry.get("FailureReason"):
        detail["failureReason"] = entry["FailureReason"]
    return detail


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: _camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_camel(item) for item in value]
    return value
