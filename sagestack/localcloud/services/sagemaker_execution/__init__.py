"""SageMaker execution: the jobs and pipeline executions the local cloud runs.

moto records SageMaker jobs and pipeline executions as already finished; this add-on hands them
to the executors instead (``executors/jobs``, ``executors/pipelines``) and keeps the operations
around them as SageMaker answers: CreateProcessingJob / CreateTrainingJob run the job,
Stop{Processing,Training}Job and StopPipelineExecution stop it (:mod:`.responses`);
CreatePipeline / UpdatePipeline validate the definition, StartPipelineExecution runs it and
DescribePipelineExecution / ListPipelineExecutions show how it went (:mod:`.pipeline_records`).
A reset of the local cloud abandons whatever is running.
"""

from __future__ import annotations

from sagestack.localcloud import moto as moto_internals


def install() -> None:
    from sagestack.localcloud.executors import jobs, pipelines

    from . import pipeline_records as records
    from .responses import SageMakerExecutionResponse

    moto_internals.extend_service("sagemaker", SageMakerExecutionResponse)
    for operation, wrapper in (
        ("create_pipeline", records.on_create_pipeline),
        ("update_pipeline", records.on_update_pipeline),
        ("start_pipeline_execution", records.on_start_pipeline_execution),
        ("describe_pipeline_execution", records.on_describe_pipeline_execution),
        ("list_pipeline_executions", records.on_list_pipeline_executions),
    ):
        moto_internals.wrap_backend_operation("sagemaker", operation, wrapper)
    # before the reset, so nothing running writes into the new state; after it, for work that
    # started in between
    for abandon_all in (pipelines.abandon_all, jobs.abandon_all):
        moto_internals.on_reset(abandon_all, before=True)
        moto_internals.on_reset(abandon_all)
