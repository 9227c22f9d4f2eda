"""The names the platform and the projects agree on.

The Pulumi program (``infra/``) writes these, generated projects (``templates/``) and the drift
monitor (``pipelines/``) read them, and the local cloud honours them. A name changes here or
nowhere; generated projects cannot import this module, so ``tests/unit/test_contract.py`` checks
that the template spells every name the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, TypedDict

# --- SSM parameters: /sagestack/<stack>/<project>/<key> -------------------------------------

SSM_ROOT = "/sagestack"


def parameter_path(stack: str, project: str) -> str:
    """The folder of SSM parameters that tells ``project`` where everything is."""
    return f"{SSM_ROOT}/{stack}/{project}/"


class Param:
    """Keys under :func:`parameter_path`. Values are plain strings unless noted."""

    ARTIFACT_BUCKET = "artifact-bucket"  # bucket name
    ARTIFACT_PREFIX = "artifact-prefix"  # key prefix the project owns, e.g. "projects/churn"
    KMS_KEY_ARN = "kms-key-arn"
    EXECUTION_ROLE_ARN = "execution-role-arn"  # SageMaker execution role of the project
    MODEL_PACKAGE_GROUP = "model-package-group"  # model package group name
    PIPELINE_NAME = "pipeline-name"  # the training pipeline the project's CI upserts
    ENDPOINT_NAME = "endpoint-name"
    ONCALL_TOPIC_ARN = "oncall-topic-arn"
    FEATURE_GROUPS = "feature-groups"  # JSON list of feature group names
    ALARM_NAMES = "alarm-names"  # JSON list: alarms the deploy uses for auto-rollback
    SETTINGS = "settings"  # JSON object: ProjectSettings below

    ALL = (
        ARTIFACT_BUCKET,
        ARTIFACT_PREFIX,
        KMS_KEY_ARN,
        EXECUTION_ROLE_ARN,
        MODEL_PACKAGE_GROUP,
        PIPELINE_NAME,
        ENDPOINT_NAME,
        ONCALL_TOPIC_ARN,
        FEATURE_GROUPS,
        ALARM_NAMES,
        SETTINGS,
    )


# --- The settings parameter: the project's entry of the stack config ---------------------------
# JSON with the stack config's camelCase keys (docs/config.md, "The settings parameter"). Read by
# the project's pipeline (instances, registration) and by its serving stack (instances.endpoint*,
# serving), which applies the endpoint's autoscaling and rollout from it.


class InstanceSettings(TypedDict):
    processing: str
    training: str
    endpoint: str
    endpointCount: int  # the effective count: the environment's default filled in


class RegistrationSettings(TypedDict):
    metric: str
    threshold: float
    higherIsBetter: bool


class AutoscalingSettings(TypedDict):
    """Application Auto Scaling target tracking on the endpoint's variant."""

    minCapacity: int
    maxCapacity: int
    targetInvocationsPerInstance: int  # SageMakerVariantInvocationsPerInstance, per minute


class RolloutSettings(TypedDict):
    """SageMaker's blue/green deployment of a new model version."""

    type: Literal["ALL_AT_ONCE", "CANARY", "LINEAR"]  # TrafficRoutingConfiguration.Type
    stepPercent: int  # canary: CanarySize, linear: LinearStepSize, as CAPACITY_PERCENT
    waitSeconds: int  # TrafficRoutingConfiguration.WaitIntervalInSeconds
    terminationWaitSeconds: int  # TerminationWaitInSeconds
    # the rollback alarms are Param.ALARM_NAMES


class ServingSettings(TypedDict, total=False):
    target: Literal["sagemaker", "kubernetes"]
    # target "sagemaker" only
    autoscaling: AutoscalingSettings | None  # None: a fixed instances.endpointCount
    rollout: RolloutSettings
    networkIsolation: bool  # false: tag the model with POLICY_WAIVER_TAG_PREFIX + the rule
    # target "kubernetes" only
    replicas: int
    cpu: str
    memory: str


class ProjectSettings(TypedDict):
    instances: InstanceSettings
    registration: RegistrationSettings
    drift: dict  # monitor, features, threshold, schedule (docs/config.md)
    serving: ServingSettings
    tags: dict[str, str]  # the platform's tags (PROJECT_TAG among them) for the serving stack


# A resource the policy pack would refuse, waived on purpose: tag it with this prefix followed by
# the policy's name, valued with why (e.g. "sagestack:waive:sagemaker-model-network-isolation").
POLICY_WAIVER_TAG_PREFIX = "sagestack:waive:"

