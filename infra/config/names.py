"""Physical names derived from the configuration, and the check that AWS will accept each one.

Every name the program gives a resource is spelled here (:class:`PlatformNames`,
:class:`ProjectNames`) and nowhere else, so :func:`physical_name_problems` sees all of them. The
model checks each value alone; put together (prefix, project, suffix) a name can still break its
service's rule, and AWS would refuse it mid-deploy. The check runs on the validated model, before
any resource is registered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sagestack import contract
from sagestack_infra.config import aws_rules
from sagestack_infra.config.aws_rules import NameRule
from sagestack_infra.config.messages import Location, config_path
from sagestack_infra.config.model import StackConfig

# The bucket name carries the account and region, unknown until deploy: checked with a 12-digit
# account and the longest region name AWS has.
SAMPLE_ACCOUNT = "123456789012"
LONGEST_REGION = "ap-southeast-1"
# The deploy build names its models and endpoint configs <endpoint>-v<package version>.
LONGEST_DEPLOYED_VERSION = "-v999999"
# The suffix of each rule that pages on-call for a failure, by what failed.
FAILURE_RULE_SUFFIXES = {
    "pipeline": "train-failed",
    "build": "build-failed",
    "endpoint": "serve-failed",
}


def feature_group_name(cfg: StackConfig, name: str) -> str:
    return f"{cfg.name_prefix}-{name}"


@dataclass(frozen=True)
class PlatformNames:
    prefix: str

    def artifact_bucket(self, account: str, region: str) -> str:
        return f"{self.prefix}-artifacts-{account}-{region}"

    @property
    def oncall_topic(self) -> str:
        return f"{self.prefix}-oncall"

    @property
    def key_alias(self) -> str:
        return f"alias/{self.prefix}"

    @property
    def drift_monitor_pipeline(self) -> str:
        return contract.drift_monitor_pipeline_name(self.prefix)

    @property
    def drift_monitor_role(self) -> str:
        return f"{self.prefix}-drift-monitor"

    @property
    def feature_store_role(self) -> str:
        return f"{self.prefix}-feature-store"


@dataclass(frozen=True)
class ProjectNames:
    """Every physical name of one project's slice: ``<prefix>-<project>[-<role>]``."""

    prefix: str
    project: str
    stack: str

    def _name(self, role: str = "") -> str:
        return contract.resource_name(self.prefix, self.project, role)

    @property
    def resource_prefix(self) -> str:
        return self._name()

    @property
    def execution_role(self) -> str:
        return self._name("exec")

    @property
    def build_project(self) -> str:
        """Also the name of its service role."""
        return self._name("build")

    @property
    def deploy_project(self) -> str:
        """Also the name of its service role."""
        return self._name("deploy")

    @property
    def approval_rule(self) -> str:
        """Also the name of the role it starts the deploy build with."""
        return self._name("approved")

    @property
    def drift_schedule(self) -> str:
        """The drift monitor's schedule rule and its role; Model Monitor's schedule."""
        return self._name("drift")

    @property
    def model_monitor_role(self) -> str:
        return self._name("monitor")

    @property
    def retrain_rule(self) -> str:
        """Also the name of the role it starts the training pipeline with."""
        return self._name("retrain")

    def alarm(self, suffix: str) -> str:
        return self._name(suffix)

    def failure_rule(self, kind: str) -> str:
        """The rule that pages on-call when the project's ``kind`` (pipeline, build, endpoint)
        fails."""
        return self._name(FAILURE_RULE_SUFFIXES[kind])

    @property
    def endpoint(self) -> str:
        return contract.endpoint_name(self.prefix, self.project)

    @property
    def pipeline(self) -> str:
        return contract.training_pipeline_name(self.prefix, self.project)

    @property
    def model_package_group(self) -> str:
        return contract.model_package_group_name(self.prefix, self.project)

    @property
    def parameter_path(self) -> str:
        return contract.parameter_path(self.stack, self.project)


# --- the check ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DerivedName:
    loc: Location
    """The config value that makes it (and that the message names)."""
    rule: NameRule
    value: str
    fix: str
    """What to shorten or change when the name is refused."""


def physical_name_problems(cfg: StackConfig) -> list[str]:
    """One message per config value that gives a name its service would refuse: the first such
    name, and how many more there are (one value usually breaks several names at once)."""
    refused: dict[Location, list[tuple[DerivedName, str]]] = {}
    for derived in derived_names(cfg):
        problem = derived.rule.problem(derived.value)
        if problem is not None:
            refused.setdefault(derived.loc, []).append((derived, problem))
    return [_message(cfg, found) for found in refused.values()]


