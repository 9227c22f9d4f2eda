"""C9 monitoring: the CloudWatch Logs groups the platform's services write to, created by the
platform with a retention and the platform's KMS key instead of by the services on first write
(which creates them with neither: kept forever, encrypted with an AWS-owned key)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack_infra import iam
from sagestack_infra.components.base import Component

# SageMaker's log groups: its jobs write to one group per kind, per account and region, and each
# endpoint to a group of its own.
SAGEMAKER_JOB_LOG_GROUPS = (
    "/aws/sagemaker/ProcessingJobs",
    "/aws/sagemaker/TrainingJobs",
    "/aws/sagemaker/TransformJobs",
)


def codebuild_log_group(project_name: str) -> str:
    """Where CodeBuild writes a project's build logs unless told otherwise."""
    return f"/aws/codebuild/{project_name}"


def endpoint_log_group(endpoint_name: str) -> str:
    return f"/aws/sagemaker/Endpoints/{endpoint_name}"


def log_group_arn(region: str, account_id: str, name: str) -> str:
    return iam.arn("logs", region, account_id, f"log-group:{name}")


@dataclass(frozen=True)
class LogGroupsArgs:
    names: Sequence[str]
    retention_days: int
    kms_key_arn: pulumi.Input[str]
    tags: dict[str, str]


def logical_name(prefix: str, group: str) -> str:
    """``platform-logs`` and ``/aws/sagemaker/TrainingJobs``: platform-logs-aws-sagemaker-
    trainingjobs (the name ``pulumi import`` takes to adopt an existing group)."""
    return f"{prefix}-{group.strip('/').replace('/', '-').lower()}"


def create_log_groups(
    prefix: str, args: LogGroupsArgs, opts: pulumi.ResourceOptions | None = None
) -> dict[str, aws.cloudwatch.LogGroup]:
    return {
        group: aws.cloudwatch.LogGroup(
            logical_name(prefix, group),
            name=group,
            retention_in_days=args.retention_days,
            kms_key_id=args.kms_key_arn,
            tags=args.tags,
            opts=opts,
        )
        for group in args.names
    }


class LogGroups(Component):
    """A project's groups, together."""

    def __init__(self, name: str, args: LogGroupsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sagestack:monitoring:LogGroups", name, None, opts)
        self.groups = create_log_groups(name, args, self._child())
        self.register_outputs({"names": list(self.groups)})
