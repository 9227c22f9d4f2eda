"""Waiting for a SageMaker pipeline execution, as the loop's steps and their tests do."""

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
