"""C9 monitoring, the sagestack way: the platform's ``drift-monitor`` SageMaker pipeline (the drift
engine's code package, a least-privilege role, the pipeline) and, per monitored endpoint, the
EventBridge schedule that starts it with that endpoint's parameters.

The schedule is an EventBridge rule with a ``schedule_expression`` (not EventBridge Scheduler):
a real account accepts it with a SageMaker pipeline target and the same ``rate()``/``cron()``
syntax the config takes, and the local cloud delivers rule targets to SageMaker pipelines.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack import contract
from sagestack_infra import iam
from sagestack_infra.components.artifact_store import ArtifactStore
from sagestack_infra.components.base import Component
from sagestack_infra.components.feedback_loop import start_pipeline_target
from sagestack_infra.grants import ServiceRole, access
from sagestack_pipelines.drift_monitor import pipeline as pipeline

CODE_PREFIX = "platform/drift-monitor/code"
PROCESSING_LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
# SageMaker Pipelines names the jobs it starts "pipelines-<execution>-<step>-<hash>".
PIPELINE_JOB_PREFIX = "pipelines-"
ANY_PROJECT = "*"


@dataclass(frozen=True)
class DriftMonitorArgs:
    pipeline_name: str
    role_name: str
    artifacts: ArtifactStore
    kms_key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    tags: dict[str, str]
    name_prefix: str
    """The stack's ``namePrefix``: the role may describe the endpoints named with it."""
    default_instance_type: str = "ml.m5.large"
    """Processing instance when a run does not set ProcessingInstanceType; default ml.m5.large."""


