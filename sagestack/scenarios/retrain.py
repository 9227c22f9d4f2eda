"""Flow 5's far end: the project's training pipeline (as its CI upserts it) and its executions."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sagestack import contract
from sagestack.scenarios.project import Project


@dataclass(frozen=True)
class Execution:
    arn: str
    parameters: dict[str, str]


def training_pipeline_definition(project: Project) -> str:
    """A stand-in with the parameters every project's pipeline declares (the template's
    pipeline.py) and one Fail step that says it is a stand-in: the loop shows which executions
    the platform starts, not what they train (a generated project's push build upserts its real
    pipeline, which the local cloud runs: tests/e2e/test_push_builds.py)."""
    parameters = [
        {"Name": "InputDataUri", "Type": "String", "DefaultValue": project.s3_uri("data/")},
        {"Name": contract.PIPELINE_PARAM_TRIGGER, "Type": "String", "DefaultValue": "push"},
        {"Name": "GitCommit", "Type": "String", "DefaultValue": "unknown"},
    ]
    fail = {
        "Name": "StandIn",
        "Type": "Fail",
        "Arguments": {
            "ErrorMessage": "the demo's stand-in for the project's training pipeline: a push "
            "of the generated project upserts the real one"
        },
    }
    return json.dumps({"Version": "2020-12-01", "Parameters": parameters, "Steps": [fail]})


def upsert_training_pipeline(project: Project) -> str:
    """Create (or update) the pipeline named by the project's PIPELINE_NAME parameter with its
    execution role, as the project's build does; returns the pipeline's ARN."""
    sagemaker = project.client("sagemaker")
    request = {
        "PipelineName": project.pipeline_name,
        "RoleArn": project.execution_role_arn,
        "PipelineDefinition": training_pipeline_definition(project),
    }
    existing = sagemaker.list_pipelines(PipelineNamePrefix=project.pipeline_name)
    if any(p["PipelineName"] == project.pipeline_name for p in existing["PipelineSummaries"]):
        return sagemaker.update_pipeline(**request)["PipelineArn"]
    return sagemaker.create_pipeline(**request)["PipelineArn"]


def training_executions(project: Project) -> list[Execution]:
    """The training pipeline's executions with the parameters each was started with."""
    sagemaker = project.client("sagemaker")
    listed = sagemaker.list_pipeline_executions(PipelineName=project.pipeline_name)
    executions = []
    for summary in listed["PipelineExecutionSummaries"]:
        arn = summary["PipelineExecutionArn"]
        given = sagemaker.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)
        executions.append(
            Execution(arn, {p["Name"]: p["Value"] for p in given.get("PipelineParameters", [])})
        )
    return executions
