"""The stack configuration (namespace ``sagestack:``): one typed, validated model.

``load_stack_config()`` is called once, before any resource is registered; components receive
the frozen model and never read ``pulumi.Config`` themselves. Every invalid value is reported at
once, one line per problem: ``sagestack:<path>: <value as JSON> <rule>``.

Values the user marks secret (``oncall.pagerdutyUrl``, ``kubernetes.kubeconfig``) arrive here as
plain strings; wrap them in ``pulumi.Output.secret`` wherever they become resource inputs.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any, Literal

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from sagestack_infra.config_messages import (
    ABSENT,
    NAMESPACE,
    Problem,
    from_pydantic,
    location_order,
)
from sagestack_infra.config_rules import SECRET_VALUES, cross_value_problems
from sagestack_infra.config_values import (
    BranchName,
    ConnectionArn,
    ContainerImage,
    Cpu,
    EmailAddress,
    FeatureGroupName,
    FeatureName,
    HttpsUrl,
    InstanceType,
    Memory,
    NamePrefix,
    NonEmptyText,
    Number,
    ProjectName,
    ScheduleExpression,
    WholeNumber,
)

Metric = Literal["auc", "accuracy", "f1", "rmse", "mae", "r2"]
LOWER_IS_BETTER: frozenset[str] = frozenset({"rmse", "mae"})


class ConfigError(Exception):
    """The configuration is invalid; ``problems`` holds one message per problem, sorted by path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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
    online: bool = True
    features: tuple[Feature, ...] = Field(min_length=1)


class Repository(_Model):
    provider: Literal["github", "gitlab", "bitbucket"]
    url: NonEmptyText
    connection_arn: ConnectionArn


class Instances(_Model):
    processing: InstanceType = "ml.m5.large"
    training: InstanceType = "ml.m5.xlarge"
    endpoint: InstanceType = "ml.m5.large"
    endpoint_count: WholeNumber = Field(default=1, ge=1, le=10)


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


class Serving(_Model):
    target: Literal["sagemaker", "kubernetes"] = "sagemaker"
    # The rest applies to Kubernetes only; requests equal limits.
    replicas: WholeNumber = Field(default=2, ge=1, le=50)
    cpu: Cpu = "500m"
    memory: Memory = "1Gi"


class Project(_Model):
    name: ProjectName
    repository: Repository
    branch: BranchName = "main"
    instances: Instances = Instances()
    registration: Registration
    drift: Drift
    auto_retrain: bool = False
    feature_groups: tuple[FeatureGroupName, ...] = ()
    serving: Serving = Serving()


class StackConfig(_Model):
    # Comes from the Pulumi stack, not from the config file (excluded from its keys).
    stack: str = Field(exclude=True)
    environment: Literal["dev", "staging", "prod"]
    name_prefix: NamePrefix
    tags: dict[str, str]
    oncall: OnCall = OnCall()
    kubernetes: Kubernetes | None = None
    feature_groups: tuple[FeatureGroup, ...] = ()
    projects: tuple[Project, ...] = ()


def parse_stack_config(
    raw: Mapping[str, Any], *, stack: str, secret_keys: Collection[str] = ()
) -> StackConfig:
    """Validate the ``sagestack:`` namespace (keys without the prefix) of stack ``stack``.

    ``secret_keys`` names the keys Pulumi holds as secrets (``oncall`` or ``sagestack:oncall``).
    Raises :class:`ConfigError` listing every problem.
    """
    if not isinstance(raw, Mapping):
        raise ConfigError([Problem((), "must be a mapping of keys to values", raw).render()])
    problems = cross_value_problems(raw, secret_keys)
    if "stack" in raw:
        problems.append(Problem(("stack",), "unknown key (the stack name comes from Pulumi)"))
    try:
        config = StackConfig.model_validate({**raw, "stack": stack}, by_alias=True, by_name=False)
    except ValidationError as error:
        problems += [from_pydantic(detail, StackConfig) for detail in error.errors()]
    if problems:
        raise ConfigError(_messages(problems))
    return config


def _messages(problems: list[Problem]) -> list[str]:
    secret_locs = {loc for top, nested in SECRET_VALUES for loc in ((top,), (top, nested))}
    unique = {(p.loc, p.rule): p for p in problems}.values()
    ordered = sorted(unique, key=lambda p: (location_order(p.loc), p.rule))
    return [p.render(masked=p.loc in secret_locs and p.value is not ABSENT) for p in ordered]


def load_stack_config() -> StackConfig:
    """Read the ``sagestack:`` namespace of the running Pulumi stack and validate it."""
    raw, secret_keys = read_namespace(NAMESPACE)
    return parse_stack_config(raw, stack=pulumi.get_stack(), secret_keys=secret_keys)


def read_namespace(namespace: str) -> tuple[dict[str, Any], set[str]]:
    """The keys of ``namespace`` (without the prefix) and the ones Pulumi holds as secrets.

    Pulumi hands a program its config as strings: structured values (objects, lists) as JSON,
    plain values as they are. The language host passes config and secret keys to
    ``pulumi.runtime.set_all_config`` (also what tests under mocks call); ``PULUMI_CONFIG`` and
    ``PULUMI_CONFIG_SECRET_KEYS`` are read too, for programs started by other means.
    """
    prefix = f"{namespace}:"
    # pulumi.Config only answers for keys it is asked about; finding unknown (misspelt) keys
    # needs the whole map, which only the runtime's config module holds.
    full_keys = set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.get_config_env())
    config = pulumi.Config(namespace)
    keys = sorted(k.removeprefix(prefix) for k in full_keys if k.startswith(prefix))
    raw = {key: _decode(config.get(key)) for key in keys}
    env_secrets = set(pulumi.runtime.get_config_secret_keys_env())
    secrets = {
        key
        for key in raw
        if pulumi.runtime.is_config_secret(prefix + key) or prefix + key in env_secrets
    }
    return raw, secrets


def _decode(value: str | None) -> Any:
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
