"""Deploy an approved model package to the project's endpoint, then write the drift baseline.

    MODEL_PACKAGE_ARN=arn:aws:sagemaker:...:model-package/<group>/<version> \
        python -m {{ cookiecutter.__package }}.deploy

The platform's approval rule starts the deploy build with MODEL_PACKAGE_ARN set. The endpoint
config captures requests and responses to the platform bucket (KMS); an existing endpoint is
updated blue/green and rolled back automatically when one of the project's alarms fires.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from botocore.exceptions import ClientError

from . import settings
from .baseline import build_baseline
from .platform import (
    ENDPOINT_VARIANT,
    ENV_MODEL_PACKAGE_ARN,
    PlatformConfig,
    PlatformConfigError,
    data_capture_prefix,
    drift_baseline_key,
    load_config,
)

CAPTURE_CONTENT_TYPES = {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]}
# Blue/green: shift all traffic at once after the new fleet is healthy, keep the old fleet for
# the bake time so an alarm can still roll back to it.
BAKE_SECONDS = 600
BLUE_GREEN = {
    "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": BAKE_SECONDS},
    "TerminationWaitInSeconds": BAKE_SECONDS,
    "MaximumExecutionTimeoutInSeconds": 3600,
}


@dataclass(frozen=True)
class Deployment:
    model_name: str
    endpoint_config_name: str
    endpoint_name: str
    created: bool  # False when an existing endpoint was updated
    baseline_uri: str


def version_of(model_package_arn: str) -> str:
    name, _, version = model_package_arn.rpartition("/")
    if not version.isdigit() or ":model-package/" not in name:
        raise PlatformConfigError(
            f"{ENV_MODEL_PACKAGE_ARN} '{model_package_arn}' is not a versioned model package ARN "
            "(arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>)"
        )
    return version


def resource_names(config: PlatformConfig, model_package_arn: str) -> tuple[str, str]:
    """Model and endpoint config names: one per package version, so a re-run reuses them."""
    name = f"{config.endpoint_name}-v{version_of(model_package_arn)}"
    return name, name


def endpoint_config_request(config: PlatformConfig, model_name: str, config_name: str) -> dict:
    capture_uri = f"s3://{config.artifact_bucket}/{data_capture_prefix(config.project)}"
    return {
        "EndpointConfigName": config_name,
        "ProductionVariants": [{
            "VariantName": ENDPOINT_VARIANT,
            "ModelName": model_name,
            "InstanceType": config.settings.endpoint_instance_type,
            "InitialInstanceCount": config.settings.endpoint_instance_count,
        }],
        "DataCaptureConfig": {
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": capture_uri,
            "KmsKeyId": config.kms_key_arn,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": CAPTURE_CONTENT_TYPES,
        },
        "KmsKeyId": config.kms_key_arn,
    }


def deployment_config(config: PlatformConfig) -> dict:
    deployment = {"BlueGreenUpdatePolicy": BLUE_GREEN}
    if config.alarm_names:
        deployment["AutoRollbackConfiguration"] = {
            "Alarms": [{"AlarmName": name} for name in config.alarm_names]
        }
    return deployment


def _exists(describe, **kwargs) -> bool:
    """SageMaker answers a describe of something missing with ValidationException."""
    try:
        describe(**kwargs)
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] in ("ValidationException", "ValidationError"):
            return False
        raise


def deploy_model(
    config: PlatformConfig, model_package_arn: str, sagemaker
) -> tuple[str, str, bool]:
    model_name, config_name = resource_names(config, model_package_arn)
    if not _exists(sagemaker.describe_model, ModelName=model_name):
        sagemaker.create_model(
            ModelName=model_name, ExecutionRoleArn=config.execution_role_arn,
            PrimaryContainer={"ModelPackageName": model_package_arn},
        )
    if not _exists(sagemaker.describe_endpoint_config, EndpointConfigName=config_name):
        sagemaker.create_endpoint_config(**endpoint_config_request(config, model_name, config_name))
    endpoint = {"EndpointName": config.endpoint_name, "EndpointConfigName": config_name,
                "DeploymentConfig": deployment_config(config)}
    if _exists(sagemaker.describe_endpoint, EndpointName=config.endpoint_name):
        sagemaker.update_endpoint(**endpoint)
        return model_name, config_name, False
    sagemaker.create_endpoint(**endpoint)
    return model_name, config_name, True


def training_features(model_package: Mapping, s3) -> pd.DataFrame:
    """The training table the package was trained on, without its target column."""
    uri = model_package.get("CustomerMetadataProperties", {}).get("training_data", "")
    if not uri.startswith("s3://"):
        raise PlatformConfigError(
            f"model package {model_package.get('ModelPackageArn')} has no training_data "
            "location in its metadata: was it registered by this project's pipeline?"
        )
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    keys = [item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix) for item in page.get("Contents", [])
        if item["Key"].endswith(".csv")]
    if not keys:
        raise PlatformConfigError(f"no training data (.csv) under {uri}")
    frames = [pd.read_csv(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
              for key in sorted(keys)]
    return pd.concat(frames, ignore_index=True).drop(columns=[settings.TARGET_COLUMN])


def write_baseline(config: PlatformConfig, model_package: Mapping, s3) -> str:
    document = build_baseline(training_features(model_package, s3))
    key = drift_baseline_key(config.project)
    s3.put_object(Bucket=config.artifact_bucket, Key=key, Body=json.dumps(document).encode(),
                  ContentType="application/json", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=config.kms_key_arn)
    return f"s3://{config.artifact_bucket}/{key}"


def deploy(config: PlatformConfig, model_package_arn: str, sagemaker, s3) -> Deployment:
    package = sagemaker.describe_model_package(ModelPackageName=model_package_arn)
    if package["ModelApprovalStatus"] != "Approved":
        raise PlatformConfigError(
            f"model package {model_package_arn} is {package['ModelApprovalStatus']}, not "
            "Approved: approve it in the model registry first"
        )
    baseline_uri = write_baseline(config, package, s3)
    model, endpoint_config, created = deploy_model(config, model_package_arn, sagemaker)
    return Deployment(model, endpoint_config, config.endpoint_name, created, baseline_uri)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    try:
        arn = environ.get(ENV_MODEL_PACKAGE_ARN, "")
        version_of(arn)
        config = load_config(environ)
        import boto3

        result = deploy(config, arn, boto3.client("sagemaker"), boto3.client("s3"))
    except PlatformConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    verb = "created" if result.created else "updating (blue/green)"
    print(f"{verb} endpoint {result.endpoint_name} with {result.endpoint_config_name}; "
          f"drift baseline at {result.baseline_uri}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
