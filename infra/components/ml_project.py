"""One ML project's slice of the platform: its execution role, model registry, CI/CD with the
webhook, alarms, feedback loop, Kubernetes serving where chosen, and the SSM parameters that tell
the project where all of it is. Composes the per-project components and grants them access to the
platform's shared bucket, key, topic and feature store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from sagestack import contract
from sagestack_infra.components.artifact_store import ArtifactStore
from sagestack_infra.components.base import Component
from sagestack_infra.components.ci_cd import CiCd, CiCdArgs
from sagestack_infra.components.discovery import Discovery, DiscoveryArgs
from sagestack_infra.components.drift_monitor import (
    DriftMonitor,
    DriftSchedule,
    DriftScheduleArgs,
    endpoint_parameters,
)
from sagestack_infra.components.encryption import EncryptionKey
from sagestack_infra.components.failure_pages import FailurePages, FailurePagesArgs
from sagestack_infra.components.feature_store import FeatureStore
from sagestack_infra.components.feedback_loop import FeedbackLoop, FeedbackLoopArgs
from sagestack_infra.components.log_groups import (
    LogGroups,
    LogGroupsArgs,
    codebuild_log_group,
    endpoint_log_group,
)
from sagestack_infra.components.model_monitor import ModelMonitor, ModelMonitorArgs
from sagestack_infra.components.model_registry import ModelRegistry, ModelRegistryArgs
from sagestack_infra.components.monitor_health import MonitorHealth, MonitorHealthArgs
from sagestack_infra.components.monitoring import Monitoring, MonitoringArgs
from sagestack_infra.components.oncall import OnCall
from sagestack_infra.components.policy_pack import PublishedPolicyPack
from sagestack_infra.components.serving_kubernetes import KubernetesServing, KubernetesServingArgs
from sagestack_infra.components.source import SourceWebhook, SourceWebhookArgs
from sagestack_infra.components.training import ExecutionRole, ExecutionRoleArgs
from sagestack_infra.config.names import ProjectNames
from sagestack_infra.config.values import model_monitor_schedule
from sagestack_infra.grants import Access, s3_read_access


@dataclass(frozen=True)
class SharedPlatform:
    """The platform-wide pieces every project uses."""

    stack: str
    name_prefix: str
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    key: EncryptionKey
    artifacts: ArtifactStore
    oncall: OnCall
    feature_store: FeatureStore | None = None
    kubernetes_provider: k8s.Provider | None = None
    model_server_image: str | None = None
    drift_monitor: DriftMonitor | None = None
    """The platform's drift-monitor pipeline, which sagestack-monitored projects schedule."""
    policy_pack: PublishedPolicyPack | None = None
    """The policy pack the deploy builds run on the serving stacks; None: they run none."""


@dataclass(frozen=True)
class KubernetesServingSpec:
    replicas: int
    cpu: str
    memory: str


@dataclass(frozen=True)
class MlProjectArgs:
    project: str
    repository_provider: str
    repository_url: str
    connection_arn: str
    branch: str
    drift_features: tuple[str, ...]
    drift_threshold: float
    drift_period_seconds: int
    tags: dict[str, str]
    """The stack's tags plus ``sagestack:project``."""
    settings: dict[str, Any]
    """Published as the SETTINGS parameter: instance types, metric, threshold, drift settings."""
    auto_retrain: bool = False
    """Start the training pipeline again when the max drift alarm fires; default off."""
    feature_groups: tuple[str, ...] = ()
    """Physical names of the feature groups the project reads; default none."""
    data_s3: tuple[str, ...] = ()
    """S3 prefixes (``s3://<bucket>/<prefix>/``) of training data outside the project's own."""
    data_kms_keys: tuple[str, ...] = ()
    """KMS key ARNs that data is encrypted with."""
    kubernetes: KubernetesServingSpec | None = None
    """Serve on Kubernetes instead of a SageMaker endpoint; default None (SageMaker)."""
    drift_monitor: str = "sagestack"
    """Who measures drift: "sagestack" (the platform pipeline) or "model-monitor"."""
    drift_schedule: str = "rate(1 hour)"
    """How often drift is measured (EventBridge rate() or cron()); default hourly."""
    processing_instance_type: str = "ml.m5.large"
    """Instance the drift job runs on; default ml.m5.large."""
    drift_min_requests: int | None = None
    """Fewest requests a drift window needs to be judged; default None (the engine's own)."""
    runbook_base_url: str | None = None
    """Where pages link for their runbook; default None: the runbook's path in the repository."""
    rollback_alarms: tuple[str, ...] = ("5xx", "latency-p99")
    """The endpoint alarms (by suffix) a deployment rolls back on; default both."""
    page_pull_request_builds: bool = False
    """Also page on-call when a pull request's build fails; default off."""
    log_retention_days: int = 90
    """Days its build, deploy and endpoint logs are kept; default 90."""


