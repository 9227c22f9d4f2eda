"""SageMaker's job and execution operations where the local cloud runs what moto only records.

Create{Processing,Training}Job still record the job in moto's backend (its validation, ARN and
List* operations stay moto's), then hand the request to the job executor, with what moto's
record drops (``Environment``, ``ProcessingResources``, the training job's own
``AlgorithmSpecification``: moto writes a fake metric definition into it). A job name already
taken is refused as AWS does. Stop* stop the running job; StopPipelineExecution stops an
execution (moto has neither StopTrainingJob nor StopPipelineExecution).
"""

from __future__ import annotations

import copy
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.durability import replaying
from sagestack.localcloud.executors import jobs, pipelines
from sagestack.localcloud.moto import ActionResult, EmptyResult
from sagestack.localcloud.moto import sagemaker as moto_sagemaker
from sagestack.localcloud.services.exceptions import (
    ResourceInUse,
    ResourceNotFound,
    ValidationException,
)

# request members moto's record does not keep, per job kind
_DROPPED = {
    "ProcessingJob": ("Environment", "ProcessingResources"),
    "TrainingJob": ("Environment", "AlgorithmSpecification", "RetryStrategy", "ProfilerConfig"),
}
_NOUNS = {"ProcessingJob": "processing job", "TrainingJob": "training job"}


class SageMakerExecutionResponse(moto_internals.moto_responses_class("sagemaker")):  # type: ignore[misc]
    def create_processing_job(self) -> ActionResult:
        return self._create_job("ProcessingJob", super().create_processing_job)

    def create_training_job(self) -> ActionResult:
        return self._create_job("TrainingJob", super().create_training_job)

    def stop_processing_job(self) -> ActionResult:
        return self._stop_job("ProcessingJob")

    def stop_training_job(self) -> ActionResult:
        return self._stop_job("TrainingJob")

    def stop_pipeline_execution(self) -> ActionResult:
        arn = self._get_param("PipelineExecutionArn")
        found = moto_sagemaker.execution_record(self.current_account, self.region, arn)
        if found is None:
            raise ResourceNotFound(f"Pipeline execution {arn} does not exist")
        run = pipelines.find(arn)
        status = found[1].pipeline_execution_status
        if run is None or status not in ("Executing", "Stopping"):
            raise ValidationException(
                f"Pipeline execution {arn} is {status}: only an Executing execution can be stopped"
            )
        run.stop()
        return ActionResult({"PipelineExecutionArn": arn})

    def _create_job(self, kind: str, create: Any) -> ActionResult:
        request = copy.deepcopy(self.params)
        name = request.get(f"{kind}Name")
        existing = moto_sagemaker.job_record(kind, self.current_account, self.region, name)
        if existing is not None:
            raise ResourceInUse(
                "Job name must be unique within an AWS account and region, and a job with this "
                f"name already exists ({existing.arn})"
            )
        result = create()
        stored = {field: request[field] for field in _DROPPED[kind] if field in request}
        # replaying the journal remakes the record; the job ran (or was cut short) before
        jobs.start(kind, self.current_account, self.region, request, stored, not replaying())
        return result

    def _stop_job(self, kind: str) -> ActionResult:
        name = self._get_param(f"{kind}Name")
        record = moto_sagemaker.job_record(kind, self.current_account, self.region, name)
        if record is None:
            arn = f"arn:aws:sagemaker:{self.region}:{self.current_account}:{_resource(kind)}/{name}"
            raise ValidationException(f"Could not find {_NOUNS[kind]} '{arn}'.")
        status = moto_sagemaker.describe_record(record)[f"{kind}Status"]
        job = jobs.find(self.current_account, self.region, kind, name)
        if status != "InProgress" or job is None:
            raise ValidationException(
                f"The request was rejected because the {_NOUNS[kind]} is in status {status}."
            )
        job.stop()
        return EmptyResult()


def _resource(kind: str) -> str:
    return {"ProcessingJob": "processing-job", "TrainingJob": "training-job"}[kind]
