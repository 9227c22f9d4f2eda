"""The stack configuration model: the example stacks, every rule's message, defaults, loading."""

# The tables below pair an input with its exact message, one case a line, so lines run long.
# ruff: noqa: E501

from __future__ import annotations

import copy
import inspect
import json
import re
from pathlib import Path
from typing import Any, get_args

import pulumi
import pytest
import yaml
from pulumi_aws.config.outputs import Endpoints
from pydantic import BaseModel

from sagestack_infra.config import (
    ConfigError,
    Project,
    Registration,
    StackConfig,
    load_stack_config,
    parse_stack_config,
)
from sagestack_infra.config.values import model_monitor_schedule

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ENDPOINT = "http://localhost:4566"
SERVICES_THE_PROGRAM_USES = {
    "cloudwatch", "codebuild", "codeconnections", "codestarconnections", "ecr", "events",
    "iam", "kms", "logs", "s3", "sagemaker", "scheduler", "sns", "ssm", "sts",
}  # fmt: skip
ARN = "arn:aws:codeconnections:us-east-1:123456789012:connection/0b8c9d6e-1111-2222-3333-4444"
PAGERDUTY = "https://events.pagerduty.com/integration/abc123/enqueue"


def stack_file(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text())["config"]


def sagestack_keys(config: dict[str, Any]) -> dict[str, Any]:
    return {
        k.removeprefix("sagestack:"): v for k, v in config.items() if k.startswith("sagestack:")
    }


def project(name: str = "churn", **changes: Any) -> dict[str, Any]:
    entry = {
        "name": name,
        "repository": {"provider": "github", "url": "https://github.com/acme/churn", "connectionArn": ARN},
        "registration": {"metric": "auc", "threshold": 0.75},
        "drift": {"features": ["tenure"]},
    }  # fmt: skip
    return {**entry, **changes}


def valid() -> dict[str, Any]:
    return {
        "environment": "dev",
        "namePrefix": "sagestack-dev",
        "tags": {"owner": "ml-platform", "cost-center": "cc-1234"},
        "featureGroups": [
            {
                "name": "customers",
                "recordIdentifier": "customer_id",
                "eventTime": "event_time",
                "features": [
                    {"name": "customer_id", "type": "String"},
                    {"name": "tenure", "type": "Integral"},
                    {"name": "event_time", "type": "String"},
                ],
            }
        ],
        "projects": [project()],
    }


def changed(path: str, value: Any) -> dict[str, Any]:
    """A copy of :func:`valid` with ``path`` (``projects.0.name``) set, or removed if DELETE."""
    raw = copy.deepcopy(valid())
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node: Any = raw
    for part in parents:
        node = node[part]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list) and last == len(node):
        node.append(value)
    else:
        node[last] = value
    return raw


DELETE = object()


def problems_of(raw: dict[str, Any], secret_keys: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw, stack="dev", secret_keys=secret_keys)
    return caught.value.problems


# --- the example stacks ------------------------------------------------------------------------


def test_dev_stack_file_parses_to_one_github_project_on_sagemaker_with_email_oncall():
    config = parse_stack_config(sagestack_keys(stack_file("dev")), stack="dev")

    assert stack_file("dev")["aws:region"] == "us-east-1"
    assert config.environment == "dev"
    assert [p.name for p in config.projects] == ["churn"]
    churn = config.projects[0]
    assert churn.repository.provider == "github"
    assert (churn.drift.monitor, churn.auto_retrain, churn.serving.target) == (
        "sagestack",
        True,
        "sagemaker",
    )
    assert config.oncall.emails and config.oncall.pagerduty_url is None
    assert [(g.name, g.online) for g in config.feature_groups] == [("customers", True)]


def test_local_stack_file_parses_to_two_sagemaker_projects():
    config = parse_stack_config(sagestack_keys(stack_file("local")), stack="local")

    assert [p.name for p in config.projects] == ["churn", "fraud"]
    assert {p.serving.target for p in config.projects} == {"sagemaker"}
    assert config.kubernetes is None


def test_local_stack_file_points_every_service_the_program_uses_at_the_local_cloud():
    (endpoints,) = stack_file("local")["aws:endpoints"]
    provider_services = set(inspect.signature(Endpoints.__init__).parameters) - {"__self__"}

    assert set(endpoints) == SERVICES_THE_PROGRAM_USES
    assert set(endpoints) <= provider_services
    assert set(endpoints.values()) == {LOCAL_ENDPOINT}


def test_local_stack_file_uses_fake_credentials_and_skips_checks_that_reach_aws():
    aws = {k: v for k, v in stack_file("local").items() if k.startswith("aws:")}

    assert aws["aws:region"] == "us-east-1"
    assert (aws["aws:accessKey"], aws["aws:secretKey"]) == ("test", "test")
    for flag in (
        "skipCredentialsValidation",
        "skipRequestingAccountId",
        "skipMetadataApiCheck",
        "s3UsePathStyle",
    ):
        assert aws[f"aws:{flag}"] is True, flag


# --- one message per problem ------------------------------------------------------------------

