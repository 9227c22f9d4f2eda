"""C5 training infrastructure: the project's SageMaker execution role, which its pipeline, its
processing and training jobs and its endpoint run as. Its own statements cover the jobs, logs
and metrics; data access comes from the bucket, registry and feature store grants."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from sagestack import contract
from sagestack_infra import iam
from sagestack_infra.components.base import Component
from sagestack_infra.components.log_groups import SAGEMAKER_JOB_LOG_GROUPS, endpoint_log_group
from sagestack_infra.grants import Access, ServiceRole

# SageMaker Pipelines names the jobs it starts "pipelines-<execution>-<step>-<hash>", so a job
# started by the project's pipeline cannot carry the project's name.
PIPELINE_JOB_PREFIX = "pipelines-"
JOB_METRIC_NAMESPACES = ("/aws/sagemaker/ProcessingJobs", "/aws/sagemaker/TrainingJobs")


@dataclass(frozen=True)
class ExecutionRoleArgs:
    role_name: str
    resource_prefix: str
    """``<namePrefix>-<project>``: jobs the project names itself start with it."""
    pipeline_name: str
    endpoint_name: str
    kms_key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    tags: dict[str, str]
    data_access: tuple[Access, ...] = ()
    """The project's data: its prefix, its registry, its feature groups and data sources."""


class ExecutionRole(Component):
    role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: ExecutionRoleArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:training:ExecutionRole", name, None, opts)
        self._args = args
        self.role = ServiceRole.for_sagemaker(self, f"{name}-role", args)
        self.role_arn = self.role.arn
        self.role.allow(*self._statements())
        self.role.grant(*args.data_access)
        self.policy = self.role.attach()
        self.register_outputs({"role_arn": self.role_arn})

    def _arn(self, service: str, resource: str) -> str:
        return iam.arn(service, self._args.region, self._args.account_id, resource)

    def _log_group_arns(self) -> list[pulumi.Output[str]]:
        groups = [*SAGEMAKER_JOB_LOG_GROUPS, endpoint_log_group(self._args.endpoint_name)]
        return [
            self._arn("logs", f"log-group:{group}{streams}")
            for group in groups
            for streams in ("", ":*")
        ]

    def _statements(self) -> list[dict]:
        a = self._args
        pipeline = self._arn("sagemaker", f"pipeline/{a.pipeline_name}")
        jobs = [
            self._arn("sagemaker", f"{kind}/{prefix}*")
            for kind in ("processing-job", "training-job")
            for prefix in (f"{a.resource_prefix}-", PIPELINE_JOB_PREFIX)
        ]
        return [
            iam.allow(iam.SAGEMAKER_JOB_ACTIONS, jobs),
            iam.allow(
                iam.PIPELINE_READ_ACTIONS,
                [pipeline, f"{pipeline}/execution/*"],
            ),
            # The pipeline hands this same role to the jobs it starts.
            iam.allow(
                iam.PASS_ROLE_ACTIONS,
                [self.role.arn],
                {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            ),
            # its jobs' logs and its endpoint's, not every SageMaker group of the account
            iam.allow(iam.LOGS_WRITE_ACTIONS, self._log_group_arns()),
            # a deployment's automatic rollback watches the project's alarms
            iam.allow(
                iam.ALARM_READ_ACTIONS, [self._arn("cloudwatch", f"alarm:{a.resource_prefix}-*")]
            ),
            iam.allow(
                iam.CLOUDWATCH_PUT_METRIC_ACTIONS,
                ["*"],  # PutMetricData has no resource-level permissions; the namespace is pinned
                {
                    "StringEquals": {
                        "cloudwatch:namespace": [*JOB_METRIC_NAMESPACES, contract.DRIFT_NAMESPACE]
                    }
                },
            ),
            iam.allow(iam.ECR_AUTH_ACTIONS, ["*"]),  # GetAuthorizationToken is account-wide only
            # SageMaker's framework images live in AWS-owned accounts that differ per region.
            iam.allow(
                iam.ECR_PULL_ACTIONS,
                [f"arn:aws:ecr:{a.region}:*:repository/sagemaker-*"],
            ),
            iam.allow(iam.KMS_ENCRYPT_ACTIONS, [a.kms_key_arn]),
            # Volumes of jobs and endpoints are encrypted through grants SageMaker creates.
            iam.allow(
                iam.KMS_GRANT_ACTIONS,
                [a.kms_key_arn],
                {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            ),
        ]
