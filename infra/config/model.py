"""The stack configuration (namespace ``sagestack:``) as one frozen, typed model.

Components receive these models and never read ``pulumi.Config`` themselves; :mod:`.reader`
builds them once, before any resource is registered.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from sagestack_infra.config.values import (
    Boolean,
    BranchName,
    ConnectionArn,
    ContainerImage,
    Cpu,
    EmailAddress,
    EndpointInstanceType,
    FeatureGroupName,
    FeatureName,
    HttpsUrl,
    KmsKeyArn,
    LogRetentionDays,
    Memory,
    NamePrefix,
    NonEmptyText,
    Number,
    ProcessingInstanceType,
    ProjectName,
    RunbookBaseUrl,
    S3Prefix,
    ScheduleExpression,
    TrainingInstanceType,
    WholeNumber,
)

Metric = Literal["auc", "accuracy", "f1", "rmse", "mae", "r2"]
LOWER_IS_BETTER: frozenset[str] = frozenset({"rmse", "mae"})


class _Model(BaseModel):
    # YAML keys are camelCase. Python code may build models by attribute name; the config file
    # may not (parse_stack_config validates by alias only, so `auto_retrain:` is an unknown key).
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        allow_inf_nan=False,
    )


class OnCall(_Model):
    emails: tuple[EmailAddress, ...] = ()
    pagerduty_url: HttpsUrl | None = None  # a Pulumi secret


class Kubernetes(_Model):
    kubeconfig: NonEmptyText  # a Pulumi secret
    model_server_image: ContainerImage


class Feature(_Model):
    name: FeatureName
    type: Literal["String", "Integral", "Fractional"]


class FeatureGroup(_Model):
    name: FeatureGroupName
    record_identifier: FeatureName
    event_time: FeatureName
    online: Boolean = True
    features: tuple[Feature, ...] = Field(min_length=1)


class Repository(_Model):
    provider: Literal["github", "gitlab", "bitbucket"]
    url: NonEmptyText
    connection_arn: ConnectionArn


PROD_LIKE: frozenset[str] = frozenset({"staging", "prod"})


class Instances(_Model):
    processing: ProcessingInstanceType = "ml.m5.large"
    training: TrainingInstanceType = "ml.m5.xlarge"
    endpoint: EndpointInstanceType = "ml.m5.large"
    endpoint_count: WholeNumber | None = Field(default=None, ge=1, le=10)
    """None: 2 in a prod-like environment (staging, prod), so one instance can fail, else 1."""

    def endpoint_instances(self, environment: str) -> int:
        if self.endpoint_count is not None:
            return self.endpoint_count
        return 2 if environment in PROD_LIKE else 1


class Registration(_Model):
    metric: Metric
    threshold: Number

    @property
    def higher_is_better(self) -> bool:
        return self.metric not in LOWER_IS_BETTER


class Drift(_Model):
    monitor: Literal["sagestack", "model-monitor"] = "sagestack"
    features: tuple[FeatureName, ...] = Field(min_length=1)
    threshold: Number = Field(default=0.2, gt=0, le=10)  # population stability index
    schedule: ScheduleExpression = "rate(1 hour)"
    # Fewer requests in a window than this and the monitor judges nothing (publishes no metric);
    # None: the drift engine's own minimum, derived from its statistics' variance (docs/drift.md).
    min_requests: WholeNumber | None = Field(default=None, ge=1, le=100_000_000)


class Autoscaling(_Model):
    """Application Auto Scaling target tracking on the endpoint's variant."""

    min_capacity: WholeNumber = Field(ge=1, le=100)
    max_capacity: WholeNumber = Field(ge=1, le=100)
    target_invocations_per_instance: WholeNumber = Field(ge=1, le=100_000)
    """SageMakerVariantInvocationsPerInstance: invocations per instance per minute."""


RollbackAlarm = Literal["5xx", "latency-p99"]


class Rollout(_Model):
    """How a new model version replaces the running one: SageMaker's blue/green deployment."""

    type: Literal["ALL_AT_ONCE", "CANARY", "LINEAR"] = "ALL_AT_ONCE"
    """SageMaker's traffic routing (TrafficRoutingConfig.Type)."""
    step_percent: WholeNumber = Field(default=10, ge=10, le=50)
    """CANARY: the canary's share of the fleet; LINEAR: each step's. Unused for ALL_AT_ONCE."""
    wait_seconds: WholeNumber = Field(default=600, ge=0, le=3600)
    """Baking time after each traffic shift while the rollback alarms are watched."""
    termination_wait_seconds: WholeNumber = Field(default=600, ge=0, le=3600)
    """How long the old fleet is kept, with all traffic on the new one, before it goes."""
    rollback_alarms: tuple[RollbackAlarm, ...] = ("5xx", "latency-p99")
    """The project's endpoint alarms that roll a deployment back."""


class Serving(_Model):
    target: Literal["sagemaker", "kubernetes"] = "sagemaker"
    # SageMaker only; applied by the project's serving stack.
    autoscaling: Autoscaling | None = None
    rollout: Rollout = Rollout()
    network_isolation: Boolean = True
    """The model's container has no network access; false waives the policy rule for it."""
    # Kubernetes only; requests equal limits.
    replicas: WholeNumber = Field(default=2, ge=1, le=50)
    cpu: Cpu = "500m"
    memory: Memory = "1Gi"


class Alerts(_Model):
    pull_request_builds: Boolean = False
    """Also page when a pull request's build fails (by default only the branch's builds do)."""


class Logs(_Model):
    retention_days: LogRetentionDays = 90
    job_log_groups: Boolean = True
    """Create the account's SageMaker job log groups (/aws/sagemaker/ProcessingJobs,
    TrainingJobs, TransformJobs); false where another stack in the account and region does."""


class DataSources(_Model):
    """Training data outside the project's own prefix, granted read to its pipeline and build."""

    s3: tuple[S3Prefix, ...] = ()
    kms_keys: tuple[KmsKeyArn, ...] = ()
    """Keys the data is encrypted with, other than the platform's."""


class Project(_Model):
    name: ProjectName
    repository: Repository
    branch: BranchName = "main"
    instances: Instances = Instances()
    registration: Registration
    drift: Drift
    auto_retrain: Boolean = False
    feature_groups: tuple[FeatureGroupName, ...] = ()
    data_sources: DataSources = DataSources()
    serving: Serving = Serving()
    alerts: Alerts = Alerts()


class StackConfig(_Model):
    # Comes from the Pulumi stack, not from the config file (excluded from its keys).
    stack: str = Field(exclude=True)
    environment: Literal["dev", "staging", "prod"]
    name_prefix: NamePrefix
    tags: dict[str, str]
    oncall: OnCall = OnCall()
    logs: Logs = Logs()
    kubernetes: Kubernetes | None = None
    feature_groups: tuple[FeatureGroup, ...] = ()
    projects: tuple[Project, ...] = ()
    runbook_base_url: RunbookBaseUrl | None = None
    """Where pages link for their runbook (docs/runbooks/ on a git host or a docs site); without
    it pages name the runbook by its path in the repository."""
