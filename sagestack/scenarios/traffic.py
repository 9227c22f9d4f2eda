"""Requests to a project's endpoint through sagemaker-runtime, as its callers send them: CSV
rows without a header, many rows per request (the endpoint captures each request whole, and the
drift monitor counts its rows)."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from sagestack import contract
from sagestack.scenarios.project import Project

ROWS_PER_REQUEST = 100
CAPTURE_TIMEOUT_SECONDS = 30


def endpoint_status(project: Project) -> dict[str, Any]:
    return project.client("sagemaker").describe_endpoint(EndpointName=project.endpoint_name)


def invoke(project: Project, rows: pd.DataFrame) -> str:
    """One InvokeEndpoint with ``rows`` as CSV; the model's answer."""
    answer = project.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=project.endpoint_name,
        ContentType="text/csv",
        Accept="text/csv",
        Body=rows.to_csv(header=False, index=False).encode(),
    )
    return answer["Body"].read().decode()


def send(project: Project, rows: pd.DataFrame, per_request: int = ROWS_PER_REQUEST) -> int:
    """``rows`` in requests of ``per_request`` rows, then wait until the endpoint's data capture
    delivered them (SageMaker writes capture files a while after the requests, so a monitor
    run right after them would miss some); returns how many requests were sent."""
    before = captured_records(project)
    requests = 0
    for start in range(0, len(rows), per_request):
        invoke(project, rows.iloc[start : start + per_request])
        requests += 1
    deadline = time.monotonic() + CAPTURE_TIMEOUT_SECONDS
    while captured_records(project) < before + requests:
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{project.endpoint_name} captured {captured_records(project) - before} of "
                f"{requests} requests within {CAPTURE_TIMEOUT_SECONDS} s"
            )
        time.sleep(0.2)
    return requests


def captured_records(project: Project) -> int:
    """Capture records the endpoint has written so far (one line per request)."""
    s3 = project.client("s3")
    prefix = f"{contract.data_capture_prefix(project.name)}/{project.endpoint_name}/"
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=project.bucket, Prefix=prefix)
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    return sum(
        s3.get_object(Bucket=project.bucket, Key=key)["Body"].read().count(b"\n") for key in keys
    )
