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
# CodeBuild assumes a build role for its project (aws:SourceArn), which the role's trust requires
BUILD_PROJECT = "arn:aws:codebuild:us-east-1:123456789012:project/sagestack-dev-churn-build"
DATA_BUCKET = "acme-training-data"


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
    build = client(
        "sagemaker",
        issue_role_credentials(
            build_role, "AWSCodeBuild-1", service=CODEBUILD, source_arn=BUILD_PROJECT
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


# A project's training data outside its own prefix (dataSources): readable by its pipeline and
# its build only when named, as on AWS, where the first step failed before the platform granted it.


def _role_clients(service_name: str) -> dict[str, object]:
    """``service_name`` clients signed as churn's pipeline (SageMaker) and build (CodeBuild)."""
    execution_role = _parameters("churn")[contract.Param.EXECUTION_ROLE_ARN]
    build_role = boto3.client("iam").get_role(RoleName="sagestack-dev-churn-build")["Role"]["Arn"]
    return {
        "pipeline": client(
            service_name, issue_role_credentials(execution_role, "SageMaker", service=SAGEMAKER)
        ),
        "build": client(
            service_name,
            issue_role_credentials(
                build_role, "AWSCodeBuild-1", service=CODEBUILD, source_arn=BUILD_PROJECT
            ),
        ),
    }


def test_a_projects_data_sources_are_read_by_its_pipeline_and_build_only_when_named(
    fresh_local_cloud, tmp_path, aws_error
):
    config = stack_config("dev")
    [churn] = [p for p in config["projects"] if p["name"] == "churn"]
    churn["dataSources"] = {"s3": [f"s3://{DATA_BUCKET}/churn/"]}
    deploy("dev", config, endpoint=fresh_local_cloud.url, state_dir=tmp_path)
    admin = boto3.client("s3")
    admin.create_bucket(Bucket=DATA_BUCKET)
    admin.put_object(Bucket=DATA_BUCKET, Key="churn/train.csv", Body=b"1,2")
    admin.put_object(Bucket=DATA_BUCKET, Key="payroll/salaries.csv", Body=b"3,4")

    for who, s3 in _role_clients("s3").items():
        body = s3.get_object(Bucket=DATA_BUCKET, Key="churn/train.csv")["Body"].read()
        assert body == b"1,2", who
        listed = s3.list_objects_v2(Bucket=DATA_BUCKET, Prefix="churn/")["Contents"]
        assert [o["Key"] for o in listed] == ["churn/train.csv"], who
        other = aws_error(
            lambda s3=s3: s3.get_object(Bucket=DATA_BUCKET, Key="payroll/salaries.csv")
        )
        assert other["Error"]["Code"] == "AccessDenied", who

    # the build finds where the project's feature group keeps its offline store
    [group] = json.loads(_parameters("churn")[contract.Param.FEATURE_GROUPS])
    described = _role_clients("sagemaker")["build"].describe_feature_group(FeatureGroupName=group)
    assert described["FeatureGroupName"] == group

    del churn["dataSources"]
    deploy("dev", config, endpoint=fresh_local_cloud.url, state_dir=tmp_path)
    for who, s3 in _role_clients("s3").items():
        denied = aws_error(lambda s3=s3: s3.get_object(Bucket=DATA_BUCKET, Key="churn/train.csv"))
        assert denied["Error"]["Code"] == "AccessDenied", who
