"""Where the platform put things: its SSM parameters and the build environment.

The names below are the platform's contract (sagestack/contract.py in the platform repository);
they are spelled out here because this project cannot import the platform, and the platform's
template tests check that the two agree.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from . import settings

SSM_ROOT = "/sagestack"
ENV_STACK = "SAGESTACK_STACK"
ENV_PROJECT = "SAGESTACK_PROJECT"
ENV_PARAMETER_PATH = "SAGESTACK_PARAMETER_PATH"
ENV_WEBHOOK_EVENT = "CODEBUILD_WEBHOOK_EVENT"
ENV_MODEL_PACKAGE_ARN = "MODEL_PACKAGE_ARN"
ENV_POLICY_PACK_URI = "SAGESTACK_POLICY_PACK_URI"
ENDPOINT_VARIANT = "AllTraffic"
# A model tagged with this (valued with why) is exempt from the platform's network-isolation rule.
NETWORK_ISOLATION_WAIVER_TAG = "sagestack:waive:sagemaker-model-network-isolation"


class Param:
    ARTIFACT_BUCKET = "artifact-bucket"
    ARTIFACT_PREFIX = "artifact-prefix"
    KMS_KEY_ARN = "kms-key-arn"
    EXECUTION_ROLE_ARN = "execution-role-arn"
    MODEL_PACKAGE_GROUP = "model-package-group"
    PIPELINE_NAME = "pipeline-name"
    ENDPOINT_NAME = "endpoint-name"
    ONCALL_TOPIC_ARN = "oncall-topic-arn"
    FEATURE_GROUPS = "feature-groups"
    ALARM_NAMES = "alarm-names"
    SETTINGS = "settings"

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


def parameter_path(stack: str, project: str) -> str:
    return f"{SSM_ROOT}/{stack}/{project}/"


def artifact_prefix(project: str) -> str:
    return f"projects/{project}"


def data_capture_prefix(project: str) -> str:
    return f"{artifact_prefix(project)}/data-capture"


def serving_state_prefix(project: str) -> str:
    return f"{artifact_prefix(project)}/pulumi"


def drift_baseline_key(project: str) -> str:
    return f"{artifact_prefix(project)}/drift/baseline.json"


class PlatformConfigError(Exception):
    """The platform's parameters are missing or not what this project expects."""


ROLLOUT_TYPES = ("ALL_AT_ONCE", "CANARY", "LINEAR")


@dataclass(frozen=True)
class Rollout:
    """How an approved model replaces the one serving (SageMaker blue/green deployment)."""

    type: str = "ALL_AT_ONCE"  # ALL_AT_ONCE, CANARY or LINEAR
    step_percent: int = 10  # CANARY: the canary's share of capacity; LINEAR: each step's
    wait_seconds: int = 600  # baking after each traffic shift, alarms watched
    termination_wait_seconds: int = 600  # the old fleet kept (and alarms watched) after that


@dataclass(frozen=True)
class Autoscaling:
    """Target tracking on invocations per instance (Application Auto Scaling)."""

    min_instances: int
    max_instances: int
    target_invocations_per_instance: float
    scale_in_cooldown_seconds: int = 300
    scale_out_cooldown_seconds: int = 60


@dataclass(frozen=True)
class Settings:
    processing_instance_type: str
    training_instance_type: str
    endpoint_instance_type: str
    endpoint_instance_count: int
    metric: str
    threshold: float
    rollout: Rollout = Rollout()
    autoscaling: Autoscaling | None = None
    tags: tuple[tuple[str, str], ...] = ()  # the platform's tags for this project's resources
    network_isolation: bool = True  # false: the platform's config opted the model out

    @property
    def higher_is_better(self) -> bool:
        return self.metric not in settings.LOWER_IS_BETTER


@dataclass(frozen=True)
class PlatformConfig:
    stack: str
    project: str
    artifact_bucket: str
    artifact_prefix: str
    kms_key_arn: str
    execution_role_arn: str
    model_package_group: str
    pipeline_name: str
    endpoint_name: str
    oncall_topic_arn: str
    feature_groups: tuple[str, ...]
    alarm_names: tuple[str, ...]
    settings: Settings

    def s3_uri(self, *parts: str) -> str:
        return "/".join((f"s3://{self.artifact_bucket}", self.artifact_prefix, *parts))


def load_config(environ: Mapping[str, str] | None = None, ssm=None) -> PlatformConfig:
    """The platform's parameters for this project, from the path the build environment names."""
    environ = os.environ if environ is None else environ
    stack, project = _required_env(environ, ENV_STACK), _required_env(environ, ENV_PROJECT)
    path = environ.get(ENV_PARAMETER_PATH) or parameter_path(stack, project)
    if ssm is None:
        import boto3

        ssm = boto3.client("ssm")
    return parse_config(stack, project, path, read_parameters(ssm, path))


def _required_env(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "")
    if not value:
        raise PlatformConfigError(
            f"environment variable {name} is not set: the platform's build projects set it; "
            "export it to run outside CodeBuild"
        )
    return value


def read_parameters(ssm, path: str) -> dict[str, str]:
    values = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(
        Path=path, Recursive=False, WithDecryption=True
    ):
        for parameter in page["Parameters"]:
            values[parameter["Name"][len(path):]] = parameter["Value"]
    return values


