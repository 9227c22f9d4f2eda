"""Components tested directly through their args, and the small pure functions behind them."""

from __future__ import annotations

import json
import runpy

import pytest
from graph_helpers import policy, project_entry, stack_config

from sagestack import contract
from sagestack_infra import iam
from sagestack_infra.components.artifact_store import ArtifactStore, ArtifactStoreArgs
from sagestack_infra.components.ci_cd import CiCdArgs, deploy_input_template
from sagestack_infra.components.discovery import DiscoveryArgs
from sagestack_infra.components.feature_store import (
    FeatureGroupSpec,
    FeatureSpec,
    FeatureStore,
    FeatureStoreArgs,
)
from sagestack_infra.components.monitoring import drift_metric
from sagestack_infra.components.oncall import OnCall, OnCallArgs
from sagestack_infra.components.serving_kubernetes import KubernetesServingArgs
from sagestack_infra.components.source import filter_groups
from sagestack_infra.grants import PolicyAlreadyAttachedError, ServiceRole, merge_statements
from sagestack_infra.program import drift_period_seconds
from sagestack_infra.program_runner import run_program

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
TAGS = {"owner": "o", "cost-center": "c", "environment": "dev"}


def _store() -> ArtifactStore:
    return ArtifactStore("store", ArtifactStoreArgs(bucket_name="b", kms_key_arn=KEY, tags=TAGS))


def _role(name: str, service: str = "sagemaker.amazonaws.com") -> ServiceRole:
    return ServiceRole(
        name, name, service=service, tags=TAGS, parent=None, source_account="123456789012"
    )


