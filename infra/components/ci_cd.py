"""C1 CI/CD: a project's build and deploy CodeBuild projects (not privileged, KMS-encrypted,
source through a CodeConnections connection), and the EventBridge rule that starts the deploy
build when a model package in the project's group is approved."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from sagestack import contract
from sagestack_infra import iam
from sagestack_infra.components.base import Component
from sagestack_infra.grants import Access, ServiceRole, access

SOURCE_TYPES = {"github": "GITHUB", "gitlab": "GITLAB", "bitbucket": "BITBUCKET"}
AUTOSCALING_SERVICE = "sagemaker.application-autoscaling.amazonaws.com"
AUTOSCALING_ROLE = "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
VARIANT_INSTANCE_COUNT = "sagemaker:variant:DesiredInstanceCount"
APPROVED = "Approved"


@dataclass(frozen=True)
class CiCdArgs:
    build_project_name: str
    deploy_project_name: str
    approval_rule_name: str
    """Name of the approval rule and of the role it starts the deploy build with."""
    project: str
    """The project's name, the value of its ``sagestack:project`` tag."""
    repository_provider: str
    """github | gitlab | bitbucket."""
    repository_url: str
    connection_arn: str
    model_package_group_name: str
    pipeline_name: str
    endpoint_name: str
    parameter_path: str
    environment_variables: dict[str, str]
    kms_key_arn: pulumi.Input[str]
    execution_role_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    tags: dict[str, str]
    build_image: str = "aws/codebuild/standard:7.0"
    """CodeBuild's curated Ubuntu image with Python 3.11; default standard:7.0."""
    compute_type: str = "BUILD_GENERAL1_SMALL"
    build_timeout_minutes: int = 60
    """Minutes before CodeBuild stops a build; default 60."""
    cache_location: pulumi.Input[str] | None = None
    """``<bucket>/<prefix>`` under which CodeBuild keeps each project's buildspec cache.paths
    between builds (``build/`` and ``deploy/`` below it); default no cache."""
    build_access: tuple[Access, ...] = ()
    """Data the build reads or writes besides its own logs, reports, source and parameters."""
    deploy_access: tuple[Access, ...] = ()
    """Data the deploy build reads or writes besides the same."""
    deploy_environment_variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """The deploy build's own, besides ``environment_variables``."""

    def __post_init__(self):
        if self.repository_provider not in SOURCE_TYPES:
            raise ValueError(
                f"repository provider {self.repository_provider!r} is not one of "
                f"{sorted(SOURCE_TYPES)}"
            )


def approval_event_pattern(group_name: str) -> dict:
    """A package in ``group_name`` changed to Approved."""
    return {
        "source": ["aws.sagemaker"],
        "detail-type": [contract.MODEL_PACKAGE_STATE_CHANGE],
        "detail": {"ModelPackageGroupName": [group_name], "ModelApprovalStatus": [APPROVED]},
    }


def deploy_input_template() -> str:
    """The StartBuild override carrying the approved package's ARN into the deploy build."""
    override = {
        "name": contract.ENV_MODEL_PACKAGE_ARN,
        "value": "<packageArn>",
        "type": "PLAINTEXT",
    }
    # <packageArn> is substituted by EventBridge already JSON-quoted, so it must stay bare.
    return json.dumps({"environmentVariablesOverride": [override]}).replace(
        '"<packageArn>"', "<packageArn>"
    )