OTHER = "arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc-123"
RUNBOOK_RULE = (
    "must be an https URL without a query or fragment (each runbook's file name is appended to "
    "it, e.g. https://github.com/acme/sagestack/blob/main/docs/runbooks/)"
)
ERRORS = [
    ("environment", "qa", 'sagestack:environment: "qa" must be one of: dev, staging, prod'),
    ("environment", DELETE, "sagestack:environment: is required"),
    ("namePrefix", "Sage Stack", 'sagestack:namePrefix: "Sage Stack" must be 3 to 25 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen'),
    ("namePrefix", "sagestack-", 'sagestack:namePrefix: "sagestack-" must be 3 to 25 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen'),
    ("namePrefix", "sthree-ml", 'sagestack:namePrefix: "sthree-ml" gives the S3 bucket name "sthree-ml-artifacts-123456789012-ap-southeast-1", which must not start with xn--, sthree-, amzn-s3-demo- (reserved by S3) (change sagestack:namePrefix)'),
    ("namePrefix", "xn--ml", 'sagestack:namePrefix: "xn--ml" gives the S3 bucket name "xn--ml-artifacts-123456789012-ap-southeast-1", which must not start with xn--, sthree-, amzn-s3-demo- (reserved by S3) (change sagestack:namePrefix)'),
    ("namePrefix", 12, "sagestack:namePrefix: 12 must be a string (quote it in YAML)"),
    ("colour", "blue", "sagestack:colour: unknown key (expected one of: environment, namePrefix, tags, oncall, logs, kubernetes, featureGroups, projects, runbookBaseUrl)"),
    ("runbookBaseUrl", "http://wiki/runbooks/", f'sagestack:runbookBaseUrl: "http://wiki/runbooks/" {RUNBOOK_RULE}'),
    ("runbookBaseUrl", "https://github.com/acme/sagestack/tree/main/docs/runbooks?plain=1", f'sagestack:runbookBaseUrl: "https://github.com/acme/sagestack/tree/main/docs/runbooks?plain=1" {RUNBOOK_RULE}'),
    ("runbookBaseUrl", "https://docs.example.com/#runbooks", f'sagestack:runbookBaseUrl: "https://docs.example.com/#runbooks" {RUNBOOK_RULE}'),
    ("tags.owner", DELETE, "sagestack:tags.owner: is required (every resource is tagged with it)"),
    ("tags.cost-center", DELETE, "sagestack:tags.cost-center: is required (every resource is tagged with it)"),
    ("tags.owner", "", 'sagestack:tags.owner: "" must not be empty'),
    ("tags.cost-center", 1234, "sagestack:tags.cost-center: 1234 must be a string (quote it in YAML)"),
    ("tags.aws:team", "x", 'sagestack:tags: "aws:team" key must not start with aws: (reserved by AWS)'),
    ("tags." + "k" * 129, "x", f'sagestack:tags: "{"k" * 129}" key must be 1 to 128 characters'),
    ("tags.team", "a" * 257, f'sagestack:tags.team: "{"a" * 257}" must be at most 256 characters'),
    ("tags.team", "ml!", 'sagestack:tags.team: "ml!" must contain only letters, digits, spaces and _ . : / = + - @'),
    ("tags.te#m", "x", 'sagestack:tags: "te#m" key must contain only letters, digits, spaces and _ . : / = + - @'),
    ("tags", "owner=me", 'sagestack:tags: "owner=me" must be a mapping of keys to values'),
    ("oncall", {"emails": ["not-an-address"]}, 'sagestack:oncall.emails[0]: "not-an-address" must be an email address (An email address must have an @-sign.)'),
    ("oncall", {"emails": ["a@example.com", "A@example.com"]}, 'sagestack:oncall.emails[1]: "A@example.com" is a duplicate of sagestack:oncall.emails[0] (addresses ignore case)'),
    ("oncall", {"emails": "a@example.com"}, 'sagestack:oncall.emails: "a@example.com" must be a list'),
    ("oncall", {"pagerdutyUrl": PAGERDUTY}, "sagestack:oncall.pagerdutyUrl: must be a secret (set it with pulumi config set --secret --path sagestack:oncall.pagerdutyUrl <value>)"),
    ("kubernetes", {"kubeconfig": "apiVersion: v1", "modelServerImage": "server:1.0"}, "sagestack:kubernetes.kubeconfig: must be a secret (set it with pulumi config set --secret --path sagestack:kubernetes.kubeconfig <value>)"),
    ("featureGroups.0.name", "customers!", 'sagestack:featureGroups[0].name: "customers!" must match ^[a-zA-Z0-9]([-a-zA-Z0-9]){0,62}$'),
    ("featureGroups.1", {**valid()["featureGroups"][0]}, 'sagestack:featureGroups[1].name: "customers" is a duplicate of sagestack:featureGroups[0].name'),
    ("featureGroups.0.recordIdentifier", "id", 'sagestack:featureGroups[0].recordIdentifier: "id" must be one of the group\'s features (customer_id, tenure, event_time)'),
    ("featureGroups.0.eventTime", "ts", 'sagestack:featureGroups[0].eventTime: "ts" must be one of the group\'s features (customer_id, tenure, event_time)'),
    ("featureGroups.0.eventTime", "tenure", 'sagestack:featureGroups[0].eventTime: "tenure" must be a feature of type String or Fractional (it is Integral)'),
    ("featureGroups.0.features.1.type", "Text", 'sagestack:featureGroups[0].features[1].type: "Text" must be one of: String, Integral, Fractional'),
    ("featureGroups.0.features.3", {"name": "tenure", "type": "Fractional"}, 'sagestack:featureGroups[0].features[3].name: "tenure" is a duplicate of sagestack:featureGroups[0].features[1].name'),
    ("featureGroups.0.features", [], "sagestack:featureGroups[0].features: [] must have at least 1 item(s)"),
    ("featureGroups.0.online", "sometimes", 'sagestack:featureGroups[0].online: "sometimes" must be true or false, not a string (set it unquoted in YAML, or with pulumi config set --path ... --type bool)'),
    ("featureGroups.0.online", 1, "sagestack:featureGroups[0].online: 1 must be true or false"),
    ("featureGroups.0.name", "c" * 51, f'sagestack:featureGroups[0].name: "{"c" * 51}" gives the SageMaker feature group name "sagestack-dev-{"c" * 51}", which is 65 characters long; AWS allows 1 to 64 (shorten sagestack:namePrefix or the group name)'),
    ("projects.0.name", "Churn Model", 'sagestack:projects[0].name: "Churn Model" must be 2 to 31 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen'),
    ("projects.0.name", "churn-", 'sagestack:projects[0].name: "churn-" must be 2 to 31 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen'),
    ("projects.1", project(), 'sagestack:projects[1].name: "churn" is a duplicate of sagestack:projects[0].name'),
    ("projects.0.instance", {}, "sagestack:projects[0].instance: unknown key (expected one of: name, repository, branch, instances, registration, drift, autoRetrain, featureGroups, dataSources, serving, alerts)"),
    ("projects.0.auto_retrain", True, "sagestack:projects[0].auto_retrain: unknown key (expected one of: name, repository, branch, instances, registration, drift, autoRetrain, featureGroups, dataSources, serving, alerts)"),
    ("projects.0.branch", "refs/heads/main", 'sagestack:projects[0].branch: "refs/heads/main" must be a git branch name without the refs/heads/ prefix (no spaces, no .., none of ~ ^ : ? * [ \\ @{, not starting with - or /, not ending with /, . or .lock)'),
    ("projects.0.branch", "my feature", 'sagestack:projects[0].branch: "my feature" must be a git branch name without the refs/heads/ prefix (no spaces, no .., none of ~ ^ : ? * [ \\ @{, not starting with - or /, not ending with /, . or .lock)'),
    ("projects.0.branch", "release..1", 'sagestack:projects[0].branch: "release..1" must be a git branch name without the refs/heads/ prefix (no spaces, no .., none of ~ ^ : ? * [ \\ @{, not starting with - or /, not ending with /, . or .lock)'),
    ("projects.0.branch", "topic.lock", 'sagestack:projects[0].branch: "topic.lock" must be a git branch name without the refs/heads/ prefix (no spaces, no .., none of ~ ^ : ? * [ \\ @{, not starting with - or /, not ending with /, . or .lock)'),
    ("projects.0.branch", "@", 'sagestack:projects[0].branch: "@" must be a git branch name without the refs/heads/ prefix (no spaces, no .., none of ~ ^ : ? * [ \\ @{, not starting with - or /, not ending with /, . or .lock)'),
    ("projects.0.branch", "", 'sagestack:projects[0].branch: "" must not be empty'),
    ("projects.0.repository.connectionArn", "arn:aws:s3:::x", 'sagestack:projects[0].repository.connectionArn: "arn:aws:s3:::x" must be a CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>)'),
    ("projects.0.repository.connectionArn", "arn:aws:codeconnections:us-east-1:1234:connection/x", 'sagestack:projects[0].repository.connectionArn: "arn:aws:codeconnections:us-east-1:1234:connection/x" must be a CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>)'),
    ("projects.0.repository.connectionArn", "arn:aws:codeconnections:useast:123456789012:connection/x", 'sagestack:projects[0].repository.connectionArn: "arn:aws:codeconnections:useast:123456789012:connection/x" must be a CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>)'),
    ("projects.0.repository.provider", "svn", 'sagestack:projects[0].repository.provider: "svn" must be one of: github, gitlab, bitbucket'),
    ("projects.0.repository.url", "http://github.com/acme/churn", 'sagestack:projects[0].repository.url: "http://github.com/acme/churn" must be an https URL on github.com (https://github.com/<owner>/<repository>)'),
    ("projects.0.repository.url", "ssh://github.com/acme/churn", 'sagestack:projects[0].repository.url: "ssh://github.com/acme/churn" must be an https URL on github.com (https://github.com/<owner>/<repository>)'),
    ("projects.0.repository.url", "https://gitlab.com/acme/churn", 'sagestack:projects[0].repository.url: "https://gitlab.com/acme/churn" must be an https URL on github.com (https://github.com/<owner>/<repository>)'),
    ("projects.0.repository.url", "https://github.com/acme/churn?ref=x", 'sagestack:projects[0].repository.url: "https://github.com/acme/churn?ref=x" must be an https URL on github.com (https://github.com/<owner>/<repository>)'),
    ("projects.0.repository.url", "https://github.com/acme", 'sagestack:projects[0].repository.url: "https://github.com/acme" must be an https URL on github.com (https://github.com/<owner>/<repository>)'),
    ("projects.0.repository", {"provider": "bitbucket", "url": "https://bitbucket.com/a/b", "connectionArn": ARN}, 'sagestack:projects[0].repository.url: "https://bitbucket.com/a/b" must be an https URL on bitbucket.org (https://bitbucket.org/<owner>/<repository>)'),
    ("projects.0.instances", {"training": "m5.xlarge"}, 'sagestack:projects[0].instances.training: "m5.xlarge" is not an instance type SageMaker offers for training jobs (e.g. ml.m5.large; the SageMaker API\'s TrainingInstanceType lists them)'),
    ("projects.0.instances", {"processing": "ml.m99.huge"}, 'sagestack:projects[0].instances.processing: "ml.m99.huge" is not an instance type SageMaker offers for processing jobs (e.g. ml.m5.large; the SageMaker API\'s ProcessingInstanceType lists them)'),
    ("projects.0.instances", {"endpoint": "ml.p3dn.24xlarge"}, 'sagestack:projects[0].instances.endpoint: "ml.p3dn.24xlarge" is not an instance type SageMaker offers for endpoints (e.g. ml.m5.large; the SageMaker API\'s ProductionVariantInstanceType lists them)'),
    ("projects.0.instances", {"endpointCount": 11}, "sagestack:projects[0].instances.endpointCount: 11 must be <= 10"),
    ("projects.0.instances", {"endpointCount": 1.5}, "sagestack:projects[0].instances.endpointCount: 1.5 must be a whole number"),
    ("projects.0.registration.metric", "loss", 'sagestack:projects[0].registration.metric: "loss" must be one of: auc, accuracy, f1, rmse, mae, r2'),
    ("projects.0.registration.threshold", 1.5, 'sagestack:projects[0].registration.threshold: 1.5 must be between 0 and 1 for metric "auc"'),
    ("projects.0.registration", {"metric": "mae", "threshold": -0.1}, 'sagestack:projects[0].registration.threshold: -0.1 must be >= 0 for metric "mae"'),
    ("projects.0.registration.threshold", "high", 'sagestack:projects[0].registration.threshold: "high" must be a number, not a string (set it unquoted in YAML, or with pulumi config set --path ... --type float)'),
    ("projects.0.registration.threshold", "0.8", 'sagestack:projects[0].registration.threshold: "0.8" must be a number, not a string (set it unquoted in YAML, or with pulumi config set --path ... --type float)'),
    ("projects.0.instances", {"endpointCount": "2"}, 'sagestack:projects[0].instances.endpointCount: "2" must be an integer, not a string (set it unquoted in YAML, or with pulumi config set --path ... --type int)'),
    ("projects.0.registration.threshold", float("nan"), "sagestack:projects[0].registration.threshold: NaN must be a finite number"),
    ("projects.0.registration.threshold", True, "sagestack:projects[0].registration.threshold: true must be a number"),
    ("projects.0.instances", {"endpointCount": False}, "sagestack:projects[0].instances.endpointCount: false must be an integer"),
    ("projects.0.registration", DELETE, "sagestack:projects[0].registration: is required"),
    ("projects.0.drift.features", [], "sagestack:projects[0].drift.features: [] must have at least 1 item(s)"),
    ("projects.0.drift.features", ["tenure", "tenure"], 'sagestack:projects[0].drift.features[1]: "tenure" is a duplicate of sagestack:projects[0].drift.features[0]'),
    ("projects.0.drift.threshold", 0, "sagestack:projects[0].drift.threshold: 0 must be > 0"),
    ("projects.0.drift.threshold", 11, "sagestack:projects[0].drift.threshold: 11 must be <= 10"),
    ("projects.0.drift.minRequests", 0, "sagestack:projects[0].drift.minRequests: 0 must be >= 1"),
    ("projects.0.drift.minRequests", 2.5, "sagestack:projects[0].drift.minRequests: 2.5 must be a whole number"),
    ("projects.0.drift.monitor", "evidently", 'sagestack:projects[0].drift.monitor: "evidently" must be one of: sagestack, model-monitor'),
    ("projects.0.drift.schedule", "every hour", 'sagestack:projects[0].drift.schedule: "every hour" must be an EventBridge schedule expression: rate(<value> <unit>) with unit minute(s), hour(s) or day(s), or cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) with ? in exactly one of day-of-month and day-of-week'),
    ("projects.0.featureGroups", ["orders"], 'sagestack:projects[0].featureGroups[0]: "orders" must name a feature group of sagestack:featureGroups (customers)'),
    ("projects.0.autoRetrain", "maybe", 'sagestack:projects[0].autoRetrain: "maybe" must be true or false, not a string (set it unquoted in YAML, or with pulumi config set --path ... --type bool)'),
    ("projects.0.autoRetrain", "yes", 'sagestack:projects[0].autoRetrain: "yes" must be true or false, not a string (set it unquoted in YAML, or with pulumi config set --path ... --type bool)'),
    ("projects.0.dataSources", {"s3": ["s3://data-lake/churn"]}, 'sagestack:projects[0].dataSources.s3[0]: "s3://data-lake/churn" must be an S3 prefix s3://<bucket>/<prefix>/ (a key prefix, ending in /)'),
    ("projects.0.dataSources", {"s3": ["s3://data-lake/"]}, 'sagestack:projects[0].dataSources.s3[0]: "s3://data-lake/" must be an S3 prefix s3://<bucket>/<prefix>/ (a key prefix, ending in /)'),
    ("projects.0.dataSources", {"s3": ["https://data-lake.s3.amazonaws.com/churn/"]}, 'sagestack:projects[0].dataSources.s3[0]: "https://data-lake.s3.amazonaws.com/churn/" must be an S3 prefix s3://<bucket>/<prefix>/ (a key prefix, ending in /)'),
    ("projects.0.dataSources", {"s3": ["s3://Data_Lake/churn/"]}, 'sagestack:projects[0].dataSources.s3[0]: "s3://Data_Lake/churn/" names bucket \'Data_Lake\', which must be lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit'),
    ("projects.0.dataSources", {"kmsKeys": ["arn:aws:kms:us-east-1:123456789012:alias/data"]}, 'sagestack:projects[0].dataSources.kmsKeys[0]: "arn:aws:kms:us-east-1:123456789012:alias/data" must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; IAM authorises decryption by key, not by alias)'),
    ("projects.0.dataSources", {"bucket": "data-lake"}, "sagestack:projects[0].dataSources.bucket: unknown key (expected one of: s3, kmsKeys)"),
    ("projects.0.serving", {"target": "ecs"}, 'sagestack:projects[0].serving.target: "ecs" must be one of: sagemaker, kubernetes'),
    ("projects.0.serving", {"target": "sagemaker", "replicas": 3}, 'sagestack:projects[0].serving.replicas: 3 applies only when serving.target is "kubernetes"'),
    ("projects.0.serving", {"target": "kubernetes"}, 'sagestack:kubernetes: is required because sagestack:projects[0].serving.target is "kubernetes"'),
    ("projects.0.serving", {"autoscaling": {"minCapacity": 3, "maxCapacity": 2, "targetInvocationsPerInstance": 100}}, "sagestack:projects[0].serving.autoscaling.minCapacity: 3 is above maxCapacity (2)"),
    ("projects.0.serving", {"autoscaling": {"minCapacity": 2, "maxCapacity": 4, "targetInvocationsPerInstance": 100}}, "sagestack:projects[0].instances.endpointCount: 1 is outside autoscaling's 2 to 4 (the count the endpoint starts with must be one autoscaling may keep)"),
    ("projects.0.serving", {"autoscaling": {"minCapacity": 1, "maxCapacity": 4}}, "sagestack:projects[0].serving.autoscaling.targetInvocationsPerInstance: is required"),
    ("projects.0.serving", {"rollout": {"type": "blue-green"}}, 'sagestack:projects[0].serving.rollout.type: "blue-green" must be one of: ALL_AT_ONCE, CANARY, LINEAR'),
    ("projects.0.serving", {"rollout": {"type": "LINEAR", "stepPercent": 60}}, "sagestack:projects[0].serving.rollout.stepPercent: 60 must be <= 50"),
    ("projects.0.serving", {"rollout": {"waitSeconds": 7200}}, "sagestack:projects[0].serving.rollout.waitSeconds: 7200 must be <= 3600"),
    ("projects.0.serving", {"rollout": {"rollbackAlarms": ["5xx", "5xx"]}}, "sagestack:projects[0].serving.rollout.rollbackAlarms: ['5xx', '5xx'] names an alarm twice"),
    ("projects.0.serving", {"rollout": {"rollbackAlarms": ["errors"]}}, 'sagestack:projects[0].serving.rollout.rollbackAlarms[0]: "errors" must be one of: 5xx, latency-p99'),
    ("projects.0.alerts", {"pullRequestBuilds": "yes"}, 'sagestack:projects[0].alerts.pullRequestBuilds: "yes" must be true or false, not a string (set it unquoted in YAML, or with pulumi config set --path ... --type bool)'),
    ("logs", {"retentionDays": 100}, "sagestack:logs.retentionDays: 100 must be a retention CloudWatch Logs offers: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"),
    ("projects", {"churn": {}}, 'sagestack:projects: {"churn": {}} must be a list'),
    ("projects.0", "churn", 'sagestack:projects[0]: "churn" must be a mapping of keys to values'),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "value", "message"), ERRORS, ids=[f"{p}={str(v)[:20]}" for p, v, _ in ERRORS]
)
def test_each_invalid_value_is_reported_with_its_path_value_and_rule(path, value, message):
    assert problems_of(changed(path, value)) == [message]