# --- Build environment -------------------------------------------------------------------------

# Set on both CodeBuild projects of a project.
ENV_STACK = "SAGESTACK_STACK"
ENV_PROJECT = "SAGESTACK_PROJECT"
ENV_PARAMETER_PATH = "SAGESTACK_PARAMETER_PATH"
# Set by CodeBuild itself for webhook builds: "PUSH", "PULL_REQUEST_CREATED", ...
# The buildspec runs the pipeline only when it is "PUSH"; pull requests run tests only.
ENV_WEBHOOK_EVENT = "CODEBUILD_WEBHOOK_EVENT"
# Passed by the approval rule to the deploy build (an environmentVariablesOverride).
ENV_MODEL_PACKAGE_ARN = "MODEL_PACKAGE_ARN"
# Where set on the deploy build, the policy pack `pulumi up` runs on the serving stack (the
# local cloud's `pulumi` always runs the platform's own pack).
ENV_POLICY_PACK = "SAGESTACK_POLICY_PACK"
# Where the platform published its policy pack (s3://bucket/key of a zip), set on every deploy
# project; the deploy build unzips it and sets ENV_POLICY_PACK to the folder.
ENV_POLICY_PACK_URI = "SAGESTACK_POLICY_PACK_URI"
POLICY_PACK_PREFIX = "platform/policy-pack"

# --- Resource names ----------------------------------------------------------------------------


def resource_name(prefix: str, project: str, role: str = "") -> str:
    """``<prefix>-<project>[-<role>]``: the physical name of a project's resource."""
    return f"{prefix}-{project}-{role}" if role else f"{prefix}-{project}"


def training_pipeline_name(prefix: str, project: str) -> str:
    return resource_name(prefix, project, "train")


def endpoint_name(prefix: str, project: str) -> str:
    return resource_name(prefix, project)


# The one production variant of every endpoint the deploy build creates; endpoint alarms use it.
ENDPOINT_VARIANT = "AllTraffic"

# The tag every resource of a project carries, valued with the project's name (the settings'
# tags): the deploy role may delete only the models and endpoint configs that carry it.
PROJECT_TAG = "sagestack:project"


def model_package_group_name(prefix: str, project: str) -> str:
    return resource_name(prefix, project)


def artifact_prefix(project: str) -> str:
    return f"projects/{project}"


def data_capture_prefix(project: str) -> str:
    return f"{artifact_prefix(project)}/data-capture"


def serving_state_prefix(project: str) -> str:
    """Where the project's serving stack keeps its Pulumi state (``pulumi login s3://...``)."""
    return f"{artifact_prefix(project)}/pulumi"


def drift_baseline_key(project: str) -> str:
    """Where the deploy build writes the drift baseline computed from the training data."""
    return f"{artifact_prefix(project)}/drift/baseline.json"


def drift_report_prefix(project: str) -> str:
    return f"{artifact_prefix(project)}/drift/reports"


# The report a drift-monitor run writes into its window's folder, for people to open first.
DRIFT_REPORT_FILE = "drift_report.html"


def drift_window_folder(window_end: datetime) -> str:
    """A window's folder under :func:`drift_report_prefix`: the window's end in UTC, in ISO 8601's
    basic format (``20261126T2200Z``: no ``:``, which S3 keys and some file systems handle
    badly). Keys sort by window end, so the newest report is the last one S3 lists."""
    if window_end.tzinfo is None:
        raise ValueError(f"window end {window_end.isoformat()} is invalid: expected a time zone")
    return window_end.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def drift_report_key(project: str, window_end: datetime) -> str:
    """Where the drift report of the window ending at ``window_end`` lands in the bucket."""
    return f"{drift_report_prefix(project)}/{drift_window_folder(window_end)}/{DRIFT_REPORT_FILE}"


# One datapoint per completed run of the drift monitor, in DRIFT_NAMESPACE, dimensioned by
# DIM_ENDPOINT only and published whatever the window held (even too few requests to judge): the
# number of capture files the run read. When it stops coming, the monitor failed or did not run.
DRIFT_HEARTBEAT_METRIC = "MonitorHeartbeat"
# Published with every heartbeat, dimensioned the same: the capture records missing over the last
# day for variants that served requests and captured none (scaled by the sampling percentage).
DRIFT_MISSING_CAPTURE_METRIC = "MissingCaptureRecords"


