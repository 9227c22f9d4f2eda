"""Steps act as roles: the pipeline's RoleArn for its own calls, each job's RoleArn for the job's
reads and writes; a grant a role lacks fails the step with AccessDenied, as on AWS."""

from __future__ import annotations

import json

import boto3
from pipeline_runs import SAGEMAKER_TRUST, python_step, s3_input

LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


def _role(name: str, statements: list[dict], trust: dict = SAGEMAKER_TRUST) -> str:
    iam = boto3.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    document = {"Version": "2012-10-17", "Statement": statements}
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(document))
    return arn


def _run_as(pipeline_role: str, world, name: str) -> tuple[dict, dict]:
    """A one-step pipeline whose own role is ``pipeline_role`` (its job's is the world's)."""
    steps = [python_step("Work", "print('work')", world.role)]
    world.sagemaker.create_pipeline(
        PipelineName=name,
        RoleArn=pipeline_role,
        PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": steps}),
    )
    return world.run(name)


def test_a_job_whose_role_may_not_read_its_input_fails_with_access_denied(world):
    bucket = f"arn:aws:s3:::{world.BUCKET}"
    reader = _role(
        "data-reader",
        [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket}/data/*"},
            {"Effect": "Allow", "Action": LOGS, "Resource": "*"},
        ],
    )
    pass_reader = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": reader}],
    }
    world.iam.put_role_policy(
        RoleName=world.ROLE_NAME, PolicyName="pass-reader", PolicyDocument=json.dumps(pass_reader)
    )
    world.put("secret/rows.csv", "1,2\n")
    step = python_step(
        "Read",
        "print('read')",
        reader,
        inputs=[s3_input("secret", world.uri("secret/"), "/opt/ml/processing/in")],
    )
    world.create_pipeline("denied", [step])
    described, ran = world.run("denied")
    assert described["PipelineExecutionStatus"] == "Failed"
    reason = ran["Read"]["FailureReason"]
    assert reason.startswith("ClientError: Failed to download data. AccessDenied (403)")
    assert world.uri("secret/rows.csv") in reason


def test_a_pipeline_whose_role_may_not_create_jobs_fails_the_step_with_access_denied(world):
    watcher = _role(
        "watcher",
        [
            {"Effect": "Allow", "Action": "sagemaker:DescribeProcessingJob", "Resource": "*"},
        ],
    )
    described, ran = _run_as(watcher, world, "unprivileged")
    assert described["PipelineExecutionStatus"] == "Failed"
    reason = ran["Work"]["FailureReason"]
    assert reason.startswith(
        "ClientError: Failed to invoke sagemaker:CreateProcessingJob. Error Details: User: "
        "arn:aws:sts::123456789012:assumed-role/watcher/"
    )
    assert "is not authorized to perform: sagemaker:CreateProcessingJob" in reason
    assert world.sagemaker.list_processing_jobs()["ProcessingJobSummaries"] == []


def test_a_role_sagemaker_may_not_assume_fails_the_execution_before_any_step(world):
    codebuild_only = {
        **SAGEMAKER_TRUST,
        "Statement": [
            {**SAGEMAKER_TRUST["Statement"][0], "Principal": {"Service": "codebuild.amazonaws.com"}}
        ],
    }
    builder = _role(
        "builder", [{"Effect": "Allow", "Action": LOGS, "Resource": "*"}], codebuild_only
    )
    described, ran = _run_as(builder, world, "untrusted")
    assert described["PipelineExecutionStatus"] == "Failed"
    assert described["FailureReason"] == (
        f"ClientError: SageMaker was unable to assume the role '{builder}'"
    )
    assert ran == {}