KUBERNETES = {"kubeconfig": "apiVersion: v1", "modelServerImage": "server:1.0"}
KUBERNETES_ERRORS = [
    ({"replicas": 0}, "sagestack:projects[0].serving.replicas: 0 must be >= 1"),
    ({"replicas": 51}, "sagestack:projects[0].serving.replicas: 51 must be <= 50"),
    ({"cpu": "0"}, 'sagestack:projects[0].serving.cpu: "0" must be more than zero cores'),
    ({"cpu": "0.0"}, 'sagestack:projects[0].serving.cpu: "0.0" must be more than zero cores'),
    ({"cpu": "half"}, 'sagestack:projects[0].serving.cpu: "half" must match ^([1-9][0-9]*m|[0-9]+(\\.[0-9]+)?)$'),
    ({"memory": "1GB"}, 'sagestack:projects[0].serving.memory: "1GB" must match ^[1-9][0-9]*(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$'),
]  # fmt: skip


@pytest.mark.parametrize(("serving", "message"), KUBERNETES_ERRORS)
def test_each_invalid_kubernetes_serving_value_is_reported(serving, message):
    raw = changed("projects.0.serving", {"target": "kubernetes", **serving})
    raw["kubernetes"] = KUBERNETES

    assert problems_of(raw, secret_keys=("kubernetes",)) == [message]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"kubeconfig": "k"}, "sagestack:kubernetes.modelServerImage: is required"),
        ({**KUBERNETES, "kubeconfig": ""}, 'sagestack:kubernetes.kubeconfig: "[secret]" must not be empty'),
        (
            {**KUBERNETES, "modelServerImage": "Server Image"},
            'sagestack:kubernetes.modelServerImage: "Server Image" must be a container image with '
            "a tag or digest (<registry>/<repository>:<tag>)",
        ),
    ],
)  # fmt: skip
def test_each_invalid_kubernetes_section_value_is_reported(section, message):
    raw = changed("kubernetes", section)

    assert problems_of(raw, secret_keys=("kubernetes",)) == [message]