def _message(cfg: StackConfig, found: list[tuple[DerivedName, str]]) -> str:
    derived, problem = found[0]
    value = _config_value(cfg, derived.loc)
    others = len(found) - 1
    more = f"; {others} other name(s) it gives are refused too" if others else ""
    return (
        f'sagestack:{config_path(derived.loc)}: "{value}" gives the {derived.rule.what} '
        f'"{derived.value}", which {problem} ({derived.fix}{more})'
    )


def _config_value(cfg: StackConfig, loc: Location) -> str:
    value = cfg.model_dump(by_alias=True)
    for part in loc:
        value = value[part]
    return str(value)


def derived_names(cfg: StackConfig) -> Iterator[DerivedName]:
    yield from _platform_names(cfg)
    for index, group in enumerate(cfg.feature_groups):
        yield DerivedName(
            ("featureGroups", index, "name"),
            aws_rules.FEATURE_GROUP,
            feature_group_name(cfg, group.name),
            "shorten sagestack:namePrefix or the group name",
        )
    for index in range(len(cfg.projects)):
        yield from _project_names(cfg, index)


def _platform_names(cfg: StackConfig) -> Iterator[DerivedName]:
    names = PlatformNames(cfg.name_prefix)
    fix = "change sagestack:namePrefix"
    for rule, value in (
        (aws_rules.S3_BUCKET, names.artifact_bucket(SAMPLE_ACCOUNT, LONGEST_REGION)),
        (aws_rules.SNS_TOPIC, names.oncall_topic),
        (aws_rules.KMS_ALIAS, names.key_alias),
        (aws_rules.PIPELINE, names.drift_monitor_pipeline),
        (aws_rules.IAM_ROLE, names.drift_monitor_role),
        (aws_rules.IAM_ROLE, names.feature_store_role),
    ):
        yield DerivedName(("namePrefix",), rule, value, fix)


def _project_names(cfg: StackConfig, index: int) -> Iterator[DerivedName]:
    project = cfg.projects[index]
    names = ProjectNames(cfg.name_prefix, project.name, cfg.stack)
    loc = ("projects", index, "name")
    fix = "shorten sagestack:namePrefix or the project name"
    for rule, value in (
        (aws_rules.IAM_ROLE, names.execution_role),
        (aws_rules.CODEBUILD_PROJECT, names.build_project),
        (aws_rules.IAM_ROLE, names.build_project),
        (aws_rules.CODEBUILD_PROJECT, names.deploy_project),
        (aws_rules.IAM_ROLE, names.deploy_project),
        (aws_rules.EVENT_RULE, names.approval_rule),
        (aws_rules.IAM_ROLE, names.approval_rule),
        (aws_rules.EVENT_RULE, names.drift_schedule),
        (aws_rules.IAM_ROLE, names.drift_schedule),
        (aws_rules.MONITORING_SCHEDULE, names.drift_schedule),
        (aws_rules.DATA_QUALITY_JOB_DEFINITION, names.drift_schedule),
        (aws_rules.IAM_ROLE, names.model_monitor_role),
        (aws_rules.EVENT_RULE, names.retrain_rule),
        (aws_rules.IAM_ROLE, names.retrain_rule),
        *((aws_rules.EVENT_RULE, names.failure_rule(kind)) for kind in FAILURE_RULE_SUFFIXES),
        (aws_rules.ENDPOINT, names.endpoint),
        (aws_rules.ENDPOINT_CONFIG, names.endpoint + LONGEST_DEPLOYED_VERSION),
        (aws_rules.MODEL, names.endpoint + LONGEST_DEPLOYED_VERSION),
        (aws_rules.PIPELINE, names.pipeline),
        (aws_rules.MODEL_PACKAGE_GROUP, names.model_package_group),
        (aws_rules.ALARM, names.alarm("latency-p99")),
        (aws_rules.ALARM, names.alarm("drift-heartbeat")),
        (aws_rules.ALARM, names.alarm("capture-gap")),
        (aws_rules.SSM_PARAMETER, names.parameter_path + max(contract.Param.ALL, key=len)),
    ):
        yield DerivedName(loc, rule, value, fix)
    for j, feature in enumerate(project.drift.features):
        yield DerivedName(
            ("projects", index, "drift", "features", j),
            aws_rules.ALARM,
            names.alarm(f"drift-{feature}"),
            "shorten the feature name or sagestack:namePrefix",
        )