def processing_role_statements(
    *,
    region: pulumi.Input[str],
    account_id: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str],
    metric_namespace: str,
    image_repository: str,
) -> list[dict]:
    """What a SageMaker processing job's own role needs besides its data: logs, metrics in one
    namespace, its image, and KMS grants for its encrypted volume."""
    return [
        iam.allow(
            iam.LOGS_WRITE_ACTIONS,
            [iam.arn("logs", region, account_id, f"log-group:{PROCESSING_LOG_GROUP}*")],
        ),
        iam.allow(
            iam.CLOUDWATCH_PUT_METRIC_ACTIONS,
            ["*"],  # PutMetricData has no resource-level permissions; the namespace is pinned
            {"StringEquals": {"cloudwatch:namespace": metric_namespace}},
        ),
        iam.allow(iam.ECR_AUTH_ACTIONS, ["*"]),  # GetAuthorizationToken is account-wide only
        # SageMaker's images live in AWS-owned accounts that differ per region.
        iam.allow(
            iam.ECR_PULL_ACTIONS,
            [f"arn:aws:ecr:{region}:*:repository/{image_repository}"],
        ),
        iam.allow(
            iam.KMS_GRANT_ACTIONS,
            [kms_key_arn],
            {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        ),
    ]


class DriftMonitor(Component):
    pipeline_name: str
    pipeline_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: DriftMonitorArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:monitoring:DriftMonitor", name, None, opts)
        self._base = name
        self._args = args
        self.pipeline_name = args.pipeline_name
        self.pipeline_arn = iam.arn(
            "sagemaker", args.region, args.account_id, f"pipeline/{args.pipeline_name}"
        )
        package = pipeline.code_package()
        self.code = self._create_code_object(package)
        self.role = ServiceRole.for_sagemaker(self, f"{name}-role", args)
        self.role_arn = self.role.arn
        self._grant_role()
        policy = self.role.attach()
        self.pipeline = self._create_pipeline(package, depends_on=[self.code, policy])
        self.register_outputs({"pipeline_arn": self.pipeline_arn, "role_arn": self.role_arn})

    def _create_code_object(self, package: pipeline.CodePackage) -> aws.s3.BucketObjectv2:
        return self._args.artifacts.put_package(
            f"{self._base}-code", CODE_PREFIX, package, self._child()
        )

    def _grant_role(self) -> None:
        """Read every project's capture and baseline, write its reports, run the step."""
        a, role = self._args, self.role
        a.artifacts.grant_read(role, CODE_PREFIX)
        a.artifacts.grant_read(role, contract.data_capture_prefix(ANY_PROJECT))
        # the baseline's folder: a grant covers a prefix, and the key's name is the contract's
        a.artifacts.grant_read(role, posixpath.dirname(contract.drift_baseline_key(ANY_PROJECT)))
        a.artifacts.grant_write(role, contract.drift_report_prefix(ANY_PROJECT))
        role.grant(
            access(
                *self._statements(),
                kms_key_arn=a.kms_key_arn,
                kms_actions=iam.KMS_ENCRYPT_ACTIONS,
            )
        )

    def _statements(self) -> list[dict]:
        a = self._args
        jobs = iam.arn(
            "sagemaker", a.region, a.account_id, f"processing-job/{PIPELINE_JOB_PREFIX}*"
        )
        endpoints = iam.arn(
            "sagemaker",
            a.region,
            a.account_id,
            f"endpoint/{contract.endpoint_name(a.name_prefix, ANY_PROJECT)}",
        )
        return [
            iam.allow(iam.PROCESSING_JOB_ACTIONS, [jobs]),
            # An endpoint's variants and capture settings, to tell requests served without capture.
            iam.allow(iam.ENDPOINT_DESCRIBE_ACTIONS, [endpoints]),
            # Its endpoints' Invocations: GetMetricStatistics takes no resource, no condition key.
            iam.allow(iam.CLOUDWATCH_READ_METRIC_ACTIONS, ["*"]),
            # The pipeline hands this same role to the processing job it starts.
            iam.allow(
                iam.PASS_ROLE_ACTIONS,
                [self.role.arn],
                {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            ),
            *processing_role_statements(
                region=a.region,
                account_id=a.account_id,
                kms_key_arn=a.kms_key_arn,
                metric_namespace=contract.DRIFT_NAMESPACE,
                image_repository="sagemaker-scikit-learn",
            ),
        ]

    def _create_pipeline(
        self, package: pipeline.CodePackage, depends_on: list[pulumi.Resource]
    ) -> aws.sagemaker.Pipeline:
        a = self._args
        definition = pulumi.Output.all(
            self.role.arn, a.region, a.artifacts.bucket_name, a.kms_key_arn
        ).apply(
            lambda values: pipeline.definition_json(
                pipeline.DriftMonitorSpec(
                    role_arn=values[0],
                    region=values[1],
                    code_s3_uri=f"s3://{values[2]}/{CODE_PREFIX}/{package.file_name}",
                    kms_key_arn=values[3],
                    default_instance_type=a.default_instance_type,
                )
            )
        )
        return aws.sagemaker.Pipeline(
            f"{self._base}-pipeline",
            pipeline_name=a.pipeline_name,
            pipeline_display_name=a.pipeline_name,
            pipeline_description="sagestack drift monitor: one endpoint's captured requests "
            "against its baseline, metrics to CloudWatch, report to S3",
            pipeline_definition=definition,
            role_arn=self.role.arn,
            tags=a.tags,
            opts=self._child(depends_on=depends_on),
        )


@dataclass(frozen=True)
class DriftScheduleArgs:
    rule_name: str
    role_name: str
    endpoint_name: str
    schedule_expression: str
    """``rate(...)`` or ``cron(...)``, as EventBridge takes it (the project's drift.schedule)."""
    pipeline_name: str
    pipeline_arn: pulumi.Input[str]
    parameters: Mapping[str, pulumi.Input[str]]
    """The drift-monitor pipeline's parameters for this endpoint."""
    account_id: pulumi.Input[str]
    tags: dict[str, str]


class DriftSchedule(Component):
    """One endpoint's schedule: a rule that starts the drift-monitor pipeline with its parameters,
    through a role that may start that pipeline and nothing else."""

    rule_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: DriftScheduleArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:monitoring:DriftSchedule", name, None, opts)
        self.rule = aws.cloudwatch.EventRule(
            f"{name}-rule",
            name=args.rule_name,
            description=f"Start {args.pipeline_name} for endpoint {args.endpoint_name}",
            schedule_expression=args.schedule_expression,
            tags=args.tags,
            opts=self._child(),
        )
        start_pipeline_target(
            name,
            rule=self.rule,
            pipeline_arn=args.pipeline_arn,
            role_name=args.role_name,
            parameters=args.parameters,
            account_id=args.account_id,
            tags=args.tags,
            parent=self,
        )
        self.rule_arn = self.rule.arn
        self.register_outputs({"rule_arn": self.rule_arn})


def endpoint_parameters(
    *,
    bucket_name: pulumi.Input[str],
    project: str,
    endpoint_name: str,
    window_hours: int,
    psi_threshold: float,
    instance_type: str,
    min_requests: int | None = None,
) -> dict[str, pulumi.Input[str]]:
    """The drift-monitor pipeline's parameters for one project's endpoint (all strings, as
    SageMakerPipelineParameters carries them); locations follow :mod:`sagestack.contract`.
    ``min_requests`` None passes 0: the drift engine's own minimum window."""

    def s3(key: str) -> pulumi.Output[str]:
        return pulumi.Output.concat("s3://", bucket_name, "/", key)

    return {
        pipeline.PARAM_ENDPOINT: endpoint_name,
        # SageMaker appends <endpoint>/<variant>/yyyy/mm/dd/hh/ to the capture destination.
        pipeline.PARAM_CAPTURE: s3(f"{contract.data_capture_prefix(project)}/{endpoint_name}"),
        pipeline.PARAM_BASELINE: s3(contract.drift_baseline_key(project)),
        pipeline.PARAM_REPORT: s3(contract.drift_report_prefix(project)),
        pipeline.PARAM_WINDOW_HOURS: str(window_hours),
        pipeline.PARAM_PSI_THRESHOLD: repr(float(psi_threshold)),
        pipeline.PARAM_INSTANCE_TYPE: instance_type,
        pipeline.PARAM_MIN_REQUESTS: str(min_requests or 0),
    }