def test_every_problem_is_reported_at_once_sorted_by_path():
    raw = changed("projects.0.name", "Churn Model")
    raw["projects"].append(project("fraud", drift={"features": ["a", "a"]}))
    raw["projects"].append(project("fraud", registration={"metric": "rmse", "threshold": -1}))
    raw["environment"] = "qa"
    del raw["tags"]["owner"]
    raw["oncall"] = {"pagerdutyUrl": PAGERDUTY}

    assert problems_of(raw) == [
        'sagestack:environment: "qa" must be one of: dev, staging, prod',
        "sagestack:oncall.pagerdutyUrl: must be a secret (set it with pulumi config set "
        "--secret --path sagestack:oncall.pagerdutyUrl <value>)",
        'sagestack:projects[0].name: "Churn Model" must be 2 to 31 lowercase letters, digits '
        "and hyphens, starting with a letter and not ending with a hyphen",
        'sagestack:projects[1].drift.features[1]: "a" is a duplicate of '
        "sagestack:projects[1].drift.features[0]",
        'sagestack:projects[2].name: "fraud" is a duplicate of sagestack:projects[1].name',
        'sagestack:projects[2].registration.threshold: -1 must be >= 0 for metric "rmse"',
        "sagestack:tags.owner: is required (every resource is tagged with it)",
    ]


