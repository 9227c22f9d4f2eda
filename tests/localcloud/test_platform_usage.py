"""After a local deploy of the dev stack, a project finds everything through its SSM parameters
and uses each resource through boto3, as a generated project does."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import boto3
import pytest
from aws_events import build_state_change, pipeline_execution_status_change

from sagestack import contract
from sagestack.clients import AwsClients
from sagestack.deploy import deploy, stack_config
from sagestack.localcloud.testing.fixtures import ENDPOINT_ENV
from sagestack.localcloud.testing.models import SKLEARN_IMAGE
from sagestack.localcloud.testing.receiver import SnsReceiver
from sagestack.scenarios.oncall import subscribe_receiver
from sagestack.scenarios.project import find_project

# One deploy serves every test here: the group keeps them together on one xdist worker, so no
# other test resets the cloud in between.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("platform-usage")]
STACK, PROJECT = "dev", "churn"


@pytest.fixture(scope="module")
def parameters(local_cloud, tmp_path_factory) -> Iterator[dict[str, str]]:
    local_cloud.reset()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENDPOINT_ENV, local_cloud.url)
        state_dir = tmp_path_factory.mktemp("deploy-state")
        deploy(STACK, stack_config(STACK), endpoint=local_cloud.url, state_dir=state_dir)
        path = contract.parameter_path(STACK, PROJECT)
        pages = boto3.client("ssm").get_paginator("get_parameters_by_path").paginate(Path=path)
        yield {
            p["Name"].removeprefix(path): p["Value"] for page in pages for p in page["Parameters"]
        }


def test_project_writes_under_its_prefix_encrypted_with_the_platform_key(parameters):
    s3 = boto3.client("s3")
    bucket = parameters[contract.Param.ARTIFACT_BUCKET]
    key = f"{parameters[contract.Param.ARTIFACT_PREFIX]}/data/train.csv"

    s3.put_object(Bucket=bucket, Key=key, Body=b"customer_id,tenure\nc1,3\n")

    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == parameters[contract.Param.KMS_KEY_ARN]
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read().startswith(b"customer_id")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_approving_a_registered_model_package_starts_the_deploy_build(parameters):
    sagemaker = boto3.client("sagemaker")
    group = parameters[contract.Param.MODEL_PACKAGE_GROUP]
    package = sagemaker.create_model_package(
        ModelPackageGroupName=group,
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [
                {
                    "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                    "ModelDataUrl": f"s3://{parameters[contract.Param.ARTIFACT_BUCKET]}/"
                    f"{parameters[contract.Param.ARTIFACT_PREFIX]}/model.tar.gz",
                }
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]

    sagemaker.update_model_package(ModelPackageArn=package, ModelApprovalStatus="Approved")

    deploy_project = contract.resource_name(_prefix(), PROJECT, "deploy")
    builds = _wait_for_builds(deploy_project)
    (build,) = boto3.client("codebuild").batch_get_builds(ids=builds)["builds"]
    overrides = {v["name"]: v["value"] for v in build["environment"]["environmentVariables"]}
    assert overrides[contract.ENV_MODEL_PACKAGE_ARN] == package
    packages = sagemaker.list_model_packages(ModelPackageGroupName=group)
    assert [p["ModelApprovalStatus"] for p in packages["ModelPackageSummaryList"]] == ["Approved"]


def _prefix() -> str:
    return stack_config(STACK)["namePrefix"]


def _wait_for_builds(project: str, timeout: float = 10.0) -> list[str]:
    # EventBridge delivers asynchronously, as in AWS
    codebuild = boto3.client("codebuild")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        builds = codebuild.list_builds_for_project(projectName=project)["ids"]
        if builds:
            return builds
        time.sleep(0.1)
    raise AssertionError(f"no build of {project} started within {timeout}s")


def test_project_puts_and_gets_a_feature_record_in_its_feature_group(parameters):
    (group,) = json.loads(parameters[contract.Param.FEATURE_GROUPS])
    runtime = boto3.client("sagemaker-featurestore-runtime")
    record = [
        {"FeatureName": "customer_id", "ValueAsString": "c1"},
        {"FeatureName": "tenure", "ValueAsString": "3"},
        {"FeatureName": "monthly_charges", "ValueAsString": "70.5"},
        {"FeatureName": "total_charges", "ValueAsString": "211.5"},
        {"FeatureName": "event_time", "ValueAsString": "2026-11-26T00:00:00Z"},
    ]

    runtime.put_record(FeatureGroupName=group, Record=record)

    got = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="c1")
    assert {f["FeatureName"]: f["ValueAsString"] for f in got["Record"]}["tenure"] == "3"


def test_project_publishes_to_the_oncall_topic_and_its_alarms_exist(parameters):
    topic = parameters[contract.Param.ONCALL_TOPIC_ARN]
    sns = boto3.client("sns")

    assert sns.publish(TopicArn=topic, Subject="test page", Message="drift")["MessageId"]

    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["KmsMasterKeyId"] == parameters[contract.Param.KMS_KEY_ARN]
    alarms = json.loads(parameters[contract.Param.ALARM_NAMES])
    found = boto3.client("cloudwatch").describe_alarms(AlarmNames=alarms)["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in found) == sorted(alarms)


@pytest.mark.parametrize(
    ("event", "summary"),
    [
        (
            build_state_change(f"sagestack-dev-{PROJECT}-build", "FAILED", "7c9e3f2a1b"),
            f"sagestack {PROJECT}: build FAILED",
        ),
        (
            pipeline_execution_status_change(f"sagestack-dev-{PROJECT}-train", "Failed"),
            f"sagestack {PROJECT}: training pipeline run failed",
        ),
    ],
    ids=["build", "pipeline"],
)
def test_a_failure_event_on_the_bus_pages_oncall_with_its_runbook(
    parameters, local_cloud, event, summary
):
    # AWS puts these events on the default bus itself; here they are put as it documents them
    project = find_project(AwsClients(local_cloud.url), STACK, PROJECT)
    with SnsReceiver() as pager:
        subscribe_receiver(project, pager)
        boto3.client("events").put_events(
            Entries=[
                {
                    "Source": event["source"],
                    "DetailType": event["detail-type"],
                    "Resources": event["resources"],
                    "Detail": json.dumps(event["detail"]),
                }
            ]
        )
        message = _first_page_with_a_summary(pager)
    assert message["summary"] == summary
    assert "docs/runbooks/" in message["runbook"]  # under the stack's runbookBaseUrl


def _fail_a_build(parameters: dict[str, str]) -> str:
    """The project's build, its commands failing (no repository needed: the override's)."""
    failing = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo broken && exit 3\n"
    boto3.client("codebuild").start_build(
        projectName=f"sagestack-dev-{PROJECT}-build",
        sourceTypeOverride="NO_SOURCE",
        buildspecOverride=failing,
    )
    return f"sagestack {PROJECT}: build FAILED"


def _fail_a_pipeline_run(parameters: dict[str, str]) -> str:
    """The project's training pipeline, run to its Fail step as the project's execution role."""
    step = {"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "data check failed"}}
    name = parameters[contract.Param.PIPELINE_NAME]
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_pipeline(
        PipelineName=name,
        RoleArn=parameters[contract.Param.EXECUTION_ROLE_ARN],
        PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": [step]}),
    )
    sagemaker.start_pipeline_execution(PipelineName=name)
    return f"sagestack {PROJECT}: training pipeline run failed"


def _fail_the_endpoint(parameters: dict[str, str]) -> str:
    """The project's endpoint, on a model whose artifact is not where its URL says."""
    endpoint = parameters[contract.Param.ENDPOINT_NAME]
    bucket, prefix = (
        parameters[p] for p in (contract.Param.ARTIFACT_BUCKET, contract.Param.ARTIFACT_PREFIX)
    )
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_model(
        ModelName=f"{endpoint}-v1",
        ExecutionRoleArn=parameters[contract.Param.EXECUTION_ROLE_ARN],
        PrimaryContainer={
            "Image": SKLEARN_IMAGE,
            "ModelDataUrl": f"s3://{bucket}/{prefix}/models/missing/model.tar.gz",
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{endpoint}-v1",
        ProductionVariants=[
            {
                "VariantName": contract.ENDPOINT_VARIANT,
                "ModelName": f"{endpoint}-v1",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=f"{endpoint}-v1")
    return f"sagestack {PROJECT}: endpoint {endpoint} is FAILED"


@pytest.mark.parametrize(
    "fail",
    [_fail_a_build, _fail_a_pipeline_run, _fail_the_endpoint],
    ids=["build", "pipeline", "endpoint"],
)
def test_a_real_failure_pages_oncall_through_the_projects_rule(parameters, local_cloud, fail):
    """The local cloud's executors put the events AWS puts when these fail."""
    project = find_project(AwsClients(local_cloud.url), STACK, PROJECT)
    with SnsReceiver() as pager:
        subscribe_receiver(project, pager)
        summary = fail(parameters)
        message = _first_page_with_a_summary(pager, timeout=60.0)
    assert message["summary"] == summary
    assert "docs/runbooks/" in message["runbook"]


def _first_page_with_a_summary(pager: SnsReceiver, timeout: float = 10.0) -> dict:
    """The failure page among the topic's notifications (the alarms' state changes reach the
    same topic)."""
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        notes = pager.wait_for(seen + 1, "Notification", timeout=deadline - time.monotonic())
        seen = len(notes)
        for note in notes:
            try:
                message = json.loads(note.message)
            except (TypeError, ValueError):
                continue  # a plain-text page
            if isinstance(message, dict) and "summary" in message:
                return message
    raise AssertionError("no failure page arrived")


def test_project_execution_role_and_pipeline_name_are_ready_for_its_ci(parameters):
    role_name = parameters[contract.Param.EXECUTION_ROLE_ARN].rsplit("/", 1)[-1]
    role = boto3.client("iam").get_role(RoleName=role_name)["Role"]
    assert role["Arn"] == parameters[contract.Param.EXECUTION_ROLE_ARN]
    assert parameters[contract.Param.PIPELINE_NAME] == contract.training_pipeline_name(
        _prefix(), PROJECT
    )
    settings = json.loads(parameters[contract.Param.SETTINGS])
    assert settings["registration"]["metric"] == "auc"
