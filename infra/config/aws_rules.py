"""What AWS accepts: physical names per kind of resource, and SageMaker's instance types.

botocore's service models carry each name's length limits and pattern and each enum's values (the
shapes the AWS APIs validate requests against), so those are read from there; S3 bucket, SNS
topic and SSM parameter names have no pattern in their shapes, and their documented rules are
written out below.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

import botocore.session

Check = Callable[[str], "str | None"]


@dataclass(frozen=True)
class NameRule:
    """The rule for one kind of name: botocore's shape ``(service, operation, member)``, a
    documented rule of AWS's (``check``), or both."""

    what: str
    shape: tuple[str, str, str] | None = None
    check: Check | None = None

    def problem(self, name: str) -> str | None:
        """Why AWS would refuse ``name`` as a {what}, or None when it would accept it."""
        if self.shape is not None:
            low, high, pattern = shape_constraints(*self.shape)
            if not low <= len(name) <= high:
                return f"is {len(name)} characters long; AWS allows {low} to {high}"
            if pattern is not None and not re.fullmatch(pattern, name):
                return f"does not match {pattern}, AWS's pattern for it"
        if self.check is not None:
            return self.check(name)
        return None


@functools.cache
def shape_constraints(service: str, operation: str, member: str) -> tuple[int, int, str | None]:
    """(min, max, pattern) of a request member, from botocore's model of the service."""
    model = _session().get_service_model(service).operation_model(operation)
    metadata = model.input_shape.members[member].metadata
    pattern = metadata.get("pattern")
    # botocore's patterns are written for a full match, some with anchors, some without.
    if pattern is not None:
        pattern = pattern.removeprefix("^").removesuffix("$")
    return int(metadata.get("min", 0)), int(metadata.get("max", 2**31)), pattern


@functools.cache
def sagemaker_enum(shape: str) -> frozenset[str]:
    """The values of one of SageMaker's enum shapes (``ProcessingInstanceType``)."""
    return frozenset(_session().get_service_model("sagemaker").shape_for(shape).enum)


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


# --- rules AWS documents but botocore's shapes do not carry -------------------------------------

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_problem(name: str) -> str | None:
    if not 3 <= len(name) <= 63:
        return f"is {len(name)} characters long; S3 allows 3 to 63"
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", name):
        return (
            "must be lowercase letters, digits, dots and hyphens, starting and ending with a "
            "letter or digit"
        )
    if ".." in name:
        return "must not contain two adjacent dots"
    if name.startswith(_BUCKET_RESERVED_PREFIXES):
        return f"must not start with {', '.join(_BUCKET_RESERVED_PREFIXES)} (reserved by S3)"
    if name.endswith(_BUCKET_RESERVED_SUFFIXES):
        return f"must not end with {', '.join(_BUCKET_RESERVED_SUFFIXES)} (reserved by S3)"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return None
    return "must not look like an IP address"


def topic_problem(name: str) -> str | None:
    # https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", name):
        return "must be 1 to 256 letters, digits, hyphens and underscores (SNS's rule)"
    return None


def parameter_problem(name: str) -> str | None:
    # https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html
    if not re.fullmatch(r"[A-Za-z0-9_.\-/]+", name):
        return "must be letters, digits and _ . - / (SSM's rule for parameter names)"
    if name.lstrip("/").lower().startswith(("aws", "ssm")):
        return "must not begin with aws or ssm (reserved by SSM)"
    if name.count("/") > 16:
        return "has more than 15 levels; SSM allows 15"
    return None


S3_BUCKET = NameRule("S3 bucket name", check=bucket_problem)
SNS_TOPIC = NameRule("SNS topic name", check=topic_problem)
SSM_PARAMETER = NameRule(
    "SSM parameter name", ("ssm", "PutParameter", "Name"), check=parameter_problem
)
KMS_ALIAS = NameRule("KMS alias", ("kms", "CreateAlias", "AliasName"))
IAM_ROLE = NameRule("IAM role name", ("iam", "CreateRole", "RoleName"))
CODEBUILD_PROJECT = NameRule("CodeBuild project name", ("codebuild", "CreateProject", "name"))
EVENT_RULE = NameRule("EventBridge rule name", ("events", "PutRule", "Name"))
ALARM = NameRule("CloudWatch alarm name", ("cloudwatch", "PutMetricAlarm", "AlarmName"))
LOG_GROUP = NameRule("CloudWatch Logs group name", ("logs", "CreateLogGroup", "logGroupName"))
ENDPOINT = NameRule("SageMaker endpoint name", ("sagemaker", "CreateEndpoint", "EndpointName"))
ENDPOINT_CONFIG = NameRule(
    "SageMaker endpoint config name",
    ("sagemaker", "CreateEndpointConfig", "EndpointConfigName"),
)
MODEL = NameRule("SageMaker model name", ("sagemaker", "CreateModel", "ModelName"))
PIPELINE = NameRule("SageMaker pipeline name", ("sagemaker", "CreatePipeline", "PipelineName"))
MODEL_PACKAGE_GROUP = NameRule(
    "SageMaker model package group name",
    ("sagemaker", "CreateModelPackageGroup", "ModelPackageGroupName"),
)
FEATURE_GROUP = NameRule(
    "SageMaker feature group name", ("sagemaker", "CreateFeatureGroup", "FeatureGroupName")
)
MONITORING_SCHEDULE = NameRule(
    "SageMaker monitoring schedule name",
    ("sagemaker", "CreateMonitoringSchedule", "MonitoringScheduleName"),
)
DATA_QUALITY_JOB_DEFINITION = NameRule(
    "SageMaker data quality job definition name",
    ("sagemaker", "CreateDataQualityJobDefinition", "JobDefinitionName"),
)