class MlProject(Component):
    parameter_path: str
    execution_role_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: MlProjectArgs,
        platform: SharedPlatform,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("sagestack:project:MlProject", name, None, opts)
        self._base = name
        self._args = args
        self._platform = platform
        self.names = ProjectNames(platform.name_prefix, args.project, platform.stack)
        self.pipeline_name = self.names.pipeline
        self.endpoint_name = self.names.endpoint
        self.parameter_path = self.names.parameter_path

        self.registry = self._create_registry()
        self.execution = self._create_execution_role()
        self.cicd = self._create_cicd()
        self.source = SourceWebhook(
            f"{name}-source",
            SourceWebhookArgs(
                build_project_name=self.cicd.build_project_name,
                provider=args.repository_provider,
                branch=args.branch,
            ),
            opts=self._child(),
        )
        self._create_log_groups()
        self.model_monitor = self._create_drift_measurement()
        self.monitoring = self._create_monitoring()
        self._create_failure_pages()
        if args.auto_retrain:
            self._create_feedback_loop()
        if args.kubernetes is not None:
            self._create_kubernetes_serving(args.kubernetes)
        self._create_discovery()
        self.execution_role_arn = self.execution.role_arn
        self.register_outputs(
            {"parameter_path": self.parameter_path, "execution_role_arn": self.execution_role_arn}
        )

    def _environment(self) -> dict[str, str]:
        """What the project's builds and servers are told about where they run."""
        return {
            contract.ENV_STACK: self._platform.stack,
            contract.ENV_PROJECT: self._args.project,
            contract.ENV_PARAMETER_PATH: self.parameter_path,
        }

    def _create_execution_role(self) -> ExecutionRole:
        p = self._platform
        return ExecutionRole(
            f"{self._base}-execution",
            ExecutionRoleArgs(
                role_name=self.names.execution_role,
                resource_prefix=self.names.resource_prefix,
                pipeline_name=self.pipeline_name,
                endpoint_name=self.endpoint_name,
                kms_key_arn=p.key.key_arn,
                account_id=p.account_id,
                region=p.region,
                tags=self._args.tags,
                data_access=self._execution_access(),
            ),
            opts=self._child(),
        )

    def _execution_access(self) -> tuple[Access, ...]:
        """The pipeline's data: the project's prefix, its registry, its feature groups."""
        p, a = self._platform, self._args
        accesses = [
            p.artifacts.write_access(contract.artifact_prefix(a.project)),
            self.registry.register_access(),
        ]
        if a.feature_groups:
            accesses.append(p.feature_store.read_access(a.feature_groups))
        return (*accesses, *self._data_source_access())

    def _build_access(self) -> tuple[Access, ...]:
        """The build uploads pipeline code to the project's prefix; resolving the training data,
        it describes the project's feature groups and may look into its S3 data sources."""
        p, a = self._platform, self._args
        accesses = [p.artifacts.write_access(contract.artifact_prefix(a.project))]
        if a.feature_groups:
            accesses.append(p.feature_store.describe_access(a.feature_groups))
        return (*accesses, *self._data_source_access())

    def _data_source_access(self) -> tuple[Access, ...]:
        a = self._args
        if not (a.data_s3 or a.data_kms_keys):
            return ()
        return (s3_read_access(a.data_s3, a.data_kms_keys),)

    def _deploy_access(self) -> tuple[Access, ...]:
        """The deploy reads models and writes the drift baseline; it reads the registry and
        fetches the platform's policy pack."""
        p, a = self._platform, self._args
        accesses = (
            p.artifacts.write_access(contract.artifact_prefix(a.project)),
            self.registry.read_access(),
        )
        if p.policy_pack is None:
            return accesses
        return (*accesses, p.artifacts.read_access(contract.POLICY_PACK_PREFIX))

    def _deploy_environment(self) -> dict[str, pulumi.Input[str]]:
        pack = self._platform.policy_pack
        return {} if pack is None else {contract.ENV_POLICY_PACK_URI: pack.uri}

    def _create_registry(self) -> ModelRegistry:
        p = self._platform
        return ModelRegistry(
            f"{self._base}-registry",
            ModelRegistryArgs(
                group_name=self.names.model_package_group,
                account_id=p.account_id,
                region=p.region,
                tags=self._args.tags,
            ),
            opts=self._child(),
        )

    def _create_cicd(self) -> CiCd:
        a, p = self._args, self._platform
        return CiCd(
            f"{self._base}-cicd",
            CiCdArgs(
                build_project_name=self.names.build_project,
                deploy_project_name=self.names.deploy_project,
                approval_rule_name=self.names.approval_rule,
                project=a.project,
                repository_provider=a.repository_provider,
                repository_url=a.repository_url,
                connection_arn=a.connection_arn,
                model_package_group_name=self.names.model_package_group,
                pipeline_name=self.pipeline_name,
                endpoint_name=self.endpoint_name,
                parameter_path=self.parameter_path,
                environment_variables=self._environment(),
                kms_key_arn=p.key.key_arn,
                execution_role_arn=self.execution.role_arn,
                account_id=p.account_id,
                region=p.region,
                tags=a.tags,
                cache_location=pulumi.Output.concat(
                    p.artifacts.bucket_name,
                    "/",
                    contract.artifact_prefix(a.project),
                    "/build-cache",
                ),
                build_access=self._build_access(),
                deploy_access=self._deploy_access(),
                deploy_environment_variables=self._deploy_environment(),
            ),
            opts=self._child(),
        )

    def _create_monitoring(self) -> Monitoring:
        a = self._args
        return Monitoring(
            f"{self._base}-monitoring",
            MonitoringArgs(
                model=a.project,
                endpoint_name=self.endpoint_name,
                alarm_prefix=self.names.resource_prefix,
                drift_features=a.drift_features,
                drift_threshold=a.drift_threshold,
                drift_period_seconds=a.drift_period_seconds,
                endpoint_alarms=a.kubernetes is None,
                topic_arn=self._platform.oncall.topic_arn,
                tags=a.tags,
                model_monitor_schedule=self.model_monitor.schedule_name
                if self.model_monitor
                else None,
                runbook_base_url=a.runbook_base_url,
                report_bucket=self._platform.artifacts.bucket_name,
                region=self._platform.region,
                rollback_alarms=a.rollback_alarms,
            ),
            opts=self._child(),
        )

    def _create_log_groups(self) -> LogGroups:
        """Where its builds and its endpoint log, kept for the stack's retention, encrypted."""
        n = self.names
        return LogGroups(
            f"{self._base}-logs",
            LogGroupsArgs(
                names=(
                    codebuild_log_group(n.build_project),
                    codebuild_log_group(n.deploy_project),
                    endpoint_log_group(n.endpoint),
                ),
                retention_days=self._args.log_retention_days,
                kms_key_arn=self._platform.key.key_arn,
                tags=self._args.tags,
            ),
            opts=self._child(),
        )

    def _create_failure_pages(self) -> FailurePages:
        a, p, n = self._args, self._platform, self.names
        return FailurePages(
            f"{self._base}-pages",
            FailurePagesArgs(
                project=a.project,
                rule_prefix=n.resource_prefix,
                pipeline_name=n.pipeline,
                build_project_names=(n.build_project, n.deploy_project),
                endpoint_name=n.endpoint if a.kubernetes is None else None,
                topic_arn=p.oncall.topic_arn,
                account_id=p.account_id,
                region=p.region,
                tags=a.tags,
                pull_request_builds=a.page_pull_request_builds,
                runbook_base_url=a.runbook_base_url,
            ),
            opts=self._child(),
        )

    def _create_drift_measurement(self) -> ModelMonitor | None:
        """Model Monitor on the endpoint, or a schedule of the platform's drift monitor."""
        if self._args.drift_monitor == "model-monitor":
            return self._create_model_monitor()
        self._create_drift_schedule()
        self._create_monitor_health()
        return None

    def _create_drift_schedule(self) -> DriftSchedule:
        a, p = self._args, self._platform
        if p.drift_monitor is None:
            raise ValueError(
                f"project {a.project!r} uses the sagestack drift monitor but the platform has "
                "none (SharedPlatform.drift_monitor)"
            )
        parameters = endpoint_parameters(
            bucket_name=p.artifacts.bucket_name,
            project=a.project,
            endpoint_name=self.endpoint_name,
            window_hours=max(1, -(-a.drift_period_seconds // 3600)),
            psi_threshold=a.drift_threshold,
            instance_type=a.processing_instance_type,
            min_requests=a.drift_min_requests,
        )
        return DriftSchedule(
            f"{self._base}-drift",
            DriftScheduleArgs(
                rule_name=self.names.drift_schedule,
                role_name=self.names.drift_schedule,
                endpoint_name=self.endpoint_name,
                schedule_expression=a.drift_schedule,
                pipeline_name=p.drift_monitor.pipeline_name,
                pipeline_arn=p.drift_monitor.pipeline_arn,
                parameters=parameters,
                account_id=p.account_id,
                tags=a.tags,
            ),
            opts=self._child(),
        )

    def _create_monitor_health(self) -> MonitorHealth:
        """A page when the drift monitor of this endpoint stops completing runs, or when the
        endpoint serves without capturing."""
        a, p = self._args, self._platform
        return MonitorHealth(
            f"{self._base}-monitor-health",
            MonitorHealthArgs(
                model=a.project,
                endpoint_name=self.endpoint_name,
                alarm_name=self.names.alarm("drift-heartbeat"),
                capture_gap_alarm_name=self.names.alarm("capture-gap")
                if a.kubernetes is None
                else None,
                monitor_pipeline_name=p.drift_monitor.pipeline_name,
                schedule_rule_name=self.names.drift_schedule,
                period_seconds=a.drift_period_seconds,
                topic_arn=p.oncall.topic_arn,
                tags=a.tags,
                runbook_base_url=a.runbook_base_url,
            ),
            opts=self._child(),
        )

    def _create_model_monitor(self) -> ModelMonitor:
        a, p = self._args, self._platform
        return ModelMonitor(
            f"{self._base}-model-monitor",
            ModelMonitorArgs(
                project=a.project,
                name=self.names.drift_schedule,
                role_name=self.names.model_monitor_role,
                endpoint_name=self.endpoint_name,
                schedule_expression=model_monitor_schedule(a.drift_schedule),
                instance_type=a.processing_instance_type,
                artifacts=p.artifacts,
                kms_key_arn=p.key.key_arn,
                account_id=p.account_id,
                region=p.region,
                tags=a.tags,
            ),
            opts=self._child(),
        )

    def _create_feedback_loop(self) -> FeedbackLoop:
        p = self._platform
        return FeedbackLoop(
            f"{self._base}-retrain",
            FeedbackLoopArgs(
                rule_name=self.names.retrain_rule,
                alarm_name=self.names.alarm("drift-max"),
                pipeline_name=self.pipeline_name,
                pipeline_parameters={
                    contract.PIPELINE_PARAM_TRIGGER: contract.PIPELINE_TRIGGER_DRIFT
                },
                account_id=p.account_id,
                region=p.region,
                tags=self._args.tags,
            ),
            opts=self._child(depends_on=[self.monitoring]),
        )

    def _create_kubernetes_serving(self, spec: KubernetesServingSpec) -> KubernetesServing:
        a, p = self._args, self._platform
        if p.kubernetes_provider is None or p.model_server_image is None:
            raise ValueError(
                f"project {a.project!r} serves on Kubernetes but the platform has no "
                "Kubernetes provider and model server image (sagestack:kubernetes)"
            )
        return KubernetesServing(
            f"{self._base}-serving",
            KubernetesServingArgs(
                namespace=self.names.resource_prefix,
                app_name=a.project,
                image=p.model_server_image,
                provider=p.kubernetes_provider,
                replicas=spec.replicas,
                cpu=spec.cpu,
                memory=spec.memory,
                env=self._environment(),
                annotations=a.tags,
            ),
            opts=self._child(),
        )

    def _create_discovery(self) -> Discovery:
        a, p = self._args, self._platform
        values = {
            contract.Param.ARTIFACT_BUCKET: p.artifacts.bucket_name,
            contract.Param.ARTIFACT_PREFIX: contract.artifact_prefix(a.project),
            contract.Param.KMS_KEY_ARN: p.key.key_arn,
            contract.Param.EXECUTION_ROLE_ARN: self.execution.role_arn,
            contract.Param.MODEL_PACKAGE_GROUP: self.registry.group_name,
            contract.Param.PIPELINE_NAME: self.pipeline_name,
            contract.Param.ENDPOINT_NAME: self.endpoint_name,
            contract.Param.ONCALL_TOPIC_ARN: p.oncall.topic_arn,
            contract.Param.FEATURE_GROUPS: json.dumps(list(a.feature_groups)),
            contract.Param.ALARM_NAMES: json.dumps(self.monitoring.rollback_alarm_names),
            contract.Param.SETTINGS: json.dumps(a.settings, sort_keys=True),
        }
        return Discovery(
            f"{self._base}-discovery",
            DiscoveryArgs(stack=p.stack, project=a.project, values=values, tags=a.tags),
            opts=self._child(),
        )