def test_bucket_read_grant_lists_the_prefix_and_reads_objects_under_it_only():
    def program():
        role = _role("reader")
        _store().grant_read(role, "/projects/churn/")
        role.attach()

    run = run_program("dev", {}, program=program)
    grant = run.named("reader-policy")
    assert grant.inputs["role"] == "reader"
    assert policy(grant)["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": ["arn:aws:s3:::b"],
            "Condition": {"StringLike": {"s3:prefix": ["projects/churn", "projects/churn/*"]}},
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": ["arn:aws:s3:::b/projects/churn/*"],
        },
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": [KEY]},
    ]


def test_feature_store_refuses_a_grant_on_a_group_it_does_not_hold():
    errors = []

    def program():
        group = FeatureGroupSpec(
            name="p-customers",
            record_identifier="id",
            event_time="t",
            features=(FeatureSpec("id", "String"), FeatureSpec("t", "String")),
        )
        store = FeatureStore(
            "features",
            FeatureStoreArgs(
                role_name="fs",
                groups=(group,),
                artifacts=_store(),
                kms_key_arn=KEY,
                account_id="123456789012",
                tags=TAGS,
            ),
        )
        try:
            store.read_access(["p-orders"])
        except ValueError as error:
            errors.append(str(error))

    run_program("dev", {}, program=program)
    assert errors == [
        "feature groups ['p-orders'] are not in this feature store "
        "(expected some of ['p-customers'])"
    ]


def test_branch_names_are_matched_literally_in_webhook_filters():
    [push, pull] = filter_groups("github", "release/1.0")
    assert push[1] == {"type": "HEAD_REF", "pattern": r"^refs/heads/release/1\.0$"}
    assert pull[1] == {"type": "BASE_REF", "pattern": r"^refs/heads/release/1\.0$"}


@pytest.mark.parametrize(
    ("provider", "events"),
    [
        ("github", "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED"),
        # CodeBuild has no PULL_REQUEST_REOPENED for these: CreateWebhook would refuse it
        ("gitlab", "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED"),
        ("bitbucket", "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED"),
    ],
)
def test_pull_request_events_are_the_ones_codebuild_takes_from_the_provider(provider, events):
    [_, pull] = filter_groups(provider, "main")
    assert pull[0] == {"type": "EVENT", "pattern": events}


def test_deploy_input_template_is_valid_json_once_eventbridge_substitutes_the_arn():
    rendered = deploy_input_template().replace("<packageArn>", json.dumps("arn:x"))
    assert json.loads(rendered)["environmentVariablesOverride"][0]["value"] == "arn:x"


def test_drift_alarms_watch_the_violation_metrics_of_the_contract():
    feature = drift_metric("ep", "tenure")
    any_feature = drift_metric("ep", None)
    assert (feature.namespace, feature.metric_name, feature.dimensions) == (
        contract.DRIFT_NAMESPACE,
        contract.DRIFT_VIOLATION_METRIC,
        {contract.DIM_ENDPOINT: "ep", contract.DIM_FEATURE: "tenure"},
    )
    assert (any_feature.metric_name, any_feature.dimensions) == (
        contract.DRIFT_VIOLATIONS_METRIC,
        {contract.DIM_ENDPOINT: "ep"},
    )


@pytest.mark.parametrize(
    ("schedule", "seconds"),
    [
        ("rate(1 hour)", 3600),
        ("rate(5 minutes)", 300),
        ("rate(1 minute)", 60),
        ("rate(2 days)", 86400),  # CloudWatch's longest alarm period
        ("cron(0 * * * ? *)", 3600),
    ],
)
def test_drift_alarm_period_covers_one_monitor_run(schedule, seconds):
    assert drift_period_seconds(schedule) == seconds


def test_cicd_args_refuse_an_unknown_repository_provider():
    with pytest.raises(ValueError, match=r"repository provider 'svn' is not one of"):
        CiCdArgs(
            build_project_name="b",
            deploy_project_name="d",
            approval_rule_name="a",
            project="p",
            repository_provider="svn",
            repository_url="https://example.com/r",
            connection_arn="arn",
            model_package_group_name="g",
            pipeline_name="p",
            endpoint_name="e",
            parameter_path="/sagestack/dev/p/",
            environment_variables={},
            kms_key_arn=KEY,
            execution_role_arn="arn:aws:iam::123456789012:role/x",
            account_id="123456789012",
            region="us-east-1",
            tags=TAGS,
        )


def test_discovery_args_require_exactly_the_contract_keys():
    values = dict.fromkeys(contract.Param.ALL, "v")
    del values[contract.Param.SETTINGS]
    values["extra"] = "v"
    with pytest.raises(ValueError, match=r"missing \['settings'\], unknown \['extra'\]"):
        DiscoveryArgs(stack="dev", project="churn", values=values, tags=TAGS)


def test_kubernetes_serving_args_refuse_a_ceiling_below_the_floor():
    with pytest.raises(ValueError, match="max_replicas 1 must be at least replicas 2"):
        KubernetesServingArgs(
            namespace="n",
            app_name="a",
            image="i",
            provider=None,  # validation runs before any provider is needed
            replicas=2,
            max_replicas=1,
        )


def test_topic_publish_grant_allows_publish_and_encryption_with_the_topic_key_only():
    def program():
        role = _role("pager", "lambda.amazonaws.com")
        oncall = OnCall(
            "oncall",
            OnCallArgs(
                topic_name="t",
                kms_key_arn=KEY,
                account_id="123456789012",
                region="us-east-1",
                tags=TAGS,
            ),
        )
        role.grant(oncall.publish_access())
        role.attach()

    run = run_program("dev", {}, program=program)
    assert policy(run.named("pager-policy"))["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["sns:Publish"],
            "Resource": ["arn:aws:sns:us-east-1:123456789012:t"],
        },
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [KEY]},
    ]


def test_pulumi_entry_point_builds_the_platform_from_the_stack_config():
    config = stack_config(project_entry("churn"))
    run = run_program("dev", config, program=lambda: runpy.run_module("sagestack_infra.__main__"))

    assert run.outputs["parameterPaths"] == {"churn": "/sagestack/dev/churn/"}
    assert run.named("churn-cicd-build").type == "aws:codebuild/project:Project"


def test_bucket_grants_refuse_the_whole_bucket():
    errors = []

    def program():
        try:
            _store().grant_write(_role("greedy"), "/")
        except ValueError as error:
            errors.append(str(error))

    run_program("dev", {}, program=program)
    assert errors == [
        "write access to '/': the prefix is empty; access is granted per key prefix "
        "(e.g. 'projects/churn'), never to the whole bucket"
    ]


def test_grants_to_a_role_accumulate_into_its_one_policy_merged_by_actions_and_resources():
    def program():
        role = _role("worker")
        store = _store()
        store.grant_read(role, "projects/a")
        store.grant_write(role, "projects/b")
        role.allow(iam.allow(["s3:GetObject", "s3:GetObjectVersion"], ["arn:aws:s3:::c/*"]))
        role.attach()

    run = run_program("dev", {}, program=program)
    [grant] = run.of_type("aws:iam/rolePolicy:RolePolicy")
    assert grant.name == "worker-policy"
    statements = policy(grant)["Statement"]
    reads = [s for s in statements if s["Action"] == ["s3:GetObject", "s3:GetObjectVersion"]]
    assert reads == [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": ["arn:aws:s3:::b/projects/a/*", "arn:aws:s3:::c/*"],
        }
    ]
    # the decrypt of the read and the encrypt of the write on one key: one statement
    [kms] = [s for s in statements if s["Resource"] == [KEY]]
    assert kms["Action"] == ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]


def test_statements_with_different_conditions_are_never_merged():
    listed = iam.allow(["s3:ListBucket"], ["b"], {"StringLike": {"s3:prefix": ["a/*"]}})
    other = iam.allow(["s3:ListBucket"], ["b"], {"StringLike": {"s3:prefix": ["b/*"]}})
    assert merge_statements([listed, other]) == [listed, other]


def test_a_grant_after_the_policy_is_attached_is_refused():
    errors = []

    def program():
        role = _role("late")
        role.allow(iam.allow(["s3:GetObject"], ["arn:aws:s3:::b/*"]))
        role.attach()
        try:
            role.allow(iam.allow(["s3:PutObject"], ["arn:aws:s3:::b/*"]))
        except PolicyAlreadyAttachedError as error:
            errors.append(str(error))

    run_program("dev", {}, program=program)
    assert errors == ["role late: its policy is already attached; grant before attach()"]