def test_paths_sort_by_list_index_as_numbers():
    raw = valid()
    raw["projects"] = [project(f"p{i}") for i in range(11)]
    for i in (2, 10):
        raw["projects"][i]["name"] = f"Bad{i}"

    assert [p.split(":")[1] for p in problems_of(raw)] == ["projects[2].name", "projects[10].name"]


def test_config_error_text_is_every_problem_one_per_line():
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({**valid(), "environment": "qa", "namePrefix": "X"}, stack="dev")

    assert str(caught.value).splitlines() == caught.value.problems
    assert len(caught.value.problems) == 2


def test_a_secret_value_never_appears_in_a_message():
    raw = changed("oncall", {"pagerdutyUrl": "http://events.pagerduty.com/integration/key-123"})

    (message,) = problems_of(raw, secret_keys=("oncall",))

    assert message == 'sagestack:oncall.pagerdutyUrl: "[secret]" must be an https URL'
    assert "key-123" not in message


def test_a_config_that_is_not_a_mapping_is_rejected():
    with pytest.raises(ConfigError, match=r'^sagestack:: \["dev"\] must be a mapping'):
        parse_stack_config(["dev"], stack="dev")  # type: ignore[arg-type]


def test_the_stack_name_comes_from_pulumi_not_from_the_config():
    assert parse_stack_config(valid(), stack="prod-eu").stack == "prod-eu"
    assert problems_of({**valid(), "stack": "x"}) == [
        "sagestack:stack: unknown key (the stack name comes from Pulumi)"
    ]