def parse_config(stack: str, project: str, path: str, values: Mapping[str, str]) -> PlatformConfig:
    missing = [key for key in Param.ALL if key not in values]
    if missing:
        raise PlatformConfigError(
            f"SSM parameters {', '.join(path + key for key in missing)} are missing: "
            f"is project '{project}' in the sagestack:projects of stack '{stack}'?"
        )
    return PlatformConfig(
        stack=stack,
        project=project,
        artifact_bucket=values[Param.ARTIFACT_BUCKET],
        artifact_prefix=values[Param.ARTIFACT_PREFIX].strip("/"),
        kms_key_arn=values[Param.KMS_KEY_ARN],
        execution_role_arn=values[Param.EXECUTION_ROLE_ARN],
        model_package_group=values[Param.MODEL_PACKAGE_GROUP],
        pipeline_name=values[Param.PIPELINE_NAME],
        endpoint_name=values[Param.ENDPOINT_NAME],
        oncall_topic_arn=values[Param.ONCALL_TOPIC_ARN],
        feature_groups=tuple(_json_list(path + Param.FEATURE_GROUPS, values[Param.FEATURE_GROUPS])),
        alarm_names=tuple(_json_list(path + Param.ALARM_NAMES, values[Param.ALARM_NAMES])),
        settings=parse_settings(path + Param.SETTINGS, values[Param.SETTINGS]),
    )


def _json_value(name: str, text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise PlatformConfigError(f"SSM parameter {name} is not JSON: {error}") from error


def _json_list(name: str, text: str) -> list[str]:
    value = _json_value(name, text)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PlatformConfigError(f"SSM parameter {name} '{text}' must be a JSON list of strings")
    return value


def parse_settings(name: str, text: str) -> Settings:
    """The project's entry of the stack config (camelCase keys); absent keys keep our answers."""
    document = _json_value(name, text)
    if not isinstance(document, dict):
        raise PlatformConfigError(f"SSM parameter {name} '{text}' must be a JSON object")
    instances = document.get("instances", {})
    registration = document.get("registration", {})
    result = Settings(
        processing_instance_type=instances.get("processing", settings.PROCESSING_INSTANCE_TYPE),
        training_instance_type=instances.get("training", settings.TRAINING_INSTANCE_TYPE),
        endpoint_instance_type=instances.get("endpoint", settings.ENDPOINT_INSTANCE_TYPE),
        endpoint_instance_count=int(
            instances.get("endpointCount", settings.ENDPOINT_INSTANCE_COUNT)
        ),
        metric=registration.get("metric", settings.METRIC),
        threshold=float(registration.get("threshold", settings.METRIC_THRESHOLD)),
        rollout=_rollout(name, document.get("serving", {}).get("rollout") or {}),
        autoscaling=_autoscaling(name, document.get("serving", {}).get("autoscaling")),
        tags=tuple(sorted((str(k), str(v)) for k, v in (document.get("tags") or {}).items())),
        network_isolation=_network_isolation(name, document.get("serving", {})),
    )
    allowed = settings.METRICS[settings.PROBLEM_TYPE]
    if result.metric not in allowed:
        raise PlatformConfigError(
            f"SSM parameter {name}: registration.metric '{result.metric}' is invalid: "
            f"a {settings.PROBLEM_TYPE} model is scored by one of {', '.join(allowed)}"
        )
    return result


def _rollout(name: str, document: dict) -> Rollout:
    """serving.rollout of the settings: {type, stepPercent, waitSeconds, terminationWaitSeconds}."""
    defaults = Rollout()
    rollout = Rollout(
        type=document.get("type", defaults.type),
        step_percent=int(document.get("stepPercent", defaults.step_percent)),
        wait_seconds=int(document.get("waitSeconds", defaults.wait_seconds)),
        termination_wait_seconds=int(
            document.get("terminationWaitSeconds", defaults.termination_wait_seconds)
        ),
    )
    if rollout.type not in ROLLOUT_TYPES:
        raise PlatformConfigError(
            f"SSM parameter {name}: serving.rollout.type '{rollout.type}' is invalid: one of "
            + ", ".join(ROLLOUT_TYPES)
        )
    if not 1 <= rollout.step_percent <= 50:
        raise PlatformConfigError(
            f"SSM parameter {name}: serving.rollout.stepPercent {rollout.step_percent} is "
            "invalid: SageMaker shifts 1 to 50 percent of the capacity per step"
        )
    for field, value in (("waitSeconds", rollout.wait_seconds),
                         ("terminationWaitSeconds", rollout.termination_wait_seconds)):
        if not 0 <= value <= 3600:
            raise PlatformConfigError(
                f"SSM parameter {name}: serving.rollout.{field} {value} is invalid: 0 to 3600"
            )
    return rollout


def _network_isolation(name: str, serving: dict) -> bool:
    value = serving.get("networkIsolation", True)
    if not isinstance(value, bool):
        raise PlatformConfigError(
            f"SSM parameter {name}: serving.networkIsolation {value!r} is invalid: true or false"
        )
    return value


def _autoscaling(name: str, document: dict | None) -> Autoscaling | None:
    """serving.autoscaling of the settings: {minCapacity, maxCapacity,
    targetInvocationsPerInstance}; absent, the endpoint keeps its instance count."""
    if not document:
        return None
    scaling = Autoscaling(
        min_instances=int(document.get("minCapacity", 1)),
        max_instances=int(document.get("maxCapacity", 1)),
        target_invocations_per_instance=float(document.get("targetInvocationsPerInstance", 0)),
    )
    if not 1 <= scaling.min_instances <= scaling.max_instances:
        raise PlatformConfigError(
            f"SSM parameter {name}: serving.autoscaling minCapacity {scaling.min_instances} and "
            f"maxCapacity {scaling.max_instances} are invalid: 1 <= minCapacity <= maxCapacity"
        )
    if scaling.target_invocations_per_instance <= 0:
        raise PlatformConfigError(
            f"SSM parameter {name}: serving.autoscaling.targetInvocationsPerInstance "
            f"{scaling.target_invocations_per_instance} is invalid: a positive number"
        )
    return scaling
