"""After pulumi up: the endpoint must serve the approved package, answer a training row, and the
drift baseline of the training features is written."""

from __future__ import annotations

import io
import json

import boto3
import pandas as pd
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from {{ cookiecutter.__package }} import deploy, sample_data, settings
from {{ cookiecutter.__package }}.platform import PlatformConfigError, drift_baseline_key
from {{ cookiecutter.__package }}.serving_stack import check_approved, versioned_name

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/group/7"


def _features() -> pd.DataFrame:
    return sample_data.sample_frame().drop(columns=[settings.TARGET_COLUMN])


def _endpoint(config, config_name, status="InService", reason=None):
    described = {
        "EndpointName": config.endpoint_name,
        "EndpointArn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{config.endpoint_name}",
        "EndpointConfigName": config_name, "EndpointStatus": status,
        "CreationTime": pd.Timestamp("2024-01-01").to_pydatetime(),
        "LastModifiedTime": pd.Timestamp("2024-01-01").to_pydatetime(),
    }
    if reason:
        described["FailureReason"] = reason
    return described


def test_the_endpoint_must_serve_the_approved_packages_config(config):
    client = boto3.client("sagemaker")
    expected = versioned_name(config.endpoint_name, PACKAGE)
    with Stubber(client) as stub:
        stub.add_response("describe_endpoint", _endpoint(config, expected))
        stub.add_response("describe_endpoint", _endpoint(config, "old-v6", reason="alarm fired"))
        assert deploy.check_serving(config, PACKAGE, client) == expected
        with pytest.raises(deploy.DeployCheckError, match="InService on old-v6.*alarm fired"):
            deploy.check_serving(config, PACKAGE, client)


def test_the_smoke_test_sends_a_training_row_as_csv_and_needs_one_prediction(config):
    client = boto3.client("sagemaker-runtime")
    row = _features().head(1).to_csv(header=False, index=False).encode()

    def answer(body: bytes) -> dict:
        return {"Body": StreamingBody(io.BytesIO(body), len(body)),
                "ContentType": "application/json"}

    request = {"EndpointName": config.endpoint_name, "ContentType": "text/csv",
               "Accept": "application/json", "Body": row}
    with Stubber(client) as stub:
        stub.add_response("invoke_endpoint", answer(b'{"predictions": [0.25]}'), request)
        stub.add_response("invoke_endpoint", answer(b'{"predictions": []}'), request)
        assert deploy.smoke_test(config, _features(), client) == 0.25
        with pytest.raises(deploy.DeployCheckError, match="one prediction"):
            deploy.smoke_test(config, _features(), client)


def test_the_drift_baseline_of_the_training_features_is_written_encrypted(config):
    deploy.write_baseline(config, _features(), boto3.client("s3"))

    stored = boto3.client("s3").get_object(Bucket=config.artifact_bucket,
                                           Key=drift_baseline_key(config.project))
    assert stored["ServerSideEncryption"] == "aws:kms"
    document = json.loads(stored["Body"].read())
    features = _features()
    assert document["features"] == list(features.columns)
    assert document["row_count"] == len(features)
    first = features.columns[0]
    assert sum(document["numeric"][first]["bin_fractions"]) == pytest.approx(1)


def test_the_training_features_are_read_from_the_packages_metadata(config):
    s3 = boto3.client("s3")
    key = f"{config.artifact_prefix}/pipelines/run-1/preprocess/train/train.csv"
    s3.put_object(Bucket=config.artifact_bucket, Key=key,
                  Body=sample_data.sample_frame().to_csv(index=False).encode())
    package = {"CustomerMetadataProperties": {"training_data": config.s3_uri(
        "pipelines", "run-1", "preprocess", "train")}}

    features = deploy.training_features(package, s3)

    assert list(features.columns) == list(_features().columns)
    with pytest.raises(PlatformConfigError, match="no training_data location"):
        deploy.training_features({"ModelPackageArn": PACKAGE}, s3)


def test_a_package_that_is_not_approved_is_not_served():
    client = boto3.client("sagemaker")
    with Stubber(client) as stub:
        stub.add_response("describe_model_package", {
            "ModelPackageName": "group", "ModelPackageArn": PACKAGE,
            "CreationTime": pd.Timestamp("2024-01-01").to_pydatetime(),
            "ModelPackageStatus": "Completed",
            "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []},
            "ModelApprovalStatus": "PendingManualApproval"}, {"ModelPackageName": PACKAGE})
        with pytest.raises(PlatformConfigError, match="PendingManualApproval, not Approved"):
            check_approved(PACKAGE, client)


def test_a_model_package_arn_without_a_version_is_refused():
    with pytest.raises(PlatformConfigError, match="is not a versioned model package ARN"):
        versioned_name("endpoint", "arn:aws:sagemaker:us-east-1:123456789012:model/x")