# --- accepted values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schedule",
    ["rate(1 minute)", "rate(5 minutes)", "rate(1 day)", "cron(0 12 * * ? *)",
     "cron(0/15 9-17 ? * MON-FRI *)", "cron(0 8 1 * ? 2027)", "cron(0 0 ? * 6#3 *)"],
)  # fmt: skip
def test_eventbridge_schedule_expressions_are_accepted(schedule):
    config = parse_stack_config(changed("projects.0.drift.schedule", schedule), stack="dev")

    assert config.projects[0].drift.schedule == schedule


@pytest.mark.parametrize(
    "schedule",
    ["rate(1 hours)", "rate(5 minute)", "rate(0 minutes)", "rate(1 week)", "cron(0 12 * * * *)",
     "cron(0 12 ? * ? *)", "cron(0 12 * * ?)", "cron(0 12 * * ? * *)", "cron(0 $ * * ? *)",
     "cron(0 12 L * MON *)", "cron(0 12 * * ? 2027"],
)  # fmt: skip
def test_malformed_schedule_expressions_are_rejected(schedule):
    (message,) = problems_of(changed("projects.0.drift.schedule", schedule))

    assert message.startswith(f"sagestack:projects[0].drift.schedule: {json.dumps(schedule)} must")


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:codeconnections:eu-west-1:123456789012:connection/0b8c9d6e-1111-2222-3333-4444",
        "arn:aws:codestar-connections:us-east-1:123456789012:connection/abc-123",
        "arn:aws-us-gov:codeconnections:us-gov-west-1:123456789012:connection/abc",
    ],
)
def test_codeconnections_and_codestar_connections_arns_are_accepted(arn):
    config = parse_stack_config(changed("projects.0.repository.connectionArn", arn), stack="dev")

    assert config.projects[0].repository.connection_arn == arn


@pytest.mark.parametrize(
    ("provider", "url"),
    [
        ("github", "https://github.com/acme/churn.git"),
        ("gitlab", "https://gitlab.com/acme/ml/churn"),
        ("bitbucket", "https://bitbucket.org/acme/churn"),
    ],
)
def test_repository_urls_on_the_providers_host_are_accepted(provider, url):
    repository = {"provider": provider, "url": url, "connectionArn": OTHER}
    config = parse_stack_config(changed("projects.0.repository", repository), stack="dev")

    assert (config.projects[0].repository.provider, config.projects[0].repository.url) == (
        provider,
        url,
    )


def test_a_kubernetes_project_with_its_cluster_section_parses():
    raw = changed("projects.0.serving", {"target": "kubernetes", "replicas": 4, "cpu": "2"})
    raw["kubernetes"] = {
        **KUBERNETES,
        "modelServerImage": "1234.dkr.ecr.us-east-1.amazonaws.com/ms:1.0",
    }

    config = parse_stack_config(raw, stack="dev", secret_keys=("sagestack:kubernetes",))

    assert config.kubernetes is not None and config.kubernetes.kubeconfig == "apiVersion: v1"
    assert (config.projects[0].serving.replicas, config.projects[0].serving.cpu) == (4, "2")


def test_defaults_fill_every_optional_key():
    config = parse_stack_config(
        {
            "environment": "prod",
            "namePrefix": "acme-ml",
            "tags": {"owner": "o", "cost-center": "c"},
        },
        stack="prod",
    )
    assert (config.oncall.emails, config.oncall.pagerduty_url) == ((), None)
    assert (config.kubernetes, config.feature_groups, config.projects) == (None, (), ())

    churn = parse_stack_config(valid(), stack="dev").projects[0]
    assert churn.branch == "main"
    assert (churn.instances.processing, churn.instances.training, churn.instances.endpoint) == (
        "ml.m5.large",
        "ml.m5.xlarge",
        "ml.m5.large",
    )
    assert churn.instances.endpoint_count is None
    assert churn.instances.endpoint_instances("dev") == 1
    assert churn.instances.endpoint_instances("prod") == 2  # one may fail in production
    assert churn.serving.autoscaling is None and churn.serving.network_isolation is True
    rollout = churn.serving.rollout
    assert (rollout.type, rollout.wait_seconds, rollout.termination_wait_seconds) == (
        "ALL_AT_ONCE",
        600,
        600,
    )
    assert rollout.rollback_alarms == ("5xx", "latency-p99")
    assert churn.alerts.pull_request_builds is False
    assert (config.logs.retention_days, config.logs.job_log_groups) == (90, True)
    assert (churn.drift.monitor, churn.drift.threshold, churn.drift.schedule) == (
        "sagestack",
        0.2,
        "rate(1 hour)",
    )
    assert (churn.auto_retrain, churn.feature_groups) == (False, ())
    assert (churn.serving.target, churn.serving.replicas) == ("sagemaker", 2)
    assert (churn.serving.cpu, churn.serving.memory) == ("500m", "1Gi")
    assert parse_stack_config(valid(), stack="dev").feature_groups[0].online is True


@pytest.mark.parametrize(
    ("metric", "higher"),
    [
        ("auc", True),
        ("accuracy", True),
        ("f1", True),
        ("r2", True),
        ("rmse", False),
        ("mae", False),
    ],
)
def test_higher_is_better_except_for_error_metrics(metric, higher):
    assert Registration(metric=metric, threshold=0.5).higher_is_better is higher


def test_the_model_is_frozen_and_built_by_attribute_name_in_python():
    churn = Project(**parse_stack_config(valid(), stack="dev").projects[0].model_dump())

    assert churn.auto_retrain is False
    with pytest.raises(ValueError, match="frozen"):
        churn.name = "other"  # type: ignore[misc]


# --- loading from the Pulumi runtime ------------------------------------------------------


class _NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}-id", args.inputs

    def call(self, args):
        return {}


@pytest.fixture
def pulumi_stack():
    pulumi.runtime.set_mocks(_NoResources(), project="sagestack", stack="staging", preview=False)
    yield
    pulumi.runtime.set_all_config({}, [])


def wire_form(raw: dict[str, Any]) -> dict[str, str]:
    """How Pulumi hands config to a program: strings, structured values as JSON."""
    return {
        f"sagestack:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()
    } | {"aws:region": "us-east-1"}


