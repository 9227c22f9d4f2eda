"""moto's pipeline operations, wrapped so that pipelines behave as SageMaker's do.

- CreatePipeline / UpdatePipeline refuse a definition the pipeline-definition validator
  (``sagestack_pipelines.validation``) refuses, with its messages, as SageMaker validates there;
  nothing is created or changed then.
- StartPipelineExecution checks the parameters against the definition (ValidationException) and
  hands the execution to the executor; the execution's times follow the local cloud's clock.
- DescribePipelineExecution answers the execution's FailureReason and evaluated
  PipelineExperimentConfig (moto answers an empty reason and config); ListPipelineExecutions
  leaves out a FailureReason the execution does not have (moto answers "None").
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sagestack.localcloud.durability import replaying
from sagestack.localcloud.executors import pipelines
from sagestack.localcloud.moto import sagemaker as moto_sagemaker
from sagestack.localcloud.services.exceptions import ValidationException
from sagestack_pipelines.validation.validator import validate_definition

MAX_PROBLEMS_SHOWN = 20


def _refuse_invalid(definition: str | None) -> None:
    if definition is None:
        return
    problems = validate_definition(definition)
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        listed = "; ".join(shown) + (f"; and {more} more" if more else "")
        raise ValidationException(f"Invalid pipeline definition: {listed}")


def on_create_pipeline(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    pipeline = original(*args, **kwargs)
    try:
        _refuse_invalid(pipeline.pipeline_definition)
    except ValidationException:
        moto_sagemaker.remove_pipeline(
            backend.account_id, backend.region_name, pipeline.pipeline_name
        )
        raise
    return pipeline


def on_update_pipeline(original: Any, backend: Any, pipeline_name: str, **kwargs: Any) -> Any:
    pipeline = moto_sagemaker.pipeline_record(
        backend.account_id, backend.region_name, pipeline_name
    )
    before = pipeline.pipeline_definition if pipeline is not None else None
    arn = original(pipeline_name, **kwargs)
    pipeline = moto_sagemaker.pipeline_record(
        backend.account_id, backend.region_name, pipeline_name
    )
    if pipeline.pipeline_definition != before:
        try:
            _refuse_invalid(pipeline.pipeline_definition)
        except ValidationException:
            pipeline.pipeline_definition = before
            raise
    return arn


_START_ARGUMENTS = (
    "pipeline_name",
    "pipeline_execution_display_name",
    "pipeline_parameters",
    "pipeline_execution_description",
    "parallelism_configuration",
    "client_request_token",
)


def on_start_pipeline_execution(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    request = {**dict(zip(_START_ARGUMENTS, args, strict=False)), **kwargs}
    pipeline = moto_sagemaker.pipeline_record(
        backend.account_id, backend.region_name, request["pipeline_name"]
    )
    if pipeline is not None:
        try:
            pipelines.typed_parameters(
                pipeline.pipeline_definition, request.get("pipeline_parameters")
            )
        except pipelines.ParameterError as error:
            raise ValidationException(str(error)) from error
    now = moto_sagemaker.now()
    if not request.get("pipeline_execution_display_name"):
        # SageMaker's default display name
        request["pipeline_execution_display_name"] = f"execution-{_millis(now)}"
    answer = original(**request)
    found = moto_sagemaker.execution_record(
        backend.account_id, backend.region_name, answer["PipelineExecutionArn"]
    )
    assert found is not None
    pipeline, execution = found
    moto_sagemaker.update_record(
        execution, {"CreationTime": now, "StartTime": now, "LastModifiedTime": now}
    )
    pipeline.last_execution_time = now
    # replaying the journal remakes the record; the execution ran (or was cut short) before
    pipelines.start(backend.account_id, backend.region_name, pipeline, execution, not replaying())
    return answer


def on_describe_pipeline_execution(original: Any, backend: Any, arn: str) -> dict[str, Any]:
    answer = dict(original(arn))
    found = moto_sagemaker.execution_record(backend.account_id, backend.region_name, arn)
    if found is not None:
        pipeline, execution = found
        answer["FailureReason"] = execution.pipeline_execution_failure_reason
        answer["PipelineExperimentConfig"] = pipelines.experiment_config(
            backend.account_id, backend.region_name, pipeline, execution
        )
        answer["RoleArn"] = pipeline.role_arn
    return {key: value for key, value in answer.items() if value is not None}


def on_list_pipeline_executions(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    answer = original(*args, **kwargs)
    for summary in answer.get("PipelineExecutionSummaries", []):
        if summary.get("PipelineExecutionFailureReason") in ("None", "", None):
            summary.pop("PipelineExecutionFailureReason", None)
    return answer


def _millis(moment: Any) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp() * 1000)
