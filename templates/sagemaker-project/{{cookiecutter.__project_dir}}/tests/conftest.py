"""A local AWS for the tests: moto's server on a free loopback port, and the platform's
parameters for this project written to its SSM, as the platform would write them."""

from __future__ import annotations

import json
import os

import boto3
import pytest

from {{ cookiecutter.__package }} import settings
from {{ cookiecutter.__package }}.platform import (
    ENV_PARAMETER_PATH,
    ENV_PROJECT,
    ENV_STACK,
    Param,
    artifact_prefix,
    parameter_path,
)

STACK = "test"
ACCOUNT = "123456789012"
OFFLINE = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    # moto does not implement iam:SimulatePrincipalPolicy, which the SDK calls to check roles:
    # skip the check, and do not retry the answer (HTTP 500) where the SDK calls it regardless.
    "SAGEMAKER_VALIDATE_ROLE": "false",
    "AWS_MAX_ATTEMPTS": "1",
}
for key, value in OFFLINE.items():
    os.environ[key] = value
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(scope="session", autouse=True)
def no_telemetry():
    """The SDK reports usage to an AWS endpoint in a background thread; tests stay offline."""
    from sagemaker.core.telemetry import telemetry_logging

    patch = pytest.MonkeyPatch()
    patch.setattr(telemetry_logging, "_requests_helper", lambda url, timeout: None)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def aws_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ["AWS_ENDPOINT_URL"] = f"http://{host}:{port}"
    yield os.environ["AWS_ENDPOINT_URL"]
    server.stop()
    os.environ.pop("AWS_ENDPOINT_URL")


@pytest.fixture(scope="session")
def platform(aws_endpoint):
    """The platform's slice for this project: bucket, key, role, parameters."""
    project = settings.PROJECT
    bucket = f"sagestack-{STACK}-artifacts"
    boto3.client("s3").create_bucket(Bucket=bucket)
    key_arn = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    role_arn = boto3.client("iam").create_role(
        RoleName=f"sagestack-{STACK}-{project}-execution",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    group = f"sagestack-{STACK}-{project}"
    boto3.client("sagemaker").create_model_package_group(ModelPackageGroupName=group)
    values = {
        Param.ARTIFACT_BUCKET: bucket,
        Param.ARTIFACT_PREFIX: artifact_prefix(project),
        Param.KMS_KEY_ARN: key_arn,
        Param.EXECUTION_ROLE_ARN: role_arn,
        Param.MODEL_PACKAGE_GROUP: group,
        Param.PIPELINE_NAME: f"sagestack-{STACK}-{project}-train",
        Param.ENDPOINT_NAME: f"sagestack-{STACK}-{project}",
        Param.ONCALL_TOPIC_ARN: f"arn:aws:sns:us-east-1:{ACCOUNT}:sagestack-{STACK}-oncall",
        Param.FEATURE_GROUPS: json.dumps(
            [f"sagestack-{STACK}-{settings.FEATURE_GROUP}"] if settings.FEATURE_GROUP else []
        ),
        Param.ALARM_NAMES: json.dumps([f"sagestack-{STACK}-{project}-errors"]),
        Param.SETTINGS: json.dumps({"registration": {"metric": settings.METRIC,
                                                     "threshold": settings.METRIC_THRESHOLD}}),
    }
    if settings.FEATURE_GROUP:
        create_feature_group(f"sagestack-{STACK}-{settings.FEATURE_GROUP}", bucket, role_arn)
    ssm = boto3.client("ssm")
    path = parameter_path(STACK, project)
    for key, value in values.items():
        ssm.put_parameter(Name=path + key, Value=value, Type="String")
    return {ENV_STACK: STACK, ENV_PROJECT: project, ENV_PARAMETER_PATH: path}


@pytest.fixture(scope="session")
def config(platform):
    from {{ cookiecutter.__package }}.platform import load_config

    return load_config(platform)


def create_feature_group(name: str, bucket: str, role_arn: str) -> None:
    boto3.client("sagemaker").create_feature_group(
        FeatureGroupName=name,
        RecordIdentifierFeatureName="record_id",
        EventTimeFeatureName="event_time",
        FeatureDefinitions=[
            {"FeatureName": "record_id", "FeatureType": "String"},
            {"FeatureName": "event_time", "FeatureType": "String"},
        ],
        OfflineStoreConfig={"S3StorageConfig": {"S3Uri": f"s3://{bucket}/feature-store"}},
        RoleArn=role_arn,
    )
