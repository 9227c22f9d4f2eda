"""The sagestack platform: config in, components out.

``define_platform`` takes a validated config (:mod:`sagestack_infra.config`) and builds the shared
platform (key, bucket, on-call topic, feature store, Kubernetes provider)
and one :class:`~sagestack_infra.components.ml_project.MlProject` per configured project.
"""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from sagestack import contract
from sagestack_infra import collector, iam
from sagestack_infra.components.artifact_store import ArtifactStore, ArtifactStoreArgs
from sagestack_infra.components.drift_monitor import DriftMonitor, DriftMonitorArgs
from sagestack_infra.components.encryption import EncryptionKey, EncryptionKeyArgs
from sagestack_infra.components.feature_store import (
    FeatureGroupSpec,
    FeatureSpec,
    FeatureStore,
    FeatureStoreArgs,
)
from sagestack_infra.components.log_groups import (
    SAGEMAKER_JOB_LOG_GROUPS,
    LogGroupsArgs,
    codebuild_log_group,
    create_log_groups,
    endpoint_log_group,
    log_group_arn,
)
from sagestack_infra.components.ml_project import (
    KubernetesServingSpec,
    MlProject,
    MlProjectArgs,
    SharedPlatform,
)
from sagestack_infra.components.oncall import OnCall, OnCallArgs
from sagestack_infra.components.policy_pack import PublishedPolicyPack, PublishedPolicyPackArgs
from sagestack_infra.config import (
    ConfigError,
    PlatformNames,
    Project,
    StackConfig,
    feature_group_name,
    load_stack_config,
)

PROJECT_TAG = contract.PROJECT_TAG
DEFAULT_DRIFT_PERIOD = 3600
JOB_LOG_GROUPS_PREFIX = "platform-logs"
"""The job log groups' logical names: platform-logs-aws-sagemaker-<kind, lower case>."""
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def run_stack() -> None:
    """What ``pulumi up`` runs: the stack's config, validated, then the platform.

    A bad config stops the program before anything is registered, each problem printed as an
    error diagnostic of its own (one line each), not as a Python traceback whose last line holds
    them all.
    """
    collector.tune_for_this_process()
    try:
        cfg = load_stack_config()
    except ConfigError as error:
        for problem in error.problems:
            pulumi.log.error(problem)
        raise pulumi.RunError(
            f"the sagestack configuration has {len(error.problems)} problem(s), listed above; "
            "nothing was registered"
        ) from None
    define_platform(cfg)


def define_platform(cfg: StackConfig) -> None:
    """Register every resource of the stack and export what people and projects need."""
    # Read once, as known strings: every ARN the program builds from them is then a plain string.
    account_id = aws.get_caller_identity().account_id
    region = aws.get_region().region
    tags = platform_tags(cfg)
    names = PlatformNames(cfg.name_prefix)

    key = EncryptionKey(
        "platform-key",
        EncryptionKeyArgs(
            alias=names.key_alias.removeprefix("alias/"),
            account_id=account_id,
            region=region,
            tags=tags,
            topic_arns=(iam.arn("sns", region, account_id, names.oncall_topic),),
            log_group_arns=tuple(
                log_group_arn(region, account_id, group) for group in platform_log_groups(cfg)
            ),
        ),
    )
    if cfg.logs.job_log_groups:
        # top-level, not in a component: an account where SageMaker jobs ran has these groups
        # already, and `pulumi import` adopts them by type, name and id alone (docs/aws-setup.md)
        create_log_groups(
            JOB_LOG_GROUPS_PREFIX,
            LogGroupsArgs(
                names=SAGEMAKER_JOB_LOG_GROUPS,
                retention_days=cfg.logs.retention_days,
                kms_key_arn=key.key_arn,
                tags=tags,
            ),
        )
    artifacts = ArtifactStore(
        "platform-artifacts",
        ArtifactStoreArgs(
            bucket_name=names.artifact_bucket(account_id, region),
            kms_key_arn=key.key_arn,
            tags=tags,
        ),
    )
    oncall = OnCall(
        "platform-oncall",
        OnCallArgs(
            topic_name=names.oncall_topic,
            kms_key_arn=key.key_arn,
            account_id=account_id,
            region=region,
            tags=tags,
            emails=cfg.oncall.emails,
            pagerduty_url=cfg.oncall.pagerduty_url,
            publisher_name_prefix=f"{cfg.name_prefix}-",
        ),
    )
    platform = SharedPlatform(
        stack=cfg.stack,
        name_prefix=cfg.name_prefix,
        account_id=account_id,
        region=region,
        key=key,
        artifacts=artifacts,
        oncall=oncall,
        feature_store=_feature_store(cfg, artifacts, key, account_id, tags),
        kubernetes_provider=_kubernetes_provider(cfg),
        model_server_image=cfg.kubernetes.model_server_image if cfg.kubernetes else None,
        drift_monitor=_drift_monitor(cfg, artifacts, key, account_id, region, tags),
        policy_pack=PublishedPolicyPack(
            "platform-policy-pack",
            PublishedPolicyPackArgs(artifacts=artifacts),
        ),
    )
    projects = {
        p.name: MlProject(p.name, project_args(cfg, p, tags), platform) for p in cfg.projects
    }

    pulumi.export("artifactBucket", artifacts.bucket_name)
    pulumi.export("kmsKeyArn", key.key_arn)
    pulumi.export("oncallTopicArn", oncall.topic_arn)
    pulumi.export("parameterPaths", {name: p.parameter_path for name, p in projects.items()})


