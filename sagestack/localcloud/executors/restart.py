"""After a restart from a state folder: builds, jobs and executions the previous process was
running are over. Their records (from the snapshot, or remade by the journal's replay) still say
InProgress or Executing; nothing runs them any more, so they are marked Failed with SageMaker's
internal-error wording instead of waiting forever."""

from __future__ import annotations

from sagestack.localcloud.executors import builds
from sagestack.localcloud.moto import sagemaker as moto_sagemaker

JOB_REASON = "InternalServerError: the local cloud stopped while the job ran"
EXECUTION_REASON = "InternalServerError: the local cloud stopped while the execution ran"
BUILD_REASON = "the local cloud stopped while the build ran"
_RUNNING_JOB = ("InProgress", "Stopping")
_KINDS = ("ProcessingJob", "TrainingJob")  # what the jobs executor runs
_RUNNING_EXECUTION = ("Executing", "Stopping")


def fail_interrupted() -> int:
    """Mark every build, job and execution left running failed; returns how many there were."""
    now = moto_sagemaker.now()
    failed = builds.fail_interrupted(BUILD_REASON)
    for kind, record in moto_sagemaker.job_records():
        if kind not in _KINDS:
            continue
        status_field = f"{kind}Status"
        if moto_sagemaker.describe_record(record).get(status_field) in _RUNNING_JOB:
            moto_sagemaker.update_record(
                record,
                {status_field: "Failed", "FailureReason": JOB_REASON, "LastModifiedTime": now},
            )
            failed += 1
    for _account, _region, pipeline in moto_sagemaker.pipeline_records():
        for execution in moto_sagemaker.execution_records(pipeline):
            if execution.pipeline_execution_status in _RUNNING_EXECUTION:
                moto_sagemaker.update_record(
                    execution,
                    {
                        "PipelineExecutionStatus": "Failed",
                        "PipelineExecutionFailureReason": EXECUTION_REASON,
                        "LastModifiedTime": now,
                    },
                )
                failed += 1
    return failed
