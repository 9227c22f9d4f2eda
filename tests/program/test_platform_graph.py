"""The shared platform the dev stack registers: key, bucket, on-call topic, feature store."""

from __future__ import annotations

import pytest
from graph_helpers import policy, project_entry, stack_config, statements_by_action

from sagestack_infra import iam
from sagestack_infra.program_runner import run_program

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "sagestack-dev-artifacts-123456789012-us-east-1"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/platform-key-key"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:sagestack-dev-oncall"


def test_kms_key_rotates_and_only_account_and_publishing_services_may_use_it(dev_run):
    key = dev_run.named("platform-key-key")
    assert key.inputs["enableKeyRotation"] is True
    statements = {s["Sid"]: s for s in policy(key)["Statement"]}

    account = statements["AccountManagesKeyThroughIam"]
    assert account["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert "kms:PutKeyPolicy" in account["Action"]  # the key can never be locked out
    topic = {"kms:EncryptionContext:aws:sns:topicArn": [TOPIC_ARN]}
    alarms = statements["AlarmsPublishToPlatformTopics"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert alarms["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT, **topic}}
    rules = statements["RulesPublishToPlatformTopics"]
    assert rules["Principal"] == {"Service": "events.amazonaws.com"}
    # EventBridge sends no source context to KMS; SNS's encryption context pins the topic
    assert rules["Condition"] == {"StringEquals": topic}
    logs = statements["LogsEncryptsPlatformLogGroups"]
    assert logs["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    groups = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:"
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": [
                f"{groups}/aws/codebuild/sagestack-dev-*",
                f"{groups}/aws/sagemaker/Endpoints/sagestack-dev-*",
                f"{groups}/aws/sagemaker/ProcessingJobs",
                f"{groups}/aws/sagemaker/TrainingJobs",
                f"{groups}/aws/sagemaker/TransformJobs",
            ]
        }
    }
    # no statement lets a service use the key for anything but these
    assert set(statements) == {
        "AccountManagesKeyThroughIam",
        "AlarmsPublishToPlatformTopics",
        "RulesPublishToPlatformTopics",
        "LogsEncryptsPlatformLogGroups",
    }
    assert dev_run.named("platform-key-alias").inputs["name"] == "alias/sagestack-dev"


@pytest.mark.parametrize(
    "group",
    [
        "/aws/codebuild/sagestack-dev-churn-build",
        "/aws/codebuild/sagestack-dev-churn-deploy",
        "/aws/sagemaker/Endpoints/sagestack-dev-churn",
        "/aws/sagemaker/ProcessingJobs",
        "/aws/sagemaker/TrainingJobs",
        "/aws/sagemaker/TransformJobs",
    ],
)
def test_the_services_log_groups_are_created_with_retention_and_the_platform_key(dev_run, group):
    [log_group] = [
        r for r in dev_run.of_type("aws:cloudwatch/logGroup:LogGroup") if r.inputs["name"] == group
    ]
    assert log_group.inputs["retentionInDays"] == 90
    assert log_group.inputs["kmsKeyId"] == KEY_ARN


@pytest.mark.parametrize("kind", ["ProcessingJobs", "TrainingJobs", "TransformJobs"])
def test_the_job_log_groups_are_top_level_under_the_names_the_import_command_uses(dev_run, kind):
    # docs/aws-setup.md adopts existing groups with `pulumi import <type> <name> <id>`, which
    # places a resource at the top of the stack unless given a parent already in its state
    log_group = dev_run.named(f"platform-logs-aws-sagemaker-{kind.lower()}")
    assert log_group.inputs["name"] == f"/aws/sagemaker/{kind}"
    assert log_group.parent.endswith("::pulumi:pulumi:Stack::sagestack-dev")


def test_a_stack_sharing_its_account_leaves_the_job_log_groups_to_the_one_that_owns_them():
    run = run_program("dev", stack_config(project_entry("churn"), logs={"jobLogGroups": False}))
    groups = {r.inputs["name"] for r in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert not [group for group in groups if group.endswith("Jobs")]
    assert "/aws/codebuild/sagestack-test-churn-build" in groups


def test_artifact_bucket_is_kms_encrypted_versioned_private_and_owner_enforced(dev_run):
    assert dev_run.named("platform-artifacts-bucket").inputs["bucket"] == BUCKET
    [rule] = dev_run.named("platform-artifacts-encryption").inputs["rules"]
    assert rule == {
        "applyServerSideEncryptionByDefault": {
            "sseAlgorithm": "aws:kms",
            "kmsMasterKeyId": KEY_ARN,
        },
        "bucketKeyEnabled": True,
    }
    versioning = dev_run.named("platform-artifacts-versioning").inputs
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    block = dev_run.named("platform-artifacts-public-access-block").inputs
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(block[flag] is True for flag in flags)
    ownership = dev_run.named("platform-artifacts-ownership").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_artifact_bucket_refuses_plain_http_and_expires_old_versions(dev_run):
    [deny] = policy(dev_run.named("platform-artifacts-policy"))["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    [rule] = dev_run.named("platform-artifacts-lifecycle").inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 90.0}


def test_oncall_topic_is_encrypted_with_the_platform_key_and_emails_subscribed(dev_run):
    topic = dev_run.named("platform-oncall-topic")
    assert topic.inputs["kmsMasterKeyId"] == KEY_ARN
    email = dev_run.named("platform-oncall-email-0").inputs
    assert (email["protocol"], email["endpoint"], email["topic"]) == (
        "email",
        "oncall@example.com",
        TOPIC_ARN,
    )


def test_only_this_accounts_named_alarms_and_rules_may_publish_to_the_topic(dev_run):
    statements = {s["Sid"]: s for s in policy(dev_run.named("platform-oncall-policy"))["Statement"]}
    alarms, rules = statements["AlarmsPublish"], statements["RulesPublish"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Action"] == ["sns:Publish"]
    assert alarms["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {
            "aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:sagestack-dev-*"
        },
    }
    assert rules["Principal"] == {"Service": "events.amazonaws.com"}
    assert rules["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/sagestack-dev-*"
    }


def test_feature_group_keeps_offline_store_in_the_bucket_encrypted_and_online_store_on(dev_run):
    group = dev_run.named("platform-features-sagestack-dev-customers").inputs
    assert group["featureGroupName"] == "sagestack-dev-customers"
    assert (group["recordIdentifierFeatureName"], group["eventTimeFeatureName"]) == (
        "customer_id",
        "event_time",
    )
    assert group["offlineStoreConfig"]["s3StorageConfig"] == {
        "s3Uri": f"s3://{BUCKET}/feature-store",
        "kmsKeyId": KEY_ARN,
    }
    assert group["onlineStoreConfig"] == {
        "enableOnlineStore": True,
        "securityConfig": {"kmsKeyId": KEY_ARN},
    }
    assert {"featureName": "tenure", "featureType": "Integral"} in group["featureDefinitions"]


def test_feature_group_without_online_store_has_no_online_config(local_run):
    group = local_run.named("platform-features-sagestack-local-transactions").inputs
    assert "onlineStoreConfig" not in group


def test_feature_store_role_may_write_only_the_offline_store_prefix(dev_run):
    grant = dev_run.named("platform-features-role-policy")
    assert grant.inputs["role"] == "sagestack-dev-feature-store"
    by_action = statements_by_action(policy(grant))
    object_actions = tuple(sorted(iam.S3_READ_ACTIONS + iam.S3_WRITE_ACTIONS))
    assert by_action[object_actions] == [f"arn:aws:s3:::{BUCKET}/feature-store/*"]
    assert by_action[tuple(sorted(iam.KMS_ENCRYPT_ACTIONS))] == [KEY_ARN]


def test_stack_outputs_name_bucket_topic_key_and_parameter_paths(dev_run):
    assert dev_run.outputs == {
        "artifactBucket": BUCKET,
        "kmsKeyArn": KEY_ARN,
        "oncallTopicArn": TOPIC_ARN,
        "parameterPaths": {"churn": "/sagestack/dev/churn/"},
    }


def test_every_taggable_aws_resource_carries_the_required_tags(dev_run, local_run):
    required = {"owner", "cost-center", "environment"}
    for run in (dev_run, local_run):
        tagged = [r for r in run.custom_resources if "tags" in r.inputs]
        assert len(tagged) > 20
        for resource in tagged:
            assert required <= set(resource.inputs["tags"]), resource.name
        project_resources = [
            r for r in tagged if "-" in r.name and r.name.split("-")[0] in ("churn", "fraud")
        ]
        assert project_resources
        for resource in project_resources:
            assert resource.inputs["tags"]["sagestack:project"] == resource.name.split("-")[0]


def test_pagerduty_subscription_is_https_and_its_url_stays_a_secret():
    url = "https://events.pagerduty.com/integration/abc123/enqueue"
    config = stack_config(oncall={"emails": [], "pagerdutyUrl": url})
    run = run_program("dev", config, secret_keys=["oncall"])

    subscription = run.named("platform-oncall-pagerduty")
    assert subscription.inputs["protocol"] == "https"
    assert subscription.inputs["endpoint"] == url
    assert subscription.inputs["endpointAutoConfirms"] is True
    assert subscription.secret_inputs == {"endpoint"}
    assert not run.of_type("aws:sns/topicSubscription:TopicSubscription")[1:]  # no emails
