"""After ``pulumi up`` of the serving stack: check that the endpoint serves the approved package,
smoke-test it with a row of the training data, then write the drift baseline.

    MODEL_PACKAGE_ARN=arn:aws:sagemaker:...:model-package/<group>/<version> \
        python -m {{ cookiecutter.__package }}.deploy

The deploy build runs this after ``pulumi up`` (buildspec-deploy.yml). A deployment SageMaker
rolled back, or an endpoint that does not answer, fails the build; the model that served before
keeps serving.
"""

from __future__ import annotations

import io
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from . import settings
from .baseline import build_baseline
from .platform import (
    ENV_MODEL_PACKAGE_ARN,
    PlatformConfig,
    PlatformConfigError,
    drift_baseline_key,
    load_config,
)
from .serving_stack import version_of, versioned_name


class DeployCheckError(Exception):
    """The endpoint does not serve the approved model as it should."""


@dataclass(frozen=True)
class Deployment:
    endpoint_name: str
    endpoint_config_name: str
    smoke_prediction: float
    baseline_uri: str


def check_serving(config: PlatformConfig, model_package_arn: str, sagemaker) -> str:
    """The endpoint config the endpoint serves; raises unless it is the package's."""
    expected = versioned_name(config.endpoint_name, model_package_arn)
    endpoint = sagemaker.describe_endpoint(EndpointName=config.endpoint_name)
    status, serving = endpoint["EndpointStatus"], endpoint.get("EndpointConfigName")
    if status != "InService" or serving != expected:
        raise DeployCheckError(
            f"endpoint {config.endpoint_name} is {status} on {serving}, not on {expected}: "
            f"{endpoint.get('FailureReason') or 'no failure reason given'}"
        )
    return serving


def smoke_test(config: PlatformConfig, features: pd.DataFrame, runtime) -> float:
    """One row of the training data, as a client sends it; its prediction must be a number."""
    row = features.head(1).to_csv(header=False, index=False)
    response = runtime.invoke_endpoint(
        EndpointName=config.endpoint_name, ContentType="text/csv", Accept="application/json",
        Body=row.encode(),
    )
    try:
        (prediction,) = json.loads(response["Body"].read())["predictions"]
        value = float(prediction)
    except (ValueError, KeyError, TypeError) as error:
        raise DeployCheckError(
            f"endpoint {config.endpoint_name} answered a training row with something other "
            f"than one prediction: {error}"
        ) from error
    if not math.isfinite(value):
        raise DeployCheckError(f"endpoint {config.endpoint_name} predicted {value}")
    return value


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


def write_baseline(config: PlatformConfig, features: pd.DataFrame, s3) -> str:
    document = build_baseline(features)
    key = drift_baseline_key(config.project)
    s3.put_object(Bucket=config.artifact_bucket, Key=key, Body=json.dumps(document).encode(),
                  ContentType="application/json", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=config.kms_key_arn)
    return f"s3://{config.artifact_bucket}/{key}"


def after_up(config: PlatformConfig, model_package_arn: str, clients) -> Deployment:
    """``clients(service)`` gives a boto3 client."""
    package = clients("sagemaker").describe_model_package(ModelPackageName=model_package_arn)
    features = training_features(package, clients("s3"))
    serving = check_serving(config, model_package_arn, clients("sagemaker"))
    prediction = smoke_test(config, features, clients("sagemaker-runtime"))
    baseline_uri = write_baseline(config, features, clients("s3"))
    return Deployment(config.endpoint_name, serving, prediction, baseline_uri)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    try:
        arn = environ.get(ENV_MODEL_PACKAGE_ARN, "")
        version_of(arn)
        config = load_config(environ)
        import boto3

        result = after_up(config, arn, boto3.client)
    except PlatformConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except DeployCheckError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"endpoint {result.endpoint_name} serves {result.endpoint_config_name} (smoke test "
          f"predicted {result.smoke_prediction:g}); drift baseline at {result.baseline_uri}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
