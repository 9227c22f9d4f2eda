"""What the applier needed from the local cloud beyond moto: bucket policies whose conditional
deny (insecure transport) does not block every request, and deleting SageMaker feature groups
and model package groups (removing a project or a feature group)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError


def _deny(condition: dict | None) -> str:
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::policy-test", "arn:aws:s3:::policy-test/*"],
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_conditional_deny_is_stored_but_does_not_deny_every_object_request(fresh_local_cloud):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="policy-test")
    policy = _deny({"Bool": {"aws:SecureTransport": "false"}})
    s3.put_bucket_policy(Bucket="policy-test", Policy=policy)

    s3.put_object(Bucket="policy-test", Key="k", Body=b"v")

    assert s3.get_object(Bucket="policy-test", Key="k")["Body"].read() == b"v"
    assert json.loads(s3.get_bucket_policy(Bucket="policy-test")["Policy"]) == json.loads(policy)


def test_unconditional_deny_still_denies_object_writes(fresh_local_cloud):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="policy-test")
    s3.put_bucket_policy(Bucket="policy-test", Policy=_deny(None))

    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket="policy-test", Key="k", Body=b"v")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_model_package_group_can_be_deleted_and_then_is_gone(fresh_local_cloud):
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_model_package_group(ModelPackageGroupName="gone")

    sagemaker.delete_model_package_group(ModelPackageGroupName="gone")

    assert sagemaker.list_model_package_groups()["ModelPackageGroupSummaryList"] == []
    with pytest.raises(ClientError) as missing:
        sagemaker.delete_model_package_group(ModelPackageGroupName="gone")
    assert missing.value.response["Error"]["Code"] == "ValidationException"


def test_a_feature_group_can_be_deleted_and_then_is_not_found(fresh_local_cloud):
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_feature_group(
        FeatureGroupName="gone",
        RecordIdentifierFeatureName="id",
        EventTimeFeatureName="t",
        FeatureDefinitions=[
            {"FeatureName": "id", "FeatureType": "String"},
            {"FeatureName": "t", "FeatureType": "String"},
        ],
        OnlineStoreConfig={"EnableOnlineStore": True},
    )

    sagemaker.delete_feature_group(FeatureGroupName="gone")

    with pytest.raises(ClientError) as missing:
        sagemaker.describe_feature_group(FeatureGroupName="gone")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"


def _project_request(source_type: str, **extra) -> dict:
    return {
        "name": "built",
        "source": {"type": source_type, "location": "https://gitlab.com/acme/fraud"},
        "artifacts": {"type": "NO_ARTIFACTS"},
        "environment": {
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        "serviceRole": "arn:aws:iam::123456789012:role/build",
        **extra,
    }


def test_a_gitlab_project_keeps_its_source_type_and_encryption_key(fresh_local_cloud):
    codebuild = boto3.client("codebuild")
    key = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-0000-4000-8000-000000000000"

    created = codebuild.create_project(**_project_request("GITLAB", encryptionKey=key))

    assert created["project"]["source"]["type"] == "GITLAB"
    (project,) = codebuild.batch_get_projects(names=["built"])["projects"]
    assert project["source"]["type"] == "GITLAB"
    assert project["encryptionKey"] == key


def test_an_unknown_source_type_is_still_refused(fresh_local_cloud):
    with pytest.raises(ClientError) as refused:
        boto3.client("codebuild").create_project(**_project_request("SUBVERSION"))
    assert refused.value.response["Error"]["Code"] == "InvalidInputException"


def test_update_project_changes_what_it_names_and_keeps_the_rest(fresh_local_cloud):
    codebuild = boto3.client("codebuild")
    codebuild.create_project(**_project_request("GITHUB", timeoutInMinutes=60))

    updated = codebuild.update_project(name="built", timeoutInMinutes=30)["project"]

    assert updated["timeoutInMinutes"] == 30
    (project,) = codebuild.batch_get_projects(names=["built"])["projects"]
    assert project["timeoutInMinutes"] == 30
    assert project["source"]["location"] == "https://gitlab.com/acme/fraud"
    with pytest.raises(ClientError) as missing:
        codebuild.update_project(name="nope", timeoutInMinutes=30)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
