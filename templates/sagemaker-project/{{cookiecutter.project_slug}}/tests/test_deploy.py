"""The deploy build: model, endpoint config with data capture, endpoint, drift baseline."""

from __future__ import annotations

import json

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber

from {{ cookiecutter.__package }} import deploy, sample_data, settings
from {{ cookiecutter.__package }}.platform import (
    ENDPOINT_VARIANT,
    PlatformConfigError,
    data_capture_prefix,
    drift_baseline_key,
)


@pytest.fixture(scope="module")
def approved_package(config):
    """A package as the pipeline registers it, approved, with its training table in S3."""
    s3 = boto3.client("s3")
    key = f"{config.artifact_prefix}/pipelines/test-run/preprocess/train/train.csv"
    s3.put_object(Bucket=config.artifact_bucket, Key=key,
                  Body=sample_data.sample_frame().to_csv(index=False).encode())
    arn = boto3.client("sagemaker").create_model_package(
        ModelPackageGroupName=config.model_package_group,
        ModelApprovalStatus="Approved",
        InferenceSpecification={
            "Containers": [{"Image": "example.com/serving:1", "ModelDataUrl": config.s3_uri(
                "models", "model.tar.gz")}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["application/json"],
        },
        CustomerMetadataProperties={"training_data": config.s3_uri(
            "pipelines", "test-run", "preprocess", "train")},
    )["ModelPackageArn"]
    return arn


def test_first_deploy_creates_the_endpoint_with_data_capture_to_the_platform_bucket(
    config, approved_package
):
    result = deploy.deploy(config, approved_package, boto3.client("sagemaker"),
                           boto3.client("s3"))
    assert result.created
    sagemaker = boto3.client("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName=config.endpoint_name)
    assert endpoint["EndpointConfigName"] == result.endpoint_config_name
    endpoint_config = sagemaker.describe_endpoint_config(
        EndpointConfigName=result.endpoint_config_name)
    (variant,) = endpoint_config["ProductionVariants"]
    assert variant["VariantName"] == ENDPOINT_VARIANT
    assert variant["InstanceType"] == config.settings.endpoint_instance_type
    capture = endpoint_config["DataCaptureConfig"]
    assert capture["DestinationS3Uri"] == (
        f"s3://{config.artifact_bucket}/{data_capture_prefix(config.project)}")
    assert capture["KmsKeyId"] == config.kms_key_arn
    model = sagemaker.describe_model(ModelName=result.model_name)
    assert model["ExecutionRoleArn"] == config.execution_role_arn


def test_deploy_writes_the_drift_baseline_of_the_training_features_encrypted(
    config, approved_package
):
    deploy.write_baseline(config, boto3.client("sagemaker").describe_model_package(
        ModelPackageName=approved_package), boto3.client("s3"))
    stored = boto3.client("s3").get_object(Bucket=config.artifact_bucket,
                                           Key=drift_baseline_key(config.project))
    assert stored["ServerSideEncryption"] == "aws:kms"
    document = json.loads(stored["Body"].read())
    features = sample_data.sample_frame().drop(columns=[settings.TARGET_COLUMN])
    assert document["features"] == list(features.columns)
    assert document["row_count"] == len(features)
    first = features.columns[0]
    assert sum(document["numeric"][first]["bin_fractions"]) == pytest.approx(1)
    assert document["numeric"][first]["summary"]["mean"] == pytest.approx(features[first].mean())


def test_an_existing_endpoint_is_updated_blue_green_with_rollback_on_the_project_alarms(config):
    arn = "arn:aws:sagemaker:us-east-1:123456789012:model-package/group/7"
    client = boto3.client("sagemaker")
    name = f"{config.endpoint_name}-v7"
    with Stubber(client) as stub:
        stub.add_response("describe_model", _model_described(name), {"ModelName": name})
        stub.add_response("describe_endpoint_config", _config_described(name),
                          {"EndpointConfigName": name})
        stub.add_response("describe_endpoint", _endpoint_described(config.endpoint_name),
                          {"EndpointName": config.endpoint_name})
        stub.add_response("update_endpoint", {"EndpointArn": "arn:aws:sagemaker:::endpoint/x"}, {
            "EndpointName": config.endpoint_name,
            "EndpointConfigName": name,
            "DeploymentConfig": {
                "BlueGreenUpdatePolicy": deploy.BLUE_GREEN,
                "AutoRollbackConfiguration": {
                    "Alarms": [{"AlarmName": alarm} for alarm in config.alarm_names]},
            },
        })
        assert deploy.deploy_model(config, arn, client) == (name, name, False)


def test_a_package_that_is_not_approved_is_not_deployed(config):
    client = boto3.client("sagemaker")
    arn = "arn:aws:sagemaker:us-east-1:123456789012:model-package/group/3"
    with Stubber(client) as stub:
        stub.add_response("describe_model_package", {
            "ModelPackageName": "group", "ModelPackageArn": arn,
            "CreationTime": pd.Timestamp("2024-01-01").to_pydatetime(),
            "ModelPackageStatus": "Completed",
            "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []},
            "ModelApprovalStatus": "PendingManualApproval"}, {"ModelPackageName": arn})
        with pytest.raises(PlatformConfigError, match="PendingManualApproval, not Approved"):
            deploy.deploy(config, arn, client, s3=None)


def test_a_model_package_arn_without_a_version_is_refused(config):
    with pytest.raises(PlatformConfigError, match="is not a versioned model package ARN"):
        deploy.resource_names(config, "arn:aws:sagemaker:us-east-1:123456789012:model/x")


def _model_described(name):
    return {"ModelName": name, "ModelArn": f"arn:aws:sagemaker:::model/{name}",
            "CreationTime": pd.Timestamp("2024-01-01").to_pydatetime()}


def _config_described(name):
    return {"EndpointConfigName": name, "EndpointConfigArn": f"arn:aws:sagemaker:::ec/{name}",
            "ProductionVariants": [{"VariantName": ENDPOINT_VARIANT, "ModelName": name}],
            "CreationTime": pd.Timestamp("2024-01-01").to_pydatetime()}


def _endpoint_described(name):
    return {"EndpointName": name, "EndpointArn": f"arn:aws:sagemaker:::endpoint/{name}",
            "EndpointConfigName": "old", "EndpointStatus": "InService",
            "CreationTime": pd.Timestamp("2024-01-01").to_pydatetime(),
            "LastModifiedTime": pd.Timestamp("2024-01-01").to_pydatetime()}