def test_load_reads_the_namespace_and_secret_flags_from_the_pulumi_runtime(pulumi_stack):
    raw = changed("oncall", {"emails": ["a@example.com"], "pagerdutyUrl": PAGERDUTY})
    pulumi.runtime.set_all_config(wire_form(raw), ["sagestack:oncall"])

    config = load_stack_config()

    assert config.stack == "staging"
    assert config.oncall.pagerduty_url == PAGERDUTY
    assert config == parse_stack_config(raw, stack="staging", secret_keys=["oncall"])


def test_load_rejects_a_pagerduty_url_pulumi_does_not_hold_as_a_secret(pulumi_stack):
    raw = changed("oncall", {"pagerdutyUrl": PAGERDUTY})
    pulumi.runtime.set_all_config(wire_form(raw), [])

    with pytest.raises(ConfigError) as caught:
        load_stack_config()

    assert [p.split(": ")[0] for p in caught.value.problems] == ["sagestack:oncall.pagerdutyUrl"]


def test_load_reads_config_and_secret_keys_from_the_environment(pulumi_stack, monkeypatch):
    raw = changed("oncall", {"pagerdutyUrl": PAGERDUTY})
    pulumi.runtime.set_all_config({}, [])
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(wire_form(raw)))
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", json.dumps(["sagestack:oncall"]))

    assert load_stack_config().oncall.pagerduty_url == PAGERDUTY


def test_load_reports_unknown_keys_of_the_namespace(pulumi_stack):
    pulumi.runtime.set_all_config(wire_form({**valid(), "projcts": []}), [])

    with pytest.raises(ConfigError, match=r"^sagestack:projcts: unknown key"):
        load_stack_config()


def _leaf_paths(node: Any, prefix: str = "") -> list[str]:
    children = node.items() if isinstance(node, dict) else enumerate(node)
    paths = []
    for key, child in children:
        path = f"{prefix}{key}"
        paths.append(path)
        if isinstance(child, dict | list) and child:
            paths += _leaf_paths(child, f"{path}.")
    return paths


@pytest.mark.parametrize("wrong", [None, 1.5, "x", [], {}, True, [{}]], ids=repr)
def test_a_wrong_type_anywhere_gets_a_sagestack_message_never_pydantic_wording(wrong):
    messages = []
    for path in _leaf_paths(valid()):
        try:
            parse_stack_config(changed(path, wrong), stack="dev")
        except ConfigError as error:
            messages += error.problems

    assert len(messages) > 10
    for message in messages:
        assert message.startswith("sagestack:"), message
        assert "Input should" not in message and "is invalid (" not in message, message


PROD_PROBLEMS = [
    ({}, "sagestack:projects[0].instances.endpointCount: 1 is below 2 in a \"prod\" stack: one instance failing would take the endpoint down"),
    ({"autoscaling": {"minCapacity": 1, "maxCapacity": 4, "targetInvocationsPerInstance": 50}}, "sagestack:projects[0].serving.autoscaling.minCapacity: 1 is below 2 in a \"prod\" stack: scaling in would leave a single instance"),
    ({"rollout": {"rollbackAlarms": []}}, "sagestack:projects[0].serving.rollout.rollbackAlarms: [] in a \"prod\" stack: a bad model would stay deployed (name 5xx, latency-p99 or both)"),
]  # fmt: skip


@pytest.mark.parametrize(("serving", "message"), PROD_PROBLEMS)
def test_a_prod_endpoint_keeps_two_instances_and_rolls_back_on_its_alarms(serving, message):
    raw = changed("environment", "prod")
    raw["projects"][0]["serving"] = serving
    raw["projects"][0]["instances"] = {"endpointCount": 1} if not serving else {"endpointCount": 2}
    assert problems_of(raw) == [message]


def test_sagemaker_settings_on_a_kubernetes_project_are_refused_as_they_would_be_ignored():
    raw = changed("projects.0.serving", {"target": "kubernetes", "rollout": {"type": "CANARY"}})
    raw["kubernetes"] = {**KUBERNETES, "modelServerImage": "registry.example.com/ms:1.0"}
    assert problems_of(raw, secret_keys=("kubernetes",)) == [
        'sagestack:projects[0].serving.rollout: {"type": "CANARY"} applies only when '
        'serving.target is "sagemaker"'
    ]


def test_a_prod_project_without_an_instance_count_gets_two_and_is_valid():
    config = parse_stack_config(changed("environment", "prod"), stack="prod")
    assert config.projects[0].instances.endpoint_instances("prod") == 2


def test_numbers_and_booleans_are_taken_only_as_their_own_type():
    raw = changed("projects.0.registration.threshold", 1)
    raw["projects"][0]["drift"]["threshold"] = 0.3
    raw["projects"][0]["autoRetrain"] = True

    churn = parse_stack_config(raw, stack="dev").projects[0]

    assert (churn.registration.threshold, churn.drift.threshold, churn.auto_retrain) == (
        1.0,
        0.3,
        True,
    )


def _documented_keys(model: type[BaseModel]) -> set[str]:
    keys = set()
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        keys.add(info.alias or name)
        for inner in (info.annotation, *get_args(info.annotation)):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                keys |= _documented_keys(inner)
    return keys


def test_the_config_reference_documents_every_key_of_the_model():
    reference = (ROOT / "docs" / "config.md").read_text()

    missing = {key for key in _documented_keys(StackConfig) if f"`{key}`" not in reference}

    assert missing == set()


@pytest.mark.parametrize(
    "branch", ["trunk", "release/1.0", "dependabot/pip/numpy-2.1", "feat_x", "x", "2024-q1", "@x"]
)
def test_branch_names_git_accepts_are_accepted(branch):
    config = parse_stack_config(changed("projects.0.branch", branch), stack="dev")
    assert config.projects[0].branch == branch


