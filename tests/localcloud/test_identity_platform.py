"""The platform's own roles, deployed by the applier and enforced by the local cloud: a project's
execution role reads its own artifact prefix only, its build role starts its own pipeline only."""

from __future__ import annotations

import json

import boto3
import pytest
from identity_helpers import client

from sagestack import contract
from sagestack.deploy import deploy, stack_config
from sagestack.localcloud.identity import issue_role_credentials

pytestmark = pytest.mark.slow

SAGEMAKER = "sagemaker.amazonaws.com"
CODEBUILD = "codebuild.amazonaws.com"


def _parameters(project: str) -> dict[str, str]:
    path = contract.parameter_path("dev", project)
    pages = boto3.client("ssm").get_paginator("get_parameters_by_path").paginate(Path=path)
    return {p["Name"].removeprefix(path): p["Value"] for page in pages for p in page["Parameters"]}


def _minimal_pipeline(name: str, role_arn: str) -> None:
    # CreatePipeline refuses a definition without steps, as SageMaker does
    stop = {"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "nothing to run"}}
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": [stop]}
    boto3.client("sagemaker").create_pipeline(
        PipelineName=name, PipelineDefinition=json.dumps(definition), RoleArn=role_arn
    )


def test_platform_roles_reach_their_own_project_only(fresh_local_cloud, tmp_path, aws_error):
    deploy("dev", stack_config("dev"), endpoint=fresh_local_cloud.url, state_dir=tmp_path)
    churn = _parameters("churn")
    bucket, prefix = churn[contract.Param.ARTIFACT_BUCKET], churn[contract.Param.ARTIFACT_PREFIX]
    admin_s3 = boto3.client("s3")
    admin_s3.put_object(Bucket=bucket, Key=f"{prefix}/data/train.csv", Body=b"1,2")
    admin_s3.put_object(Bucket=bucket, Key="projects/fraud/data/train.csv", Body=b"3,4")

    execution = issue_role_credentials(
        churn[contract.Param.EXECUTION_ROLE_ARN], "SageMaker", service=SAGEMAKER
    )
    s3 = client("s3", execution)
    # the object is SSE-KMS with the platform key: S3 decrypts it for the role, as the key allows
    assert s3.get_object(Bucket=bucket, Key=f"{prefix}/data/train.csv")["Body"].read() == b"1,2"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/")["Contents"]
    assert [o["Key"] for o in listed] == [f"{prefix}/data/train.csv"]
    other = aws_error(lambda: s3.get_object(Bucket=bucket, Key="projects/fraud/data/train.csv"))
    assert other["Error"]["Code"] == "AccessDenied"
    assert f'"arn:aws:s3:::{bucket}/projects/fraud/data/train.csv"' in other["Error"]["Message"]
    assert aws_error(lambda: s3.list_objects_v2(Bucket=bucket, Prefix="projects/"))

    pipeline = churn[contract.Param.PIPELINE_NAME]
    _minimal_pipeline(pipeline, churn[contract.Param.EXECUTION_ROLE_ARN])
    _minimal_pipeline("sagestack-dev-fraud-train", churn[contract.Param.EXECUTION_ROLE_ARN])
    build_role = boto3.client("iam").get_role(RoleName="sagestack-dev-churn-build")["Role"]["Arn"]
    # as CodeBuild assumes it: for the build project (aws:SourceArn), which the trust requires
    build_project = "arn:aws:codebuild:us-east-1:123456789012:project/sagestack-dev-churn-build"
    build = client(
        "sagemaker",
        issue_role_credentials(
            build_role, "AWSCodeBuild-1", service=CODEBUILD, source_arn=build_project
        ),
    )

    assert build.start_pipeline_execution(PipelineName=pipeline)["PipelineExecutionArn"]
    denied = aws_error(
        lambda: build.start_pipeline_execution(PipelineName="sagestack-dev-fraud-train")
    )
    assert denied["Error"]["Code"] == "AccessDeniedException"
    assert (
        "sagemaker:StartPipelineExecution on resource: "
        "arn:aws:sagemaker:us-east-1:123456789012:pipeline/sagestack-dev-fraud-train because"
    ) in denied["Error"]["Message"]
