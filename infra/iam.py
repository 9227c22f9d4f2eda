"""Every IAM action the platform grants, as named constants, and how a statement is written.

Roles get permissions only through the ``*_access`` values and ``grant_*`` methods of the
components that own the data (bucket, topic, registry, feature store) or through a component's own
role; :mod:`sagestack_infra.grants` collects them into one policy per role and adds the KMS
actions when the data is encrypted. No action here contains ``*``; the few ``*`` resources are
listed in :data:`STAR_RESOURCE_ACTIONS`, each because AWS offers nothing narrower for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

# --- S3 ------------------------------------------------------------------------------------
S3_LIST_ACTIONS = ("s3:ListBucket",)
S3_READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
S3_WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")

# --- KMS -----------------------------------------------------------------------------------
KMS_DECRYPT_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
KMS_ENCRYPT_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")
# SageMaker jobs and endpoints encrypt their volumes through grants made for the caller.
KMS_GRANT_ACTIONS = ("kms:CreateGrant",)
# What an AWS service principal (CloudWatch, EventBridge) needs to publish to an encrypted topic.
KMS_SERVICE_PUBLISH_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
# The account root's actions on its own key: AWS's default "delegate to IAM" statement, spelled
# out instead of kms:* so that no statement anywhere carries a wildcard action. It keeps
# PutKeyPolicy and ScheduleKeyDeletion, so the key can never become unmanageable.
KMS_ACCOUNT_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)

# --- SNS -----------------------------------------------------------------------------------
SNS_PUBLISH_ACTIONS = ("sns:Publish",)
SNS_OWNER_ACTIONS = (
    "sns:AddPermission",
    "sns:DeleteTopic",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:Publish",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sns:Subscribe",
)

# --- SageMaker -----------------------------------------------------------------------------
FEATURE_GROUP_READ_ACTIONS = (
    "sagemaker:BatchGetRecord",
    "sagemaker:DescribeFeatureGroup",
    "sagemaker:GetRecord",
)
FEATURE_GROUP_DESCRIBE_ACTIONS = ("sagemaker:DescribeFeatureGroup",)
FEATURE_GROUP_WRITE_ACTIONS = (
    "sagemaker:DeleteRecord",
    "sagemaker:DescribeFeatureGroup",
    "sagemaker:PutRecord",
)
MODEL_PACKAGE_GROUP_READ_ACTIONS = ("sagemaker:DescribeModelPackageGroup",)
MODEL_PACKAGE_READ_ACTIONS = ("sagemaker:DescribeModelPackage",)
MODEL_PACKAGE_WRITE_ACTIONS = (
    "sagemaker:AddTags",
    "sagemaker:CreateModelPackage",
    "sagemaker:DescribeModelPackage",
    "sagemaker:UpdateModelPackage",
)
PIPELINE_UPSERT_ACTIONS = (
    "sagemaker:AddTags",
    "sagemaker:CreatePipeline",
    "sagemaker:DescribePipeline",
    "sagemaker:DescribePipelineExecution",
    "sagemaker:ListPipelineExecutionSteps",
    "sagemaker:StartPipelineExecution",
    "sagemaker:UpdatePipeline",
)
PIPELINE_START_ACTIONS = ("sagemaker:StartPipelineExecution",)
PIPELINE_READ_ACTIONS = (
    "sagemaker:DescribePipeline",
    "sagemaker:DescribePipelineExecution",
    "sagemaker:ListPipelineExecutionSteps",
)
# What the execution role does on jobs its pipeline runs (named <prefix>-<project>-*).
SAGEMAKER_JOB_ACTIONS = (
    "sagemaker:AddTags",
    "sagemaker:CreateProcessingJob",
    "sagemaker:CreateTrainingJob",
    "sagemaker:DescribeProcessingJob",
    "sagemaker:DescribeTrainingJob",
    "sagemaker:StopProcessingJob",
    "sagemaker:StopTrainingJob",
)
# What a pipeline that only runs processing jobs (the drift monitor) does on them.
PROCESSING_JOB_ACTIONS = (
    "sagemaker:AddTags",
    "sagemaker:CreateProcessingJob",
    "sagemaker:DescribeProcessingJob",
    "sagemaker:StopProcessingJob",
)
# The serving stack's autoscaling (Application Auto Scaling target tracking on the variant):
# the scalable target and its policy, the alarms target tracking makes for it, and the
# service-linked role the first registration creates.
ENDPOINT_AUTOSCALING_ACTIONS = (
    "application-autoscaling:DeleteScalingPolicy",
    "application-autoscaling:DeregisterScalableTarget",
    "application-autoscaling:ListTagsForResource",
    "application-autoscaling:PutScalingPolicy",
    "application-autoscaling:RegisterScalableTarget",
    "application-autoscaling:TagResource",
)
AUTOSCALING_DESCRIBE_ACTIONS = (
    "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:DescribeScalingPolicies",
)
TARGET_TRACKING_ALARM_ACTIONS = (
    "cloudwatch:DeleteAlarms",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:PutMetricAlarm",
)
SERVICE_LINKED_ROLE_ACTIONS = ("iam:CreateServiceLinkedRole",)
# SageMaker reads a deployment's rollback alarms with the endpoint's execution role.
ALARM_READ_ACTIONS = ("cloudwatch:DescribeAlarms",)
# What the deploy build's `pulumi up` of the project's serving stack does to its endpoint: a
# model and endpoint config per package version, the endpoint updated (or deleted on destroy),
# then smoke-tested with a request. Pulumi replaces models and endpoint configs: the role may
# delete only its project's ones.
ENDPOINT_DEPLOY_ACTIONS = (
    "sagemaker:AddTags",
    "sagemaker:CreateEndpoint",
    "sagemaker:CreateEndpointConfig",
    "sagemaker:CreateModel",
    "sagemaker:DeleteEndpoint",
    "sagemaker:DescribeEndpoint",
    "sagemaker:DescribeEndpointConfig",
    "sagemaker:DescribeModel",
    "sagemaker:InvokeEndpoint",
    "sagemaker:UpdateEndpoint",
)
ENDPOINT_DESCRIBE_ACTIONS = ("sagemaker:DescribeEndpoint",)
ENDPOINT_CLEANUP_ACTIONS = ("sagemaker:DeleteEndpointConfig", "sagemaker:DeleteModel")

# --- Logs, CodeBuild, CodeConnections, SSM, events, IAM --------------------------------------
LOGS_WRITE_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
CODEBUILD_START_ACTIONS = ("codebuild:StartBuild",)
CODEBUILD_CACHE_BUCKET_ACTIONS = ("s3:GetBucketAcl", "s3:GetBucketLocation")
CODEBUILD_REPORT_ACTIONS = (
    "codebuild:BatchPutCodeCoverages",
    "codebuild:BatchPutTestCases",
    "codebuild:CreateReport",
    "codebuild:CreateReportGroup",
    "codebuild:UpdateReport",
)
CONNECTION_USE_ACTIONS = (
    "codeconnections:GetConnection",
    "codeconnections:GetConnectionToken",
    "codeconnections:UseConnection",
)
# Connections created before the service's rename keep codestar-connections ARNs, and IAM
# authorises them under that older service prefix.
LEGACY_CONNECTION_USE_ACTIONS = (
    "codestar-connections:GetConnection",
    "codestar-connections:GetConnectionToken",
    "codestar-connections:UseConnection",
)
SSM_READ_ACTIONS = ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath")
PASS_ROLE_ACTIONS = ("iam:PassRole",)

# Actions AWS authorises only on Resource "*": no resource-level permissions exist for them.
# Each use below narrows it with a condition where AWS offers one.
CLOUDWATCH_PUT_METRIC_ACTIONS = ("cloudwatch:PutMetricData",)  # scoped by cloudwatch:namespace
ECR_AUTH_ACTIONS = ("ecr:GetAuthorizationToken",)  # account-wide token for pulling images
CLOUDWATCH_READ_METRIC_ACTIONS = ("cloudwatch:GetMetricStatistics",)
STAR_RESOURCE_ACTIONS = frozenset(
    CLOUDWATCH_PUT_METRIC_ACTIONS
    + CLOUDWATCH_READ_METRIC_ACTIONS
    + ECR_AUTH_ACTIONS
    + AUTOSCALING_DESCRIBE_ACTIONS
)

ECR_PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)

Statement = Mapping[str, Any]


def allow(
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    condition: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One Allow statement; actions sorted and de-duplicated so policies read and diff stably."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Action": sorted(set(actions)),
        "Resource": list(resources),
    }
    if condition:
        statement["Condition"] = dict(condition)
    return statement


def connection_use_actions(connection_arn: str) -> tuple[str, ...]:
    """The actions a build needs on its source connection, in the ARN's own service prefix."""
    if connection_arn.split(":")[2:3] == ["codestar-connections"]:
        return LEGACY_CONNECTION_USE_ACTIONS
    return CONNECTION_USE_ACTIONS


def arn(service: str, region: str, account_id: str, resource: str) -> str:
    """``arn:aws:<service>:<region>:<account>:<resource>``. The account and region are known
    strings (the program reads them once, before any resource): an ARN built from them needs no
    Output, and every Output is a task the engine tracks to the end of the run."""
    for what, value in (("region", region), ("account id", account_id)):
        if not isinstance(value, str):
            raise TypeError(f"{what} must be a known string to build an ARN, got {value!r}")
    return f"arn:aws:{service}:{region}:{account_id}:{resource}"


def policy_document(statements: Sequence[Statement]) -> pulumi.Input[str]:
    """The document as JSON text: plain text when every value is known (most are, their ARNs
    built from names), an Output only when some value is one."""
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    if _holds_output(document):
        return pulumi.Output.json_dumps(document)
    return json.dumps(document)


def _holds_output(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(_holds_output(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_output(item) for item in value)
    return False
