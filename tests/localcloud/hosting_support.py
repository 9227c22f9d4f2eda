"""What the endpoint tests share: a client that makes models (the tiny ones of
:mod:`sagestack.localcloud.testing.models`), endpoint configs and endpoints the way a project
would."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from sagestack.localcloud.testing.models import (
    SAGEMAKER_TRUST,
    SCRIPT_ENVIRONMENT,
    SKLEARN_IMAGE,
    XGBOOST_IMAGE,
)

__all__ = ["SKLEARN_IMAGE", "XGBOOST_IMAGE", "Hosting", "eventually"]

BUCKET = "hosting-tests"
VARIANT = "AllTraffic"

PERMISSIONS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
        },
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": ["arn:aws:logs:*:*:log-group:/aws/sagemaker/*"],
        },
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"],
            "Resource": ["arn:aws:kms:*:*:key/*"],
        },
    ],
}


@dataclass
class Hosting:
    """A project's view of SageMaker hosting on the local cloud, with the tests' models."""

    archives: Mapping[str, bytes]
    region: str = "us-east-1"
    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = boto3.client(service, region_name=self.region)
        return self.clients[service]

    def setup(self) -> Hosting:
        self.client("s3").create_bucket(Bucket=BUCKET)
        for kind, archive in self.archives.items():
            self.client("s3").put_object(Bucket=BUCKET, Key=f"models/{kind}.tar.gz", Body=archive)
        iam = self.client("iam")
        self.role_arn = iam.create_role(
            RoleName="hosting-execution", AssumeRolePolicyDocument=json.dumps(SAGEMAKER_TRUST)
        )["Role"]["Arn"]
        iam.put_role_policy(
            RoleName="hosting-execution",
            PolicyName="hosting",
            PolicyDocument=json.dumps(PERMISSIONS),
        )
        return self

    def model(self, name: str, kind: str = "sklearn", **environment: str) -> str:
        image = SKLEARN_IMAGE if kind == "sklearn" else XGBOOST_IMAGE
        base = SCRIPT_ENVIRONMENT if kind == "sklearn" else {}
        self.client("sagemaker").create_model(
            ModelName=name,
            ExecutionRoleArn=self.role_arn,
            PrimaryContainer={
                "Image": image,
                "ModelDataUrl": f"s3://{BUCKET}/models/{kind}.tar.gz",
                "Environment": {**base, **environment},
            },
        )
        return name

    def endpoint_config(
        self, name: str, model: str, instances: int = 1, capture: dict | None = None, **extra: Any
    ) -> str:
        variants = extra.pop("variants", None) or [
            {
                "VariantName": VARIANT,
                "ModelName": model,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": instances,
            }
        ]
        request: dict[str, Any] = {"EndpointConfigName": name, "ProductionVariants": variants}
        if capture is not None:
            request["DataCaptureConfig"] = capture
        self.client("sagemaker").create_endpoint_config(**request, **extra)
        return name

    def endpoint(self, name: str, config: str, wait: bool = True) -> dict[str, Any]:
        self.client("sagemaker").create_endpoint(EndpointName=name, EndpointConfigName=config)
        return self.wait(name) if wait else self.describe(name)

    def describe(self, name: str) -> dict[str, Any]:
        return self.client("sagemaker").describe_endpoint(EndpointName=name)

    def wait(
        self, name: str, until: Callable[[dict], bool] | None = None, timeout: float = 120
    ) -> dict:
        """DescribeEndpoint once it is no longer Creating/Updating (or ``until`` holds)."""
        until = until or (lambda d: d["EndpointStatus"] not in ("Creating", "Updating"))
        deadline = time.monotonic() + timeout
        while True:
            description = self.describe(name)
            if until(description) or time.monotonic() > deadline:
                return description
            time.sleep(0.1)

    def statistics(
        self, metric: str, statistics: list[str], start, end, period: int, endpoint: str = "e1"
    ) -> list[dict]:
        """GetMetricStatistics' datapoints of an endpoint's AWS/SageMaker metric."""
        return self.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/SageMaker",
            MetricName=metric,
            Dimensions=[
                {"Name": "EndpointName", "Value": endpoint},
                {"Name": "VariantName", "Value": VARIANT},
            ],
            StartTime=start,
            EndTime=end,
            Period=period,
            Statistics=statistics,
        )["Datapoints"]

    def invoke(
        self, name: str, body: bytes | str, content_type: str = "text/csv", **extra: Any
    ) -> dict:
        body = body.encode() if isinstance(body, str) else body
        return self.client("sagemaker-runtime").invoke_endpoint(
            EndpointName=name, Body=body, ContentType=content_type, **extra
        )


def eventually(check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.1) -> Any:
    """``check()``'s first truthy result; fails after ``timeout`` seconds with the last one."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, f"not true after {timeout} s: {result!r}"
            return result
        time.sleep(interval)