def platform_log_groups(cfg: StackConfig) -> tuple[str, ...]:
    """The log groups the platform's key may encrypt: every project's build, deploy and endpoint
    groups (by the names' shared prefix) and, where this stack creates them, the job groups."""
    prefix = cfg.name_prefix
    shared = SAGEMAKER_JOB_LOG_GROUPS if cfg.logs.job_log_groups else ()
    return (codebuild_log_group(f"{prefix}-*"), endpoint_log_group(f"{prefix}-*"), *shared)


def platform_tags(cfg: StackConfig) -> dict[str, str]:
    return {**cfg.tags, "environment": cfg.environment}


def drift_period_seconds(schedule: str) -> int:
    """The alarm period matching the drift monitor's schedule: one run per period.

    CloudWatch periods are multiples of 60 s up to a day; cron schedules get an hour.
    """
    match = _RATE.fullmatch(schedule)
    if match is None:
        return DEFAULT_DRIFT_PERIOD
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]
    return min(max(seconds, 60), 86400)


def project_args(cfg: StackConfig, project: Project, tags: dict[str, str]) -> MlProjectArgs:
    kubernetes = None
    if project.serving.target == "kubernetes":
        s = project.serving
        kubernetes = KubernetesServingSpec(replicas=s.replicas, cpu=s.cpu, memory=s.memory)
    return MlProjectArgs(
        project=project.name,
        repository_provider=project.repository.provider,
        repository_url=project.repository.url,
        connection_arn=project.repository.connection_arn,
        branch=project.branch,
        drift_features=project.drift.features,
        drift_threshold=project.drift.threshold,
        drift_period_seconds=drift_period_seconds(project.drift.schedule),
        tags={**tags, PROJECT_TAG: project.name},
        settings=project_settings(project, cfg.environment, {**tags, PROJECT_TAG: project.name}),
        auto_retrain=project.auto_retrain,
        feature_groups=tuple(feature_group_name(cfg, g) for g in project.feature_groups),
        data_s3=project.data_sources.s3,
        data_kms_keys=project.data_sources.kms_keys,
        kubernetes=kubernetes,
        drift_monitor=project.drift.monitor,
        drift_schedule=project.drift.schedule,
        processing_instance_type=project.instances.processing,
        drift_min_requests=project.drift.min_requests,
        runbook_base_url=cfg.runbook_base_url,
        rollback_alarms=project.serving.rollout.rollback_alarms,
        page_pull_request_builds=project.alerts.pull_request_builds,
        log_retention_days=cfg.logs.retention_days,
    )


SERVING_KEYS = {
    "sagemaker": ("target", "autoscaling", "rollout", "networkIsolation"),
    "kubernetes": ("target", "replicas", "cpu", "memory"),
}


def project_settings(
    project: Project, environment: str, tags: dict[str, str]
) -> contract.ProjectSettings:
    """The SETTINGS parameter (config spelling): what the project's pipeline and serving stack
    read, in the shape of ``contract.ProjectSettings``. The rollback alarms are published by name
    in ALARM_NAMES instead; the serving stack tags the endpoint's resources with ``tags``."""
    settings = project.model_dump(
        mode="json",
        by_alias=True,
        include={"instances", "registration", "drift", "serving"},
        exclude={"serving": {"rollout": {"rollback_alarms"}}},
    )
    settings["instances"]["endpointCount"] = project.instances.endpoint_instances(environment)
    settings["registration"]["higherIsBetter"] = project.registration.higher_is_better
    serving = settings["serving"]
    settings["serving"] = {key: serving[key] for key in SERVING_KEYS[project.serving.target]}
    settings["tags"] = tags
    return settings


def _drift_monitor(cfg, artifacts, key, account_id, region, tags) -> DriftMonitor:
    """The platform's drift-monitor pipeline; registered with or without projects, like the
    on-call topic, so adding the first project only adds its schedule."""
    return DriftMonitor(
        "platform-drift-monitor",
        DriftMonitorArgs(
            pipeline_name=PlatformNames(cfg.name_prefix).drift_monitor_pipeline,
            role_name=PlatformNames(cfg.name_prefix).drift_monitor_role,
            artifacts=artifacts,
            kms_key_arn=key.key_arn,
            account_id=account_id,
            region=region,
            tags=tags,
            name_prefix=cfg.name_prefix,
        ),
    )


def _feature_store(cfg, artifacts, key, account_id, tags) -> FeatureStore | None:
    if not cfg.feature_groups:
        return None
    groups = tuple(
        FeatureGroupSpec(
            name=feature_group_name(cfg, group.name),
            record_identifier=group.record_identifier,
            event_time=group.event_time,
            online=group.online,
            features=tuple(FeatureSpec(f.name, f.type) for f in group.features),
        )
        for group in cfg.feature_groups
    )
    return FeatureStore(
        "platform-features",
        FeatureStoreArgs(
            role_name=PlatformNames(cfg.name_prefix).feature_store_role,
            groups=groups,
            artifacts=artifacts,
            kms_key_arn=key.key_arn,
            account_id=account_id,
            tags=tags,
        ),
    )


def _kubernetes_provider(cfg: StackConfig) -> k8s.Provider | None:
    if cfg.kubernetes is None:
        return None
    return k8s.Provider(
        "platform-kubernetes", kubeconfig=pulumi.Output.secret(cfg.kubernetes.kubeconfig)
    )
