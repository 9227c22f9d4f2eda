"""The resource-based policy that governs a resource, where the local cloud keeps one: an S3
bucket's policy (for the bucket and its objects), a KMS key's policy, an SNS topic's policy.

Queue policies, secret policies and ECR repository policies are not read (docs/localcloud.md):
for those resources the role's identity policies decide alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sagestack.localcloud import moto as moto_internals


@dataclass(frozen=True)
class ResourcePolicy:
    kind: str  # "bucket", "key", "topic"
    document: str | None  # None: the resource has no policy (a key always has one)
    account_id: str | None  # the resource's owner


def resource_policy(resource_arn: str) -> ResourcePolicy | None:
    """The policy governing ``resource_arn``; None when its service keeps none here."""
    parts = resource_arn.split(":", 5)
    if len(parts) != 6:
        return None
    service, account_id, resource = parts[2], parts[4], parts[5]
    if service == "s3" and resource:
        bucket = moto_internals.find_bucket(resource.split("/", 1)[0])
        if bucket is None:
            return None
        return ResourcePolicy("bucket", bucket.policy, bucket.account_id)
    if service == "kms" and resource.startswith("key/"):
        document = moto_internals.kms_key_policy(resource_arn)
        return ResourcePolicy("key", document, account_id) if document else None
    if service == "sns":
        document = moto_internals.topic_policy(resource_arn)
        return ResourcePolicy("topic", document, account_id) if document else None
    return None