# --- Drift metrics (published by pipelines/drift, alarmed on by infra/) ------------------------

DRIFT_NAMESPACE = "sagestack/Drift"
# One datapoint per watched feature and judged run: the feature's population stability index,
# dimensioned by endpoint and feature.
DRIFT_FEATURE_METRIC = "FeatureDrift"
# One datapoint per judged run: the largest FeatureDrift of the run, dimensioned by endpoint only.
DRIFT_MAX_METRIC = "MaxFeatureDrift"
# What the drift alarms watch, so that they fire exactly for what the run's violations file lists:
# per watched feature 1 when it has a violation, else 0 (endpoint and feature), and per run how
# many features (watched, or extra columns) have one (endpoint only). Runs over too few requests
# to judge publish nothing.
DRIFT_VIOLATION_METRIC = "FeatureViolation"
DRIFT_VIOLATIONS_METRIC = "ViolatingFeatures"
DIM_ENDPOINT = "EndpointName"
DIM_FEATURE = "FeatureName"

# SageMaker Model Monitor's own metrics, for projects that choose it instead.
MODEL_MONITOR_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"


def model_monitor_metric(feature: str) -> str:
    return f"feature_baseline_drift_{feature}"


# --- Events --------------------------------------------------------------------------------

MODEL_PACKAGE_STATE_CHANGE = "SageMaker Model Package State Change"
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"

# --- Build specs (in the project's repository) -------------------------------------------------

# The build project (webhook) runs this file; the deploy project (approval rule) the other.
BUILD_BUILDSPEC = "buildspec.yml"
DEPLOY_BUILDSPEC = "buildspec-deploy.yml"

# --- Training pipeline parameters --------------------------------------------------------------

# A String parameter every project's training pipeline declares (default "push"); the feedback
# loop's EventBridge target sets it to PIPELINE_TRIGGER_DRIFT when a drift alarm starts a run.
PIPELINE_PARAM_TRIGGER = "Trigger"
PIPELINE_TRIGGER_DRIFT = "drift-alarm"

# --- Drift monitor pipeline and SageMaker Model Monitor (appended for the drift platform) -------


def drift_monitor_pipeline_name(prefix: str) -> str:
    """The platform's one drift-monitor pipeline; each monitored endpoint's schedule starts it."""
    return f"{prefix}-drift-monitor"


# Model Monitor's data-quality metrics are dimensioned by these (not by DIM_ENDPOINT).
MODEL_MONITOR_DIM_ENDPOINT = "Endpoint"
MODEL_MONITOR_DIM_SCHEDULE = "MonitoringSchedule"


def model_monitor_baseline_prefix(project: str) -> str:
    """Where a model-monitor project's deploy writes Model Monitor's baseline files
    (MODEL_MONITOR_STATISTICS and MODEL_MONITOR_CONSTRAINTS, from a baselining job)."""
    return f"{artifact_prefix(project)}/drift/model-monitor/baseline"


def model_monitor_report_prefix(project: str) -> str:
    return f"{artifact_prefix(project)}/drift/model-monitor/reports"


MODEL_MONITOR_STATISTICS = "statistics.json"
MODEL_MONITOR_CONSTRAINTS = "constraints.json"


# --- The local cloud's own routes and credentials ----------------------------------------------

# LocalStack's health path, so tools that wait for LocalStack wait for the local cloud too.
LOCAL_HEALTH_PATH = "/_localstack/health"
# GET the local cloud's time; POST {"advance": seconds} to run what falls due meanwhile.
LOCAL_CLOCK_ROUTE = "/_sagestack/clock"
# Git repositories served by the local cloud: POST {"name", "url"} creates one (sagestack local
# repo create); /<name>/pulls delivers pull request events; /<name>/receive is the hook's.
LOCAL_REPOS_ROUTE = "/_sagestack/repos"
# Where CodeBuild webhooks' payloadUrl points on the local cloud (CodeBuild's own path).
CODEBUILD_WEBHOOK_PATH = "/webhooks"
# The admin credentials (LocalStack's): requests signed with them are never checked by IAM.
LOCAL_ACCESS_KEY_ID = "test"
LOCAL_SECRET_ACCESS_KEY = "test"

# --- SageMaker's container paths ------------------------------------------------------------------

# Where a processing job's inputs and outputs are mounted inside its container.
PROCESSING_ROOT = "/opt/ml/processing"
