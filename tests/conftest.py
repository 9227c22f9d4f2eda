"""Every test runs against loopback only: fake credentials, a region, no instance metadata."""

import os
from pathlib import Path

_OFFLINE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    # SDK 3 reports usage unless its config file opts out (the env switch alone is ignored)
    "SAGEMAKER_TELEMETRY_OPT_OUT": "true",
    "SAGEMAKER_USER_CONFIG_OVERRIDE": str(Path(__file__).with_name("sagemaker-sdk-config.yaml")),
    # ModelTrainer checks roles with iam:SimulatePrincipalPolicy, which the local cloud lacks
    "SAGEMAKER_VALIDATE_ROLE": "false",
}

# Set at import time, before any test module imports boto3 or the SageMaker SDK.
for _key, _value in _OFFLINE_AWS.items():
    os.environ[_key] = _value
os.environ.pop("AWS_PROFILE", None)

pytest_plugins = ["sagestack.localcloud.fixtures"]
