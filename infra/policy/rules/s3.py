"""S3 buckets: never public, always encrypted (with KMS), always behind a public access block,
reachable over TLS only.

pulumi-aws 7 configures a bucket through separate resources (public access block, server-side
encryption configuration, ACL, policy), so the rules that span them read the whole stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from sagestack_infra.policy.rules.iam_documents import (
    PolicyDocumentError,
    Statement,
    iter_principals,
    parse_document,
    reaches_anyone,
)
from sagestack_infra.policy.rules.props import as_list, as_mapping, dig, is_set

BUCKET_TYPES = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
SSE_TYPES = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    }
)
ACL_TYPES = frozenset({"aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"})
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PUBLIC_ACCESS_TYPES = (
    BUCKET_TYPES
    | ACL_TYPES
    | {
        BUCKET_POLICY,
        PUBLIC_ACCESS_BLOCK,
        ACCOUNT_PUBLIC_ACCESS_BLOCK,
    }
)

PUBLIC_ACCESS_BLOCK_SETTINGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GRANTEE_URIS = frozenset(
    {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
)
SSE_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse", "AES256"})
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
# --- one resource at a time -------------------------------------------------------------------


def public_access_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """Public ACLs, public grants, public policies, or a public access block with a gap."""
    if resource_type in (PUBLIC_ACCESS_BLOCK, ACCOUNT_PUBLIC_ACCESS_BLOCK):
        return _open_settings(props)
    problems = _public_acl(props)
    if resource_type in ACL_TYPES:
        problems += _public_grants(dig(props, "accessControlPolicy", "grants"), "grantee")
    if resource_type in BUCKET_TYPES:
        problems += _public_grants(props.get("grants"), None)
    if resource_type in BUCKET_TYPES | {BUCKET_POLICY} and props.get("policy") is not None:
        problems += _public_statements(props["policy"])
    return problems


def _open_settings(props: Mapping[str, Any]) -> list[str]:
    return [
        f"{setting} is {props.get(setting)!r}: all four public access block settings must be true"
        for setting in PUBLIC_ACCESS_BLOCK_SETTINGS
        if props.get(setting) is not True
    ]


def _public_acl(props: Mapping[str, Any]) -> list[str]:
    acl = props.get("acl")
    if acl in PUBLIC_CANNED_ACLS:
        return [
            f"acl {acl!r} makes the bucket public: use 'private' (or none, with "
            "BucketOwnerEnforced ownership)"
        ]
    return []


def _public_grants(grants: Any, grantee_key: str | None) -> list[str]:
    problems = []
    for grant in as_list(grants):
        grantee = as_mapping(as_mapping(grant).get(grantee_key)) if grantee_key else grant
        uri = as_mapping(grantee).get("uri")
        if uri in PUBLIC_GRANTEE_URIS:
            problems.append(f"ACL grant to {uri!r} makes the bucket public")
    return problems


def _public_statements(policy: Any) -> list[str]:
    try:
        statements = parse_document(policy)
    except PolicyDocumentError as error:
        return [f"bucket policy: {error}"]
    return [
        f"bucket policy {statement.label} allows {list(statement.actions)} to "
        f"{open_to} without a condition that pins the caller to fixed values "
        "(aws:SourceArn, aws:PrincipalOrgID, ...)"
        for statement in statements
        if (open_to := reaches_anyone(statement))
    ]


# --- across the stack -------------------------------------------------------------------------


class StackResource(Protocol):
    """What a stack rule reads of each resource (pulumi_policy.PolicyResource has it all)."""

    resource_type: str
    urn: str
    props: Mapping[str, Any]
    property_dependencies: Mapping[str, list[Any]]


def unblocked_buckets(resources: Iterable[StackResource]) -> Iterator[tuple[str, str]]:
    """(bucket URN, message) for each bucket that no public access block covers (a block's
    own settings are judged, one resource at a time, by :func:`public_access_problems`)."""
    resources = list(resources)
    if any(r.resource_type == ACCOUNT_PUBLIC_ACCESS_BLOCK for r in resources):
        return
    blocks = [r for r in resources if r.resource_type == PUBLIC_ACCESS_BLOCK]
    for bucket in _buckets(resources):
        if not any(_configures(block, bucket) for block in blocks):
            yield (
                bucket.urn,
                (
                    f"bucket {_bucket_name(bucket)!r} has no BucketPublicAccessBlock: add one with "
                    f"{', '.join(PUBLIC_ACCESS_BLOCK_SETTINGS)} all true"
                ),
            )


def unencrypted_buckets(resources: Iterable[StackResource]) -> Iterator[tuple[str, str]]:
    """(bucket URN, message) for each bucket without default server-side encryption."""
    resources = list(resources)
    configs = [r for r in resources if r.resource_type in SSE_TYPES and _encrypts(r.props)]
    for bucket in _buckets(resources):
        inline = [dig(bucket.props, "serverSideEncryptionConfiguration", "rule")]
        if _any_rule_encrypts(inline) or any(_configures(c, bucket) for c in configs):
            continue
        yield (
            bucket.urn,
            (
                f"bucket {_bucket_name(bucket)!r} has no BucketServerSideEncryptionConfiguration "
                f"applying one of {sorted(SSE_ALGORITHMS)} by default"
            ),
        )


def _buckets(resources: list[StackResource]) -> list[StackResource]:
    return [r for r in resources if r.resource_type in BUCKET_TYPES]


def _bucket_name(bucket: StackResource) -> str:
    return str(bucket.props.get("bucket") or bucket.urn.rsplit("::", 1)[-1])


def _configures(setting: StackResource, bucket: StackResource) -> bool:
    """Whether a per-bucket setting resource targets ``bucket``: by the engine's record of
    which resource its ``bucket`` input came from (known even in preview), else by name."""
    sources = setting.property_dependencies.get("bucket") or []
    if sources:
        return any(getattr(source, "urn", source) == bucket.urn for source in sources)
    target = setting.props.get("bucket")
    return is_set(target) and target == bucket.props.get("bucket")


def _encrypts(props: Mapping[str, Any]) -> bool:
    return _any_rule_encrypts(as_list(props.get("rules")))


def _any_rule_encrypts(rules: list[Any]) -> bool:
    return any(
        dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") in SSE_ALGORITHMS
        for rule in rules
    )


def not_kms_encrypted_buckets(resources: Iterable[StackResource]) -> Iterator[tuple[str, str]]:
    """(bucket URN, message) for each bucket whose default encryption is not SSE-KMS (SSE-S3's
    AES256 keys are AWS's: no key policy, no CloudTrail record of who decrypted what). A bucket
    with no default encryption at all is :func:`unencrypted_buckets`' to report."""
    resources = list(resources)
    configs = [r for r in resources if r.resource_type in SSE_TYPES]
    for bucket in _buckets(resources):
        rules = [dig(bucket.props, "serverSideEncryptionConfiguration", "rule")]
        rules += [
            rule
            for c in configs
            if _configures(c, bucket)
            for rule in as_list(c.props.get("rules"))
        ]
        algorithms = {_algorithm(rule) for rule in rules}
        if algorithms & SSE_ALGORITHMS and not algorithms & KMS_ALGORITHMS:
            yield (
                bucket.urn,
                f"bucket {_bucket_name(bucket)!r} does not default to SSE-KMS: set the "
                "encryption configuration's sseAlgorithm to aws:kms with the platform's key",
            )


def _algorithm(rule: Any) -> Any:
    return dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")


def tls_not_enforced_buckets(resources: Iterable[StackResource]) -> Iterator[tuple[str, str]]:
    """(bucket URN, message) for each bucket whose policy does not deny requests without TLS."""
    resources = list(resources)
    policies = [r for r in resources if r.resource_type == BUCKET_POLICY]
    for bucket in _buckets(resources):
        documents = [bucket.props.get("policy")]
        documents += [p.props.get("policy") for p in policies if _configures(p, bucket)]
        if not any(_denies_insecure_transport(doc) for doc in documents if doc is not None):
            yield (
                bucket.urn,
                f"bucket {_bucket_name(bucket)!r} has no policy denying requests without TLS: "
                'add a Deny of "s3:*" to "*" on the bucket and its objects with '
                '{"Bool": {"aws:SecureTransport": "false"}}',
            )


def _denies_insecure_transport(document: Any) -> bool:
    try:
        statements = parse_document(document)
    except PolicyDocumentError:
        return False
    return any(_is_tls_deny(statement) for statement in statements)


def _is_tls_deny(statement: Statement) -> bool:
    if statement.allows or "*" not in iter_principals(statement.principal):
        return False
    if not {"s3:*", "*"} & {action.lower() for action in statement.actions}:
        return False
    return any(
        operator.lower() == "bool"
        and str(as_mapping(block).get("aws:SecureTransport")).lower() == "false"
        for operator, block in statement.condition.items()
    )
