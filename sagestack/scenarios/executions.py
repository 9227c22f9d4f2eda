"""Waiting for a SageMaker pipeline execution, and reading what its jobs printed, as the loop's
steps and their tests do."""

from __future__ import annotations

import time
from typing import Any

FINISHED = ("Succeeded", "Failed", "Stopped")
DEFAULT_TIMEOUT_SECONDS = 300


def wait_for_execution(
    sagemaker: Any, arn: str, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> dict[str, Any]:
    """DescribePipelineExecution once the execution ended; raises TimeoutError if it did not
    within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
        if described["PipelineExecutionStatus"] in FINISHED:
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{arn} is still {described['PipelineExecutionStatus']}")
        time.sleep(0.2)


def job_log_lines(logs: Any, group: str, job_name: str) -> list[str]:
    """What job ``job_name`` printed to CloudWatch Logs ``group`` (its streams are named after
    it), oldest first; none when the group does not exist yet."""
    try:
        streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=job_name)
    except logs.exceptions.ResourceNotFoundException:
        return []
    lines: list[str] = []
    for stream in streams["logStreams"]:
        events = logs.get_log_events(
            logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True
        )["events"]
        lines += [event["message"].rstrip("\n") for event in events]
    return lines