class CiCd(Component):
    build_project_name: pulumi.Output[str]
    deploy_project_name: pulumi.Output[str]
    build_role: ServiceRole
    deploy_role: ServiceRole

    def __init__(self, name: str, args: CiCdArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sagestack:cicd:CiCd", name, None, opts)
        self._base = name
        self._args = args
        self.build_role = self._create_role(f"{name}-build-role", args.build_project_name)
        self.deploy_role = self._create_role(f"{name}-deploy-role", args.deploy_project_name)
        build_policy = self._grant_build_role()
        deploy_policy = self._grant_deploy_role()
        self.build_project = self._create_project(
            "build",
            args.build_project_name,
            contract.BUILD_BUILDSPEC,
            self.build_role,
            build_policy,
        )
        self.deploy_project = self._create_project(
            "deploy",
            args.deploy_project_name,
            contract.DEPLOY_BUILDSPEC,
            self.deploy_role,
            deploy_policy,
        )
        self.approval_rule = self._create_approval_rule()
        self.build_project_name = self.build_project.name
        self.deploy_project_name = self.deploy_project.name
        self.register_outputs(
            {
                "build_project_name": self.build_project_name,
                "deploy_project_name": self.deploy_project_name,
                "approval_rule_arn": self.approval_rule.arn,
            }
        )

    def _arn(self, service: str, resource: str) -> str:
        return iam.arn(service, self._args.region, self._args.account_id, resource)

    def _create_role(self, logical: str, project_name: str) -> ServiceRole:
        return ServiceRole(
            logical,
            project_name,
            service="codebuild.amazonaws.com",
            tags=self._args.tags,
            parent=self,
            source_account=self._args.account_id,
            source_arn=self._arn("codebuild", f"project/{project_name}"),
        )

    def _common_statements(self, project_name: str) -> list[dict]:
        """What any build of ``project_name`` needs: its logs, reports, source and parameters."""
        a = self._args
        log_group = f"log-group:/aws/codebuild/{project_name}"
        return [
            iam.allow(
                iam.LOGS_WRITE_ACTIONS,
                [self._arn("logs", log_group), self._arn("logs", f"{log_group}:*")],
            ),
            iam.allow(
                iam.CODEBUILD_REPORT_ACTIONS,
                [self._arn("codebuild", f"report-group/{project_name}-*")],
            ),
            iam.allow(iam.connection_use_actions(a.connection_arn), [a.connection_arn]),
            iam.allow(
                iam.SSM_READ_ACTIONS,
                [
                    self._arn("ssm", f"parameter{a.parameter_path.rstrip('/')}"),
                    self._arn("ssm", f"parameter{a.parameter_path}*"),
                ],
            ),
            iam.allow(
                iam.PASS_ROLE_ACTIONS,
                [a.execution_role_arn],
                {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            ),
        ]

    def _grant_build_role(self) -> aws.iam.RolePolicy:
        a = self._args
        pipeline = self._arn("sagemaker", f"pipeline/{a.pipeline_name}")
        role = self.build_role
        role.allow(
            *self._common_statements(a.build_project_name),
            iam.allow(
                iam.PIPELINE_UPSERT_ACTIONS,
                [pipeline, f"{pipeline}/execution/*"],
            ),
        )
        role.grant(access(kms_key_arn=a.kms_key_arn, kms_actions=iam.KMS_ENCRYPT_ACTIONS))
        role.grant(*a.build_access)
        role.allow(*self._cache_statements())
        return role.attach()

    def _grant_deploy_role(self) -> aws.iam.RolePolicy:
        a = self._args
        endpoint_resources = [
            self._arn("sagemaker", f"endpoint/{a.endpoint_name}"),
            self._arn("sagemaker", f"endpoint-config/{a.endpoint_name}-*"),
            self._arn("sagemaker", f"model/{a.endpoint_name}-*"),
        ]
        role = self.deploy_role
        role.allow(
            *self._common_statements(a.deploy_project_name),
            iam.allow(iam.ENDPOINT_DEPLOY_ACTIONS, endpoint_resources),
            # Only what it made: its names, and the project's tag, which another project's
            # models and configs never carry even where the names overlap (churn, churn-v2).
            iam.allow(
                iam.ENDPOINT_CLEANUP_ACTIONS,
                endpoint_resources[1:],
                {"StringEquals": {f"aws:ResourceTag/{contract.PROJECT_TAG}": a.project}},
            ),
        )
        role.grant(
            access(
                kms_key_arn=a.kms_key_arn,
                kms_actions=iam.KMS_ENCRYPT_ACTIONS + iam.KMS_GRANT_ACTIONS,
            )
        )
        role.grant(*a.deploy_access)
        role.allow(*self._cache_statements())
        # Whether or not the project autoscales now: a serving stack whose autoscaling was
        # turned off must deregister its target.
        role.allow(*self._autoscaling_statements())
        return role.attach()

    def _autoscaling_statements(self) -> list[dict]:
        """Register the endpoint's variant with Application Auto Scaling and track a target:
        scalable targets have generated ids, so they are scoped by namespace and dimension."""
        a = self._args
        sagemaker_variants = {
            "StringEquals": {
                "application-autoscaling:service-namespace": "sagemaker",
                "application-autoscaling:scalable-dimension": VARIANT_INSTANCE_COUNT,
            }
        }
        tracking_alarms = self._arn(
            "cloudwatch", f"alarm:TargetTracking-endpoint/{a.endpoint_name}/*"
        )
        linked_role = iam.arn(
            "iam",
            "",
            a.account_id,
            f"role/aws-service-role/{AUTOSCALING_SERVICE}/{AUTOSCALING_ROLE}",
        )
        return [
            iam.allow(
                iam.ENDPOINT_AUTOSCALING_ACTIONS,
                [self._arn("application-autoscaling", "scalable-target/*")],
                sagemaker_variants,
            ),
            iam.allow(iam.AUTOSCALING_DESCRIBE_ACTIONS, ["*"]),
            iam.allow(iam.TARGET_TRACKING_ALARM_ACTIONS, [tracking_alarms]),
            iam.allow(
                iam.SERVICE_LINKED_ROLE_ACTIONS,
                [linked_role],
                {"StringEquals": {"iam:AWSServiceName": AUTOSCALING_SERVICE}},
            ),
        ]

    def _cache_statements(self) -> list[dict]:
        """CodeBuild checks the cache bucket's location and owner before it reads or writes the
        cache objects (those lie in the project's prefix, granted with its data)."""
        bucket = self._cache_bucket()
        if bucket is None:
            return []
        return [iam.allow(iam.CODEBUILD_CACHE_BUCKET_ACTIONS, [bucket])]

    def _cache_bucket(self) -> pulumi.Output[str] | None:
        if self._args.cache_location is None:
            return None
        return pulumi.Output.from_input(self._args.cache_location).apply(
            lambda location: f"arn:aws:s3:::{location.split('/')[0]}"
        )

    def _cache(self, kind: str) -> dict | None:
        if self._args.cache_location is None:
            return None
        return {
            "type": "S3",
            "location": pulumi.Output.concat(self._args.cache_location, "/", kind),
        }

    def _create_project(
        self,
        kind: str,
        project_name: str,
        buildspec: str,
        role: ServiceRole,
        policy: aws.iam.RolePolicy,
    ) -> aws.codebuild.Project:
        """A build project run as ``role``, created only once ``policy`` is attached to it:
        CodeBuild checks at CreateProject that its role may use the source connection ("not
        authorized to access connection" otherwise; the same race as aws-cdk issue 38504)."""
        a = self._args
        return aws.codebuild.Project(
            f"{self._base}-{kind}",
            name=project_name,
            service_role=role.arn,
            encryption_key=a.kms_key_arn,
            build_timeout=a.build_timeout_minutes,
            artifacts={"type": "NO_ARTIFACTS"},
            environment={
                "compute_type": a.compute_type,
                "image": a.build_image,
                "type": "LINUX_CONTAINER",
                "image_pull_credentials_type": "CODEBUILD",
                "privileged_mode": False,
                "environment_variables": [
                    {"name": key, "value": value, "type": "PLAINTEXT"}
                    for key, value in sorted(self._environment(kind).items())
                ],
            },
            source={
                "type": SOURCE_TYPES[a.repository_provider],
                "location": a.repository_url,
                "buildspec": buildspec,
                "git_clone_depth": 1,
                "report_build_status": True,
                "auth": {"type": "CODECONNECTIONS", "resource": a.connection_arn},
            },
            cache=self._cache(kind),
            logs_config={"cloudwatch_logs": {"status": "ENABLED"}},
            tags=a.tags,
            opts=self._child(depends_on=[policy]),
        )

    def _environment(self, kind: str) -> dict[str, pulumi.Input[str]]:
        a = self._args
        if kind == "deploy":
            return {**a.environment_variables, **a.deploy_environment_variables}
        return dict(a.environment_variables)

    def _create_approval_rule(self) -> aws.cloudwatch.EventRule:
        a = self._args
        rule = aws.cloudwatch.EventRule(
            f"{self._base}-approved",
            name=a.approval_rule_name,
            description=f"Deploy when a package in {a.model_package_group_name} is approved",
            event_pattern=json.dumps(approval_event_pattern(a.model_package_group_name)),
            tags=a.tags,
            opts=self._child(),
        )
        events_role = ServiceRole(
            f"{self._base}-events-role",
            a.approval_rule_name,
            service="events.amazonaws.com",
            tags=a.tags,
            parent=self,
            source_account=a.account_id,
            source_arn=rule.arn,
        )
        events_role.allow(iam.allow(iam.CODEBUILD_START_ACTIONS, [self.deploy_project.arn]))
        start_policy = events_role.attach()
        aws.cloudwatch.EventTarget(
            f"{self._base}-approved-target",
            rule=rule.name,
            arn=self.deploy_project.arn,
            role_arn=events_role.arn,
            input_transformer={
                "input_paths": {"packageArn": "$.detail.ModelPackageArn"},
                "input_template": deploy_input_template(),
            },
            opts=self._child(depends_on=[start_policy]),
        )
        return rule
