"""The S3 rules of the policy pack across a stack: which bucket a block, an encryption
configuration or a policy covers, what counts as denying requests without TLS, and how a
violation names its bucket."""

from __future__ import annotations

import json

import pytest
from policy_helpers import (
    ACCOUNT,
    BLOCK_ALL,
    BUCKET,
    BUCKET_POLICY,
    PAB,
    SSE,
    SSE_RULES,
    TAGS,
    TLS_ONLY,
    TLS_STATEMENT,
    document,
    resource,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from sagestack_infra.policy.evaluate import PlannedResource, evaluate

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/churn-training"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def engine_copy(inputs: dict) -> dict:
    """Inputs as the engine hands them to the pack: each resource's own deserialized copy."""
    return json.loads(json.dumps(inputs))


def bucket_stack(name: str, *, bucket: dict | None = None, policy: str | None = TLS_ONLY):
    """A bucket that meets every S3 rule, its settings naming it by its ``bucket`` input."""
    inputs = {"bucket": name, "tags": TAGS} if bucket is None else {"tags": TAGS, **bucket}
    named = {"bucket": inputs.get("bucket", name)}
    stack = [
        resource(BUCKET, name, engine_copy(inputs)),
        resource(PAB, f"{name}-pab", engine_copy({**named, **BLOCK_ALL})),
        resource(SSE, f"{name}-sse", engine_copy({**named, "rules": SSE_RULES})),
    ]
    if policy is not None:
        stack.append(resource(BUCKET_POLICY, f"{name}-policy", {**named, "policy": policy}))
    return stack


def reported(stack: list[PlannedResource], policy: str) -> list[tuple[str, str]]:
    """(bucket resource name, message) of each violation of ``policy``."""
    return [(v.urn.rsplit("::", 1)[-1], v.message) for v in evaluate(stack) if v.policy == policy]


def test_a_bucket_whose_settings_arrive_as_separate_copies_of_its_name_passes():
    assert evaluate(bucket_stack("artifacts")) == []


def test_a_block_linked_by_dependency_covers_that_bucket_and_no_other():
    stacks = [bucket_stack(name) for name in ("logs-a", "logs-b", "logs-c")]
    stack = [r for s in stacks for r in s if r.type != PAB]
    linked = resource(
        PAB,
        "logs-b-pab",
        {"bucket": UNKNOWN_STRING_VALUE, **BLOCK_ALL},
        property_dependencies={"bucket": [stacks[1][0].urn]},
    )
    assert [name for name, _ in reported([*stack, linked], "s3-public-access-blocked")] == [
        "logs-a",
        "logs-c",
    ]


def test_a_block_naming_another_bucket_does_not_cover_this_one():
    stack = [r for r in bucket_stack("artifacts") if r.type != PAB]
    archive_block = resource(PAB, "archive-pab", {"bucket": "archive", **BLOCK_ALL})
    assert [name for name, _ in reported([*stack, archive_block], "s3-public-access-blocked")] == [
        "artifacts"
    ]


def test_only_the_bucket_without_encryption_is_reported_whatever_its_place():
    encrypted = bucket_stack("models")
    unencrypted = [r for r in bucket_stack("scratch") if r.type != SSE]
    assert [name for name, _ in reported([*encrypted, *unencrypted], "s3-encrypted")] == ["scratch"]


def test_a_violation_names_the_bucket_by_its_name_in_s3():
    stack = [r for r in bucket_stack("data", bucket={"bucket": "churn-data-1234"}) if r.type != PAB]
    assert reported(stack, "s3-public-access-blocked") == [
        (
            "data",
            "bucket 'churn-data-1234' has no BucketPublicAccessBlock: add one with "
            "blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true",
        )
    ]


def test_an_auto_named_bucket_is_named_by_its_resource_name():
    bucket = resource(BUCKET, "data", {"tags": TAGS})
    [(_, message)] = reported([bucket], "s3-public-access-blocked")
    assert message.startswith("bucket 'data' has no BucketPublicAccessBlock")


def test_a_grant_to_all_users_on_the_bucket_itself_makes_it_public():
    grant = {"type": "Group", "uri": ALL_USERS, "permissions": ["READ"]}
    stack = bucket_stack("artifacts", bucket={"bucket": "artifacts", "grants": [grant]})
    assert reported(stack, "s3-no-public-access") == [
        ("artifacts", f"ACL grant to '{ALL_USERS}' makes the bucket public")
    ]


def test_an_unparseable_bucket_policy_is_reported_and_enforces_nothing():
    stack = bucket_stack("artifacts", policy="not json")
    assert reported(stack, "s3-no-public-access") == [
        ("artifacts-policy", "bucket policy: 'not json' is not a JSON policy document")
    ]
    assert [name for name, _ in reported(stack, "s3-tls-only")] == ["artifacts"]


def _tls(**changes) -> dict:
    return {**TLS_STATEMENT, **changes}


NOT_TLS_ONLY = {
    "a deny of one action": _tls(Action="s3:GetObject"),
    "a deny for one role": _tls(Principal={"AWS": ROLE_ARN}),
    "a condition on another key": _tls(Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
    "a deny of requests over TLS": _tls(Condition={"Bool": {"aws:SecureTransport": "true"}}),
    "a value that is not a boolean": _tls(Condition={"Bool": {"aws:SecureTransport": "0"}}),
    "a string comparison": _tls(Condition={"StringNotEquals": {"aws:SecureTransport": "false"}}),
    "a binary comparison": _tls(Condition={"BinaryEquals": {"aws:SecureTransport": "false"}}),
    "an allow over TLS only": _tls(
        Effect="Allow",
        Principal={"AWS": ROLE_ARN},
        Action="s3:GetObject",
        Condition={"Bool": {"aws:SecureTransport": "true"}},
    ),
}


@pytest.mark.parametrize("statement", NOT_TLS_ONLY.values(), ids=NOT_TLS_ONLY.keys())
def test_a_policy_that_does_not_deny_every_request_without_tls_is_reported(statement):
    stack = bucket_stack("artifacts", policy=document(statement))
    assert [name for name, _ in reported(stack, "s3-tls-only")] == ["artifacts"]


@pytest.mark.parametrize(
    "policy_type",
    ["aws:s3/accessPoint:AccessPoint", "aws:s3control/bucketPolicy:BucketPolicy"],
)
def test_only_a_bucket_policy_enforces_tls_on_its_bucket(policy_type):
    """An access point's policy governs requests through that access point, and an S3 on
    Outposts bucket policy an Outposts bucket: neither stops plain HTTP to the bucket."""
    stack = bucket_stack("artifacts", policy=None)
    other = resource(policy_type, "other", {"bucket": "artifacts", "policy": TLS_ONLY})
    assert [name for name, _ in reported([*stack, other], "s3-tls-only")] == ["artifacts"]
