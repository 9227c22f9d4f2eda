"""Events as AWS documents them, for the rules that page on failures.

Shapes from the CodeBuild user guide's "Build notifications input format reference" and the
SageMaker developer guide's "Events that Amazon SageMaker AI sends to Amazon EventBridge" (see
/work/notes/codebuild.md §7, sagemaker-jobs.md §7, sagemaker-serving.md §8): envelope keys, the
detail's keys and their spelling (kebab-case for CodeBuild, camelCase for pipelines, PascalCase
for endpoints), statuses as the services write them.
"""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _envelope(source: str, detail_type: str, resources: list[str], detail: dict) -> dict:
    return {
        "version": "0",
        "id": "c3ba9b8c-51a5-4a37-8e4a-9e6d4f5c2f1e",
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": "2024-05-01T10:15:00Z",
        "region": REGION,
        "resources": resources,
        "detail": detail,
    }


def build_state_change(project: str, status: str, source_version: str | None) -> dict[str, Any]:
    build_id = f"arn:aws:codebuild:{REGION}:{ACCOUNT}:build/{project}:8745a7a9-c340-456a-9166"
    stream = "8745a7a9-c340-456a-9166"
    information: dict[str, Any] = {
        "artifact": {"location": ""},
        "environment": {
            "image": "aws/codebuild/standard:7.0",
            "privileged-mode": False,
            "compute-type": "BUILD_GENERAL1_SMALL",
            "type": "LINUX_CONTAINER",
            "environment-variables": [],
        },
        "timeout-in-minutes": 60,
        "build-complete": True,
        "initiator": "GitHub-Hookshot/044aadd",
        "build-start-time": "May 1, 2024 10:12:29 AM",
        "source": {"location": "https://github.com/acme/churn", "type": "GITHUB"},
        "logs": {
            "group-name": f"/aws/codebuild/{project}",
            "stream-name": stream,
            "deep-link": f"https://console.aws.amazon.com/cloudwatch/home?region={REGION}"
            f"#logEvent:group=/aws/codebuild/{project};stream={stream}",
        },
        "phases": [
            {
                "phase-context": ["COMMAND_EXECUTION_ERROR: Error while executing command: "
                                  "python -m pytest -q. Reason: exit status 1"],
                "start-time": "May 1, 2024 10:13:01 AM",
                "end-time": "May 1, 2024 10:14:55 AM",
                "duration-in-seconds": 114,
                "phase-type": "PRE_BUILD",
                "phase-status": status,
            },
            {"start-time": "May 1, 2024 10:15:00 AM", "phase-type": "COMPLETED"},
        ],
    }  # fmt: skip
    if source_version is not None:
        information["source-version"] = source_version
    return _envelope(
        "aws.codebuild",
        "CodeBuild Build State Change",
        [build_id],
        {
            "build-status": status,
            "project-name": project,
            "build-id": build_id,
            "additional-information": information,
            "current-phase": "COMPLETED",
            "current-phase-context": "[]",
            "version": "1",
        },
    )


def pipeline_execution_status_change(pipeline: str, status: str) -> dict[str, Any]:
    pipeline_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{pipeline}"
    execution_arn = f"{pipeline_arn}/execution/0kb1ar4dqvcz"
    return _envelope(
        "aws.sagemaker",
        "SageMaker Model Building Pipeline Execution Status Change",
        [pipeline_arn, execution_arn],
        {
            "pipelineExecutionDisplayName": "execution-1714558500000",
            "currentPipelineExecutionStatus": status,
            "previousPipelineExecutionStatus": "Executing",
            "executionStartTime": "2024-05-01T09:55:00Z",
            "executionEndTime": "2024-05-01T10:15:00Z",
            "pipelineExecutionDescription": "",
            "pipelineArn": pipeline_arn,
            "pipelineExecutionArn": execution_arn,
        },
    )


def endpoint_state_change(endpoint: str, status: str) -> dict[str, Any]:
    endpoint_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{endpoint}"
    return _envelope(
        "aws.sagemaker",
        "SageMaker Endpoint State Change",
        [endpoint_arn],
        {
            "EndpointName": endpoint,
            "EndpointArn": endpoint_arn,
            "EndpointConfigName": f"{endpoint}-v7",
            "ProductionVariants": [{"DesiredWeight": 1.0, "DesiredInstanceCount": 1}],
            "EndpointStatus": status,
            "CreationTime": 1714555000000.0,
            "LastModifiedTime": 1714558500000.0,
            "Tags": {},
        },
    )
