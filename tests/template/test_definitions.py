"""Each rendered project's pipeline definition, built offline against the local cloud: valid
against botocore's request shapes (sagestack_pipelines.validation.validator) and deterministic."""

from __future__ import annotations

import importlib
import json
import sys
import time

import boto3
import pytest
from template_matrix import MATRIX, package_of

from sagestack import contract
from sagestack_pipelines.validation.validator import validate_definition

STACK = "tmpl"
PREFIX = f"sagestack-{STACK}"


@pytest.fixture
def offline_sdk(fresh_local_cloud, monkeypatch):
    """The SDK against the local cloud: no role simulation, no telemetry, no retries.

    Telemetry is blocked at its sender rather than by an SDK defaults config: SDK 3 validates
    such a config against its JSON schema on every lookup, which makes one build take minutes.
    """
    from sagemaker.core.telemetry import telemetry_logging

    monkeypatch.delenv("SAGEMAKER_USER_CONFIG_OVERRIDE", raising=False)
    monkeypatch.setenv("SAGEMAKER_VALIDATE_ROLE", "false")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setattr(telemetry_logging, "_requests_helper", lambda url, timeout: None)


def provision(answers: dict) -> dict[str, str]:
    """What the platform gives a project, written under the contract's names."""
    project = answers["project_name"]
    bucket = f"{PREFIX}-artifacts"
    boto3.client("s3").create_bucket(Bucket=bucket)
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    role = boto3.client("iam").create_role(
        RoleName=f"{PREFIX}-{project}", AssumeRolePolicyDocument=json.dumps({})
    )["Role"]["Arn"]
    groups = []
    if answers["data_source"].startswith("feature-group:"):
        groups.append(f"{PREFIX}-{answers['data_source'].removeprefix('feature-group:')}")
        boto3.client("sagemaker").create_feature_group(
            FeatureGroupName=groups[0],
            RecordIdentifierFeatureName="customer_id",
            EventTimeFeatureName="event_time",
            RoleArn=role,
            FeatureDefinitions=[
                {"FeatureName": "customer_id", "FeatureType": "String"},
                {"FeatureName": "event_time", "FeatureType": "String"},
            ],
            OfflineStoreConfig={"S3StorageConfig": {"S3Uri": f"s3://{bucket}/offline"}},
        )
    values = {
        contract.Param.ARTIFACT_BUCKET: bucket,
        contract.Param.ARTIFACT_PREFIX: contract.artifact_prefix(project),
        contract.Param.KMS_KEY_ARN: key,
        contract.Param.EXECUTION_ROLE_ARN: role,
        contract.Param.MODEL_PACKAGE_GROUP: contract.model_package_group_name(PREFIX, project),
        contract.Param.PIPELINE_NAME: contract.training_pipeline_name(PREFIX, project),
        contract.Param.ENDPOINT_NAME: contract.endpoint_name(PREFIX, project),
        contract.Param.ONCALL_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:oncall",
        contract.Param.FEATURE_GROUPS: json.dumps(groups),
        contract.Param.ALARM_NAMES: json.dumps([]),
        contract.Param.SETTINGS: json.dumps({"instances": {"training": "ml.c5.xlarge"}}),
    }
    path = contract.parameter_path(STACK, project)
    for name, value in values.items():
        boto3.client("ssm").put_parameter(Name=path + name, Value=value, Type="String")
    return {
        contract.ENV_STACK: STACK,
        contract.ENV_PROJECT: project,
        contract.ENV_PARAMETER_PATH: path,
        "CODEBUILD_RESOLVED_SOURCE_VERSION": "c0ffee",
    }


def import_project(folder, package: str):
    sys.path.insert(0, str(folder))
    try:
        return (
            importlib.import_module(f"{package}.run"),
            importlib.import_module(f"{package}.pipeline"),
            importlib.import_module(f"{package}.platform"),
        )
    finally:
        sys.path.remove(str(folder))


@pytest.mark.slow
@pytest.mark.parametrize("answers", MATRIX, ids=[a["project_name"] for a in MATRIX])
def test_definition_is_valid_and_the_same_when_built_twice(rendered, offline_sdk, answers):
    run, pipeline, platform = import_project(rendered[answers["project_name"]], package_of(answers))
    config = platform.load_config(provision(answers))
    first = run.build(config, {"CODEBUILD_RESOLVED_SOURCE_VERSION": "c0ffee"}).definition()
    second = run.build(config, {"CODEBUILD_RESOLVED_SOURCE_VERSION": "c0ffee"}).definition()
    assert validate_definition(first) == []
    assert pipeline.normalised(first) == pipeline.normalised(second)
    # the SDK's default would create an experiment and a trial as the pipeline's role, which the
    # platform does not grant
    assert json.loads(first)["PipelineExperimentConfig"] is None
    steps = {step["Name"]: step for step in json.loads(first)["Steps"]}
    training = steps["Train"]["Arguments"]["ResourceConfig"]["InstanceType"]
    assert training == {"Get": "Parameters.TrainingInstanceType"}
    parameters = {p["Name"]: p for p in json.loads(first)["Parameters"]}
    assert parameters["TrainingInstanceType"]["DefaultValue"] == "ml.c5.xlarge"
    assert contract.PIPELINE_PARAM_TRIGGER in parameters


def test_masking_upload_timestamps_is_what_makes_two_builds_equal(rendered, offline_sdk):
    """Without the masking the builds differ: the determinism check is not vacuous."""
    answers = MATRIX[0]
    run, pipeline, platform = import_project(rendered[answers["project_name"]], package_of(answers))
    config = platform.load_config(provision(answers))
    first = run.build(config, {}).definition()
    time.sleep(1.1)  # the SDK's upload names have one-second (or millisecond) resolution
    second = run.build(config, {}).definition()
    assert first != second
    assert pipeline.normalised(first) == pipeline.normalised(second)