@pytest.mark.parametrize(
    ("metric", "threshold"),
    [
        ("auc", 1.0),
        ("auc", 0),
        ("accuracy", 1),
        ("accuracy", 0.0),
        ("f1", 0.0),
        ("f1", 1.0),
        ("r2", 0.0),
        ("r2", 1.0),
        ("rmse", 0),
        ("mae", 0.0),
    ],  # fmt: skip
)
def test_a_registration_threshold_on_the_closed_end_of_its_range_is_accepted(metric, threshold):
    raw = changed("projects.0.registration", {"metric": metric, "threshold": threshold})
    config = parse_stack_config(raw, stack="dev")
    assert config.projects[0].registration.threshold == threshold


# --- drift.monitor model-monitor ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "cron"),
    [
        ("rate(1 hour)", "cron(0 * ? * * *)"),
        ("rate(2 hours)", "cron(0 0/2 ? * * *)"),
        ("rate(12 hours)", "cron(0 0/12 ? * * *)"),
        ("rate(24 hours)", "cron(0 0 ? * * *)"),
        ("rate(1 day)", "cron(0 0 ? * * *)"),
        ("cron(0 * ? * * *)", "cron(0 * ? * * *)"),
        ("cron(0 6 ? * * *)", "cron(0 6 ? * * *)"),
        ("cron(0 17/12 ? * * *)", "cron(0 17/12 ? * * *)"),
    ],
)
def test_a_drift_schedule_becomes_one_model_monitor_runs(schedule, cron):
    assert model_monitor_schedule(schedule) == cron


@pytest.mark.parametrize(
    "schedule",
    ["rate(5 hours)", "rate(48 hours)", "rate(2 days)", "rate(30 minutes)", "cron(15 * ? * * *)"],
)
def test_a_schedule_model_monitor_cannot_run_is_refused_naming_it(schedule):
    with pytest.raises(ValueError, match=rf'^"{re.escape(schedule)}" is not a schedule Model'):
        model_monitor_schedule(schedule)


def monitored(**drift: Any) -> dict[str, Any]:
    """A valid config whose project is watched by Model Monitor, with ``drift`` changed."""
    settings = {"monitor": "model-monitor", "features": ["tenure"], "schedule": "rate(6 hours)"}
    return changed("projects.0.drift", {**settings, **drift})


@pytest.mark.parametrize("threshold", [0.3, 1.0])
def test_a_model_monitor_project_on_a_schedule_it_runs_is_valid(threshold):
    config = parse_stack_config(monitored(threshold=threshold), stack="dev")
    drift = config.projects[0].drift
    assert (drift.monitor, drift.threshold) == ("model-monitor", threshold)


def test_what_model_monitor_cannot_run_is_refused_naming_each_value():
    raw = monitored(schedule="rate(5 minutes)", threshold=1.5)
    raw["projects"][0]["serving"] = {"target": "kubernetes"}
    raw["kubernetes"] = KUBERNETES
    assert problems_of(raw, secret_keys=("kubernetes",)) == [
        'sagestack:projects[0].drift.schedule: "rate(5 minutes)" is not a schedule Model Monitor '
        "runs (expected rate(1 hour), rate(N hours) with N dividing 24, rate(1 day), or "
        "cron(0 H ? * * *), cron(0 H/N ? * * *), cron(0 * ? * * *)) for drift.monitor "
        "model-monitor",
        "sagestack:projects[0].drift.threshold: 1.5 is above 1.0, the largest baseline drift "
        "distance Model Monitor reports (drift.monitor model-monitor alarms on that distance, "
        "not on PSI)",
        'sagestack:projects[0].drift.monitor: "model-monitor" watches a SageMaker endpoint; '
        'serving.target "kubernetes" has none (use drift.monitor sagestack)',
    ]


def test_the_model_monitor_rules_leave_a_sagestack_monitored_project_alone():
    raw = changed("projects.0.drift", {"features": ["tenure"], "schedule": "rate(5 minutes)"})
    raw["projects"][0]["drift"]["threshold"] = 1.5
    assert parse_stack_config(raw, stack="dev").projects[0].drift.threshold == 1.5


# --- the edges of the cross-value rules ----------------------------------------------------------


def with_tags(count: int) -> dict[str, Any]:
    """A valid config carrying ``count`` tags, the two required ones among them."""
    extra = {f"team-{i}": "ml" for i in range(count - 2)}
    return changed("tags", {"owner": "ml-platform", "cost-center": "cc-1234", **extra})


def test_a_config_may_carry_45_tags_and_no_more():
    assert len(parse_stack_config(with_tags(45), stack="dev").tags) == 45
    assert problems_of(with_tags(46)) == ["sagestack:tags: has 46 tags; at most 45 are allowed"]


@pytest.mark.parametrize("key", ["x", "k" * 128])
def test_a_tag_key_of_one_to_128_characters_is_accepted(key):
    assert parse_stack_config(changed(f"tags.{key}", "v"), stack="dev").tags[key] == "v"


def test_a_tag_value_of_256_characters_is_accepted():
    assert (
        parse_stack_config(changed("tags.team", "v" * 256), stack="dev").tags["team"] == "v" * 256
    )


def test_an_empty_tag_key_is_refused():
    assert problems_of(changed("tags.", "v")) == [
        'sagestack:tags: "" key must be 1 to 128 characters',
    ]


@pytest.mark.parametrize(
    ("metric", "threshold"),
    [("f1", 1.01), ("r2", 1.01), ("f1", -0.01), ("r2", -0.01), ("accuracy", -0.01)],
)
def test_a_score_threshold_just_outside_0_to_1_is_refused(metric, threshold):
    raw = changed("projects.0.registration", {"metric": metric, "threshold": threshold})
    assert problems_of(raw) == [
        f"sagestack:projects[0].registration.threshold: {threshold} must be between 0 and 1 "
        f'for metric "{metric}"'
    ]


def test_a_kubernetes_project_read_from_yaml_needs_the_kubernetes_section():
    raw = yaml.safe_load(yaml.safe_dump(changed("projects.0.serving", {"target": "kubernetes"})))
    assert problems_of(raw) == [
        "sagestack:kubernetes: is required because sagestack:projects[0].serving.target is "
        '"kubernetes"'
    ]
