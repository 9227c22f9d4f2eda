"""Each policy of the pack fires on a deliberately bad resource and stays quiet on a good one.

The pack runs in-process through ``sagestack_infra.policy.evaluate``: pulumi-policy's own
argument objects and unknown-checking proxies, as its analyzer server builds them for the CLI.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from guardrail_cases import GUARDRAIL_BAD_CASES, guardrail_resources
from policy_helpers import (
    ACCOUNT,
    BLOCK_ALL,
    BUCKET,
    BUCKET_ACL,
    BUCKET_POLICY,
    PAB,
    SSE,
    SSE_RULES,
    TAGS,
    TLS_ONLY,
    TLS_STATEMENT,
    allow,
    document,
    replaced,
    resource,
    without,
)
from pulumi_policy import EnforcementLevel, PolicyProviderResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from sagestack_infra.policy.evaluate import PlannedResource, Violation, evaluate
from sagestack_infra.policy.pack import POLICIES
from sagestack_infra.policy.rules.iam_documents import is_wildcard_resource

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_POLICY = "aws:iam/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CODEBUILD = "aws:codebuild/project:Project"
TOPIC = "aws:sns/topic:Topic"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CRONJOB = "kubernetes:batch/v1:CronJob"
POD = "kubernetes:core/v1:Pod"

TRUST = document(
    {
        "Effect": "Allow",
        "Principal": {"Service": "sagemaker.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
)


def with_tls(*statements: dict) -> str:
    """A bucket policy holding ``statements`` beside the TLS-only deny every bucket needs."""
    return document(TLS_STATEMENT, *statements)


def limited(name: str = "server") -> dict:
    return {
        "name": name,
        "image": "model:1",
        "resources": {
            "requests": {"cpu": "500m", "memory": "1Gi"},
            "limits": {"cpu": "1", "memory": "1Gi"},
        },
    }


def pod_template(*containers: dict) -> dict:
    return {"metadata": {"labels": {"app": "m"}}, "spec": {"containers": list(containers)}}


def good_stack() -> list[PlannedResource]:
    """A small stack that meets every policy: the baseline each bad case changes one thing of."""
    return [
        resource(BUCKET, "artifacts", {"bucket": "artifacts", "tags": TAGS}),
        resource(PAB, "artifacts-pab", {"bucket": "artifacts", **BLOCK_ALL}),
        resource(SSE, "artifacts-sse", {"bucket": "artifacts", "rules": SSE_RULES}),
        resource(BUCKET_POLICY, "artifacts-policy", {"bucket": "artifacts", "policy": TLS_ONLY}),
        resource(
            ROLE,
            "exec",
            {
                "assumeRolePolicy": TRUST,
                "tags": TAGS,
                "inlinePolicies": [
                    {
                        "name": "artifacts",
                        "policy": document(allow(["s3:GetObject", "s3:PutObject"])),
                    }
                ],
            },
        ),
        resource(
            ROLE_POLICY,
            "exec-unscoped",
            {
                "role": "exec",
                "policy": document(
                    allow("ecr:GetAuthorizationToken", "*"),
                    allow(
                        "cloudwatch:PutMetricData",
                        "*",
                        Condition={"StringEquals": {"cloudwatch:namespace": "sagestack/Drift"}},
                    ),
                ),
            },
        ),
        resource(
            ALARM, "drift", {"alarmActions": ["arn:aws:sns:us-east-1:1:oncall"], "tags": TAGS}
        ),
        resource(
            CODEBUILD,
            "build",
            {
                "environment": {"privilegedMode": False, "image": "aws/codebuild/standard:7.0"},
                "encryptionKey": "arn:aws:kms:us-east-1:123456789012:key/k",
                "tags": TAGS,
            },
        ),
        resource(TOPIC, "oncall", {"kmsMasterKeyId": "alias/sagestack", "tags": TAGS}),
        resource(DEPLOYMENT, "server", {"spec": {"template": pod_template(limited())}}),
        resource(
            CRONJOB,
            "batch",
            {"spec": {"jobTemplate": {"spec": {"template": pod_template(limited("job"))}}}},
        ),
        *guardrail_resources(),
    ]


def fired(violations: list[Violation]) -> set[str]:
    return {v.policy for v in violations}


def test_the_good_stack_passes_every_policy():
    assert evaluate(good_stack()) == []


def test_every_policy_is_mandatory_and_covered_by_a_bad_case():
    assert {p.enforcement_level for p in POLICIES} == {EnforcementLevel.MANDATORY}
    assert {p.name for p in POLICIES} == {case.values[0] for case in BAD_CASES}


Mutation = Callable[[list[PlannedResource]], list[PlannedResource]]
POD_WITHOUT_LIMITS = {
    "spec": {"initContainers": [{"name": "fetch", "image": "x"}], "containers": [limited()]}
}

BAD_CASES = [
    pytest.param(
        "s3-no-public-access",
        lambda s: replaced(s, "artifacts", acl="public-read"),
        "acl 'public-read'",
        id="public-canned-acl-on-bucket",
    ),
    pytest.param(
        "s3-no-public-access",
        lambda s: [
            *s,
            resource(
                BUCKET_ACL,
                "acl",
                {
                    "bucket": "artifacts",
                    "accessControlPolicy": {
                        "grants": [
                            {
                                "permission": "READ",
                                "grantee": {
                                    "type": "Group",
                                    "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
                                },
                            }
                        ]
                    },
                },
            ),
        ],
        "AllUsers",
        id="bucket-acl-grant-to-all-users",
    ),
    pytest.param(
        "s3-no-public-access",
        lambda s: replaced(
            s,
            "artifacts-policy",
            policy=with_tls(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::artifacts/*",
                }
            ),
        ),
        "to principal '*'",
        id="bucket-policy-open-to-everyone",
    ),
    pytest.param(
        "s3-no-public-access",
        lambda s: replaced(
            s,
            "artifacts-policy",
            policy=with_tls(
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/auditor"},
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::artifacts/*",
                }
            ),
        ),
        "to everyone but NotPrincipal",
        id="bucket-policy-allow-with-not-principal",
    ),
    pytest.param(
        "s3-no-public-access",
        lambda s: replaced(
            s,
            "artifacts-policy",
            policy=with_tls(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::artifacts/*",
                    "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*"}},
                }
            ),
        ),
        "pins the caller to fixed values",
        id="bucket-policy-pinned-only-by-a-wildcard-value",
    ),
    pytest.param(
        "s3-no-public-access",
        lambda s: replaced(s, "artifacts-pab", blockPublicPolicy=False),
        "blockPublicPolicy is False",
        id="public-access-block-with-a-gap",
    ),
    pytest.param(
        "s3-no-public-access",
        lambda s: [
            *without(s, "artifacts-pab"),
            resource(
                PAB,
                "artifacts-pab",
                {k: v for k, v in BLOCK_ALL.items() if k != "ignorePublicAcls"}
                | {"bucket": "artifacts"},
            ),
        ],
        "ignorePublicAcls is None",
        id="public-access-block-with-a-setting-left-unset",
    ),
    pytest.param(
        "s3-no-public-access",
        lambda s: replaced(s, "artifacts", acl="authenticated-read"),
        "acl 'authenticated-read' makes the bucket public",
        id="authenticated-read-acl-any-aws-account-reads",
    ),
    pytest.param(
        "s3-no-public-access",
        lambda s: replaced(
            s,
            "artifacts-policy",
            policy=with_tls(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::artifacts/*",
                    "Condition": {"StringEquals": {"aws:SourceArn": "${aws:SourceArn}"}},
                }
            ),
        ),
        "pins the caller to fixed values",
        id="bucket-policy-pinned-only-by-a-policy-variable",
    ),
    pytest.param(
        "s3-public-access-blocked",
        lambda s: without(s, "artifacts-pab"),
        "bucket 'artifacts' has no BucketPublicAccessBlock",
        id="bucket-without-block",
    ),
    pytest.param(
        "s3-public-access-blocked",
        lambda s: replaced(s, "artifacts-pab", bucket="some-other-bucket"),
        "bucket 'artifacts'",
        id="block-on-another-bucket",
    ),
    pytest.param(
        "s3-encrypted",
        lambda s: without(s, "artifacts-sse"),
        "bucket 'artifacts' has no BucketServerSideEncryptionConfiguration",
        id="bucket-without-encryption",
    ),
    pytest.param(
        "s3-encrypted",
        lambda s: replaced(s, "artifacts-sse", rules=[{"bucketKeyEnabled": True}]),
        "bucket 'artifacts'",
        id="encryption-config-without-default-algorithm",
    ),
    pytest.param(
        "iam-no-wildcard-actions",
        lambda s: replaced(s, "exec-unscoped", policy=document(allow("s3:*"))),
        "allows action 's3:*'",
        id="service-wildcard-action",
    ),
    pytest.param(
        "iam-no-wildcard-actions",
        lambda s: replaced(
            s, "exec-unscoped", policy=document(allow(["s3:GetObject", "S3:Delete*"]))
        ),
        "allows action 'S3:Delete*'",
        id="partial-wildcard-action-in-a-list",
    ),
    pytest.param(
        "iam-no-wildcard-actions",
        lambda s: replaced(
            s,
            "exec-unscoped",
            policy=document({"Effect": "allow", "Action": "*", "Resource": "arn:aws:s3:::a"}),
        ),
        "allows action '*'",
        id="lower-case-effect",
    ),
    pytest.param(
        "iam-no-wildcard-actions",
        lambda s: [
            *s,
            resource(
                "aws:sns/topicPolicy:TopicPolicy",
                "oncall-policy",
                {
                    "arn": "arn:aws:sns:us-east-1:1:oncall",
                    "policy": document(
                        allow(
                            "sns:*",
                            "arn:aws:sns:us-east-1:1:oncall",
                            Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        )
                    ),
                },
            ),
        ],
        "resource policy statement 0 allows action 'sns:*'",
        id="wildcard-action-in-a-topic-policy",
    ),
    pytest.param(
        "iam-no-wildcard-actions",
        lambda s: [
            *s,
            resource(IAM_POLICY, "admin", {"tags": TAGS, "policy": document(allow("*"))}),
        ],
        "allows action '*'",
        id="star-action",
    ),
    pytest.param(
        "iam-no-wildcard-actions",
        lambda s: replaced(
            s,
            "exec",
            inlinePolicies=[
                {
                    "name": "most",
                    "policy": document(
                        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::a"}
                    ),
                }
            ],
        ),
        "inline policy 'most' statement 0 allows every action except NotAction",
        id="not-action",
    ),
    pytest.param(
        "iam-no-wildcard-actions",
        lambda s: replaced(
            s,
            "exec",
            assumeRolePolicy=document(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:*",
                }
            ),
        ),
        "assume-role policy",
        id="wildcard-in-trust-policy",
    ),
    pytest.param(
        "iam-no-wildcard-actions",
        lambda s: replaced(
            s, "exec", managedPolicyArns=["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"]
        ),
        "attaches 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess'",
        id="full-access-managed-policy-on-role",
    ),
    pytest.param(
        "iam-no-wildcard-actions",
        lambda s: [
            *s,
            resource(
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "admin",
                {"role": "exec", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
            ),
        ],
        "AdministratorAccess",
        id="administrator-access-attachment",
    ),
    pytest.param(
        "iam-wildcard-resources-allowlisted",
        lambda s: replaced(
            s, "exec-unscoped", policy=document(allow("sagemaker:ListModelPackages", "*"))
        ),
        "'sagemaker:ListModelPackages' on '*'",
        id="scopable-action-on-star",
    ),
    pytest.param(
        "iam-wildcard-resources-allowlisted",
        lambda s: replaced(
            s, "exec-unscoped", policy=document(allow("s3:GetObject", "arn:aws:s3:::*"))
        ),
        "on 'arn:aws:s3:::*'",
        id="every-bucket-arn",
    ),
    pytest.param(
        "iam-wildcard-resources-allowlisted",
        lambda s: replaced(
            s,
            "exec-unscoped",
            policy=document(allow("s3:GetObject", ["arn:aws:s3:::artifacts", "arn:aws:s3:::*/*"])),
        ),
        "on 'arn:aws:s3:::*/*'",
        id="every-object-of-every-bucket-in-a-list",
    ),
    pytest.param(
        "iam-wildcard-resources-allowlisted",
        lambda s: replaced(
            s, "exec-unscoped", policy=document(allow("cloudwatch:PutMetricData", "*"))
        ),
        "without a 'cloudwatch:namespace' condition",
        id="metric-data-without-namespace",
    ),
    pytest.param(
        "iam-wildcard-resources-allowlisted",
        lambda s: replaced(
            s,
            "exec-unscoped",
            policy=document(
                {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::a"}
            ),
        ),
        "NotResource",
        id="not-resource",
    ),
    pytest.param(
        "iam-trust-not-public",
        lambda s: replaced(
            s,
            "exec",
            assumeRolePolicy=document(
                {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "sts:AssumeRole"}
            ),
        ),
        "assume-role policy statement 0 lets principal '*' assume the role",
        id="role-anyone-may-assume",
    ),
    pytest.param(
        "required-tags",
        lambda s: replaced(s, "oncall", tags={"owner": "ml-platform"}),
        "missing required tags ['cost-center', 'environment']",
        id="tags-missing",
    ),
    pytest.param(
        "required-tags",
        lambda s: replaced(s, "artifacts", tags={**TAGS, "owner": " "}),
        "missing required tags ['owner']",
        id="blank-tag-value",
    ),
    pytest.param(
        "alarm-has-action",
        lambda s: replaced(s, "drift", alarmActions=[]),
        "alarmActions is empty",
        id="alarm-without-action",
    ),
    pytest.param(
        "alarm-has-action",
        lambda s: replaced(s, "drift", actionsEnabled=False),
        "actionsEnabled is false",
        id="alarm-actions-disabled",
    ),
    pytest.param(
        "alarm-has-action",
        lambda s: [
            *s,
            resource(
                "aws:cloudwatch/compositeAlarm:CompositeAlarm",
                "any-drift",
                {"alarmRule": 'ALARM("drift")', "alarmActions": [], "tags": TAGS},
            ),
        ],
        "alarmActions is empty",
        id="composite-alarm-without-action",
    ),
    pytest.param(
        "codebuild-not-privileged",
        lambda s: replaced(s, "build", environment={"privilegedMode": True}),
        "privilegedMode is true",
        id="privileged-build",
    ),
    pytest.param(
        "sns-topic-encrypted",
        lambda s: replaced(s, "oncall", kmsMasterKeyId=None),
        "kmsMasterKeyId is not set",
        id="topic-without-kms",
    ),
    pytest.param(
        "kubernetes-container-limits",
        lambda s: replaced(
            s,
            "server",
            spec={"template": pod_template({**limited(), "resources": {"limits": {"cpu": "1"}}})},
        ),
        "container 'server' has no resources.limits memory",
        id="deployment-no-memory",
    ),
    pytest.param(
        "kubernetes-container-limits",
        lambda s: replaced(
            s,
            "batch",
            spec={
                "jobTemplate": {"spec": {"template": pod_template({"name": "job", "image": "x"})}}
            },
        ),
        "container 'job' has no resources.limits cpu / memory",
        id="cronjob-no-limits",
    ),
    pytest.param(
        "kubernetes-container-limits",
        lambda s: replaced(s, "server", spec={"template": {"spec": {}}}),
        "no containers at spec.template.spec.containers",
        id="deployment-no-containers",
    ),
    pytest.param(
        "kubernetes-container-limits",
        lambda s: [*s, resource(POD, "pod", POD_WITHOUT_LIMITS)],
        "initContainer 'fetch'",
        id="pod-init-container-no-limits",
    ),
]


BAD_CASES += GUARDRAIL_BAD_CASES


@pytest.mark.parametrize(("policy", "mutate", "message"), BAD_CASES)
def test_a_bad_resource_violates_exactly_its_policy(policy: str, mutate: Mutation, message: str):
    violations = evaluate(mutate(good_stack()))

    assert fired(violations) == {policy}
    assert any(message in v.message for v in violations), violations
    assert all(v.urn.startswith("urn:pulumi:test::sagestack::") for v in violations)


def test_tags_from_the_providers_default_tags_count_as_applied():
    """With default_tags on the provider, a resource carries them without a ``tags`` input."""
    provider = PolicyProviderResource(
        "pulumi:providers:aws", {"defaultTags": {"tags": TAGS}}, "urn:provider", "aws"
    )
    untagged = resource(TOPIC, "t", {"kmsMasterKeyId": "k"}, provider=provider)

    assert evaluate([untagged]) == []
    assert fired(evaluate([resource(TOPIC, "t", {"kmsMasterKeyId": "k"})])) == {"required-tags"}


def test_default_tags_of_the_default_provider_arrive_as_json_text_and_still_count():
    provider = PolicyProviderResource(
        "pulumi:providers:aws", {"defaultTags": json.dumps({"tags": TAGS})}, "urn:p", "default"
    )
    assert evaluate([resource(TOPIC, "t", {"kmsMasterKeyId": "k"}, provider=provider)]) == []


def test_resource_tags_override_a_default_tag_with_a_blank_value():
    provider = PolicyProviderResource(
        "pulumi:providers:aws", {"defaultTags": {"tags": TAGS}}, "urn:p", "aws"
    )
    blanked = resource(
        TOPIC, "t", {"kmsMasterKeyId": "k", "tags": {"owner": ""}}, provider=provider
    )
    assert [v.message for v in evaluate([blanked])] == [
        "missing required tags ['owner'] (it would carry ['cost-center', 'environment', 'owner'])"
        ": set them in the aws provider's defaultTags or the resource's tags"
    ]


def test_tags_given_as_a_key_value_list_are_read_too():
    group = resource(
        "aws:autoscaling/group:Group",
        "workers",
        {
            "maxSize": 1.0,
            "minSize": 1.0,
            "tags": [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in TAGS.items()],
        },
    )
    assert evaluate([group]) == []
    group_without_owner = replaced([group], "workers", tags=group.inputs["tags"][1:])
    assert [v.policy for v in evaluate(group_without_owner)] == ["required-tags"]


def test_resources_without_a_tags_input_are_not_asked_for_tags():
    stack = good_stack()
    untaggable = [r for r in stack if r.type in {PAB, SSE, BUCKET_POLICY, ROLE_POLICY}]
    assert untaggable and all("tags" not in r.inputs for r in untaggable)
    assert evaluate(stack) == []


def test_a_bucket_policy_statement_for_everyone_pinned_to_a_source_arn_is_not_public():
    pinned = with_tls(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::artifacts/*",
            "Condition": {
                "ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:uploads"}
            },
        }
    )
    assert evaluate(replaced(good_stack(), "artifacts-policy", policy=pinned)) == []


def test_a_block_linked_by_dependency_covers_its_bucket_while_the_name_is_unknown():
    """In preview the bucket's name is unknown; the engine's property dependency still links
    the public access block and the encryption configuration to it."""
    bucket = resource(BUCKET, "artifacts", {"tags": TAGS})
    linked = {"bucket": [bucket.urn]}
    stack = [
        bucket,
        resource(
            BUCKET_POLICY,
            "policy",
            {"bucket": UNKNOWN_STRING_VALUE, "policy": TLS_ONLY},
            property_dependencies=linked,
        ),
        resource(
            PAB, "pab", {"bucket": UNKNOWN_STRING_VALUE, **BLOCK_ALL}, property_dependencies=linked
        ),
        resource(
            SSE,
            "sse",
            {"bucket": UNKNOWN_STRING_VALUE, "rules": SSE_RULES},
            property_dependencies=linked,
        ),
    ]
    assert evaluate(stack) == []


def test_an_account_wide_public_access_block_covers_every_bucket():
    stack = without(good_stack(), "artifacts-pab")
    account_block = resource(
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account", BLOCK_ALL
    )
    assert evaluate([*stack, account_block]) == []


def test_a_narrow_aws_managed_policy_may_be_attached():
    read_only = "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"
    assert evaluate(replaced(good_stack(), "exec", managedPolicyArns=[read_only])) == []


def test_deny_statements_may_use_wildcards():
    deny_all = document({"Effect": "Deny", "Action": "*", "Resource": "*"})
    assert evaluate(replaced(good_stack(), "exec-unscoped", policy=deny_all)) == []


def test_an_unparseable_policy_document_is_a_violation_naming_it():
    violations = evaluate(replaced(good_stack(), "exec-unscoped", policy="not json"))
    assert [(v.policy, v.message) for v in violations] == [
        ("iam-no-wildcard-actions", "policy: 'not json' is not a JSON policy document")
    ]


def test_a_trust_policy_for_everyone_pinned_to_an_organisation_is_not_public():
    trust = document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        }
    )
    assert evaluate(replaced(good_stack(), "exec", assumeRolePolicy=trust)) == []


def test_a_resource_tagged_with_a_waiver_and_its_reason_is_exempt_from_that_policy_only():
    reason = "the model calls the feature store online at inference"
    waived = replaced(
        good_stack(),
        "model",
        enableNetworkIsolation=False,
        tags={**TAGS, "sagestack:waive:sagemaker-model-network-isolation": reason},
    )
    assert evaluate(waived) == []
    other = {**TAGS, "sagestack:waive:kms-key-rotation": reason}
    assert fired(evaluate(replaced(waived, "model", tags=other))) == {
        "sagemaker-model-network-isolation"
    }


def test_a_waiver_without_a_reason_waives_nothing():
    blank = {**TAGS, "sagestack:waive:sagemaker-model-network-isolation": " "}
    stack = replaced(good_stack(), "model", enableNetworkIsolation=False, tags=blank)
    assert fired(evaluate(stack)) == {"sagemaker-model-network-isolation"}


def test_a_stack_policy_is_waived_on_the_resource_it_reports():
    tags = {**TAGS, "sagestack:waive:s3-sse-kms": "a public dataset mirror, SSE-S3 by contract"}
    stack = replaced(good_stack(), "artifacts-sse", rules=[
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ])  # fmt: skip
    assert fired(evaluate(stack)) == {"s3-sse-kms"}
    assert evaluate(replaced(stack, "artifacts", tags=tags)) == []


def test_a_key_policy_is_checked_once_as_a_resource_policy():
    # A key policy's "Resource": "*" means the key itself: no wildcard-resource violation, and
    # its wildcard action is reported once, as the resource policy it is.
    everything = allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    key = resource("aws:kms/key:Key", "k", {"policy": document(everything), "tags": TAGS})
    violations = evaluate([key])
    assert "iam-wildcard-resources-allowlisted" not in fired(violations)
    messages = [v.message for v in violations if v.policy == "iam-no-wildcard-actions"]
    assert len(messages) == 1 and messages[0].startswith("resource policy "), messages


def test_an_unparseable_inline_policy_does_not_hide_the_next_ones_wildcard():
    inline = [
        {"name": "broken", "policy": "not json"},
        {"name": "broad", "policy": document(allow("s3:*"))},
    ]
    violations = evaluate(replaced(good_stack(), "exec", inlinePolicies=inline))
    messages = [v.message for v in violations if v.policy == "iam-no-wildcard-actions"]
    assert len(messages) == 2, messages
    assert "inline policy 'broken'" in messages[0]
    assert "inline policy 'broad'" in messages[1] and "'s3:*'" in messages[1]


def test_a_wildcard_resource_violation_names_the_statements_first_wildcard():
    # one action not on the allowlist, one on it without its required condition
    actions = ["s3:GetObject", "cloudwatch:PutMetricData"]
    statement = allow(actions, ["arn:aws:s3:::*", "*"])
    violations = evaluate(replaced(good_stack(), "exec-unscoped", policy=document(statement)))
    messages = [v.message for v in violations if v.policy == "iam-wildcard-resources-allowlisted"]
    assert len(messages) == 2, messages
    assert all("on 'arn:aws:s3:::*'" in m for m in messages), messages


def test_a_long_unparseable_document_is_named_by_its_first_57_characters():
    long_text, exact = "x" * 100, "y" * 60
    violations = evaluate(replaced(good_stack(), "exec-unscoped", policy=long_text))
    assert [v.message for v in violations] == [
        f"policy: '{'x' * 57}...' is not a JSON policy document"
    ]
    violations = evaluate(replaced(good_stack(), "exec-unscoped", policy=exact))
    assert [v.message for v in violations] == [f"policy: '{exact}' is not a JSON policy document"]


@pytest.mark.parametrize(
    ("arn", "wildcard"),
    [
        ("*", True),
        ("arn:aws:logs:*:*:*:*", True),  # a resource part of wildcards and colons
        ("arn:aws:s3", False),  # too short to be an ARN: not a crash
        ("arn:aws:s3:::artifacts/*", False),
    ],
)
def test_wildcard_resources_are_whole_arns_of_wildcards(arn, wildcard):
    assert is_wildcard_resource(arn) is wildcard


def test_an_effect_that_is_not_deny_is_judged_as_granting():
    # AWS refuses a misspelt Effect; the pack must not let one hide a wildcard meanwhile.
    statement = {"Effect": "Permit", "Action": "s3:*", "Resource": "arn:aws:s3:::artifacts/*"}
    violations = evaluate(replaced(good_stack(), "exec-unscoped", policy=document(statement)))
    assert fired(violations) == {"iam-no-wildcard-actions"}
