"""Helpers of the pipeline and job tests: wait for an execution or a job, read its steps and
its log."""

from __future__ import annotations

import time
from typing import Any

FINISHED = frozenset({"Succeeded", "Failed", "Stopped"})
JOB_FINISHED = frozenset({"Completed", "Failed", "Stopped"})


def wait_for_execution(sagemaker: Any, arn: str, timeout: float = 120.0) -> dict[str, Any]:
    """DescribePipelineExecution once the execution ended (Succeeded, Failed or Stopped)."""
    deadline = time.monotonic() + timeout
    while True:
        described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
        if described["PipelineExecutionStatus"] in FINISHED:
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{arn} still {described['PipelineExecutionStatus']}")
        time.sleep(0.1)


def wait_for_job(sagemaker: Any, kind: str, name: str, timeout: float = 60.0) -> dict[str, Any]:
    """Describe<kind> (``ProcessingJob``, ``TrainingJob``) once the job ended."""
    describe = {
        "ProcessingJob": sagemaker.describe_processing_job,
        "TrainingJob": sagemaker.describe_training_job,
    }[kind]
    deadline = time.monotonic() + timeout
    while True:
        described = describe(**{f"{kind}Name": name})
        if described[f"{kind}Status"] in JOB_FINISHED:
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{kind} {name} still {described[f'{kind}Status']}")
        time.sleep(0.05)


def steps_by_name(sagemaker: Any, arn: str) -> dict[str, dict[str, Any]]:
    listed = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=arn, MaxResults=100)
    return {step["StepName"]: step for step in listed["PipelineExecutionSteps"]}


def job_log(logs: Any, group: str, job_name: str) -> list[str]:
    """Every line of the job's log streams (``<job>/algo-1-<time>``)."""
    streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=f"{job_name}/")
    lines = []
    for stream in streams["logStreams"]:
        events = logs.get_log_events(
            logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True
        )
        lines += [event["message"] for event in events["events"]]
    return lines
